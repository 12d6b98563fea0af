//! A file parsed once and parsed again when it changes on disk.
//!
//! Each access costs one `stat(2)`; the parse runs only when device, inode,
//! size, mtime or mode differ from the last load (an atomic rename by
//! `oxftpctl passwd` changes the inode, an in-place edit the mtime/size).

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// What identifies one version of a file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: i64,
    mtime_nsec: i64,
    mode: u32,
}

impl Stamp {
    fn of(m: &Metadata) -> Self {
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: m.mtime(),
            mtime_nsec: m.mtime_nsec(),
            mode: m.mode(),
        }
    }
}

/// Version of the file last loaded: `None` before the first load or while missing.
type Loaded<T> = (Option<Option<Stamp>>, Arc<T>);

/// A parsed file, re-parsed on change.
pub(crate) struct WatchedFile<T> {
    path: PathBuf,
    /// The directive that named the file, for log lines (`AuthUserFile`).
    directive: &'static str,
    allow_insecure: bool,
    parse: fn(&Path, &str) -> T,
    state: RwLock<Loaded<T>>,
}

impl<T: Default> WatchedFile<T> {
    pub(crate) fn new(
        path: PathBuf,
        directive: &'static str,
        allow_insecure: bool,
        parse: fn(&Path, &str) -> T,
    ) -> Self {
        WatchedFile {
            path,
            directive,
            allow_insecure,
            parse,
            state: RwLock::new((None, Arc::new(T::default()))),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The current contents, reloaded first if the file changed.
    pub(crate) fn get(&self) -> Arc<T> {
        let stamp = std::fs::metadata(&self.path).ok().map(|m| Stamp::of(&m));
        {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            if state.0 == Some(stamp) {
                return Arc::clone(&state.1);
            }
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        if state.0 == Some(stamp) {
            return Arc::clone(&state.1);
        }
        // Keep the stamp seen before reading: if the file changed in between,
        // the next call sees a different stamp and loads again.
        *state = (Some(stamp), Arc::new(self.load()));
        Arc::clone(&state.1)
    }

    /// Reads and parses the file; an unusable file yields empty contents.
    fn load(&self) -> T {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(
                    "unable to open {} '{}': {e}",
                    self.directive,
                    self.path.display()
                );
                return T::default();
            }
        };
        let meta = match file.metadata() {
            Ok(m) => m,
            Err(e) => {
                tracing::error!(
                    "unable to stat {} '{}': {e}",
                    self.directive,
                    self.path.display()
                );
                return T::default();
            }
        };
        if !self.permissions_ok(&meta) {
            return T::default();
        }
        let mut bytes = Vec::new();
        if let Err(e) = file.read_to_end(&mut bytes) {
            tracing::error!(
                "unable to read {} '{}': {e}",
                self.directive,
                self.path.display()
            );
            return T::default();
        }
        let text = String::from_utf8_lossy(&bytes);
        tracing::debug!("loaded {} '{}'", self.directive, self.path.display());
        (self.parse)(&self.path, &text)
    }

    /// ProFTPD's rules: not world-readable, not world-writable, not in a
    /// world-writable directory (unless `AuthFileOptions InsecurePerms`).
    fn permissions_ok(&self, meta: &Metadata) -> bool {
        if !meta.is_file() {
            tracing::warn!(
                "{} '{}' is not a regular file",
                self.directive,
                self.path.display()
            );
        }
        if self.allow_insecure {
            return true;
        }
        let mode = meta.mode();
        if mode & 0o002 != 0 {
            tracing::error!(
                "unable to use world-writable {} '{}'",
                self.directive,
                self.path.display()
            );
            return false;
        }
        if mode & 0o004 != 0 {
            tracing::error!(
                "unable to use world-readable {} '{}'",
                self.directive,
                self.path.display()
            );
            return false;
        }
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        match std::fs::metadata(dir) {
            // A sticky world-writable dir (/tmp) still lets others drop files but
            // not replace ours; ProFTPD refuses it all the same.
            Ok(d) if d.mode() & 0o002 != 0 => {
                tracing::error!(
                    "unable to use {} '{}' from world-writable directory '{}'",
                    self.directive,
                    self.path.display(),
                    dir.display()
                );
                false
            }
            Ok(_) => true,
            Err(e) => {
                tracing::error!(
                    "unable to stat directory of {} '{}': {e}",
                    self.directive,
                    self.path.display()
                );
                false
            }
        }
    }
}
