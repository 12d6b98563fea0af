//! Changing mode, owner and times through an `O_PATH` fd, so the object is the one
//! resolved inside the root and no path is looked up again.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::CString;

#[cfg(test)]
use rustix::fd::AsFd;
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
        Some(Errno::NOSYS | Errno::INVAL) => chmod_via_proc(fd, mode),
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
        Err(Errno::INVAL | Errno::BADF) => set_times_via_proc(fd, times),
        Err(e) => Err(e.into()),
    }
}

/// `chmod("/proc/self/fd/N")`: follows the fd's magic link, nothing else.
fn chmod_via_proc(fd: BorrowedFd<'_>, mode: u32) -> Result<(), StorageError> {
    chmodat(
        CWD,
        proc_path(fd)?.as_c_str(),
        Mode::from_raw_mode(mode),
        AtFlags::empty(),
    )
    .map_err(StorageError::from)
}

/// `utimensat(AT_FDCWD, "/proc/self/fd/N", times, 0)`.
fn set_times_via_proc(fd: BorrowedFd<'_>, times: &Timestamps) -> Result<(), StorageError> {
    utimensat(CWD, proc_path(fd)?.as_c_str(), times, AtFlags::empty()).map_err(StorageError::from)
}

fn proc_path(fd: BorrowedFd<'_>) -> Result<CString, StorageError> {
    CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map_err(|_| StorageError::InvalidPath("fd path".into()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use rustix::fs::{OFlags, Timespec, open};

    use super::*;

    #[test]
    fn proc_fallbacks_act_on_the_fd_object() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let fd = open(&file, OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).unwrap();
        chmod_via_proc(fd.as_fd(), 0o640).unwrap();
        let times = Timestamps {
            last_access: Timespec {
                tv_sec: 7,
                tv_nsec: 0,
            },
            last_modification: Timespec {
                tv_sec: 9,
                tv_nsec: 0,
            },
        };
        set_times_via_proc(fd.as_fd(), &times).unwrap();
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(
            (meta.mode() & 0o7777, meta.atime(), meta.mtime()),
            (0o640, 7, 9)
        );
    }

    #[tokio::test]
    async fn proc_fallback_works_for_a_switched_thread() {
        if !rustix::process::geteuid().is_root() {
            eprintln!("skipped: needs root");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        std::os::unix::fs::chown(&file, Some(60001), Some(60001)).unwrap();
        let fd = open(&file, OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).unwrap();
        let pool = crate::FsPool::new(1).unwrap();
        let cred = crate::Credentials::new(60001, 60001, vec![], 0o022);
        let result = pool
            .run(&cred, move || chmod_via_proc(fd.as_fd(), 0o604))
            .await;
        assert!(matches!(result, Ok(Ok(()))), "{result:?}");
        assert_eq!(std::fs::metadata(&file).unwrap().mode() & 0o7777, 0o604);
    }
}
