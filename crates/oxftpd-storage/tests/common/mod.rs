//! Helpers shared by the storage integration tests.
#![allow(dead_code)]

use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

use oxftpd_storage::{Credentials, Fs, FsPool};
use tempfile::TempDir;

/// User and group ids with no passwd entries, used as session identities.
pub const ALICE: u32 = 60001;
pub const BOB: u32 = 60002;
pub const STAFF: u32 = 60010;

/// Whether the tests run as root (identity tests need it; CI runs as root).
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Prints why a test did nothing and returns true when not root.
pub fn skip_unless_root() -> bool {
    if is_root() {
        false
    } else {
        eprintln!("skipped: needs root to switch filesystem credentials");
        true
    }
}

/// Credentials for `uid`/`gid` with supplementary `groups` and umask 022.
pub fn cred(uid: u32, gid: u32, groups: &[u32]) -> Credentials {
    Credentials::new(uid, gid, groups.to_vec(), 0o022)
}

/// The process's own identity, for tests that do not care who they are.
pub fn me() -> Credentials {
    cred(
        rustix::process::geteuid().as_raw(),
        rustix::process::getegid().as_raw(),
        &[],
    )
}

/// A temporary directory that other users may traverse (0755).
pub fn temp() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    set_mode(dir.path(), 0o755);
    dir
}

/// `chmod` for test setup.
pub fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// `chown` for test setup.
pub fn set_owner(path: &Path, uid: u32, gid: u32) {
    chown(path, Some(uid), Some(gid)).expect("chown");
}

/// Writes `text` to `path` with `mode` and owner `uid:gid` (setup, as the test process).
pub fn put_file(path: &Path, text: &str, mode: u32, uid: u32, gid: u32) {
    std::fs::write(path, text).expect("write");
    set_mode(path, mode);
    if is_root() {
        set_owner(path, uid, gid);
    }
}

/// A session filesystem on `root` for `cred`.
pub async fn open(pool: &FsPool, cred: Credentials, root: &Path) -> Fs {
    Fs::open_root(pool.clone(), cred, root)
        .await
        .expect("open root")
}

/// Reads a whole `File` as text.
pub fn read_all(mut file: std::fs::File) -> String {
    use std::io::Read;
    let mut s = String::new();
    file.read_to_string(&mut s).expect("read");
    s
}
