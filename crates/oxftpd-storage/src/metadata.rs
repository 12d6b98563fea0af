//! What `stat` says about a file, in plain types.

use rustix::fs::{FileType, Stat};

/// The kind of a filesystem object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (only from the non-following calls).
    Symlink,
    /// A device, FIFO or socket.
    Other,
}

/// The attributes of a filesystem object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// What kind of object it is.
    pub kind: Kind,
    /// Permission bits, including setuid, setgid and sticky (`st_mode & 0o7777`).
    pub mode: u32,
    /// Number of hard links.
    pub nlink: u64,
    /// Owner's user id.
    pub uid: u32,
    /// Owner's group id.
    pub gid: u32,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    /// Access time, seconds since the epoch.
    pub atime: i64,
    /// Status change time, seconds since the epoch.
    pub ctime: i64,
    /// Device the object lives on.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
}

impl Metadata {
    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == Kind::Dir
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == Kind::File
    }
}

// The field types of `struct stat` differ between architectures.
#[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
impl From<Stat> for Metadata {
    fn from(st: Stat) -> Self {
        let kind = match FileType::from_raw_mode(st.st_mode as _) {
            FileType::RegularFile => Kind::File,
            FileType::Directory => Kind::Dir,
            FileType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        };
        Metadata {
            kind,
            mode: (st.st_mode as u32) & 0o7777,
            nlink: st.st_nlink as u64,
            uid: st.st_uid as u32,
            gid: st.st_gid as u32,
            size: st.st_size.max(0) as u64,
            mtime: st.st_mtime as i64,
            atime: st.st_atime as i64,
            ctime: st.st_ctime as i64,
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
        }
    }
}
