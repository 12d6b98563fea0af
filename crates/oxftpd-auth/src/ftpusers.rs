//! `UseFtpUsers`: users listed in /etc/ftpusers may not log in.

use std::path::Path;

/// The system's list of users refused FTP access.
pub const DEFAULT_FTPUSERS_FILE: &str = "/etc/ftpusers";

/// True if `user` has a line of its own in `path` (leading blanks ignored,
/// blank lines and `#` comments skipped); a missing file lists nobody.
pub fn listed_in_ftpusers(user: &str, path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l).trim_start())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_users() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ftpusers");
        std::fs::write(&f, "# no ftp for these\nroot\n  daemon\n\n#alice\nbob\r\n").unwrap();
        assert!(listed_in_ftpusers("root", &f));
        assert!(listed_in_ftpusers("daemon", &f));
        assert!(listed_in_ftpusers("bob", &f));
        assert!(!listed_in_ftpusers("alice", &f));
        assert!(!listed_in_ftpusers("#alice", &f));
        assert!(!listed_in_ftpusers("roo", &f));
        assert!(!listed_in_ftpusers("", &f));
    }

    #[test]
    fn missing_file_lists_nobody() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!listed_in_ftpusers("root", &dir.path().join("nope")));
    }
}
