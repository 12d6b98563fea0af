//! Changing mode, owner and times through an `O_PATH` fd, so the object is the one
//! resolved inside the root and no path is looked up again.

use std::ffi::CString;

use rustix::fd::{AsRawFd, BorrowedFd};
use rustix::fs::{AtFlags, CWD, Gid, Mode, Timestamps, Uid, chmodat, chownat, utimensat};
use rustix::io::Errno;

use crate::StorageError;

/// `fchmodat2(fd, "", mode, AT_EMPTY_PATH)`, or `chmod("/proc/self/fd/N")` on kernels before 6.6.
pub(crate) fn chmod(fd: BorrowedFd<'_>, mode: u32) -> Result<(), StorageError> {
    let empty = c"";
    // SAFETY: fchmodat2 reads a NUL-terminated path and changes no memory.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_fchmodat2,
            fd.as_raw_fd(),
            empty.as_ptr(),
            mode as libc::c_uint,
            libc::AT_EMPTY_PATH,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    match Errno::from_io_error(&std::io::Error::last_os_error()) {
        Some(Errno::NOSYS | Errno::INVAL) => chmodat(
            CWD,
            proc_path(fd)?.as_c_str(),
            Mode::from_raw_mode(mode),
            AtFlags::empty(),
        )
        .map_err(StorageError::from),
        Some(errno) => Err(errno.into()),
        None => Err(StorageError::Io(std::io::Error::last_os_error())),
    }
}

/// `fchownat(fd, "", uid, gid, AT_EMPTY_PATH)`.
pub(crate) fn chown(
    fd: BorrowedFd<'_>,
    uid: Option<u32>,
    gid: Option<u32>,
) -> Result<(), StorageError> {
    if uid == Some(u32::MAX) || gid == Some(u32::MAX) {
        return Err(StorageError::InvalidArgument("id -1".into()));
    }
    let uid = uid.map(Uid::from_raw);
    let gid = gid.map(Gid::from_raw);
    chownat(fd, c"", uid, gid, AtFlags::EMPTY_PATH).map_err(StorageError::from)
}

/// `utimensat(fd, "", times, AT_EMPTY_PATH)`, or through `/proc/self/fd/N` where that is refused.
pub(crate) fn set_times(fd: BorrowedFd<'_>, times: &Timestamps) -> Result<(), StorageError> {
    match utimensat(fd, c"", times, AtFlags::EMPTY_PATH) {
        Ok(()) => Ok(()),
        Err(Errno::INVAL | Errno::BADF) => {
            utimensat(CWD, proc_path(fd)?.as_c_str(), times, AtFlags::empty())
                .map_err(StorageError::from)
        }
        Err(e) => Err(e.into()),
    }
}

fn proc_path(fd: BorrowedFd<'_>) -> Result<CString, StorageError> {
    CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map_err(|_| StorageError::InvalidPath("fd path".into()))
}
