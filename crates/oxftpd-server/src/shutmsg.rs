//! The shutdown message file `ftpshut` writes (`/etc/shutmsg`): while it says the server is
//! shut down, new connections are refused with ProFTPD's
//! `500 FTP server shut down (<message>) -- please try again later`.
//!
//! The file's first line is `YEAR MONTH DAY HOUR MINUTE SECOND DENY DISC` (local time of the
//! shutdown; DENY and DISC as HHMM before it: when new connections are refused and when
//! running ones are cut); the next line is the message, where `%s`, `%r`, `%d` (shutdown,
//! deny and disconnect times), `%T` (now), `%L` (server address), `%R` (client), `%V`
//! (ServerName), `%U` (`NONE`) and `%C` (`(none)`) are replaced.

use std::path::PathBuf;
use std::sync::RwLock;

/// ProFTPD's compiled-in path.
pub const DEFAULT_PATH: &str = "/etc/shutmsg";

static PATH: RwLock<Option<PathBuf>> = RwLock::new(None);

/// Uses `path` instead of `/etc/shutmsg` (the daemon sets it from `OXFTPD_SHUTMSG`).
pub fn set_path(path: PathBuf) {
    if let Ok(mut p) = PATH.write() {
        *p = Some(path);
    }
}

fn path() -> PathBuf {
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

/// `ctime`-style local time without the newline, as ProFTPD prints times.
fn ctime(t: i64) -> String {
    let mut buf = [0 as libc::c_char; 64];
    // SAFETY: ctime_r writes at most 26 bytes into our 64-byte buffer.
    let p = unsafe { libc::ctime_r(&t, buf.as_mut_ptr()) };
    if p.is_null() {
        return t.to_string();
    }
    // SAFETY: ctime_r wrote a NUL-terminated string into buf.
    unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .trim_end()
        .to_string()
}

/// What a connection arriving now is told, if the server is shut down for it.
pub fn refusal(local: &str, remote: &str, server_name: &str) -> Option<String> {
    let file = path();
    let text = std::fs::read_to_string(&file).ok()?;
    let Some(shut) = parse(&text) else {
        tracing::warn!("{}: not in ftpshut's format; ignored", file.display());
        return None;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if shut.deny > now {
        return None;
    }
    let reason = expand(&shut, now, local, remote, server_name);
    tracing::info!(
        "connection refused ({reason}) from {remote} [{}]",
        file.display()
    );
    Some(format!(
        "500 FTP server shut down ({reason}) -- please try again later\r\n"
    ))
}

fn expand(shut: &Shutdown, now: i64, local: &str, remote: &str, server_name: &str) -> String {
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
            Some('L') => out.push_str(local),
            Some('R') => out.push_str(remote),
            Some('V') => out.push_str(server_name),
            Some('U') => out.push_str("NONE"),
            Some('C') => out.push_str("(none)"),
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
    fn expands_variables() {
        let s = Shutdown {
            at: 0,
            deny: 0,
            disconnect: 0,
            message: "%V on %L for %R as %U in %C, 100%".to_string(),
        };
        assert_eq!(
            expand(&s, 0, "127.0.0.1", "10.0.0.9", "Files"),
            "Files on 127.0.0.1 for 10.0.0.9 as NONE in (none), 100%"
        );
    }
}
