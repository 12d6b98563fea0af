//! Directory listings read in batches, so a huge directory never sits in memory.
//!
//! Each batch is one pool job: `getdents64` into a reused buffer, then one
//! `fstatat(AT_SYMLINK_NOFOLLOW)` per name, shared with a helper job on a second pool
//! thread when the batch is large ([`crate::dir_stat`]). Names land in one buffer per
//! batch, not one allocation each.

use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::Arc;

use rustix::fd::OwnedFd;
use rustix::fs::RawDir;
use rustix::io::Errno;

use crate::dir_stat::{self, Names};
use crate::{Credentials, FsPool, Metadata, StorageError};

/// How many entries one pool job reads and stats (at most two batches are held: the one
/// being listed and the one read ahead). A batch ends where a `getdents64` buffer ends,
/// once it holds at least half this many.
const BATCH: usize = 1024;

/// The first batch is smaller, so the first bytes of a listing leave sooner.
const FIRST_BATCH: usize = 256;

/// The `getdents64` buffer (a buffer holds about a thousand short names).
const DENTS_BUFFER: usize = 32 * 1024;

/// The `getdents64` buffer of the first batch.
const FIRST_DENTS_BUFFER: usize = 8 * 1024;

/// What one batch job gives back: the reader unless finished, and the entries.
type BatchResult = (Option<Reader>, Result<Batch, StorageError>);

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

/// One entry of a [`Batch`], borrowed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The entry's name (non-UTF-8 bytes replaced).
    pub name: &'a str,
    /// Its attributes, not following a symbolic link; `None` if it vanished or cannot be stat'ed.
    pub meta: Option<&'a Metadata>,
}

/// A batch of directory entries: all names in one buffer, the attributes beside them.
#[derive(Debug, Default)]
pub struct Batch {
    /// The names one after another.
    names: String,
    /// Where each name ends in `names`, and its attributes.
    entries: Vec<(u32, Option<Metadata>)>,
}

impl Batch {
    /// How many entries the batch holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the batch holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in directory order.
    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        let mut start = 0usize;
        self.entries.iter().map(move |(end, meta)| {
            let end = *end as usize;
            let name = self.names.get(start..end).unwrap_or("");
            start = end;
            Entry {
                name,
                meta: meta.as_ref(),
            }
        })
    }
}

/// The open directory and the buffer `getdents64` fills, carried from job to job.
struct Reader {
    fd: Arc<OwnedFd>,
    dents: Box<[MaybeUninit<u8>]>,
}

/// Directory listing that is read in batches so a 1,000,000-entry directory never sits in memory.
///
/// `.` and `..` are left out.
pub struct ReadDir {
    pool: FsPool,
    cred: Credentials,
    /// The next batch, being read on the pool while the caller lists the current one.
    ahead: Option<PendingBatch>,
}

impl std::fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadDir")
            .field("done", &self.ahead.is_none())
            .finish()
    }
}

impl ReadDir {
    /// Starts reading the directory `fd` at once: the first batch is queued before this returns.
    pub(crate) fn new(pool: FsPool, cred: Credentials, fd: OwnedFd) -> Self {
        let reader = Reader {
            fd: Arc::new(fd),
            dents: vec![MaybeUninit::uninit(); DENTS_BUFFER].into_boxed_slice(),
        };
        let mut dir = ReadDir {
            pool,
            cred,
            ahead: None,
        };
        dir.queue(reader, FIRST_BATCH, FIRST_DENTS_BUFFER);
        dir
    }

    fn queue(&mut self, reader: Reader, want: usize, dents: usize) {
        let helper = (self.pool.clone(), self.cred.clone());
        self.ahead = Some(Box::pin(self.pool.start(&self.cred, move || {
            read_batch(reader, want, dents, &helper)
        })));
    }

    /// The next batch of entries, or `None` when the directory is finished.
    ///
    /// The batch after it is queued on the pool before this returns, so the filesystem
    /// work of the next batch overlaps the caller's formatting of this one.
    pub async fn next(&mut self) -> Result<Option<Batch>, StorageError> {
        let Some(pending) = self.ahead.take() else {
            return Ok(None);
        };
        let (reader, batch) = pending.await?;
        let batch = batch?;
        if let Some(reader) = reader {
            self.queue(reader, BATCH, DENTS_BUFFER);
        }
        if batch.is_empty() && self.ahead.is_none() {
            return Ok(None);
        }
        Ok(Some(batch))
    }

    /// Appends the next batch of entries to `out`; returns whether more may follow.
    pub async fn next_batch(&mut self, out: &mut Vec<DirEntry>) -> Result<bool, StorageError> {
        if let Some(batch) = self.next().await? {
            out.extend(batch.iter().map(|e| DirEntry {
                name: e.name.to_owned(),
                meta: e.meta.cloned(),
            }));
        }
        Ok(self.ahead.is_some())
    }
}

/// Reads at least `want / 2` names (whole `getdents64` buffers of `dents` bytes) and stats
/// them; gives the reader back unless the directory is finished.
fn read_batch(
    mut reader: Reader,
    want: usize,
    dents: usize,
    helper: &(FsPool, Credentials),
) -> BatchResult {
    let mut names = Names::with_capacity(want);
    let mut shown = String::with_capacity(want * 12);
    let mut ends = Vec::with_capacity(want);
    let mut finished = false;
    {
        let buf_len = dents.min(reader.dents.len());
        let mut raw = RawDir::new(&*reader.fd, &mut reader.dents[..buf_len]);
        loop {
            if raw.is_buffer_empty() && names.len() >= want / 2 {
                break;
            }
            let entry = match raw.next() {
                None | Some(Err(Errno::NOENT)) => {
                    finished = true;
                    break;
                }
                Some(Err(e)) => return (None, Err(e.into())),
                Some(Ok(entry)) => entry,
            };
            let name = entry.file_name().to_bytes();
            if matches!(name, b"." | b"..") {
                continue;
            }
            names.push(name);
            shown.push_str(&String::from_utf8_lossy(name));
            ends.push(shown.len() as u32);
        }
    }
    let metas = dir_stat::stat_all(&reader.fd, names, helper);
    let batch = Batch {
        names: shown,
        entries: ends.into_iter().zip(metas).collect(),
    };
    (if finished { None } else { Some(reader) }, Ok(batch))
}
