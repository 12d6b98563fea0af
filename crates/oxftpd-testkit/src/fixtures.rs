//! What a test lays out before it starts the server: auth-file lines, owned directories,
//! reproducible file contents.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

use crate::Setup;

/// Appends `line` to one of the setup's auth files (`passwd` or `group`).
pub fn append(setup: &Setup, file: &str, line: &str) {
    let path = setup.dir().join("etc").join(file);
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    writeln!(f, "{line}").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Creates `path` (and its parents) owned by `uid`:`gid` with permission bits `mode`.
pub fn mkdir(path: &Path, uid: u32, gid: u32, mode: u32) {
    fs::create_dir_all(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    chown(path, Some(uid), Some(gid)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Deterministic pseudo-random bytes (xorshift64*), so failures reproduce.
pub fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.extend_from_slice(&seed.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}
