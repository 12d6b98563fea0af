//! The `fstatat` calls of one listing batch, shared between the batch job's thread and a
//! helper job on a second pool thread (both wear the session's credentials).
//!
//! The threads take chunks of names from a shared cursor, so neither waits for the other
//! to start: when the helper runs late (a busy pool) the batch job does every chunk itself
//! and waits only for chunks the helper has already taken.

use std::ffi::CStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, statat};

use crate::{Credentials, FsPool, Metadata};

/// How many names one claim takes.
const CHUNK: usize = 64;

/// Batches smaller than this are stat'ed by one thread (a helper job costs a wake-up).
const HELP_FROM: usize = 2 * CHUNK;

/// Names of a batch, each NUL-terminated, in one buffer.
pub(crate) struct Names {
    bytes: Vec<u8>,
    starts: Vec<u32>,
}

impl Names {
    /// Room for about `n` names.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Names {
            bytes: Vec::with_capacity(n * 12),
            starts: Vec::with_capacity(n),
        }
    }

    /// Adds a name (without its NUL).
    pub(crate) fn push(&mut self, name: &[u8]) {
        self.starts.push(self.bytes.len() as u32);
        self.bytes.extend_from_slice(name);
        self.bytes.push(0);
    }

    /// How many names there are.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    fn get(&self, i: usize) -> &CStr {
        let start = self.starts.get(i).map_or(0, |s| *s as usize);
        self.bytes
            .get(start..)
            .and_then(|b| CStr::from_bytes_until_nul(b).ok())
            .unwrap_or_default()
    }
}

/// The attributes of `name` in the directory `fd`, not following a symbolic link.
fn stat_one(fd: &OwnedFd, name: &CStr) -> Option<Metadata> {
    statat(fd, name, AtFlags::SYMLINK_NOFOLLOW)
        .ok()
        .map(Metadata::from)
}

/// What the batch job and its helper share.
struct Work {
    fd: Arc<OwnedFd>,
    names: Names,
    /// The next chunk to take.
    cursor: AtomicUsize,
    helped: Mutex<Helped>,
    done: Condvar,
}

/// The helper's finished chunks.
#[derive(Default)]
struct Helped {
    chunks: Vec<(usize, Vec<Option<Metadata>>)>,
    entries: usize,
}

impl Work {
    /// Takes the next chunk: the range of name indexes to stat.
    fn claim(&self) -> Option<std::ops::Range<usize>> {
        let n = self.names.len();
        let start = self.cursor.fetch_add(1, Ordering::Relaxed).saturating_mul(CHUNK);
        (start < n).then(|| start..(start + CHUNK).min(n))
    }

    fn lock(&self) -> MutexGuard<'_, Helped> {
        self.helped.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A helper's chunk: handed in when dropped, even by a panic (then without attributes), so
/// the batch job never waits for it forever.
struct Report<'a> {
    work: &'a Work,
    start: usize,
    len: usize,
    metas: Vec<Option<Metadata>>,
}

impl Drop for Report<'_> {
    fn drop(&mut self) {
        self.metas.resize(self.len, None);
        let mut helped = self.work.lock();
        helped
            .chunks
            .push((self.start, std::mem::take(&mut self.metas)));
        helped.entries += self.len;
        drop(helped);
        self.work.done.notify_all();
    }
}

/// The helper job: chunks until none is left.
fn help(work: &Work) {
    while let Some(range) = work.claim() {
        let mut report = Report {
            work,
            start: range.start,
            len: range.len(),
            metas: Vec::with_capacity(range.len()),
        };
        for i in range {
            report.metas.push(stat_one(&work.fd, work.names.get(i)));
        }
    }
}

/// Stats every name in the directory `fd`, with a helper job on `pool` for large batches;
/// the attributes come back in the names' order.
pub(crate) fn stat_all(
    fd: &Arc<OwnedFd>,
    names: Names,
    (pool, cred): &(FsPool, Credentials),
) -> Vec<Option<Metadata>> {
    let n = names.len();
    if n < HELP_FROM || pool.max_threads() < 2 {
        return (0..n).map(|i| stat_one(fd, names.get(i))).collect();
    }
    let work = Arc::new(Work {
        fd: Arc::clone(fd),
        names,
        cursor: AtomicUsize::new(0),
        helped: Mutex::new(Helped::default()),
        done: Condvar::new(),
    });
    let shared = Arc::clone(&work);
    // Queued at once; its result is not needed (the chunks come back through `work`).
    drop(pool.start(cred, move || help(&shared)));
    let mut metas = vec![None; n];
    let mut mine = 0;
    while let Some(range) = work.claim() {
        mine += range.len();
        for i in range {
            metas[i] = stat_one(&work.fd, work.names.get(i));
        }
    }
    let mut helped = work.lock();
    while mine + helped.entries < n {
        helped = work.done.wait(helped).unwrap_or_else(|p| p.into_inner());
    }
    for (start, chunk) in helped.chunks.drain(..) {
        for (slot, meta) in metas[start..].iter_mut().zip(chunk) {
            *slot = meta;
        }
    }
    metas
}
