//! `SIGUSR2`: start the (possibly new) binary with the listening sockets, let it take over
//! new connections, and finish this process's sessions before exiting.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::os::fd::RawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use crate::sockets::{UPGRADE_FDS, UPGRADE_READY, set_cloexec};

/// The binary to start: what `/proc/self/exe` names, without the " (deleted)" the kernel
/// adds when the file was replaced (a package upgrade), so the new file runs.
pub fn binary() -> PathBuf {
    match std::fs::read_link("/proc/self/exe") {
        Ok(p) => {
            let s = p.to_string_lossy();
            match s.strip_suffix(" (deleted)") {
                Some(stripped) => PathBuf::from(stripped),
                None => p,
            }
        }
        Err(_) => PathBuf::from("/proc/self/exe"),
    }
}

/// Starts the successor with `fds` open in it and a pipe it writes `+` to once it serves;
/// returns the read end of that pipe and the child's pid. Must run on a thread that is
/// still root when the daemon started as root (a pool thread), since the child inherits
/// the calling thread's credentials.
pub fn spawn(fds: &[RawFd]) -> std::io::Result<(std::fs::File, u32)> {
    let (r, w) = rustix::pipe::pipe()?;
    let w_fd = std::os::fd::AsRawFd::as_raw_fd(&w);
    let list = fds
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let keep: Vec<RawFd> = fds.iter().copied().chain([w_fd]).collect();
    let mut cmd = Command::new(binary());
    cmd.args(std::env::args_os().skip(1))
        .env(UPGRADE_FDS, list)
        .env(UPGRADE_READY, w_fd.to_string());
    // SAFETY: the closure only calls fcntl, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            for fd in &keep {
                set_cloexec(*fd, false);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    drop(w);
    let pid = child.id();
    // Reap the child when it exits (it may daemonize and exit at once).
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok((std::fs::File::from(r), pid))
}

/// Waits (bounded) for the successor's `+` on the readiness pipe.
pub fn wait_ready(mut pipe: std::fs::File, secs: u64) -> Result<(), String> {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let mut pfd = libc::pollfd {
        fd: pipe.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = i32::try_from(secs.saturating_mul(1000)).unwrap_or(i32::MAX);
    // SAFETY: poll on one valid pollfd.
    match unsafe { libc::poll(&mut pfd, 1, ms) } {
        0 => {
            return Err(format!(
                "the new process did not report ready within {secs}s"
            ));
        }
        n if n < 0 => {
            return Err(format!(
                "waiting for the new process: {}",
                std::io::Error::last_os_error()
            ));
        }
        _ => {}
    }
    let mut buf = String::new();
    let _ = pipe.read_to_string(&mut buf);
    if buf.starts_with('+') {
        Ok(())
    } else {
        Err(format!(
            "the new process failed to start: {}",
            buf.trim_start_matches('-')
        ))
    }
}
