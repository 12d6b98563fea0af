//! The storage error type and the one mapping from `errno` to it.

use std::io;

use rustix::io::Errno;

/// Why a filesystem operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The path does not exist inside the root.
    #[error("no such file or directory")]
    NotFound,
    /// The session's credentials do not allow the operation.
    #[error("permission denied")]
    PermissionDenied,
    /// The name is already taken.
    #[error("file exists")]
    AlreadyExists,
    /// A path component that must be a directory is not one.
    #[error("not a directory")]
    NotADirectory,
    /// The operation needs a non-directory, and the path is a directory.
    #[error("is a directory")]
    IsADirectory,
    /// The operation needs a regular file (not a device, FIFO or socket).
    #[error("not a regular file")]
    NotRegularFile,
    /// The path is not a symbolic link.
    #[error("not a symbolic link")]
    NotASymlink,
    /// The directory still has entries.
    #[error("directory not empty")]
    DirectoryNotEmpty,
    /// The client's path cannot be used (NUL byte, empty or `.`/`..` final name, …).
    #[error("invalid path: {0}")]
    InvalidPath(String),
    /// An argument other than a path is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The disk is full or the user's quota is exhausted (`ENOSPC`, `EDQUOT`).
    #[error("no space left on device")]
    NoSpace,
    /// Too many symbolic links were met while resolving the path (`ELOOP`), or too many hard links (`EMLINK`).
    #[error("too many links")]
    TooManyLinks,
    /// A path or a name is longer than the filesystem allows.
    #[error("file name too long")]
    NameTooLong,
    /// The filesystem is mounted read-only.
    #[error("read-only file system")]
    ReadOnly,
    /// A rename would move the file to another filesystem.
    #[error("cross-device link")]
    CrossesDevice,
    /// Any other I/O failure.
    #[error(transparent)]
    Io(io::Error),
}

impl StorageError {
    /// The error for a raw `errno` value.
    pub fn from_raw_os_error(code: i32) -> Self {
        match code {
            libc::ENOENT => Self::NotFound,
            libc::EACCES | libc::EPERM => Self::PermissionDenied,
            libc::EEXIST => Self::AlreadyExists,
            libc::ENOTDIR => Self::NotADirectory,
            libc::EISDIR => Self::IsADirectory,
            libc::ENOTEMPTY => Self::DirectoryNotEmpty,
            libc::ENOSPC | libc::EDQUOT => Self::NoSpace,
            libc::ELOOP | libc::EMLINK => Self::TooManyLinks,
            libc::ENAMETOOLONG => Self::NameTooLong,
            libc::EROFS => Self::ReadOnly,
            libc::EXDEV => Self::CrossesDevice,
            other => Self::Io(io::Error::from_raw_os_error(other)),
        }
    }

    /// The error for "the worker pool is gone" (it never is while an `FsPool` handle lives).
    pub(crate) fn pool_stopped() -> Self {
        Self::Io(io::Error::other("filesystem worker pool stopped"))
    }
}

impl From<Errno> for StorageError {
    fn from(errno: Errno) -> Self {
        Self::from_raw_os_error(errno.raw_os_error())
    }
}

impl From<io::Error> for StorageError {
    fn from(err: io::Error) -> Self {
        match err.raw_os_error() {
            Some(code) => Self::from_raw_os_error(code),
            None => Self::Io(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_maps_to_kinds() {
        assert!(matches!(
            StorageError::from(Errno::NOENT),
            StorageError::NotFound
        ));
        assert!(matches!(
            StorageError::from(Errno::PERM),
            StorageError::PermissionDenied
        ));
        assert!(matches!(
            StorageError::from(Errno::DQUOT),
            StorageError::NoSpace
        ));
        assert!(matches!(
            StorageError::from(Errno::NOTEMPTY),
            StorageError::DirectoryNotEmpty
        ));
        assert!(matches!(
            StorageError::from(io::Error::from_raw_os_error(libc::EXDEV)),
            StorageError::CrossesDevice
        ));
        match StorageError::from(Errno::IO) {
            StorageError::Io(e) => assert_eq!(e.raw_os_error(), Some(libc::EIO)),
            other => panic!("unexpected {other:?}"),
        }
    }
}
