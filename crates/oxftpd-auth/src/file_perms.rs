//! ProFTPD's safety rules for `AuthUserFile`/`AuthGroupFile`.
//!
//! ProFTPD 1.3.8 refuses to start (a fatal configuration error) when an
//! `AuthUserFile` is missing, world-readable (it holds hashes) or
//! world-writable, when an `AuthGroupFile` is missing or world-writable, or
//! when either sits in a world-writable directory. A path that is not a
//! regular file only draws a warning. `AuthFileOptions InsecurePerms` lifts
//! the permission rules.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Which of the two files a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFileKind {
    /// An `AuthUserFile` (passwd format, holds hashes).
    User,
    /// An `AuthGroupFile` (group format).
    Group,
}

impl AuthFileKind {
    /// The directive that names this kind of file.
    pub fn directive(self) -> &'static str {
        match self {
            AuthFileKind::User => "AuthUserFile",
            AuthFileKind::Group => "AuthGroupFile",
        }
    }
}

/// Why an auth file may not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFileError {
    /// The file cannot be stat'ed (missing, no permission).
    #[error("unable to use {directive} '{}': {source}", path.display())]
    Unreadable {
        /// `AuthUserFile` or `AuthGroupFile`.
        directive: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// Permissions let other users read hashes or change the file.
    #[error("unable to use {what} {directive} '{}' (perms {mode:04o})", path.display())]
    InsecureFile {
        /// `AuthUserFile` or `AuthGroupFile`.
        directive: &'static str,
        /// The file.
        path: PathBuf,
        /// `world-readable` or `world-writable`.
        what: &'static str,
        /// The file's permission bits.
        mode: u32,
    },
    /// The directory holding the file is world-writable.
    #[error("unable to use {directive} from world-writable directory '{}' (perms {mode:04o})", dir.display())]
    InsecureDirectory {
        /// `AuthUserFile` or `AuthGroupFile`.
        directive: &'static str,
        /// The directory.
        dir: PathBuf,
        /// The directory's permission bits.
        mode: u32,
    },
}

/// Checks `path` as ProFTPD does when it reads the directive; `allow_insecure`
/// skips the permission rules (the file must still exist).
pub fn check_auth_file(
    path: &Path,
    kind: AuthFileKind,
    allow_insecure: bool,
) -> Result<(), AuthFileError> {
    let directive = kind.directive();
    let unreadable = |source| AuthFileError::Unreadable {
        directive,
        path: path.to_owned(),
        source,
    };
    let link = std::fs::symlink_metadata(path).map_err(unreadable)?;
    if !link.file_type().is_file() {
        tracing::warn!("{directive} '{}' is not a regular file", path.display());
    }
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if allow_insecure {
        return Ok(());
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o002 != 0 {
        return Err(AuthFileError::InsecureFile {
            directive,
            path: path.to_owned(),
            what: "world-writable",
            mode,
        });
    }
    if kind == AuthFileKind::User && mode & 0o004 != 0 {
        return Err(AuthFileError::InsecureFile {
            directive,
            path: path.to_owned(),
            what: "world-readable",
            mode,
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dmeta = std::fs::metadata(dir).map_err(unreadable)?;
    let dmode = dmeta.mode() & 0o7777;
    if dmode & 0o002 != 0 {
        return Err(AuthFileError::InsecureDirectory {
            directive,
            dir: dir.to_owned(),
            mode: dmode,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(p: &Path, mode: u32) {
        fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn proftpd_rules() {
        let dir = tempfile::tempdir().unwrap();
        chmod(dir.path(), 0o755);
        let f = dir.path().join("ftpd.passwd");
        assert!(matches!(
            check_auth_file(&f, AuthFileKind::User, false),
            Err(AuthFileError::Unreadable { .. })
        ));
        fs::write(&f, "").unwrap();
        chmod(&f, 0o600);
        assert!(check_auth_file(&f, AuthFileKind::User, false).is_ok());
        chmod(&f, 0o644);
        let e = check_auth_file(&f, AuthFileKind::User, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "unable to use world-readable AuthUserFile '{}' (perms 0644)",
                f.display()
            )
        );
        // World-readable is fine for a group file, world-writable is not.
        assert!(check_auth_file(&f, AuthFileKind::Group, false).is_ok());
        chmod(&f, 0o646);
        assert!(matches!(
            check_auth_file(&f, AuthFileKind::Group, false),
            Err(AuthFileError::InsecureFile {
                what: "world-writable",
                ..
            })
        ));
        assert!(check_auth_file(&f, AuthFileKind::User, true).is_ok());
        chmod(&f, 0o600);
        chmod(dir.path(), 0o777);
        assert!(matches!(
            check_auth_file(&f, AuthFileKind::Group, false),
            Err(AuthFileError::InsecureDirectory { mode: 0o777, .. })
        ));
        chmod(dir.path(), 0o700);
    }
}
