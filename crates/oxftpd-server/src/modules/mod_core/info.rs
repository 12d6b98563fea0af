//! SYST, NOOP, FEAT, HELP, QUIT: RFC 959 section 4.1.3 and RFC 2389 (FEAT).
//!
//! RFC 2389 3.2: "the response to the FEAT command is a multi-line reply listing each
//! extension supported, one per line" — we list exactly the FEAT column of the command tables.

use crate::messages::{Vars, display_file};
use crate::module::{HandlerFuture, Help};
use crate::modules;
use crate::session::{Ctx, LoggedIn, SessionError};

/// `SYST`: `215 UNIX Type: L8`.
pub fn syst<'a>(ctx: &'a mut Ctx, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { ctx.reply(215, "UNIX Type: L8").await })
}

/// `NOOP`.
pub fn noop<'a>(ctx: &'a mut Ctx, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { ctx.reply(200, "NOOP command successful").await })
}

/// `FEAT`: the FEAT line of every command and SITE row (static or computed from the
/// configuration), sorted and unique, as ProFTPD lists them.
pub fn feat<'a>(ctx: &'a mut Ctx, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let mut features: Vec<String> = modules::commands()
            .map(|c| &c.feat)
            .chain(modules::site_commands().map(|s| &s.feat))
            .filter_map(|f| f.line(ctx))
            .collect();
        features.sort_unstable();
        features.dedup();
        let mut lines = vec!["Features:".to_string()];
        lines.extend(features);
        lines.push("End".to_string());
        ctx.send(&crate::messages::multi(211, lines)).await
    })
}

/// `HELP [command]`: the rows' HELP column (hidden rows left out, unimplemented ones marked
/// `*`).
pub fn help<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let admin = ctx
            .server
            .settings
            .admin
            .clone()
            .unwrap_or_else(|| "root@localhost".to_string());
        if let Some(verb) = arg {
            let verb = verb.to_ascii_uppercase();
            // The verbs ProFTPD leaves out of HELP are unknown to `HELP verb` too (observed).
            let known =
                modules::command(&verb).and_then(|spec| Some((spec.name, spec.help.syntax()?)));
            return match known {
                Some((name, syntax)) => ctx.reply(214, format!("Syntax: {name} {syntax}")).await,
                None => ctx.reply(502, format!("Unknown command '{verb}'")).await,
            };
        }
        let mut lines =
            vec!["The following commands are recognized (* =>'s unimplemented):".to_string()];
        let names: Vec<String> = modules::commands()
            .filter_map(|c| match c.help {
                Help::Shown(_) => Some(c.name.to_string()),
                Help::Unimplemented(_) => Some(format!("{}*", c.name)),
                Help::Hidden => None,
            })
            .collect();
        for row in names.chunks(8) {
            let mut line = String::new();
            for name in row {
                line.push_str(&format!("{name:<8}"));
            }
            lines.push(line);
        }
        lines.push(format!("Direct comments to {admin}"));
        ctx.send(&crate::messages::multi(214, lines)).await
    })
}

/// `QUIT`: `221 Goodbye.` after the `DisplayQuit` file (`%U` and `%C` are the login's when
/// there is one), then close.
pub fn quit<'a>(
    ctx: &'a mut Ctx,
    user: Option<&'a LoggedIn>,
    _arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let path = ctx
            .server
            .cfg
            .core
            .display_quit
            .as_ref()
            .map(std::path::PathBuf::from);
        let mut lines = display_file(
            ctx,
            path.as_deref(),
            &Vars {
                user: user.map(|u| u.login_name.as_str()),
                cwd: user.map(|u| u.cwd.as_str()),
                free_kb: 0,
            },
        );
        // ProFTPD sends the DisplayQuit file instead of "Goodbye.", its last line closing the reply.
        if lines.is_empty() {
            lines.push("Goodbye.".to_string());
        }
        ctx.send(&crate::messages::multi(221, lines)).await?;
        Err(SessionError::Closed)
    })
}
