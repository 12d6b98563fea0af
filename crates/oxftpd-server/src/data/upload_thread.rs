//! Plain binary uploads read and written on one blocking thread, as a forking server's
//! session process does: each chunk is written to the file from the buffer it was just read
//! into, on the same core, while it is still in that core's cache. Moving each batch from
//! the async worker to a pool thread for the write cost a quarter of the upload rate.
//!
//! The thread comes from the runtime's blocking pool and writes only to the file the
//! session opened (permissions were checked at open, under the session's credentials). It
//! polls the socket in short slices, so an `ABOR` (the session drops the transfer) stops it
//! within one slice, and the stall timeout is counted in slices without data.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::io::Errno;
use tokio::net::TcpStream;

/// Bytes one read may take: large reads, few system calls.
const CHUNK: usize = 512 * 1024;

/// How long one wait for data lasts before the thread looks at its cancel flag again.
const SLICE: Duration = Duration::from_millis(100);

/// Most uploads on threads of their own at once; beyond it (the runtime's blocking pool has
/// 512 threads, shared with other blocking work) uploads take the two-batch async path.
const MAX_THREADS: usize = 256;

/// Uploads running on their own thread now.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// A place among the [`MAX_THREADS`] upload threads, given back when dropped.
pub struct Slot(());

impl Slot {
    /// A slot, or `None` when [`MAX_THREADS`] uploads already run on threads.
    pub fn claim() -> Option<Slot> {
        RUNNING
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_THREADS).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Tells the thread to stop when the session drops the transfer (`ABOR`, control closed).
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Receives into `file` (at its position) until the client closes; returns the bytes
/// received. Fails with [`io::ErrorKind::FileTooLarge`] before writing the bytes that take
/// the total past `limit`, and with `TimedOut` after `stall` without data. `progress` counts
/// the bytes as they are read (what `STAT` shows).
pub async fn receive(
    slot: Slot,
    tcp: &TcpStream,
    file: &File,
    stall: Option<Duration>,
    limit: Option<u64>,
    progress: &Arc<AtomicU64>,
) -> io::Result<u64> {
    let socket = tcp.as_fd().try_clone_to_owned()?;
    let file = file.try_clone()?;
    let cancel = Arc::new(AtomicBool::new(false));
    let _cancel = CancelOnDrop(Arc::clone(&cancel));
    let progress = Arc::clone(progress);
    // The slot goes with the thread: it is free again when the thread ends, not when the
    // session stops waiting for it.
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        run(&socket, file, stall, limit, &cancel, &progress)
    })
    .await
    .map_err(|e| io::Error::other(e.to_string()))?
}

/// The thread's loop: read what the socket has, write it, wait in slices when it has none.
fn run(
    socket: &OwnedFd,
    mut file: File,
    stall: Option<Duration>,
    limit: Option<u64>,
    cancel: &AtomicBool,
    progress: &AtomicU64,
) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    let mut waited = Duration::ZERO;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        match rustix::io::read(socket, &mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                waited = Duration::ZERO;
                total += n as u64;
                if limit.is_some_and(|max| total > max) {
                    return Err(io::Error::from(io::ErrorKind::FileTooLarge));
                }
                file.write_all(&buf[..n])?;
                progress.fetch_add(n as u64, Ordering::Relaxed);
            }
            Err(Errno::AGAIN) => {
                let mut fds = [PollFd::new(socket, PollFlags::IN)];
                let timeout = Timespec {
                    tv_sec: 0,
                    tv_nsec: SLICE.as_nanos() as i64,
                };
                match poll(&mut fds, Some(&timeout)) {
                    Ok(0) => {
                        waited += SLICE;
                        if stall.is_some_and(|limit| waited >= limit) {
                            return Err(crate::data::transfer_io::stall_error());
                        }
                    }
                    Ok(_) | Err(Errno::INTR) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Err(Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_THREADS, Slot};

    #[test]
    fn slots_run_out_and_come_back() {
        let held: Vec<Slot> = (0..MAX_THREADS).map_while(|_| Slot::claim()).collect();
        assert_eq!(held.len(), MAX_THREADS);
        assert!(Slot::claim().is_none(), "a slot past the limit");
        drop(held);
        assert!(Slot::claim().is_some(), "slots given back");
    }
}
