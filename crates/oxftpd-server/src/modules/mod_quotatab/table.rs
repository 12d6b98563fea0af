//! mod_quotatab_file.c's tables: ProFTPD's binary fixed-record format, which Debian's
//! `ftpquota` writes and reads: a native-endian `u32` magic (limit `0x7626`, tally `0x7644`),
//! then records of packed fields in the host's byte order (name: 81 bytes, NUL-padded; type:
//! `u32`; …; byte figures `f64`, file figures `u32`).
//!
//! A tally changes only by [`TallyTable::add`]: under the table's lock (an in-process mutex,
//! and a `fcntl` write lock on the whole file for other processes, which covers the range
//! ProFTPD and `ftpquota` lock), the record is read, the deltas added and the record written
//! back, so concurrent sessions, in this process or in ProFTPD's, never lose an update
//! (ProFTPD bug #2066).

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

/// The limit table's magic number.
pub const LIMIT_MAGIC: u32 = 0x07626;
/// The tally table's magic number.
pub const TALLY_MAGIC: u32 = 0x07644;
const NAME: usize = 81;
/// A limit record's length.
pub const LIMIT_LEN: usize = NAME + 4 + 1 + 4 + 3 * 8 + 3 * 4;
/// A tally record's length.
pub const TALLY_LEN: usize = NAME + 4 + 3 * 8 + 3 * 4;

pub use crate::module::quota::{Delta, Figures, Kind, Limit};

fn name_of(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut v = [0u8; 4];
    v.copy_from_slice(&b[at..at + 4]);
    u32::from_ne_bytes(v)
}

fn f64_at(b: &[u8], at: usize) -> f64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    f64::from_ne_bytes(v)
}

fn figures_at(b: &[u8], at: usize) -> Figures {
    Figures {
        bytes_in: f64_at(b, at),
        bytes_out: f64_at(b, at + 8),
        bytes_xfer: f64_at(b, at + 16),
        files_in: u32_at(b, at + 24),
        files_out: u32_at(b, at + 28),
        files_xfer: u32_at(b, at + 32),
    }
}

fn put_figures(out: &mut Vec<u8>, f: &Figures) {
    for v in [f.bytes_in, f.bytes_out, f.bytes_xfer] {
        out.extend_from_slice(&v.to_ne_bytes());
    }
    for v in [f.files_in, f.files_out, f.files_xfer] {
        out.extend_from_slice(&v.to_ne_bytes());
    }
}

fn put_name(out: &mut Vec<u8>, name: &str) {
    let mut field = [0u8; NAME];
    let n = name.len().min(NAME - 1);
    field[..n].copy_from_slice(&name.as_bytes()[..n]);
    out.extend_from_slice(&field);
}

/// Reads the whole table and checks its magic.
fn read_all(file: &File, magic: u32, what: &str) -> io::Result<Vec<u8>> {
    let len = file.metadata()?.len();
    let mut all = vec![0u8; usize::try_from(len).unwrap_or(0)];
    file.read_exact_at(&mut all, 0)?;
    if all.len() < 4 || u32_at(&all, 0) != magic {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not a {what} table (bad magic number)"),
        ));
    }
    Ok(all)
}

/// Every row of a limit table file.
pub fn read_limits(file: &File) -> io::Result<Vec<Limit>> {
    let all = read_all(file, LIMIT_MAGIC, "limit")?;
    Ok(all[4..]
        .chunks_exact(LIMIT_LEN)
        .filter_map(|r| {
            Some(Limit {
                name: name_of(&r[..NAME]),
                kind: Kind::of(u32_at(r, NAME))?,
                per_session: r[NAME + 4] != 0,
                hard: u32_at(r, NAME + 5) != 2,
                avail: figures_at(r, NAME + 9),
            })
        })
        .collect())
}

/// One limit row as the file holds it (for tests and tools).
pub fn limit_record(l: &Limit) -> Vec<u8> {
    let mut out = Vec::with_capacity(LIMIT_LEN);
    put_name(&mut out, &l.name);
    out.extend_from_slice(&(l.kind as u32).to_ne_bytes());
    out.push(u8::from(l.per_session));
    out.extend_from_slice(&(if l.hard { 1u32 } else { 2u32 }).to_ne_bytes());
    put_figures(&mut out, &l.avail);
    out
}

/// A held lock on a table: the in-process mutex and the file's write lock.
struct Locked<'a> {
    file: std::sync::MutexGuard<'a, File>,
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = rustix::fs::fcntl_lock(&*self.file, rustix::fs::FlockOperation::Unlock);
    }
}

/// A tally table, opened once (as root) for a loaded configuration.
pub struct TallyTable {
    file: Mutex<File>,
    /// `QuotaLock`: a file also locked around each update.
    lock_file: Option<File>,
}

/// The `QuotaLock` file's lock, released when dropped.
struct LockFile<'a>(&'a File);

impl Drop for LockFile<'_> {
    fn drop(&mut self) {
        let _ = rustix::fs::fcntl_lock(self.0, rustix::fs::FlockOperation::Unlock);
    }
}

impl TallyTable {
    /// The table in `file` (its magic is checked at each use), with the `QuotaLock` file.
    pub fn new(file: File, lock_file: Option<File>) -> TallyTable {
        TallyTable {
            file: Mutex::new(file),
            lock_file,
        }
    }

    fn lock(&self) -> io::Result<Locked<'_>> {
        let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        rustix::fs::fcntl_lock(&*file, rustix::fs::FlockOperation::LockExclusive)?;
        Ok(Locked { file })
    }

    /// Adds `d` to the tally of `name`/`kind` (made when missing) and returns the new figures,
    /// in one locked read-change-write.
    pub fn add(&self, name: &str, kind: Kind, d: &Delta) -> io::Result<Figures> {
        // The QuotaLock file first (another process's order too), then the table.
        let _outer = match &self.lock_file {
            Some(f) => {
                rustix::fs::fcntl_lock(f, rustix::fs::FlockOperation::LockExclusive)?;
                Some(LockFile(f))
            }
            None => None,
        };
        let locked = self.lock()?;
        let all = read_all(&locked.file, TALLY_MAGIC, "tally")?;
        let found = all[4..]
            .chunks_exact(TALLY_LEN)
            .position(|r| name_of(&r[..NAME]) == name && u32_at(r, NAME) == kind as u32);
        let (at, old) = match found {
            Some(i) => {
                let at = 4 + i * TALLY_LEN;
                (at, figures_at(&all[at..at + TALLY_LEN], NAME + 4))
            }
            // A new record goes after the last whole one.
            None => (
                4 + (all.len() - 4) / TALLY_LEN * TALLY_LEN,
                Figures::default(),
            ),
        };
        let new = old.plus(d);
        let mut rec = Vec::with_capacity(TALLY_LEN);
        put_name(&mut rec, name);
        rec.extend_from_slice(&(kind as u32).to_ne_bytes());
        put_figures(&mut rec, &new);
        locked
            .file
            .write_all_at(&rec, u64::try_from(at).unwrap_or(u64::MAX))?;
        Ok(new)
    }

    /// The tally of `name`/`kind` (zero when missing).
    pub fn get(&self, name: &str, kind: Kind) -> io::Result<Figures> {
        self.add(name, kind, &Delta::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(magic: u32) -> (tempfile::NamedTempFile, File) {
        let f = tempfile::NamedTempFile::new().expect("temp");
        std::fs::write(f.path(), magic.to_ne_bytes()).expect("magic");
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(f.path())
            .expect("open");
        (f, file)
    }

    #[test]
    fn record_lengths_are_proftpds() {
        assert_eq!((LIMIT_LEN, TALLY_LEN), (126, 121));
    }

    #[test]
    fn limits_read_back() {
        let (f, file) = table(LIMIT_MAGIC);
        let l = Limit {
            name: "alice".into(),
            kind: Kind::User,
            per_session: false,
            hard: true,
            avail: Figures {
                bytes_in: 1024.0,
                ..Figures::default()
            },
        };
        let mut bytes = LIMIT_MAGIC.to_ne_bytes().to_vec();
        bytes.extend(limit_record(&l));
        std::fs::write(f.path(), bytes).expect("write");
        assert_eq!(read_limits(&file).expect("read"), [l]);
    }

    #[test]
    fn a_table_with_the_wrong_magic_is_refused() {
        let (_f, file) = table(LIMIT_MAGIC);
        let t = TallyTable::new(file, None);
        assert!(t.get("alice", Kind::User).is_err());
    }

    #[test]
    fn concurrent_adds_lose_nothing() {
        let (_f, file) = table(TALLY_MAGIC);
        let t = std::sync::Arc::new(TallyTable::new(file, None));
        let threads: Vec<_> = (0..30)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let d = Delta {
                            bytes_in: 10.0,
                            files_in: 1,
                            ..Delta::default()
                        };
                        t.add("alice", Kind::User, &d).expect("add");
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().expect("thread");
        }
        t.add("bob", Kind::User, &Delta::default()).expect("bob");
        let got = t.get("alice", Kind::User).expect("get");
        assert_eq!((got.bytes_in, got.files_in), (6000.0, 600));
        // Never below zero.
        let d = Delta {
            files_in: -1000,
            ..Delta::default()
        };
        assert_eq!(t.add("bob", Kind::User, &d).expect("add").files_in, 0);
    }
}
