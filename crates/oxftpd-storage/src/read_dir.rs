//! Directory listings read in batches, so a huge directory never sits in memory.

use std::future::Future;
use std::pin::Pin;

use rustix::fs::{AtFlags, Dir, statat};

use crate::{Credentials, FsPool, Metadata, StorageError};

/// How many entries one pool job reads and stats (at most two batches are held: the one
/// being listed and the one read ahead).
const BATCH: usize = 1024;

/// What one batch job gives back: the `Dir` unless finished, and the entries.
type BatchResult = (Option<Dir>, Result<Vec<DirEntry>, StorageError>);

/// A batch job queued on the pool.
type PendingBatch = Pin<Box<dyn Future<Output = Result<BatchResult, StorageError>> + Send>>;

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name (non-UTF-8 bytes replaced).
    pub name: String,
    /// Its attributes, not following a symbolic link; `None` if it vanished or cannot be stat'ed.
    pub meta: Option<Metadata>,
}

/// Directory listing that is read in batches so a 1,000,000-entry directory never sits in memory.
///
/// `.` and `..` are left out.
pub struct ReadDir {
    pool: FsPool,
    cred: Credentials,
    dir: Option<Dir>,
    /// The next batch, being read on the pool while the caller lists the current one.
    ahead: Option<PendingBatch>,
}

impl std::fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadDir")
            .field("done", &(self.dir.is_none() && self.ahead.is_none()))
            .finish()
    }
}

impl ReadDir {
    pub(crate) fn new(pool: FsPool, cred: Credentials, dir: Dir) -> Self {
        ReadDir {
            pool,
            cred,
            dir: Some(dir),
            ahead: None,
        }
    }

    /// Appends the next batch of entries to `out`; returns whether more may follow.
    ///
    /// The batch after it is queued on the pool before this returns, so the filesystem
    /// work of the next batch overlaps the caller's formatting of this one.
    pub async fn next_batch(&mut self, out: &mut Vec<DirEntry>) -> Result<bool, StorageError> {
        let pending = match self.ahead.take() {
            Some(p) => p,
            None => {
                let Some(dir) = self.dir.take() else {
                    return Ok(false);
                };
                Box::pin(self.pool.start(&self.cred, move || read_batch(dir)))
            }
        };
        let (dir, batch) = pending.await?;
        let batch = batch?;
        if let Some(dir) = dir {
            self.ahead = Some(Box::pin(
                self.pool.start(&self.cred, move || read_batch(dir)),
            ));
        }
        out.extend(batch);
        Ok(self.ahead.is_some())
    }
}

/// Reads up to `BATCH` entries; gives the `Dir` back unless it is finished.
fn read_batch(mut dir: Dir) -> BatchResult {
    let mut batch = Vec::with_capacity(BATCH);
    while batch.len() < BATCH {
        let entry = match dir.read() {
            None => return (None, Ok(batch)),
            Some(Err(e)) => return (None, Err(e.into())),
            Some(Ok(entry)) => entry,
        };
        let name = entry.file_name();
        if matches!(name.to_bytes(), b"." | b"..") {
            continue;
        }
        let meta = dir
            .fd()
            .and_then(|fd| statat(fd, name, AtFlags::SYMLINK_NOFOLLOW))
            .ok()
            .map(Metadata::from);
        batch.push(DirEntry {
            name: String::from_utf8_lossy(name.to_bytes()).into_owned(),
            meta,
        });
    }
    (Some(dir), Ok(batch))
}
