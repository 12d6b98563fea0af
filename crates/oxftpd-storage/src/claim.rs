//! Creating a file under a fixed name that an upload holds while it runs (`HiddenStores`'
//! `.in.NAME.`), so that a name left by a killed process does not block the next upload.
//!
//! The file is created under a unique name, locked (`flock`, which the kernel releases
//! when the holder's last descriptor closes, a `kill -9` included) and only then renamed to
//! the fixed name without replacing anything (`RENAME_NOREPLACE`), so the fixed name never
//! shows an unlocked file of a running upload. A file found under the name is in use while
//! someone holds its lock; one that nobody holds is stale, and is removed (if it is still
//! the file that was checked) before the name is taken again.

use std::fs::File;

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{
    AtFlags, FlockOperation, Mode, OFlags, RenameFlags, flock, fstat, openat, renameat_with,
    statat, unlinkat,
};
use rustix::io::Errno;

use crate::{Fs, StorageError, resolve};

/// How many times a stale file is removed before giving up (others may race for the name).
const STALE_TRIES: usize = 4;

impl Fs {
    /// Creates `path` (it must not exist) locked for as long as the returned file is open.
    /// A file of that name that no one holds (left by a process that was killed) is removed
    /// first; one that is held fails with `AlreadyExists`.
    pub async fn create_claimed(&self, path: &str) -> Result<File, StorageError> {
        crate::path::split_parent(path)?;
        let path = path.to_owned();
        let create_mode = Mode::from_raw_mode(self.credentials().file_mode());
        self.call(move |root| {
            let (dir, name) = resolve::parent(root, &path)?;
            for _ in 0..STALE_TRIES {
                match claim(&dir, name, create_mode) {
                    Err(StorageError::AlreadyExists) => remove_if_stale(&dir, name)?,
                    other => return other,
                }
            }
            Err(StorageError::AlreadyExists)
        })
        .await
    }
}

/// Creates `name` in `dir`, locked; `AlreadyExists` when the name is taken.
fn claim(dir: &OwnedFd, name: &str, mode: Mode) -> Result<File, StorageError> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
    for _ in 0..crate::fs::UNIQUE_TRIES {
        let temp = format!(".{name}.{}", crate::fs::unique_suffix());
        let fd = match openat(dir, &*crate::path::raw(&temp), flags, mode) {
            Ok(fd) => fd,
            Err(Errno::EXIST) => continue,
            Err(e) => return Err(e.into()),
        };
        let placed = flock(&fd, FlockOperation::NonBlockingLockExclusive).and_then(|()| {
            renameat_with(
                dir,
                &*crate::path::raw(&temp),
                dir,
                &*crate::path::raw(name),
                RenameFlags::NOREPLACE,
            )
        });
        return match placed {
            Ok(()) => Ok(File::from(fd)),
            // A filesystem without RENAME_NOREPLACE: create the name itself, then lock it.
            Err(Errno::INVAL) => {
                let _ = unlinkat(dir, &*crate::path::raw(&temp), AtFlags::empty());
                let fd = openat(dir, &*crate::path::raw(name), flags, mode)?;
                flock(&fd, FlockOperation::NonBlockingLockExclusive)?;
                Ok(File::from(fd))
            }
            Err(e) => {
                let _ = unlinkat(dir, &*crate::path::raw(&temp), AtFlags::empty());
                Err(e.into())
            }
        };
    }
    Err(StorageError::AlreadyExists)
}

/// Removes `name` from `dir` if no one holds its lock; `AlreadyExists` if someone does (or
/// it cannot be opened to tell).
fn remove_if_stale(dir: &OwnedFd, name: &str) -> Result<(), StorageError> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = match openat(dir, &*crate::path::raw(name), flags, Mode::empty()) {
        Ok(fd) => fd,
        // Gone meanwhile: try the name again.
        Err(Errno::NOENT) => return Ok(()),
        Err(_) => return Err(StorageError::AlreadyExists),
    };
    if flock(&fd, FlockOperation::NonBlockingLockExclusive).is_err() {
        return Err(StorageError::AlreadyExists);
    }
    if !same_file(dir.as_fd(), name, &fd) {
        return Ok(());
    }
    tracing::info!(name, "removing a stale upload file no one holds");
    match unlinkat(dir, &*crate::path::raw(name), AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(_) => Err(StorageError::AlreadyExists),
    }
}

/// Whether `name` in `dir` is still the file open as `fd`.
fn same_file(dir: BorrowedFd<'_>, name: &str, fd: &OwnedFd) -> bool {
    match (
        statat(dir, &*crate::path::raw(name), AtFlags::SYMLINK_NOFOLLOW),
        fstat(fd),
    ) {
        (Ok(a), Ok(b)) => a.st_dev == b.st_dev && a.st_ino == b.st_ino,
        _ => false,
    }
}
