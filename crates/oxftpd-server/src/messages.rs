//! Texts sent to clients: the banner, display files, and ProFTPD's `%` variables.

use oxftpd_proto::command::CommandError;
use oxftpd_proto::reply::Reply;

use crate::session::Ctx;
use crate::settings::Ident;

/// Values the `%` variables of messages draw on.
pub struct Vars<'a> {
    /// `%U`: the name the user logged in with (empty before login).
    pub user: Option<&'a str>,
    /// `%C`: the current directory.
    pub cwd: Option<&'a str>,
}

/// Expands `%u` (the user name) in `AccessGrantMsg`/`AccessDenyMsg`, as ProFTPD does.
pub fn expand_user(text: &str, user: &str) -> String {
    text.replace("%u", user)
}

/// The address as ProFTPD prints it (IPv4-mapped IPv6 addresses as IPv4).
fn plain_ip(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_else(|| v6.to_string()),
        v4 => v4.to_string(),
    }
}

/// Expands ProFTPD's `%` variables in `text` (doc/howto/DisplayFiles.html): `%C` cwd,
/// `%E` admin, `%L` local address, `%M` MaxClients (0: none), `%N` connections, `%R` remote
/// address, `%T` local time, `%U` login name, `%u` ident name (`UNKNOWN` without an answer),
/// `%V` ServerName, `%x` class, `%y` sessions of the class, `%{env:NAME}`.
pub fn expand(ctx: &Ctx, vars: &Vars<'_>, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => out.push_str(ctx.ident.as_deref().unwrap_or(crate::ident::UNKNOWN)),
            Some('U') => out.push_str(vars.user.unwrap_or("")),
            Some('C') => out.push_str(vars.cwd.unwrap_or("(none)")),
            Some('L') => out.push_str(&plain_ip(ctx.local.ip())),
            Some('R') => out.push_str(&plain_ip(ctx.peer.ip())),
            Some('T') => out.push_str(&now_text()),
            Some('V') => out.push_str(&ctx.server.settings.name),
            Some('E') => match ctx.server.settings.admin.as_deref() {
                Some(admin) => out.push_str(admin),
                None => {
                    out.push_str("root@");
                    out.push_str(&plain_ip(ctx.local.ip()));
                }
            },
            Some('M') => {
                let max = crate::ifsession::connect_scope(ctx)
                    .directive("MaxClients")
                    .and_then(|d| d.arg(0))
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0);
                out.push_str(&max.to_string());
            }
            Some('N') => out.push_str(
                &ctx.shared
                    .sessions
                    .load(std::sync::atomic::Ordering::Relaxed)
                    .to_string(),
            ),
            Some('x') => out.push_str(ctx.class.as_deref().unwrap_or("")),
            Some('y') => {
                let n = ctx
                    .class
                    .as_deref()
                    .map(|c| ctx.shared.counters.class_count(ctx.server.index, c))
                    .unwrap_or(0);
                out.push_str(&n.to_string());
            }
            Some('{') => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match name.strip_prefix("env:") {
                    Some(var) => out.push_str(&std::env::var(var).unwrap_or_default()),
                    None => {
                        out.push_str("%{");
                        out.push_str(&name);
                        out.push('}');
                    }
                }
            }
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// The local time in ctime(3) form (`Tue Nov 24 09:55:28 2026`), as ProFTPD's `%T`.
fn now_text() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    ctime(secs + i64::from(crate::localtime::utc_offset(secs)))
}

/// Formats local seconds since the epoch like ctime(3), without the newline.
pub fn ctime(local_secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let c = oxftpd_proto::time::Civil::from_unix(local_secs);
    let weekday = DAYS[local_secs.div_euclid(86_400).rem_euclid(7) as usize];
    let month = MONTHS[(c.month.clamp(1, 12) - 1) as usize];
    format!(
        "{weekday} {month} {:>2} {:02}:{:02}:{:02} {}",
        c.day, c.hour, c.minute, c.second, c.year
    )
}

/// The `220` greeting (ServerIdent, DisplayConnect, DeferWelcome).
pub fn banner(ctx: &Ctx) -> Reply {
    let mut lines = display_file(
        ctx,
        ctx.server.settings.display_connect.as_deref(),
        &Vars {
            user: None,
            cwd: None,
        },
    );
    lines.push(banner_line(ctx));
    multi(220, lines)
}

/// The greeting's last line: the server's identity (`ServerIdent`), also `HOST`'s reply.
pub fn banner_line(ctx: &Ctx) -> String {
    let settings = &ctx.server.settings;
    let addr = ctx.local.ip();
    let addr = match addr {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_else(|| v6.to_string()),
        v4 => v4.to_string(),
    };
    match &settings.ident {
        Ident::Off => format!("{} FTP server ready.", settings.name),
        // In the ServerIdent text ProFTPD's %V is the server's address (no reverse DNS).
        Ident::Text(t) => expand(
            ctx,
            &Vars {
                user: None,
                cwd: None,
            },
            &t.replace("%V", &addr),
        ),
        Ident::Default if settings.defer_welcome => "ProFTPD Server ready.".to_string(),
        Ident::Default => format!("ProFTPD Server ({}) [{addr}]", settings.name),
    }
}

/// A reply of several lines (the last one closes it).
pub fn multi(code: u16, lines: Vec<String>) -> Reply {
    let mut it = lines.into_iter();
    let mut reply = Reply::new(code, it.next().unwrap_or_default());
    for line in it {
        reply.push_line(line);
    }
    reply
}

/// The lines of a Display* file with variables expanded; empty when it can't be read.
pub fn display_file(ctx: &Ctx, path: Option<&std::path::Path>, vars: &Vars<'_>) -> Vec<String> {
    let Some(path) = path else { return Vec::new() };
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]).into_owned();
            text.lines().map(|l| expand(ctx, vars, l)).collect()
        }
        Err(e) => {
            tracing::debug!("display file {}: {e}", path.display());
            Vec::new()
        }
    }
}

/// The reply text for a line that is not a valid command.
pub fn bad_line_text(line: &[u8], err: &CommandError) -> String {
    let verb: String = line
        .iter()
        .take_while(|b| **b != b' ')
        .take(32)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect();
    match err {
        CommandError::InvalidUtf8 | CommandError::Nul => {
            format!("{verb}: Invalid characters in command")
        }
        _ => format!("{verb} not understood"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_layout() {
        // 2026-11-24 09:55:28 was a Tuesday.
        assert_eq!(ctime(1_795_514_128), "Tue Nov 24 09:55:28 2026");
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
    }

    #[test]
    fn access_messages_expand_only_the_user() {
        assert_eq!(expand_user("Hi %u %U ok", "alice"), "Hi alice %U ok");
    }
}
