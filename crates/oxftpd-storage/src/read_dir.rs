//! Directory listings read in batches, so a huge directory never sits in memory.

use rustix::fs::{AtFlags, Dir, statat};

use crate::{Credentials, FsPool, Metadata, StorageError};

/// How many entries one pool job reads and stats.
const BATCH: usize = 256;

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
}

impl std::fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadDir")
            .field("done", &self.dir.is_none())
            .finish()
    }
}

impl ReadDir {
    pub(crate) fn new(pool: FsPool, cred: Credentials, dir: Dir) -> Self {
        ReadDir {
            pool,
            cred,
            dir: Some(dir),
        }
    }

    /// Appends the next batch of entries to `out`; returns whether more may follow.
    pub async fn next_batch(&mut self, out: &mut Vec<DirEntry>) -> Result<bool, StorageError> {
        let Some(dir) = self.dir.take() else {
            return Ok(false);
        };
        let (dir, batch) = self.pool.run(&self.cred, move || read_batch(dir)).await?;
        let batch = batch?;
        out.extend(batch);
        self.dir = dir;
        Ok(self.dir.is_some())
    }
}

/// Reads up to `BATCH` entries; gives the `Dir` back unless it is finished.
fn read_batch(mut dir: Dir) -> (Option<Dir>, Result<Vec<DirEntry>, StorageError>) {
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
