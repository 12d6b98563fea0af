//! One open root directory per distinct jail, shared by every session inside it: with
//! `DefaultRoot ~` 10,000 sessions of one user would otherwise hold 10,000 extra fds.
//!
//! Sharing is safe because the fd is `O_PATH`: it carries no access rights, and every lookup
//! under it is checked against the credentials of the thread doing it. Each login still opens
//! the path itself (so its own search permission is checked, and a root that was replaced
//! since is noticed by its device and inode) and then keeps the shared fd instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use rustix::fd::OwnedFd;

/// A cached root: its identity and the fd, alive while a session holds it.
struct Entry {
    dev: u64,
    ino: u64,
    fd: Weak<OwnedFd>,
}

/// Entries beyond which dead ones are swept at the next insertion.
const SWEEP_AT: usize = 256;

static ROOTS: Mutex<Option<HashMap<PathBuf, Entry>>> = Mutex::new(None);

/// The shared fd for `path` if one is open on the same directory as `fresh`, else `fresh`
/// itself, remembered for the next login.
pub(crate) fn share(path: &Path, fresh: OwnedFd) -> Arc<OwnedFd> {
    let Ok(stat) = rustix::fs::fstat(&fresh) else {
        return Arc::new(fresh);
    };
    let (dev, ino) = (stat.st_dev, stat.st_ino);
    // The lock is held for a map lookup at login, never during I/O.
    let mut guard = ROOTS.lock().unwrap_or_else(|p| p.into_inner());
    let roots = guard.get_or_insert_with(HashMap::new);
    if let Some(entry) = roots.get(path)
        && entry.dev == dev
        && entry.ino == ino
        && let Some(fd) = entry.fd.upgrade()
    {
        return fd;
    }
    let fd = Arc::new(fresh);
    if roots.len() >= SWEEP_AT {
        roots.retain(|_, e| e.fd.strong_count() > 0);
    }
    roots.insert(
        path.to_path_buf(),
        Entry {
            dev,
            ino,
            fd: Arc::downgrade(&fd),
        },
    );
    fd
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rustix::fs::{Mode, OFlags, open};

    use super::share;

    fn open_path(p: &std::path::Path) -> rustix::fd::OwnedFd {
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        open(p, flags, Mode::empty()).expect("open O_PATH")
    }

    #[test]
    fn same_directory_shares_one_fd_and_a_replaced_one_does_not() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("jail");
        let other = tmp.path().join("other");
        std::fs::create_dir(&root).expect("mkdir");
        std::fs::create_dir(&other).expect("mkdir");

        let first = share(&root, open_path(&root));
        let second = share(&root, open_path(&root));
        assert!(Arc::ptr_eq(&first, &second));
        let elsewhere = share(&other, open_path(&other));
        assert!(!Arc::ptr_eq(&first, &elsewhere));

        // The path now names another directory: the old fd must not be handed out.
        std::fs::rename(&root, tmp.path().join("moved")).expect("rename");
        std::fs::create_dir(&root).expect("mkdir again");
        let replaced = share(&root, open_path(&root));
        assert!(!Arc::ptr_eq(&first, &replaced));

        // Dropping the jail's holders leaves the other directory's shared fd in place.
        drop((first, second, replaced));
        let again = share(&other, open_path(&other));
        assert!(Arc::ptr_eq(&elsewhere, &again));
    }
}
