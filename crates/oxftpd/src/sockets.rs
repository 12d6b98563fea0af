//! Listening sockets a daemon did not bind itself: systemd socket activation
//! (`LISTEN_PID`/`LISTEN_FDS`, fds from 3) and the sockets an upgrading daemon hands to its
//! successor (`OXFTPD_UPGRADE_FDS`, a comma-separated fd list).

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::net::TcpListener;
use std::os::fd::{FromRawFd, RawFd};

/// The environment variable the upgrading daemon passes its listening fds in.
pub const UPGRADE_FDS: &str = "OXFTPD_UPGRADE_FDS";
/// The environment variable naming the pipe the successor reports readiness on.
pub const UPGRADE_READY: &str = "OXFTPD_UPGRADE_READY";

/// Where inherited sockets came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// systemd's socket activation.
    Systemd,
    /// An older oxftpd handing over on `SIGUSR2`.
    Upgrade,
}

/// The listening sockets passed to this process, if any; clears the variables so that
/// children do not see them.
pub fn inherited() -> Result<Option<(Origin, Vec<TcpListener>)>, String> {
    let fds: Vec<RawFd>;
    let origin;
    if let Ok(list) = std::env::var(UPGRADE_FDS) {
        origin = Origin::Upgrade;
        fds = list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| format!("{UPGRADE_FDS}: bad fd '{s}'"))
            })
            .collect::<Result<_, _>>()?;
    } else if let Ok(n) = std::env::var("LISTEN_FDS") {
        let pid_matches = std::env::var("LISTEN_PID")
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|p| p == std::process::id());
        if !pid_matches {
            return Ok(None);
        }
        let n: i32 = n
            .parse()
            .map_err(|_| format!("LISTEN_FDS: not a number: '{n}'"))?;
        origin = Origin::Systemd;
        fds = (3..3 + n).collect();
    } else {
        return Ok(None);
    }
    // SAFETY: called at start-up before any other thread exists.
    unsafe {
        std::env::remove_var(UPGRADE_FDS);
        std::env::remove_var("LISTEN_FDS");
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDNAMES");
    }
    let mut out = Vec::new();
    for fd in fds {
        check_listening(fd)?;
        // SAFETY: the fd was handed to us for this purpose and is a listening TCP socket.
        let l = unsafe { TcpListener::from_raw_fd(fd) };
        set_cloexec(fd, true);
        l.set_nonblocking(true)
            .map_err(|e| format!("fd {fd}: cannot make it non-blocking: {e}"))?;
        out.push(l);
    }
    Ok(Some((origin, out)))
}

/// Fails unless `fd` is a listening TCP socket.
fn check_listening(fd: RawFd) -> Result<(), String> {
    let mut val: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt with a valid out-buffer of the stated length.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            &mut val as *mut libc::c_int as *mut libc::c_void,
            &mut len,
        )
    };
    if rc != 0 {
        return Err(format!(
            "passed fd {fd} is not a socket: {}",
            std::io::Error::last_os_error()
        ));
    }
    if val == 0 {
        return Err(format!("passed fd {fd} is a socket but not listening"));
    }
    Ok(())
}

/// Sets or clears `FD_CLOEXEC` on `fd`.
pub fn set_cloexec(fd: RawFd, on: bool) {
    // SAFETY: fcntl on an fd number; failures are ignored (the fd then keeps its flag).
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags >= 0 {
            let flags = if on {
                flags | libc::FD_CLOEXEC
            } else {
                flags & !libc::FD_CLOEXEC
            };
            libc::fcntl(fd, libc::F_SETFD, flags);
        }
    }
}
