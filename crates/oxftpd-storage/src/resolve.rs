//! Opening client paths inside the session's root, and only there.

use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::fs::{Mode, OFlags, ResolveFlags, openat2};
use rustix::io::Errno;

use crate::StorageError;
use crate::path;

/// `..` and symlinks (absolute or relative) are resolved as if the root were `/`.
const IN_ROOT: ResolveFlags = ResolveFlags::IN_ROOT.union(ResolveFlags::NO_MAGICLINKS);

/// `openat2` retries with `RESOLVE_IN_ROOT` when a rename races with `..`; give up after this many.
const EAGAIN_RETRIES: usize = 16;

/// Opens `path` (a virtual path) inside `root`. `mode` is used only with `O_CREAT`.
pub(crate) fn open(
    root: BorrowedFd<'_>,
    path: &str,
    flags: OFlags,
    mode: u32,
) -> Result<OwnedFd, StorageError> {
    let path = path::check(path)?;
    // openat2 refuses O_PATH with anything but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC.
    let flags = if flags.contains(OFlags::PATH) {
        flags | OFlags::CLOEXEC
    } else {
        flags | OFlags::CLOEXEC | OFlags::NOCTTY
    };
    let mode = if flags.contains(OFlags::CREATE) {
        Mode::from_raw_mode(mode)
    } else {
        Mode::empty()
    };
    let mut tries = 0;
    loop {
        match openat2(root, &*crate::path::raw(path), flags, mode, IN_ROOT) {
            Err(Errno::AGAIN) if tries < EAGAIN_RETRIES => tries += 1,
            Err(Errno::NOSYS) => {
                tracing::error!("openat2 is not available (Linux 5.6 or newer is needed)");
                return Err(StorageError::from(Errno::NOSYS));
            }
            other => return other.map_err(StorageError::from),
        }
    }
}

/// Opens the directory that holds the last name of `path`, as an `O_PATH` fd.
///
/// Returns the fd and the last name, checked (not empty, `.` or `..`).
pub(crate) fn parent<'p>(
    root: BorrowedFd<'_>,
    path: &'p str,
) -> Result<(OwnedFd, &'p str), StorageError> {
    let (dir, name) = path::split_parent(path)?;
    let fd = open(root, dir, OFlags::PATH | OFlags::DIRECTORY, 0)?;
    Ok((fd, name))
}

/// Opens `path` as an `O_PATH` fd, following a final symlink inside the root.
pub(crate) fn object(root: BorrowedFd<'_>, path: &str) -> Result<OwnedFd, StorageError> {
    open(root, path, OFlags::PATH, 0)
}
