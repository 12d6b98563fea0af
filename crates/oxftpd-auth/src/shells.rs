//! `RequireValidShell`: is a user's shell listed in /etc/shells?

use std::path::Path;

/// The system's list of valid login shells.
pub const DEFAULT_SHELLS_FILE: &str = "/etc/shells";

/// True if `shell` is a line of `shells_file`; as in ProFTPD, a missing or
/// unreadable file makes every shell valid.
///
/// Lines are compared whole (only the line break is removed); blank lines and
/// `#` comments never match.
pub fn valid_shell(shell: &str, shells_file: &Path) -> bool {
    let Ok(bytes) = std::fs::read(shells_file) else {
        return true;
    };
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == shell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_shells_only() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("shells");
        std::fs::write(&f, "# /etc/shells\n/bin/sh\n/bin/bash\n\n/usr/bin/zsh\n").unwrap();
        assert!(valid_shell("/bin/bash", &f));
        assert!(valid_shell("/usr/bin/zsh", &f));
        assert!(!valid_shell("/bin/false", &f));
        assert!(!valid_shell("", &f));
        assert!(!valid_shell("# /etc/shells", &f));
        assert!(!valid_shell("/bin/bas", &f));
    }

    #[test]
    fn missing_file_allows_all() {
        let dir = tempfile::tempdir().unwrap();
        assert!(valid_shell("/bin/false", &dir.path().join("nope")));
    }
}
