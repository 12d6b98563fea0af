//! Directory listings read in batches, so a huge directory never sits in memory.
//!
//! Each batch is one pool job: `getdents64` into a reused buffer, then one
//! `fstatat(AT_SYMLINK_NOFOLLOW)` per name. A job starts the next batch's job as soon as it
//! has read its names, so the `fstatat` calls of successive batches run on several pool
//! threads at once. Names land in one buffer per batch, not one allocation each.

use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustix::fd::OwnedFd;
use rustix::fs::RawDir;
use rustix::io::Errno;

use crate::dir_stat::{self, Names};
use crate::{Credentials, FsPool, Metadata, StorageError};

/// The smallest `linux_dirent64` record (a name of up to four bytes).
const MIN_DIRENT: usize = 24;

/// A batch is what one `getdents64` call into a buffer this size gives: at most 1024
/// entries.
const DENTS_BUFFER: usize = 1024 * MIN_DIRENT;

/// The first batch's buffer is smaller (at most 256 entries), so the first bytes of a
/// listing leave sooner.
const FIRST_DENTS_BUFFER: usize = 256 * MIN_DIRENT;

/// How many batches may be read ahead of the caller. A batch job starts the next one as soon
/// as it has read its names, so while it stats them the next batch is read on another pool
/// thread; this bounds how far that chain runs ahead of a slow caller.
const AHEAD: usize = 3;

/// A batch job queued on the pool.
type Pending = Pin<Box<dyn Future<Output = Result<Done, StorageError>> + Send>>;

/// What one batch job gives back.
struct Done {
    batch: Result<Batch, StorageError>,
    then: Then,
}

/// How the listing goes on after a batch.
enum Then {
    /// The directory is finished (or could not be read further).
    End,
    /// The job started the next batch's job: here it is.
    Chained(Pending),
    /// The caller is far behind: it starts the next job itself with this reader.
    Reader(Reader),
}

/// What the batch jobs of one listing share.
struct Chain {
    pool: FsPool,
    cred: Credentials,
    /// Jobs started whose batch the caller has not taken yet.
    in_flight: AtomicUsize,
}

impl Chain {
    /// Queues the job that reads and stats the next batch.
    fn start(self: &Arc<Self>, reader: Reader, dents: usize) -> Pending {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        let chain = Arc::clone(self);
        Box::pin(
            self.pool
                .start(&self.cred, move || read_batch(&chain, reader, dents)),
        )
    }
}

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
    chain: Arc<Chain>,
    /// The job of the next batch.
    next: Option<Pending>,
}

impl std::fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadDir")
            .field("done", &self.next.is_none())
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
        let chain = Arc::new(Chain {
            pool,
            cred,
            in_flight: AtomicUsize::new(0),
        });
        let next = Some(chain.start(reader, FIRST_DENTS_BUFFER));
        ReadDir { chain, next }
    }

    /// The next batch of entries, or `None` when the directory is finished.
    ///
    /// Later batches are already being read on the pool (at most [`AHEAD`] of them), so the
    /// filesystem work overlaps the caller's formatting.
    pub async fn next(&mut self) -> Result<Option<Batch>, StorageError> {
        // A batch can be empty (only `.` and `..`, or the end of the directory): skip it.
        while let Some(pending) = self.next.take() {
            let done = pending.await?;
            self.chain.in_flight.fetch_sub(1, Ordering::AcqRel);
            self.next = match done.then {
                Then::End => None,
                Then::Chained(next) => Some(next),
                Then::Reader(reader) => Some(self.chain.start(reader, DENTS_BUFFER)),
            };
            let batch = done.batch?;
            if !batch.is_empty() {
                return Ok(Some(batch));
            }
        }
        Ok(None)
    }

    /// Appends the next batch of entries to `out`; returns whether more may follow.
    pub async fn next_batch(&mut self, out: &mut Vec<DirEntry>) -> Result<bool, StorageError> {
        if let Some(batch) = self.next().await? {
            out.extend(batch.iter().map(|e| DirEntry {
                name: e.name.to_owned(),
                meta: e.meta.cloned(),
            }));
        }
        Ok(self.next.is_some())
    }
}

/// Reads the names one `getdents64` call into `dents` bytes gives, starts the next batch's
/// job unless the directory is finished or the caller is far behind, then stats the names.
fn read_batch(chain: &Arc<Chain>, mut reader: Reader, dents: usize) -> Done {
    let guess = dents / 32;
    let mut names = Names::with_capacity(guess);
    let mut shown = String::with_capacity(guess * 12);
    let mut ends = Vec::with_capacity(guess);
    let mut finished = false;
    {
        let buf_len = dents.min(reader.dents.len());
        let mut raw = RawDir::new(&*reader.fd, &mut reader.dents[..buf_len]);
        let mut filled = false;
        loop {
            if filled && raw.is_buffer_empty() {
                break;
            }
            filled = true;
            let entry = match raw.next() {
                None | Some(Err(Errno::NOENT)) => {
                    finished = true;
                    break;
                }
                Some(Err(e)) => {
                    return Done {
                        batch: Err(e.into()),
                        then: Then::End,
                    };
                }
                Some(Ok(entry)) => entry,
            };
            let name = entry.file_name().to_bytes();
            if matches!(name, b"." | b"..") {
                continue;
            }
            names.push(name);
            shown.push_str(&oxftpd_proto::raw_name::decode(name));
            ends.push(shown.len() as u32);
        }
    }
    let fd = Arc::clone(&reader.fd);
    let then = if finished {
        Then::End
    } else if chain.in_flight.load(Ordering::Acquire) < AHEAD {
        Then::Chained(chain.start(reader, DENTS_BUFFER))
    } else {
        Then::Reader(reader)
    };
    let metas = dir_stat::stat_all(&fd, &names);
    Done {
        batch: Ok(Batch {
            names: shown,
            entries: ends.into_iter().zip(metas).collect(),
        }),
        then,
    }
}
