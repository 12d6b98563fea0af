//! Texts sent to clients: the banner, display files, and ProFTPD's `%` variables.

use oxftpd_proto::command::CommandError;
use oxftpd_proto::reply::Reply;

use crate::session::Ctx;
use crate::settings::Ident;

/// Values the `%` variables of messages draw on.
pub struct Vars<'a> {
    /// `%u`/`%U`: the user name.
    pub user: Option<&'a str>,
    /// `%C`: the current directory.
    pub cwd: Option<&'a str>,
}

/// Expands ProFTPD's `%` variables in `text` (doc/howto/DisplayFiles.html).
pub fn expand(ctx: &Ctx, vars: &Vars<'_>, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') | Some('U') => out.push_str(vars.user.unwrap_or("?")),
            Some('C') => out.push_str(vars.cwd.unwrap_or("(none)")),
            Some('L') => out.push_str(&ctx.local.ip().to_string()),
            Some('R') => out.push_str(&ctx.peer.ip().to_string()),
            Some('T') => out.push_str(&now_text()),
            Some('V') => out.push_str(&ctx.server.settings.name),
            Some('E') => out.push_str(ctx.server.settings.admin.as_deref().unwrap_or("(none)")),
            Some('N') => out.push_str(
                &ctx.shared
                    .sessions
                    .load(std::sync::atomic::Ordering::Relaxed)
                    .to_string(),
            ),
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

fn now_text() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let c = oxftpd_proto::time::Civil::from_unix(secs);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
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
    let last = match &settings.ident {
        Ident::Off => format!("{} FTP server ready.", settings.name),
        Ident::Text(t) => expand(
            ctx,
            &Vars {
                user: None,
                cwd: None,
            },
            t,
        ),
        Ident::Default if settings.defer_welcome => "ProFTPD Server ready.".to_string(),
        Ident::Default => format!("ProFTPD Server ({}) [{addr}]", settings.name),
    };
    last
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
