//! `WtmpLog` (ProFTPD's mod_auth with src/wtmp.c): a wtmp login record when a user logs in
//! and a logout record when the session ends, so `last` lists FTP sessions.
//!
//! ProFTPD 1.3.8 writes unless `WtmpLog off` applies (in the server or the `<Anonymous>`
//! block; on by default), appending a `struct utmp` to `/var/log/wtmp` (never creating it):
//! `USER_PROCESS` with the user, `ut_line` `ftpd<pid>`, the client's name (or address when
//! `UseReverseDNS off`) and address; at the end a `DEAD_PROCESS` record with the same line
//! and no user. One oxftpd process serves many sessions, so its line is `ftpd<pid>.<n>`
//! with `n` counting the process's logins: login and logout records pair up by line.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::io::Write;
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::module::events::{Event, EventFuture};
use crate::session::{Ctx, LoggedIn};

/// Where wtmp records go.
const WTMP_FILE: &str = "/var/log/wtmp";

/// Numbers the process's logins (the `.n` of `ut_line`).
static LOGINS: AtomicU64 = AtomicU64::new(0);

/// The wtmp line of a logged-in session: what its logout record needs.
#[derive(Clone, Debug)]
pub struct Entry {
    line: String,
    host: String,
    addr: IpAddr,
}

/// The wtmp file: `/var/log/wtmp`; debug builds let tests name another one
/// (`OXFTPD_TEST_WTMP_FILE`) so that they never touch the machine's own.
pub fn wtmp_file() -> PathBuf {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("OXFTPD_TEST_WTMP_FILE") {
        return PathBuf::from(path);
    }
    PathBuf::from(WTMP_FILE)
}

/// Writes the login record of `user` when `WtmpLog` applies; the entry is for [`logout`].
pub async fn login(ctx: &Ctx, user: &LoggedIn) -> Option<Entry> {
    if !crate::access::conditions::user_cfg(ctx, user).auth.wtmp_log {
        return None;
    }
    let n = LOGINS.fetch_add(1, Ordering::Relaxed) + 1;
    let entry = Entry {
        line: format!("ftpd{}.{n}", std::process::id()),
        host: ctx
            .remote_name
            .clone()
            .unwrap_or_else(|| plain(ctx.peer.ip()).to_string()),
        addr: plain(ctx.peer.ip()),
    };
    write(ctx, &entry, &user.login_name).await;
    Some(entry)
}

/// Writes the logout record of a session that logged in.
pub async fn logout(ctx: &Ctx, entry: &Entry) {
    write(ctx, entry, "").await;
}

fn plain(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Appends one record, as root on the pool (the file is root's; sessions are not).
async fn write(ctx: &Ctx, entry: &Entry, user: &str) {
    let record = record(entry, user);
    let path = wtmp_file();
    let result = ctx
        .shared
        .pool
        .run(&ctx.shared.daemon_cred, move || append(&path, &record))
        .await;
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("wtmp {}: {e}", wtmp_file().display()),
        Err(e) => tracing::warn!("wtmp: {e}"),
    }
}

/// Appends whole records only: a short write is cut back off, as ProFTPD does.
fn append(path: &std::path::Path, record: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    let before = file.metadata()?.len();
    if let Err(e) = file.write_all(record) {
        let _ = file.set_len(before);
        return Err(e);
    }
    Ok(())
}

fn copy_str(dst: &mut [libc::c_char], src: &str) {
    // Always leave a NUL, as ProFTPD does.
    let room = dst.len().saturating_sub(1);
    for (d, b) in dst.iter_mut().take(room).zip(src.bytes()) {
        *d = b as libc::c_char;
    }
}

/// The `struct utmp` bytes of one record.
fn record(entry: &Entry, user: &str) -> Vec<u8> {
    // SAFETY: utmpx is plain old data (integers and byte arrays); all zeros is a valid value.
    let mut ut: libc::utmpx = unsafe { std::mem::zeroed() };
    ut.ut_type = if user.is_empty() {
        libc::DEAD_PROCESS
    } else {
        libc::USER_PROCESS
    };
    ut.ut_pid = std::process::id() as libc::pid_t;
    copy_str(&mut ut.ut_line, &entry.line);
    copy_str(&mut ut.ut_user, user);
    copy_str(&mut ut.ut_host, &entry.host);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    ut.ut_tv.tv_sec = now as _;
    match entry.addr {
        IpAddr::V4(v4) => ut.ut_addr_v6[0] = i32::from_ne_bytes(v4.octets()),
        IpAddr::V6(v6) => {
            for (slot, chunk) in ut.ut_addr_v6.iter_mut().zip(v6.octets().chunks_exact(4)) {
                *slot = i32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
        }
    }
    let size = std::mem::size_of::<libc::utmpx>();
    // SAFETY: `ut` is a fully initialised repr(C) value of `size` bytes (zeroed first, so
    // padding bytes are zeros too); the slice lives no longer than `ut`.
    let bytes =
        unsafe { std::slice::from_raw_parts((&ut as *const libc::utmpx).cast::<u8>(), size) };
    bytes.to_vec()
}

/// The wtmp line a login wrote, kept in the session for the logout record.
struct Written(Entry);

/// mod_auth's event handler for `WtmpLog`: the login record when a login succeeds, the
/// logout record when its session ends.
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        match event {
            Event::LoginSucceeded { user } => {
                if let Some(entry) = login(ctx, user).await {
                    ctx.ext.insert(Written(entry));
                }
            }
            Event::SessionClosed { .. } => {
                if let Some(Written(entry)) = ctx.ext.remove::<Written>() {
                    logout(ctx, &entry).await;
                }
            }
            _ => {}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(bytes: &[u8]) -> String {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn a_login_record_has_glibcs_layout() {
        let entry = Entry {
            line: "ftpd42.7".to_string(),
            host: "client.example".to_string(),
            addr: "192.0.2.9".parse().unwrap(),
        };
        let r = record(&entry, "alice");
        assert_eq!(r.len(), 384);
        assert_eq!(i16::from_ne_bytes([r[0], r[1]]), libc::USER_PROCESS);
        assert_eq!(field(&r[8..40]), "ftpd42.7");
        assert_eq!(field(&r[44..76]), "alice");
        assert_eq!(field(&r[76..332]), "client.example");
        assert_eq!(&r[348..352], &[192, 0, 2, 9]);
        let logout = record(&entry, "");
        assert_eq!(
            i16::from_ne_bytes([logout[0], logout[1]]),
            libc::DEAD_PROCESS
        );
        assert_eq!(field(&logout[44..76]), "");
    }
}
