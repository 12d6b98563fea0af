//! A session's filesystem: the jail (a root directory fd), the pool and the credentials.

use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::Timespec;
use rustix::fs::{
    AtFlags, FileType, Mode, OFlags, SeekFrom, Timestamps, UTIME_OMIT, fcntl_getfl, fcntl_setfl,
    fstat, mkdirat, openat, readlinkat, renameat, seek, symlinkat, unlinkat,
};
use rustix::io::Errno;

use crate::read_dir::ReadDir;
use crate::{Credentials, FsPool, Kind, Metadata, StorageError, attrs, path, resolve};

/// How `open_write` opens the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Create or truncate to zero (STOR).
    Truncate,
    /// Create or append at the end (APPE).
    Append,
    /// Create or open without truncating and start writing at this offset (REST + STOR).
    At(u64),
    /// Create; fail with `AlreadyExists` if the name is taken.
    CreateNew,
}

/// How many names `create_unique` tries before giving up.
pub(crate) const UNIQUE_TRIES: usize = 64;

/// A function told of each filesystem operation before it runs: the system call it stands
/// for (`open`, `mkdir`, `rename`, …) and the path (ProFTPD's `fsio` trace channel).
pub type Observer = Arc<dyn Fn(&'static str, &str) + Send + Sync>;

/// A session's filesystem: a root directory fd (the jail), the pool, the credentials.
#[derive(Clone)]
pub struct Fs {
    root: Arc<OwnedFd>,
    pool: FsPool,
    cred: Credentials,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Fs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fs")
            .field("root", &self.root)
            .field("cred", &self.cred)
            .finish()
    }
}

impl Fs {
    /// Opens `root` (a real path, chosen by the administrator) as the jail, under `cred`;
    /// its calls use a session's share of `pool` (`FsPool::session_share`).
    ///
    /// Fails with `PermissionDenied` unless `cred` may search the directory.
    pub async fn open_root(
        pool: FsPool,
        cred: Credentials,
        root: &Path,
    ) -> Result<Fs, StorageError> {
        let root_path = root.to_owned();
        let key = root.to_owned();
        let fd = pool
            .run(&cred, move || {
                let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                let fd = rustix::fs::open(&root_path, flags, Mode::empty())?;
                // An O_PATH open needs nothing of the directory itself; looking up "."
                // in it needs search permission, as chdir into it would.
                openat(&fd, ".", flags, Mode::empty())?;
                Ok::<_, Errno>(fd)
            })
            .await??;
        Ok(Fs {
            root: crate::shared_root::share(&key, fd),
            pool: pool.session_share(),
            cred,
            observer: None,
        })
    }

    /// A second filesystem on another root (e.g. an `<Anonymous>` directory), same pool and credentials.
    pub async fn with_root(&self, root: &Path) -> Result<Fs, StorageError> {
        let fs = Fs::open_root(self.pool.clone(), self.cred.clone(), root).await?;
        Ok(Fs {
            observer: self.observer.clone(),
            ..fs
        })
    }

    /// A second filesystem whose root is the directory `path` inside this one.
    pub async fn sub_root(&self, path: &str) -> Result<Fs, StorageError> {
        let path = path.to_owned();
        let fd = self
            .call(move |root| resolve::open(root, &path, OFlags::PATH | OFlags::DIRECTORY, 0))
            .await?;
        Ok(Fs {
            root: Arc::new(fd),
            pool: self.pool.clone(),
            cred: self.cred.clone(),
            observer: self.observer.clone(),
        })
    }

    /// The same filesystem, telling `observer` of each operation from now on.
    pub fn observed(self, observer: Observer) -> Fs {
        Fs {
            observer: Some(observer),
            ..self
        }
    }

    /// Tells the observer, if any, of an operation on `path`.
    #[inline]
    fn note(&self, op: &'static str, path: &str) {
        if let Some(o) = &self.observer {
            o(op, path);
        }
    }

    /// The credentials every operation runs under.
    pub fn credentials(&self) -> &Credentials {
        &self.cred
    }

    /// The pool the operations run on.
    pub fn pool(&self) -> &FsPool {
        &self.pool
    }

    /// Runs `f` with the root fd on the pool, under the session's credentials.
    pub(crate) async fn call<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(BorrowedFd<'_>) -> Result<R, StorageError> + Send + 'static,
    {
        let root = Arc::clone(&self.root);
        self.pool.run(&self.cred, move || f(root.as_fd())).await?
    }

    /// Attributes of `path`, following symbolic links (inside the root).
    pub async fn metadata(&self, path: &str) -> Result<Metadata, StorageError> {
        self.note("stat", path);
        path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| Ok(fstat(resolve::object(root, &path)?)?.into()))
            .await
    }

    /// Attributes of `path` itself, a symbolic link not followed.
    pub async fn symlink_metadata(&self, path: &str) -> Result<Metadata, StorageError> {
        self.note("lstat", path);
        path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            let fd = resolve::open(root, &path, OFlags::PATH | OFlags::NOFOLLOW, 0)?;
            Ok(fstat(fd)?.into())
        })
        .await
    }

    /// The target text of the symbolic link `path` (non-UTF-8 bytes replaced).
    pub async fn read_link(&self, path: &str) -> Result<String, StorageError> {
        self.note("readlink", path);
        path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            let fd = resolve::open(root, &path, OFlags::PATH | OFlags::NOFOLLOW, 0)?;
            match readlinkat(&fd, c"", Vec::new()) {
                Ok(target) => Ok(oxftpd_proto::raw_name::decode(target.as_bytes()).into_owned()),
                Err(Errno::INVAL | Errno::NOENT) => Err(StorageError::NotASymlink),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Whether `path` is a directory the session may enter (search permission on it).
    pub async fn is_dir(&self, path: &str) -> Result<bool, StorageError> {
        self.note("chdir", path);
        path::check(path)?;
        // Looking up "." inside the directory needs search permission on it, as chdir does.
        let probe = format!("{}/.", path.trim_end_matches('/'));
        self.call(move |root| {
            match resolve::open(root, &probe, OFlags::PATH | OFlags::DIRECTORY, 0) {
                Ok(_) => Ok(true),
                Err(StorageError::NotADirectory) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Starts a listing of the directory `path`; entries come in batches, the first already
    /// being read when this returns.
    pub async fn read_dir(&self, path: &str) -> Result<ReadDir, StorageError> {
        self.note("opendir", path);
        path::check(path)?;
        let path = path.to_owned();
        let dir = self
            .call(move |root| resolve::open(root, &path, OFlags::RDONLY | OFlags::DIRECTORY, 0))
            .await?;
        Ok(ReadDir::new(self.pool.clone(), self.cred.clone(), dir))
    }

    /// Opens the regular file `path` for reading, positioned at `offset`.
    pub async fn open_read(
        &self,
        path: &str,
        offset: u64,
    ) -> Result<(File, Metadata), StorageError> {
        self.note("open", path);
        path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            // O_NONBLOCK so that a FIFO does not hang the worker; cleared below.
            let fd = resolve::open(root, &path, OFlags::RDONLY | OFlags::NONBLOCK, 0)?;
            let meta = regular_file(&fd)?;
            seek(&fd, SeekFrom::Start(offset))?;
            Ok((File::from(fd), meta))
        })
        .await
    }

    /// Opens (creating with `0o666 & !umask` if needed) the file `path` for writing.
    pub async fn open_write(&self, path: &str, mode: WriteMode) -> Result<File, StorageError> {
        self.note("open", path);
        path::split_parent(path)?;
        let path = path.to_owned();
        let create_mode = self.cred.file_mode();
        self.call(move |root| {
            let flags = OFlags::WRONLY
                | OFlags::CREATE
                | OFlags::NONBLOCK
                | match mode {
                    WriteMode::Truncate => OFlags::TRUNC,
                    WriteMode::Append => OFlags::APPEND,
                    WriteMode::At(_) => OFlags::empty(),
                    WriteMode::CreateNew => OFlags::EXCL,
                };
            let fd = resolve::open(root, &path, flags, create_mode)?;
            regular_file(&fd)?;
            if let WriteMode::At(offset) = mode {
                seek(&fd, SeekFrom::Start(offset))?;
            }
            Ok(File::from(fd))
        })
        .await
    }

    /// Opens `path` for writing as [`Fs::open_write`] does, and also for reading when `read`
    /// (SFTP's `READ|WRITE`); without `create` the file must exist already.
    pub async fn open_rw(
        &self,
        path: &str,
        mode: WriteMode,
        read: bool,
        create: bool,
    ) -> Result<File, StorageError> {
        self.note("open", path);
        path::split_parent(path)?;
        let path = path.to_owned();
        let create_mode = self.cred.file_mode();
        self.call(move |root| {
            let mut flags = if read { OFlags::RDWR } else { OFlags::WRONLY } | OFlags::NONBLOCK;
            if create {
                flags |= OFlags::CREATE;
            }
            flags |= match mode {
                WriteMode::Truncate => OFlags::TRUNC,
                WriteMode::Append => OFlags::APPEND,
                WriteMode::At(_) => OFlags::empty(),
                WriteMode::CreateNew => OFlags::EXCL | OFlags::CREATE,
            };
            let fd = resolve::open(root, &path, flags, create_mode)?;
            regular_file(&fd)?;
            if let WriteMode::At(offset) = mode {
                seek(&fd, SeekFrom::Start(offset))?;
            }
            Ok(File::from(fd))
        })
        .await
    }

    /// Creates a new file named `prefix` plus a random suffix in `dir` (`O_EXCL`).
    ///
    /// Returns its virtual path and the file open for writing.
    pub async fn create_unique(
        &self,
        dir: &str,
        prefix: &str,
    ) -> Result<(String, File), StorageError> {
        self.note("open", dir);
        path::check(dir)?;
        if !prefix.is_empty() {
            path::check_name(prefix)?;
        }
        let (dir, prefix) = (dir.to_owned(), prefix.to_owned());
        let create_mode = Mode::from_raw_mode(self.cred.file_mode());
        self.call(move |root| {
            let dirfd = resolve::open(root, &dir, OFlags::PATH | OFlags::DIRECTORY, 0)?;
            for _ in 0..UNIQUE_TRIES {
                let name = format!("{prefix}{}", unique_suffix());
                let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
                match openat(&dirfd, &*crate::path::raw(&name), flags, create_mode) {
                    Ok(fd) => return Ok((path::join(&dir, &name), File::from(fd))),
                    Err(Errno::EXIST) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            Err(StorageError::AlreadyExists)
        })
        .await
    }

    /// Creates the directory `path` with `0o777 & !umask`.
    pub async fn mkdir(&self, path: &str) -> Result<(), StorageError> {
        self.make_dir(path, self.cred.dir_mode()).await
    }

    /// Makes the directory `path` with the mode `0777` less `umask` (a `<Directory>`'s own
    /// `Umask` for the new directory, rather than the session's).
    pub async fn mkdir_masked(&self, path: &str, umask: u32) -> Result<(), StorageError> {
        self.make_dir(path, 0o777 & !umask).await
    }

    async fn make_dir(&self, path: &str, mode: u32) -> Result<(), StorageError> {
        self.note("mkdir", path);
        path::split_parent(path)?;
        let path = path.to_owned();
        let mode = Mode::from_raw_mode(mode);
        self.call(move |root| {
            let (parent, name) = resolve::parent(root, &path)?;
            Ok(mkdirat(parent, &*crate::path::raw(name), mode)?)
        })
        .await
    }

    /// Removes the empty directory `path`.
    pub async fn rmdir(&self, path: &str) -> Result<(), StorageError> {
        self.note("rmdir", path);
        path::split_parent(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            let (parent, name) = resolve::parent(root, &path)?;
            match unlinkat(parent, &*crate::path::raw(name), AtFlags::REMOVEDIR) {
                Err(Errno::EXIST) => Err(StorageError::DirectoryNotEmpty),
                other => Ok(other?),
            }
        })
        .await
    }

    /// Removes the non-directory `path` (a symbolic link itself, not its target).
    pub async fn remove_file(&self, path: &str) -> Result<(), StorageError> {
        self.note("unlink", path);
        path::split_parent(path)?;
        let path = path.to_owned();
        self.call(move |root| {
            let (parent, name) = resolve::parent(root, &path)?;
            Ok(unlinkat(
                parent,
                &*crate::path::raw(name),
                AtFlags::empty(),
            )?)
        })
        .await
    }

    /// Renames `from` to `to`, replacing `to` atomically as `rename(2)` does.
    pub async fn rename(&self, from: &str, to: &str) -> Result<(), StorageError> {
        self.note("rename", from);
        path::split_parent(from)?;
        path::split_parent(to)?;
        let (from, to) = (from.to_owned(), to.to_owned());
        self.call(move |root| {
            let (from_dir, from_name) = resolve::parent(root, &from)?;
            let (to_dir, to_name) = resolve::parent(root, &to)?;
            match renameat(
                from_dir,
                &*crate::path::raw(from_name),
                to_dir,
                &*crate::path::raw(to_name),
            ) {
                Err(Errno::EXIST) => Err(StorageError::DirectoryNotEmpty),
                other => Ok(other?),
            }
        })
        .await
    }

    /// Sets the permission bits of `path` (following symbolic links inside the root).
    pub async fn set_mode(&self, path: &str, mode: u32) -> Result<(), StorageError> {
        self.note("chmod", path);
        path::check(path)?;
        if mode & !0o7777 != 0 {
            return Err(StorageError::InvalidArgument(format!("mode {mode:o}")));
        }
        let path = path.to_owned();
        self.call(move |root| attrs::chmod(resolve::object(root, &path)?.as_fd(), mode))
            .await
    }

    /// Sets the owner and/or group of `path` (following symbolic links inside the root).
    pub async fn set_owner(
        &self,
        path: &str,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> Result<(), StorageError> {
        self.note("chown", path);
        path::check(path)?;
        let path = path.to_owned();
        self.call(move |root| attrs::chown(resolve::object(root, &path)?.as_fd(), uid, gid))
            .await
    }

    /// Sets the modification time (and the access time, if given) of `path`, in seconds since the epoch.
    pub async fn set_times(
        &self,
        path: &str,
        atime: Option<i64>,
        mtime: i64,
    ) -> Result<(), StorageError> {
        self.note("utimes", path);
        path::check(path)?;
        let path = path.to_owned();
        let times = Timestamps {
            last_access: match atime {
                Some(secs) => Timespec {
                    tv_sec: secs,
                    tv_nsec: 0,
                },
                None => Timespec {
                    tv_sec: 0,
                    tv_nsec: UTIME_OMIT,
                },
            },
            last_modification: Timespec {
                tv_sec: mtime,
                tv_nsec: 0,
            },
        };
        self.call(move |root| attrs::set_times(resolve::object(root, &path)?.as_fd(), &times))
            .await
    }

    /// Creates the symbolic link `link` with the text `target` (resolved inside the root when followed).
    pub async fn symlink(&self, target: &str, link: &str) -> Result<(), StorageError> {
        self.note("symlink", link);
        if target.is_empty() || target.contains('\0') {
            return Err(StorageError::InvalidPath("bad symbolic link target".into()));
        }
        path::split_parent(link)?;
        let (target, link) = (target.to_owned(), link.to_owned());
        self.call(move |root| {
            let (parent, name) = resolve::parent(root, &link)?;
            Ok(symlinkat(
                &*crate::path::raw(&target),
                parent,
                &*crate::path::raw(name),
            )?)
        })
        .await
    }
}

/// Checks that `fd` is a regular file, clears `O_NONBLOCK`, and returns its attributes.
pub(crate) fn regular_file(fd: &OwnedFd) -> Result<Metadata, StorageError> {
    let st = fstat(fd)?;
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile => {}
        FileType::Directory => return Err(StorageError::IsADirectory),
        _ => return Err(StorageError::NotRegularFile),
    }
    let flags = fcntl_getfl(fd)?;
    fcntl_setfl(fd, flags - OFlags::NONBLOCK)?;
    let meta = Metadata::from(st);
    debug_assert_eq!(meta.kind, Kind::File);
    Ok(meta)
}

/// A hard-to-guess, never-repeating suffix for `create_unique`.
pub(crate) fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = RandomState::new().hash_one(n);
    format!("{:012x}", hash & 0xffff_ffff_ffff)
}
