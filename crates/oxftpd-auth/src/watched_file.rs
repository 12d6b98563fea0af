//! A file parsed once and parsed again when it changes on disk.
//!
//! Each access costs one `stat(2)`; the parse runs only when device, inode,
//! size, mtime or mode differ from the last load (an atomic rename by
//! `oxftpctl passwd` changes the inode, an in-place edit the mtime/size).

use std::fs::{File, Metadata};

use crate::file_perms::{AuthFileKind, check_auth_file};
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
    kind: AuthFileKind,
    allow_insecure: bool,
    parse: fn(&Path, &str) -> T,
    state: RwLock<Loaded<T>>,
}

impl<T: Default> WatchedFile<T> {
    pub(crate) fn new(
        path: PathBuf,
        kind: AuthFileKind,
        allow_insecure: bool,
        parse: fn(&Path, &str) -> T,
    ) -> Self {
        WatchedFile {
            path,
            kind,
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
                    self.kind.directive(),
                    self.path.display()
                );
                return T::default();
            }
        };
        if !self.permissions_ok() {
            return T::default();
        }
        let mut bytes = Vec::new();
        if let Err(e) = file.read_to_end(&mut bytes) {
            tracing::error!(
                "unable to read {} '{}': {e}",
                self.kind.directive(),
                self.path.display()
            );
            return T::default();
        }
        let text = String::from_utf8_lossy(&bytes);
        tracing::debug!("loaded {} '{}'", self.kind.directive(), self.path.display());
        (self.parse)(&self.path, &text)
    }

    /// ProFTPD's rules for the file (see `file_perms`); refusals are logged.
    fn permissions_ok(&self) -> bool {
        match check_auth_file(&self.path, self.kind, self.allow_insecure) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!("{e}");
                false
            }
        }
    }
}
