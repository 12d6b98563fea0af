//! Replacing an existing file with an upload, as the kernel would let the session's user
//! write it (issue 19).
//!
//! An upload that replaces a file is written to a temporary file beside it and put in its
//! place only when it completed, so a failed upload never leaves a truncated file where a
//! complete one stood. Renaming needs only write permission on the directory, so the upload
//! first opens the existing file for writing (without truncating it) as the session's user:
//! that open is the kernel's own check, and what ProFTPD's `STOR` does. The temporary file
//! takes the existing file's group and mode; when it cannot also take its owner (the user
//! may write another user's file, e.g. through its group), renaming would hand the file to
//! the uploader, so the upload is copied into the existing file instead, which keeps owner,
//! group and mode as an in-place write does.
//!
//! At the end the name must still be the file that was checked: a rename goes ahead only if
//! the name still is the same inode (a file swapped in meanwhile is never replaced by the
//! rename; the upload is copied into the checked file then). A file with other hard links,
//! or reached through a symbolic link, is written in place too, as ProFTPD writes it.

use std::fs::File;

use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{
    AtFlags, Gid, Mode, OFlags, Stat, fchmod, fchown, fstat, ftruncate, renameat, unlinkat,
};

use crate::{Fs, Metadata, StorageError, resolve};

/// An existing file an upload replaces, opened for writing as the session's user (so the
/// kernel said the user may write it) and left as it is until the upload completed.
#[derive(Debug)]
pub struct Existing {
    file: File,
    stat: Stat,
}

impl Existing {
    /// The file's attributes when it was opened.
    pub fn metadata(&self) -> Metadata {
        self.stat.into()
    }
}

/// What an upload's temporary file became once it took the existing file's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// The temporary file has the existing one's owner, group and mode: rename it over.
    Rename,
    /// It could not take them: copy its bytes into the existing file.
    CopyInto,
}

impl Fs {
    /// Opens the existing regular file `path` for writing, without truncating it, as the
    /// session's user: fails with `PermissionDenied` when the kernel would not let the user
    /// write it, whatever the directory allows.
    pub async fn open_existing(&self, path: &str) -> Result<Existing, StorageError> {
        crate::path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            // O_NONBLOCK so that a FIFO does not hang the worker; cleared below.
            let fd = resolve::open(root, &path, OFlags::WRONLY | OFlags::NONBLOCK, 0)?;
            crate::fs::regular_file(&fd)?;
            let stat = fstat(&fd)?;
            Ok(Existing {
                file: File::from(fd),
                stat,
            })
        })
        .await
    }

    /// Gives the new temporary file `temp` the group and mode of `existing`, and says
    /// whether it now also has its owner (then it may be renamed over it).
    pub async fn adopt(
        &self,
        temp: &File,
        existing: &Existing,
    ) -> Result<Replacement, StorageError> {
        let temp = temp.try_clone()?;
        let want = existing.stat;
        self.call(move |_| {
            let have = fstat(&temp)?;
            // Another link to the file sees an in-place write, as with ProFTPD; a rename
            // would leave it the old bytes.
            if have.st_uid != want.st_uid || want.st_nlink > 1 {
                return Ok(Replacement::CopyInto);
            }
            if have.st_gid != want.st_gid
                && fchown(&temp, None, Some(Gid::from_raw(want.st_gid))).is_err()
            {
                return Ok(Replacement::CopyInto);
            }
            let mode = Mode::from_raw_mode(want.st_mode & 0o7777);
            if fchmod(&temp, mode).is_err() {
                return Ok(Replacement::CopyInto);
            }
            // The kernel drops set-group-id when the owner is not in the group: compare.
            let now = fstat(&temp)?;
            if now.st_mode & 0o7777 != want.st_mode & 0o7777 {
                return Ok(Replacement::CopyInto);
            }
            Ok(Replacement::Rename)
        })
        .await
    }

    /// Puts the completed upload `temp` in the place of `existing` at `path`: renamed over it
    /// when `how` allows and `path` still names the checked file, else copied into it (and
    /// `temp` removed).
    pub async fn replace(
        &self,
        temp: &str,
        path: &str,
        existing: Existing,
        how: Replacement,
    ) -> Result<(), StorageError> {
        crate::path::split_parent(temp)?;
        crate::path::split_parent(path)?;
        let (temp, path) = (temp.to_owned(), path.to_owned());
        self.call(move |root| {
            if how == Replacement::Rename && still_names(root, &path, &existing.stat) {
                let (from_dir, from_name) = resolve::parent(root, &temp)?;
                let (to_dir, to_name) = resolve::parent(root, &path)?;
                return Ok(renameat(
                    from_dir,
                    &*crate::path::raw(from_name),
                    to_dir,
                    &*crate::path::raw(to_name),
                )?);
            }
            let source = resolve::open(root, &temp, OFlags::RDONLY | OFlags::NOFOLLOW, 0)?;
            copy_into(&source, &existing.file)?;
            let (dir, name) = resolve::parent(root, &temp)?;
            Ok(unlinkat(dir, &*crate::path::raw(name), AtFlags::empty())?)
        })
        .await
    }
}

/// Whether `path` itself (a final symbolic link not followed: writing through it keeps the
/// link) still is the file `stat` describes.
fn still_names(root: rustix::fd::BorrowedFd<'_>, path: &str, stat: &Stat) -> bool {
    resolve::open(root, path, OFlags::PATH | OFlags::NOFOLLOW, 0)
        .and_then(|fd| Ok(fstat(fd)?))
        .is_ok_and(|now| now.st_dev == stat.st_dev && now.st_ino == stat.st_ino)
}

/// Replaces the contents of `target` with those of `source`.
fn copy_into(source: &OwnedFd, target: &File) -> Result<(), StorageError> {
    ftruncate(target.as_fd(), 0)?;
    let mut from = File::from(source.try_clone()?);
    let mut to = target;
    std::io::copy(&mut from, &mut to)?;
    Ok(())
}
