//! Checks on the virtual paths a session passes in, and splitting off their last name.

use crate::StorageError;

/// The path to hand to `openat2` under `RESOLVE_IN_ROOT`: `path` itself, or `.` for the root.
pub(crate) fn check(path: &str) -> Result<&str, StorageError> {
    reject_nul(path)?;
    if path.is_empty() { Ok(".") } else { Ok(path) }
}

/// The bytes a path or name stands for on disk: names that are not UTF-8 travel escaped in
/// `&str` (`oxftpd_proto::raw_name`) and are written back as their bytes at each system call.
pub(crate) fn raw(path: &str) -> std::borrow::Cow<'_, [u8]> {
    oxftpd_proto::raw_name::encode(path)
}

/// Splits `path` into (parent, last name) for operations on the final component.
///
/// Trailing slashes are ignored; the name must not be empty, `.` or `..`.
pub(crate) fn split_parent(path: &str) -> Result<(&str, &str), StorageError> {
    reject_nul(path)?;
    let trimmed = path.trim_end_matches('/');
    let (parent, name) = match trimmed.rfind('/') {
        Some(0) => ("/", &trimmed[1..]),
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => (".", trimmed),
    };
    check_name(name)?;
    Ok((parent, name))
}

/// Checks a single name to be created inside a directory.
pub(crate) fn check_name(name: &str) -> Result<(), StorageError> {
    reject_nul(name)?;
    match name {
        "" => Err(StorageError::InvalidPath("empty file name".into())),
        "." | ".." => Err(StorageError::InvalidPath(format!(
            "{name:?} cannot be the last name"
        ))),
        _ if name.contains('/') => Err(StorageError::InvalidPath("name contains '/'".into())),
        _ => Ok(()),
    }
}

/// `dir` joined with `name`, as a virtual path.
pub(crate) fn join(dir: &str, name: &str) -> String {
    let base = dir.trim_end_matches('/');
    if base.is_empty() {
        format!("/{name}")
    } else {
        format!("{base}/{name}")
    }
}

fn reject_nul(text: &str) -> Result<(), StorageError> {
    if text.contains('\0') {
        Err(StorageError::InvalidPath("NUL byte in path".into()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_last_name() {
        assert_eq!(split_parent("/a/b").ok(), Some(("/a", "b")));
        assert_eq!(split_parent("/b").ok(), Some(("/", "b")));
        assert_eq!(split_parent("b").ok(), Some((".", "b")));
        assert_eq!(split_parent("/a/b//").ok(), Some(("/a", "b")));
        assert_eq!(split_parent("a/../b").ok(), Some(("a/..", "b")));
    }

    #[test]
    fn rejects_bad_last_names() {
        for bad in ["/", "", "/a/..", "/a/.", "..", "/a\0b"] {
            assert!(
                matches!(split_parent(bad), Err(StorageError::InvalidPath(_))),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn check_maps_empty_to_root_and_rejects_nul() {
        assert_eq!(check("").ok(), Some("."));
        assert_eq!(check("/x").ok(), Some("/x"));
        assert!(matches!(check("/x\0"), Err(StorageError::InvalidPath(_))));
    }

    #[test]
    fn joins_virtual_paths() {
        assert_eq!(join("/", "f"), "/f");
        assert_eq!(join("", "f"), "/f");
        assert_eq!(join("/up/", "f"), "/up/f");
        assert_eq!(join("/up", "f"), "/up/f");
        assert_eq!(join("up", "f"), "up/f");
    }
}
