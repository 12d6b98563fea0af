//! A test-only probe (debug builds): with `OXFTPD_TEST_SANDBOX_PROBE=path[:path…]`, once
//! sandboxed the daemon opens each path itself, as root and around every jail, and tries a
//! refused system call, logging what the kernel answered. The sandbox tests read that log.

// This file calls libc: unsafe code is allowed here only, each block with a SAFETY comment.
#![allow(unsafe_code)]

use tracing::info;

/// Runs the probe when the variable is set (never in release builds).
pub fn run_if_asked() {
    if !cfg!(debug_assertions) {
        return;
    }
    let Some(paths) = std::env::var_os("OXFTPD_TEST_SANDBOX_PROBE") else {
        return;
    };
    for path in std::env::split_paths(&paths) {
        let read = std::fs::read(&path).map(|_| "ok".to_string());
        let write = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map(|_| "ok".to_string());
        let show = |r: std::io::Result<String>| r.unwrap_or_else(|e| e.to_string());
        info!(
            "sandbox probe: {}: read {}; write {}",
            path.display(),
            show(read),
            show(write)
        );
    }
    // SAFETY: bpf(BPF_MAP_CREATE, NULL, 0) reads no memory (size 0); without the filter the
    // kernel answers EINVAL (an all-zero attribute), with it EPERM.
    let r = unsafe { libc::syscall(libc::SYS_bpf, 0, std::ptr::null::<u8>(), 0) };
    let e = std::io::Error::last_os_error();
    info!(
        "sandbox probe: bpf: {}",
        if r < 0 {
            e.to_string()
        } else {
            "ok".to_string()
        }
    );
}
