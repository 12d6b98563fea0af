//! Texts sent to clients: the banner, display files, and ProFTPD's `%` variables.

use oxftpd_proto::command::CommandError;
use oxftpd_proto::reply::Reply;

use crate::session::Ctx;
use crate::settings::Ident;

/// Values the `%` variables of messages draw on.
#[derive(Clone, Copy, Default)]
pub struct Vars<'a> {
    /// `%U`: the name the user logged in with (empty before login).
    pub user: Option<&'a str>,
    /// `%C`: the current directory.
    pub cwd: Option<&'a str>,
    /// `%F`/`%f`: free space, in KiB, on the file system of the file being displayed.
    pub free_kb: u64,
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

/// Expands ProFTPD's `%` variables in `text` (doc/howto/DisplayFiles.html, src/display.c):
/// first every `%{name}` (`env:VAR`, `time:strftime-format`, the session's `total_bytes_in`,
/// `total_bytes_out`, `total_bytes_xfer`, `total_files_in`, `total_files_out`,
/// `total_files_xfer`; anything else is `(none)`), then the one-letter ones: `%C` cwd, `%E`
/// admin, `%F` free KiB, `%f` free space with units, `%i`/`%o`/`%t` files uploaded/downloaded/
/// both, `%K` KiB transferred, `%k` bytes transferred with units, `%L` local address, `%M`
/// MaxClients (0: none), `%N` connections, `%R` remote host, `%T` local time, `%U` login name,
/// `%u` ident name (`UNKNOWN` without an answer), `%V` ServerName, `%x` class, `%y` sessions of
/// the class, `%z` the class's session limit. `%` before anything else stays as it is.
pub fn expand(ctx: &Ctx, vars: &Vars<'_>, text: &str) -> String {
    expand_letters(ctx, vars, &expand_names(ctx, text))
}

/// Replaces each `%{name}` in `text` (a `%{` without its `}` stays as it is).
fn expand_names(ctx: &Ctx, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("%{") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&named_value(ctx, &rest[start + 2..start + len]));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The value of `%{name}`; `(none)` for an unset environment variable or an unknown name.
fn named_value(ctx: &Ctx, name: &str) -> String {
    const NONE: &str = "(none)";
    if let Some(var) = name.strip_prefix("env:") {
        return std::env::var(var).unwrap_or_else(|_| NONE.to_string());
    }
    if let Some(format) = name.strip_prefix("time:") {
        return crate::localtime::strftime_now(format);
    }
    let t = &ctx.totals;
    let n = match name {
        "total_bytes_in" => t.bytes_in,
        "total_bytes_out" => t.bytes_out,
        "total_bytes_xfer" => t.bytes(),
        "total_files_in" => t.files_in,
        "total_files_out" => t.files_out,
        "total_files_xfer" => t.files(),
        _ => return NONE.to_string(),
    };
    n.to_string()
}

/// Replaces the one-letter variables in `text`, in one pass.
fn expand_letters(ctx: &Ctx, vars: &Vars<'_>, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(value) = chars.peek().and_then(|&v| letter_value(ctx, vars, v)) else {
            // Not a variable: the `%` stays and the next character is read afresh.
            out.push('%');
            continue;
        };
        chars.next();
        out.push_str(&value);
    }
    out
}

/// The value of `%letter`, or `None` when `letter` names no variable.
fn letter_value(ctx: &Ctx, vars: &Vars<'_>, letter: char) -> Option<String> {
    let totals = &ctx.totals;
    Some(match letter {
        'u' => ctx
            .ident
            .as_deref()
            .unwrap_or(crate::session::UNKNOWN_IDENT)
            .to_string(),
        'U' => vars.user.unwrap_or("").to_string(),
        'C' => vars.cwd.unwrap_or("(none)").to_string(),
        'L' => plain_ip(ctx.local.ip()),
        'R' => ctx
            .remote_name
            .clone()
            .unwrap_or_else(|| plain_ip(ctx.peer.ip())),
        'T' => now_text(),
        'V' => ctx.server.settings.name.clone(),
        'E' => match ctx.server.settings.admin.as_deref() {
            Some(admin) => admin.to_string(),
            None => format!("root@{}", plain_ip(ctx.local.ip())),
        },
        'F' => vars.free_kb.to_string(),
        'f' => size_with_units(vars.free_kb),
        'i' => totals.files_in.to_string(),
        'o' => totals.files_out.to_string(),
        't' => totals.files().to_string(),
        'K' => (totals.bytes() >> 10).to_string(),
        'k' => bytes_with_units(totals.bytes()),
        'M' => max_clients(ctx).to_string(),
        'N' => ctx
            .shared
            .sessions
            .load(std::sync::atomic::Ordering::Relaxed)
            .to_string(),
        'x' => ctx.class.as_deref().unwrap_or("(unknown)").to_string(),
        'y' => ctx
            .class
            .as_deref()
            .map(|c| ctx.shared.counters.class_count(ctx.server.index, c))
            .unwrap_or(0)
            .to_string(),
        'z' => class_limit(ctx).to_string(),
        _ => return None,
    })
}

/// The `MaxClients` of the session's context; 0 when there is none.
fn max_clients(ctx: &Ctx) -> usize {
    number(
        crate::access::conditions::connect_cfg(ctx)
            .auth
            .max_clients
            .as_deref(),
        0,
    )
}

/// Argument `i` of a limit directive as a number; 0 when absent or not a number.
fn number(args: Option<&[String]>, i: usize) -> usize {
    args.and_then(|a| a.get(i))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
}

/// `%z`: the `MaxClientsPerClass` of the session's class, else the server's `MaxClients`.
fn class_limit(ctx: &Ctx) -> usize {
    let Some(class) = ctx.class.as_deref() else {
        return max_clients(ctx);
    };
    let auth = &ctx.server.cfg.auth;
    let per_class = number(
        auth.max_clients_per_class
            .iter()
            .find(|d| d.first().map(String::as_str) == Some(class))
            .map(Vec::as_slice),
        1,
    );
    if per_class != 0 {
        return per_class;
    }
    number(auth.max_clients.as_deref(), 0)
}

/// `%f`: KiB scaled to the largest unit that leaves more than 1024 (`54GB`, `512KB`), with
/// ProFTPD's layout: at least two digits, so 5 KiB is `05KB`.
pub fn size_with_units(kb: u64) -> String {
    const UNITS: [&str; 8] = ["K", "M", "G", "T", "P", "E", "Z", "Y"];
    let mut size = kb;
    let mut unit = 0;
    while size > 1024 && unit < UNITS.len() - 1 {
        size /= 1024;
        unit += 1;
    }
    let text = format!("{size:03}{}B", UNITS[unit]);
    match text.strip_prefix('0') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// `%k`: bytes below 10240, else KiB (`9000B`, `16kB`), as ProFTPD 1.3.8 prints them.
pub fn bytes_with_units(bytes: u64) -> String {
    if bytes >= 10240 {
        format!("{}kB", bytes >> 10)
    } else {
        format!("{bytes}B")
    }
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
            free_kb: 0,
        },
    );
    lines.push(banner_line(ctx));
    multi(oxftpd_proto::reply::codes::SERVICE_READY, lines)
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
        // ProFTPD's session.c: the server's address (its MasqueradeAddress if any), no period.
        Ident::Off => match settings.masquerade {
            Some(masq) => format!("{masq} FTP server ready"),
            None => format!("{addr} FTP server ready"),
        },
        // In the ServerIdent text ProFTPD's %V is the server's address (no reverse DNS).
        Ident::Text(t) => expand(
            ctx,
            &Vars {
                user: None,
                cwd: None,
                free_kb: 0,
            },
            &ident_vars(ctx, t, &addr),
        ),
        Ident::Default if settings.defer_welcome => "ProFTPD Server ready.".to_string(),
        Ident::Default => format!("ProFTPD Server ({}) [{addr}]", settings.name),
    }
}

/// The `ServerIdent` text with session.c's own variables: `%L` the server's address, `%V`
/// (here the address too: no reverse lookup of our own name), `%v` the main server's
/// `ServerName`, `%{version}` the ProFTPD version we answer as.
fn ident_vars(ctx: &Ctx, text: &str, addr: &str) -> String {
    let main_name = ctx
        .generation
        .servers
        .first()
        .map_or(ctx.server.settings.name.as_str(), |s| {
            s.settings.name.as_str()
        });
    text.replace("%L", addr)
        .replace("%V", addr)
        .replace("%v", main_name)
        .replace("%{version}", "1.3.8")
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
            let vars = Vars {
                free_kb: free_kb(path),
                ..*vars
            };
            text.lines().map(|l| expand(ctx, &vars, l)).collect()
        }
        Err(e) => {
            tracing::debug!("display file {}: {e}", path.display());
            Vec::new()
        }
    }
}

/// Free space in KiB for unprivileged users on the file system holding `path` (0: unknown).
pub fn free_kb(path: &std::path::Path) -> u64 {
    rustix::fs::statvfs(path).map_or(0, |st| kb_available(&st))
}

/// The KiB an unprivileged user may still write, from statvfs(3) figures.
pub fn kb_available(st: &rustix::fs::StatVfs) -> u64 {
    st.f_bavail.saturating_mul(st.f_frsize) / 1024
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
    fn free_space_units() {
        assert_eq!(size_with_units(5), "05KB");
        assert_eq!(size_with_units(0), "00KB");
        assert_eq!(size_with_units(1024), "1024KB");
        assert_eq!(size_with_units(1500), "01MB");
        assert_eq!(size_with_units(56_773_052), "54GB");
        assert_eq!(size_with_units(123_456), "120MB");
    }

    #[test]
    fn transferred_units() {
        assert_eq!(bytes_with_units(0), "0B");
        assert_eq!(bytes_with_units(10_239), "10239B");
        assert_eq!(bytes_with_units(17_175), "16kB");
        assert_eq!(bytes_with_units(50 << 20), "51200kB");
    }

    #[test]
    fn access_messages_expand_only_the_user() {
        assert_eq!(expand_user("Hi %u %U ok", "alice"), "Hi alice %U ok");
    }
}
