//! The client's host name for `Allow from`/`Deny from` names (`UseReverseDNS`, on by default
//! as in ProFTPD): one lookup per session, bounded in time, on a small pool of threads of its
//! own (`lookup_pool.rs`), never on the filesystem pool (issue 19: lookups that never answered
//! held the file pool's threads and froze every session).
//!
//! Why glibc's `getnameinfo` in a bounded pool and not an async DNS client (such as
//! `hickory-resolver`): ProFTPD asks the C library, so the name comes through nsswitch.conf
//! (`files`, `dns`, and whatever else the administrator configured: NIS, LDAP, mDNS,
//! systemd-resolved) and /etc/hosts exactly as ProFTPD sees them, which is what
//! `Allow from .domain` rules written for ProFTPD expect; an async DNS client reads
//! /etc/hosts and resolv.conf only, and brings a large dependency. The price is a thread per
//! running lookup: at most [`lookup_pool::MAX_IN_FLIGHT`] run at once, a session waits at
//! most [`LOOKUP_LIMIT`] for its own, and a session that finds the pool full goes on at once
//! without a name, as after a failed lookup (ProFTPD then uses the address too).

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::net::IpAddr;
use std::time::Duration;

use crate::lookup_pool;
use crate::session::Ctx;

/// How long a session waits for its reverse lookup before going on without a name.
const LOOKUP_LIMIT: Duration = Duration::from_secs(5);

/// Looks up the peer's name when `UseReverseDNS` is on; `None` when off or without an answer.
pub async fn lookup(ctx: &Ctx) -> Option<String> {
    let on = crate::admin::reverse_dns(ctx.server.cfg.core.use_reverse_dns);
    if !on {
        return None;
    }
    let ip = ctx.peer.ip();
    let Some(answer) = lookup_pool::shared().try_run(move || name_of(ip)) else {
        tracing::debug!(peer = %ctx.peer, "reverse lookups busy: going on without a name");
        return None;
    };
    tokio::time::timeout(LOOKUP_LIMIT, answer)
        .await
        .ok()
        .and_then(Result::ok)
        .flatten()
}

/// `getnameinfo(NI_NAMEREQD)` for one address.
fn name_of(ip: IpAddr) -> Option<String> {
    // A resolver that never answers for one address, for the tests (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var("OXFTPD_TEST_HANG_LOOKUPS").is_ok_and(|a| a.parse() == Ok(ip)) {
        loop {
            std::thread::park();
        }
    }
    let addr: socket2::SockAddr = std::net::SocketAddr::new(ip, 0).into();
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: `addr` is a valid sockaddr of the given length and `host` a writable buffer
    // whose length is passed; no service buffer is requested.
    let rc = unsafe {
        libc::getnameinfo(
            addr.as_ptr().cast(),
            addr.len(),
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: getnameinfo wrote a NUL-terminated string into `host` on success.
    let name = unsafe { std::ffi::CStr::from_ptr(host.as_ptr()) };
    name.to_str().ok().map(str::to_string)
}
