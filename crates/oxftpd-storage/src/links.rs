//! Hard links and filesystem statistics inside the jail (SFTP's `hardlink@openssh.com` and
//! `statvfs@openssh.com`).

use rustix::fs::{AtFlags, OFlags, fstatvfs, linkat};

use crate::{Fs, StorageError, path, resolve};

/// What `statvfs(2)` says of the filesystem holding a path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FsStats {
    /// Block size.
    pub bsize: u64,
    /// Fragment size.
    pub frsize: u64,
    /// Blocks in all.
    pub blocks: u64,
    /// Free blocks.
    pub bfree: u64,
    /// Free blocks for unprivileged users.
    pub bavail: u64,
    /// Inodes in all.
    pub files: u64,
    /// Free inodes.
    pub ffree: u64,
    /// Free inodes for unprivileged users.
    pub favail: u64,
    /// Filesystem id.
    pub fsid: u64,
    /// Mount flags.
    pub flag: u64,
    /// Longest name.
    pub namemax: u64,
}

impl Fs {
    /// Statistics of the filesystem that holds `path`.
    pub async fn stat_fs(&self, path: &str) -> Result<FsStats, StorageError> {
        path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            let fd = resolve::open(root, &path, OFlags::PATH, 0)?;
            let s = fstatvfs(&fd)?;
            Ok(FsStats {
                bsize: s.f_bsize,
                frsize: s.f_frsize,
                blocks: s.f_blocks,
                bfree: s.f_bfree,
                bavail: s.f_bavail,
                files: s.f_files,
                ffree: s.f_ffree,
                favail: s.f_favail,
                fsid: s.f_fsid,
                flag: s.f_flag.bits(),
                namemax: s.f_namemax,
            })
        })
        .await
    }

    /// Makes `to` a new hard link to the non-directory `from` (not following a symbolic link).
    pub async fn hard_link(&self, from: &str, to: &str) -> Result<(), StorageError> {
        path::split_parent(from)?;
        path::split_parent(to)?;
        let (from, to) = (from.to_owned(), to.to_owned());
        self.call(move |root| {
            let (from_dir, from_name) = resolve::parent(root, &from)?;
            let (to_dir, to_name) = resolve::parent(root, &to)?;
            Ok(linkat(
                from_dir,
                &*path::raw(from_name),
                to_dir,
                &*path::raw(to_name),
                AtFlags::empty(),
            )?)
        })
        .await
    }
}
