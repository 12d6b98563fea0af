//! The `ScoreboardFile` in ProFTPD 1.3.8's binary layout ([`layout`]), so Debian's
//! unchanged `ftpwho`, `ftpcount` and `ftptop` see oxftpd's sessions.
//!
//! One entry per session, claimed at connect and freed when the session ends; fields change
//! when ProFTPD changes them (login, CWD, each command and its end, the start and end of a
//! transfer), never per byte moved. Every session of a daemon shares its pid, the
//! scoreboard's pid. Writes are `pwrite(2)`s of one entry under a whole-file POSIX write
//! lock taken without waiting: `ftpwho` holds a read lock while it reads, and an update it
//! would see torn is skipped rather than waited for (the next one rewrites the entry).
//! Claiming and freeing a slot takes the `ScoreboardMutex` file's lock, as ProFTPD's
//! daemons do, so that after a live upgrade the old and the new process never claim one slot.
//! `ScoreboardScrub` frees the entries of processes that are gone.

pub mod layout;

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustix::fs::{FlockOperation, fcntl_lock};

use layout::{ENTRY_LEN, HEADER_LEN};
pub use layout::{Entry, Header};

/// Files with at most this many slots are scanned for a free one; larger ones grow at the end
/// unless this process freed a slot (the scan costs a read per slot).
const SCAN_LIMIT: usize = 64;

/// Times a lock is tried before the update goes ahead without it (mutex) or is skipped.
const LOCK_TRIES: u32 = 64;

/// The daemon's open scoreboard.
pub struct Scoreboard {
    path: PathBuf,
    file: File,
    mutex: File,
    pid: u32,
    /// Serializes this process's lock/write/unlock sequences (POSIX locks are per process),
    /// and holds the slots this process freed, so a new session takes one of them (checked
    /// still free) instead of reading every slot's pid: claiming stays O(1) with many sessions.
    writing: Mutex<Vec<usize>>,
}

impl Scoreboard {
    /// Opens the scoreboard at `path` and its mutex file, as the daemon with `pid` that
    /// started at `uptime`. A standalone start (`keep` false) truncates the file and writes a
    /// fresh header, as ProFTPD does; an upgrade (`keep` true) keeps the entries of the
    /// sessions the previous process still serves and rewrites only the header.
    pub fn open(
        path: &Path,
        mutex: &Path,
        pid: u32,
        uptime: i64,
        keep: bool,
    ) -> io::Result<Scoreboard> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(!keep)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        let mutex_file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(mutex)?;
        file.write_all_at(&Header { pid, uptime }.encode(), 0)?;
        Ok(Scoreboard {
            path: path.to_path_buf(),
            file,
            mutex: mutex_file,
            pid,
            writing: Mutex::new(Vec::new()),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pid this daemon's entries carry.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Claims a free slot for a new session and writes `entry` (its pid set to the daemon's).
    pub fn add(self: &Arc<Self>, mut entry: Entry) -> io::Result<Slot> {
        entry.pid = self.pid;
        let mut freed = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let locked = lock(&self.mutex, FlockOperation::NonBlockingLockExclusive);
        let index = self.free_slot(&mut freed);
        let result = index.and_then(|index| {
            self.file
                .write_all_at(&entry.encode(), offset(index))
                .map(|()| index)
        });
        if locked {
            let _ = fcntl_lock(&self.mutex, FlockOperation::NonBlockingUnlock);
        }
        let index = result?;
        Ok(Slot {
            board: self.clone(),
            index,
            entry,
        })
    }

    /// A free slot: one this process freed that is still free, else the first whose pid is 0
    /// at the start of a process's life (the file may hold another process's free slots),
    /// else the one past the end.
    fn free_slot(&self, freed: &mut Vec<usize>) -> io::Result<usize> {
        let mut pid = [0u8; 4];
        while let Some(i) = freed.pop() {
            self.file.read_exact_at(&mut pid, offset(i))?;
            if u32::from_ne_bytes(pid) == 0 {
                return Ok(i);
            }
        }
        let len = self.file.metadata()?.len();
        let slots = usize::try_from(len.saturating_sub(HEADER_LEN as u64) / ENTRY_LEN as u64)
            .unwrap_or(usize::MAX);
        // Slots beyond the ones this process wrote are another process's (an upgrade):
        // read their pids only while this process has claimed few slots of its own.
        if slots <= SCAN_LIMIT {
            for i in 0..slots {
                self.file.read_exact_at(&mut pid, offset(i))?;
                if u32::from_ne_bytes(pid) == 0 {
                    return Ok(i);
                }
            }
        }
        Ok(slots)
    }

    /// Writes one slot under the file's write lock; skipped while a reader holds it.
    fn write(&self, index: usize, bytes: &[u8; ENTRY_LEN]) {
        let _guard = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        if !lock(&self.file, FlockOperation::NonBlockingLockExclusive) {
            return;
        }
        if let Err(e) = self.file.write_all_at(bytes, offset(index)) {
            tracing::warn!("ScoreboardFile {}: {e}", self.path.display());
        }
        let _ = fcntl_lock(&self.file, FlockOperation::NonBlockingUnlock);
    }

    /// Frees a slot (all zeros: pid 0), waiting for readers as long as it must: a freed slot
    /// must never stay claimed.
    fn free(&self, index: usize) {
        let mut freed = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let locked = lock(&self.file, FlockOperation::NonBlockingLockExclusive);
        match self.file.write_all_at(&[0u8; ENTRY_LEN], offset(index)) {
            Ok(()) => freed.push(index),
            Err(e) => tracing::warn!("ScoreboardFile {}: {e}", self.path.display()),
        }
        if locked {
            let _ = fcntl_lock(&self.file, FlockOperation::NonBlockingUnlock);
        }
    }

    /// `ScoreboardScrub`: frees the entries of processes that no longer exist (a previous
    /// daemon killed during an upgrade); returns how many.
    pub fn scrub(&self) -> io::Result<usize> {
        let _guard = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let locked = lock(&self.mutex, FlockOperation::NonBlockingLockExclusive);
        let len = self.file.metadata()?.len();
        let slots = usize::try_from(len.saturating_sub(HEADER_LEN as u64) / ENTRY_LEN as u64)
            .unwrap_or(usize::MAX);
        let mut freed = 0;
        let mut pid = [0u8; 4];
        for i in 0..slots {
            self.file.read_exact_at(&mut pid, offset(i))?;
            let p = u32::from_ne_bytes(pid);
            if p != 0 && p != self.pid && !alive(p) {
                self.file.write_all_at(&[0u8; ENTRY_LEN], offset(i))?;
                freed += 1;
            }
        }
        if locked {
            let _ = fcntl_lock(&self.mutex, FlockOperation::NonBlockingUnlock);
        }
        Ok(freed)
    }

    /// Reads every claimed entry (for `oxftpctl` and the tests).
    pub fn read_all(path: &Path) -> io::Result<(Header, Vec<Entry>)> {
        let bytes = std::fs::read(path)?;
        let header = Header::decode(&bytes).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidData, "not a ProFTPD 1.3.8 scoreboard")
        })?;
        let entries = bytes
            .get(HEADER_LEN..)
            .unwrap_or_default()
            .chunks_exact(ENTRY_LEN)
            .filter_map(Entry::decode)
            .filter(|e| e.pid != 0)
            .collect();
        Ok((header, entries))
    }
}

/// Whether process `pid` exists (signal 0).
fn alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

fn offset(index: usize) -> u64 {
    (HEADER_LEN + index * ENTRY_LEN) as u64
}

/// Takes a non-blocking POSIX lock, trying a bounded number of times.
fn lock(file: &File, op: FlockOperation) -> bool {
    for _ in 0..LOCK_TRIES {
        match fcntl_lock(file, op) {
            Ok(()) => return true,
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN | rustix::io::Errno::ACCESS) => {
                std::thread::yield_now();
            }
            Err(_) => return false,
        }
    }
    false
}

/// A session's claimed entry; freed when dropped.
pub struct Slot {
    board: Arc<Scoreboard>,
    index: usize,
    entry: Entry,
}

impl Slot {
    /// Changes the entry and writes it.
    pub fn update(&mut self, change: impl FnOnce(&mut Entry)) {
        change(&mut self.entry);
        self.board.write(self.index, &self.entry.encode());
    }

    /// The entry as last written.
    pub fn entry(&self) -> &Entry {
        &self.entry
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.board.free(self.index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_claimed_reused_and_freed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sb");
        let board = Arc::new(
            Scoreboard::open(&path, &dir.path().join("sb.lck"), 99, 5, false).expect("open"),
        );
        let mut a = board
            .add(Entry {
                user: "a".into(),
                ..Entry::default()
            })
            .expect("a");
        let b = board
            .add(Entry {
                user: "b".into(),
                ..Entry::default()
            })
            .expect("b");
        a.update(|e| e.cmd = "idle".into());
        let (h, entries) = Scoreboard::read_all(&path).expect("read");
        assert_eq!(h, Header { pid: 99, uptime: 5 });
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].cmd, "idle");
        assert_eq!(entries[1].pid, 99);
        drop(a);
        let (_, entries) = Scoreboard::read_all(&path).expect("read");
        assert_eq!(
            entries.iter().map(|e| e.user.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        let c = board
            .add(Entry {
                user: "c".into(),
                ..Entry::default()
            })
            .expect("c");
        assert_eq!(c.index, 0, "the freed slot is reused");
        drop((b, c));
        assert!(Scoreboard::read_all(&path).expect("read").1.is_empty());
    }

    #[test]
    fn scrub_frees_entries_of_processes_that_are_gone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sb");
        // A pid that cannot exist (above pid_max's ceiling).
        let gone = Arc::new(
            Scoreboard::open(&path, &dir.path().join("sb.lck"), 0x3fff_fff0, 5, false)
                .expect("open"),
        );
        let slot = gone.add(Entry::default()).expect("add");
        std::mem::forget(slot);
        let board = Scoreboard::open(
            &path,
            &dir.path().join("sb.lck"),
            std::process::id(),
            6,
            true,
        )
        .expect("reopen");
        assert_eq!(Scoreboard::read_all(&path).expect("read").1.len(), 1);
        assert_eq!(board.scrub().expect("scrub"), 1);
        assert!(Scoreboard::read_all(&path).expect("read").1.is_empty());
    }
}
