//! The client's host name for `Allow from`/`Deny from` names (`UseReverseDNS`, on by default
//! as in ProFTPD): one lookup per session, on the shared pool's threads (never the async
//! ones: the daemon's runtime threads run with dropped privileges), bounded in time.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::net::IpAddr;
use std::time::Duration;

use crate::session::Ctx;

/// How long a session waits for its reverse lookup before going on without a name.
const LOOKUP_LIMIT: Duration = Duration::from_secs(5);

/// Looks up the peer's name when `UseReverseDNS` is on; `None` when off or without an answer.
pub async fn lookup(ctx: &Ctx) -> Option<String> {
    let on = ctx.server.cfg.core.use_reverse_dns;
    if !on {
        return None;
    }
    let ip = ctx.peer.ip();
    let task = ctx
        .shared
        .pool
        .run(&ctx.shared.daemon_cred, move || name_of(ip));
    tokio::time::timeout(LOOKUP_LIMIT, task)
        .await
        .ok()
        .and_then(Result::ok)
        .flatten()
}

/// `getnameinfo(NI_NAMEREQD)` for one address.
fn name_of(ip: IpAddr) -> Option<String> {
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
