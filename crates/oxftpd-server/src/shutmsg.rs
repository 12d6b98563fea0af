//! The shutdown message file `ftpshut` writes (`/etc/shutmsg`), as ProFTPD's main.c reads it:
//! from the deny time on, new connections are refused with
//! `500 FTP server shut down (<message>) -- please try again later`; from the disconnect
//! time on, running sessions are told `421 FTP server shutting down - <message>` and closed
//! (ProFTPD's master signals its children; here one task polls the file every second and
//! every session waiting for a command hears it; a transfer in progress ends first).
//!
//! The file's first line is `YEAR MONTH DAY HOUR MINUTE SECOND DENY DISC` (local time of the
//! shutdown; DENY and DISC as HHMM before it: when new connections are refused and when
//! running ones are cut); the next line is the message, where `%s`, `%r`, `%d` (shutdown,
//! deny and disconnect times), `%T` (now), `%L` (server address), `%R` (client), `%V`
//! (ServerName), `%U` (`NONE`) and `%C` (`(none)`) are replaced.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::path::PathBuf;
use std::sync::{OnceLock, RwLock};
use std::time::Duration;

use tokio::sync::watch;

/// ProFTPD's compiled-in path.
pub const DEFAULT_PATH: &str = "/etc/shutmsg";

static PATH: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Uses `path` instead of `/etc/shutmsg` (the daemon sets it from `OXFTPD_SHUTMSG`).
pub fn set_path(path: PathBuf) {
    if let Ok(mut p) = PATH.write() {
        *p = Some(path);
    }
}

/// The shutdown message file read (`/etc/shutmsg` unless [`set_path`] chose another).
pub fn path() -> PathBuf {
    PATH.read()
        .ok()
        .and_then(|p| p.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH))
}

/// A parsed shutdown message file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shutdown {
    /// When the server shuts down (seconds since the epoch).
    pub at: i64,
    /// From when new connections are refused.
    pub deny: i64,
    /// From when running sessions are cut.
    pub disconnect: i64,
    /// The message, `%` variables not yet replaced.
    pub message: String,
}

/// Parses the file's text; `None` when the first line is not ftpshut's.
pub fn parse(text: &str) -> Option<Shutdown> {
    let mut lines = text.lines();
    let head: Vec<i64> = lines
        .next()?
        .split_whitespace()
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let [y, mo, d, h, mi, s, deny, disc] = head[..] else {
        return None;
    };
    let at = local_time(y, mo, d, h, mi, s)?;
    let offset = |hhmm: i64| (hhmm / 100) * 3600 + (hhmm % 100) * 60;
    Some(Shutdown {
        at,
        deny: at - offset(deny),
        disconnect: at - offset(disc),
        message: lines.next().unwrap_or("").to_string(),
    })
}

fn local_time(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    // SAFETY: mktime reads and normalises a zeroed tm we own.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = (y - 1900) as i32;
    tm.tm_mon = (mo - 1) as i32;
    tm.tm_mday = d as i32;
    tm.tm_hour = h as i32;
    tm.tm_min = mi as i32;
    tm.tm_sec = s as i32;
    tm.tm_isdst = -1;
    let t = unsafe { libc::mktime(&mut tm) };
    (t != -1).then_some(t)
}

/// Local time as ProFTPD's `pr_strtime` prints it: `Sat Feb 03 04:05:06 2001`.
fn ctime(t: i64) -> String {
    // SAFETY: localtime_r fills the tm we own; strftime writes at most buf.len() bytes
    // (NUL included) into our buffer and returns how many it wrote.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return t.to_string();
        }
        let mut buf = [0u8; 64];
        let n = libc::strftime(
            buf.as_mut_ptr() as *mut libc::c_char,
            buf.len(),
            c"%a %b %d %H:%M:%S %Y".as_ptr(),
            &tm,
        );
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

/// What a connection arriving now is told, if the server is shut down for it.
pub fn refusal(local: &str, remote: &str, server_name: &str) -> Option<String> {
    let file = path();
    let text = std::fs::read_to_string(&file).ok()?;
    let Some(shut) = parse(&text) else {
        tracing::warn!("{}: not in ftpshut's format; ignored", file.display());
        return None;
    };
    let now = now();
    if shut.deny > now {
        return None;
    }
    let vars = Vars {
        local,
        remote,
        server_name,
        user: None,
        cwd: None,
    };
    let reason = expand(&shut, now, &vars);
    tracing::info!(
        "connection refused ({reason}) from {remote} [{}]",
        file.display()
    );
    Some(format!(
        "{} FTP server shut down ({reason}) -- please try again later\r\n",
        oxftpd_proto::reply::codes::SYNTAX_ERROR
    ))
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// What the message's `%` variables stand for in one session.
#[derive(Debug, Clone, Copy)]
pub struct Vars<'a> {
    /// `%L`: the server's address.
    pub local: &'a str,
    /// `%R`: the client's name or address.
    pub remote: &'a str,
    /// `%V`: `ServerName`.
    pub server_name: &'a str,
    /// `%U`: the user logged in (`NONE` before login).
    pub user: Option<&'a str>,
    /// `%C`: the current directory (`(none)` before login).
    pub cwd: Option<&'a str>,
}

/// The file as it is now, if it is there and in ftpshut's format.
fn read_current() -> Option<Shutdown> {
    let text = std::fs::read_to_string(path()).ok()?;
    parse(&text)
}

/// The shutdown whose disconnect time has come, as the poller last saw it.
fn due() -> watch::Receiver<Option<Shutdown>> {
    static DUE: OnceLock<watch::Receiver<Option<Shutdown>>> = OnceLock::new();
    DUE.get_or_init(|| {
        let (tx, rx) = watch::channel(None);
        std::thread::Builder::new()
            .name("oxftpd-shutmsg".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                loop {
                    let now_due = read_current().filter(|s| s.disconnect <= now());
                    tx.send_if_modified(|old| {
                        let changed = *old != now_due;
                        *old = now_due.clone();
                        changed
                    });
                    if tx.is_closed() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
            .map_err(|e| tracing::warn!("cannot watch the shutdown message file: {e}"))
            .ok();
        rx
    })
    .clone()
}

/// Waits until the shutdown message file's disconnect time has come, and returns the
/// `421` text for this session (without the code).
pub async fn disconnect(vars: Vars<'_>) -> String {
    let mut rx = due();
    let shut = loop {
        if rx.wait_for(Option::is_some).await.is_err() {
            // The poller could not start: nothing will ever be due.
            return std::future::pending().await;
        }
        // The poller looks once a second: make sure the file still says so.
        if let Some(shut) = read_current().filter(|s| s.disconnect <= now()) {
            break shut;
        }
        if rx.changed().await.is_err() {
            return std::future::pending().await;
        }
    };
    let msg = expand(&shut, now(), &vars);
    tracing::info!("{msg}");
    format!("FTP server shutting down - {msg}")
}

/// The message with its `%` variables replaced for one session at `now`.
pub fn expand(shut: &Shutdown, now: i64, vars: &Vars<'_>) -> String {
    let mut out = String::new();
    let mut chars = shut.message.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push_str(&ctime(shut.at)),
            Some('r') => out.push_str(&ctime(shut.deny)),
            Some('d') => out.push_str(&ctime(shut.disconnect)),
            Some('T') => out.push_str(&ctime(now)),
            Some('L') => out.push_str(vars.local),
            Some('R') => out.push_str(vars.remote),
            Some('V') => out.push_str(vars.server_name),
            Some('U') => out.push_str(vars.user.unwrap_or("NONE")),
            Some('C') => out.push_str(vars.cwd.unwrap_or("(none)")),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ftpshut_output() {
        let s = parse("2030 1 2 3 4 5 0010 0005\nback at %s\n").expect("parsed");
        assert_eq!(s.at - s.deny, 600);
        assert_eq!(s.at - s.disconnect, 300);
        assert_eq!(s.message, "back at %s");
        assert_eq!(parse("garbage\n"), None);
        assert_eq!(parse("2030 1 2 3 4 5 0010\nx\n"), None);
    }

    #[test]
    fn times_print_as_proftpd_prints_them() {
        let s = parse("2001 2 3 4 5 6 0010 0005\n%s|%r|%d\n").expect("parsed");
        let vars = Vars {
            local: "",
            remote: "",
            server_name: "",
            user: None,
            cwd: None,
        };
        assert_eq!(
            expand(&s, 0, &vars),
            "Sat Feb 03 04:05:06 2001|Sat Feb 03 03:55:06 2001|Sat Feb 03 04:00:06 2001"
        );
    }

    #[test]
    fn expands_variables() {
        let s = Shutdown {
            at: 0,
            deny: 0,
            disconnect: 0,
            message: "%V on %L for %R as %U in %C, 100%".to_string(),
        };
        let mut vars = Vars {
            local: "127.0.0.1",
            remote: "10.0.0.9",
            server_name: "Files",
            user: None,
            cwd: None,
        };
        assert_eq!(
            expand(&s, 0, &vars),
            "Files on 127.0.0.1 for 10.0.0.9 as NONE in (none), 100%"
        );
        vars.user = Some("alice");
        vars.cwd = Some("/pub");
        assert_eq!(
            expand(&s, 0, &vars),
            "Files on 127.0.0.1 for 10.0.0.9 as alice in /pub, 100%"
        );
    }
}
