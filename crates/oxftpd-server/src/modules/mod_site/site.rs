//! SITE (RFC 959 section 4.1.3): the dispatcher for the SITE rows of every module's table,
//! and mod_site's own subcommands (HELP, CHMOD, CHGRP).
//!
//! RFC 959: "SITE PARAMETERS (SITE) … is used by the server to provide services specific to
//! his system that are essential to file transfer but not sufficiently universal to be
//! included as commands in the protocol." `<Limit SITE_CHMOD>` names one subcommand (with
//! its row's group), `<Limit SITE>` all of them.

use crate::access::limit::{self, Outcome};
use crate::errors::fs_reply;
use crate::messages::multi;
use crate::module::{HandlerFuture, SiteHandler, SiteHelp};
use crate::modules;
use crate::modules::mod_facts::facts::attr_reason;
use crate::session::{Ctx, LoggedIn, SessionResult, State};

/// `SITE sub args`.
pub fn site<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
            return ctx.reply(500, "'SITE' requires parameters").await;
        };
        let (sub, rest) = match arg.split_once(' ') {
            Some((s, r)) => (s.to_ascii_uppercase(), r.trim_start()),
            None => (arg.to_ascii_uppercase(), ""),
        };
        let Some(row) = modules::site_command(&sub).filter(|row| (row.enabled)(ctx)) else {
            return ctx.reply(500, format!("'SITE {arg}' not understood")).await;
        };
        let handler = match row.handler {
            SiteHandler::Any(h) => return h(ctx, rest).await,
            SiteHandler::User(h) => h,
        };
        let State::LoggedIn(user) = state else {
            return ctx.reply(530, "Please login with USER and PASS").await;
        };
        if let Some(spec) = modules::command("SITE") {
            let vpath = limit::target_vpath(user, spec, Some(arg));
            let name = row.limit_name();
            // `<Limit SITE_CHMOD>` with the row's group, then `<Limit SITE>`.
            let checks = [(name.as_str(), row.group), (spec.name, spec.group)];
            let outcome = limit::allowed_as(ctx, user, &checks, &vpath).await;
            if outcome != Outcome::Allowed {
                return limit::refuse(ctx, spec, Some(arg), outcome).await;
            }
        }
        handler(ctx, user, arg, rest).await
    })
}

/// `SITE HELP [sub]`: the `Line` rows' lines, then the `Listed` rows' names (or the syntax of
/// the one asked for).
pub fn help<'a>(ctx: &'a mut Ctx, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let admin = ctx
            .server
            .settings
            .admin
            .clone()
            .unwrap_or_else(|| "root@localhost".to_string());
        let mut lines =
            vec!["The following SITE commands are recognized (* =>'s unimplemented)".to_string()];
        lines.extend(modules::site_commands().filter_map(|row| match row.help {
            SiteHelp::Line(l) => Some(l.to_string()),
            _ => None,
        }));
        let listed = modules::site_commands().filter_map(|row| match row.help {
            SiteHelp::Listed(syntax) => Some((row.name, syntax)),
            _ => None,
        });
        if rest.is_empty() {
            lines.extend(listed.map(|(n, _)| n.to_string()));
        } else {
            let want = rest.to_ascii_uppercase();
            match listed.into_iter().find(|(n, _)| *n == want) {
                Some((name, syntax)) => lines.push(format!("Syntax: SITE {name} {syntax}")),
                None => {
                    return ctx
                        .reply(502, format!("Unknown command 'SITE HELP {rest}'"))
                        .await;
                }
            }
        }
        lines.push(format!("Direct comments to {admin}"));
        ctx.send(&multi(214, lines)).await
    })
}

/// `500-'SITE …' not understood` / `500 SITE not understood`, mod_site's reply to missing arguments.
async fn site_not_understood(ctx: &mut Ctx, arg: &str) -> SessionResult {
    ctx.send(&multi(
        500,
        vec![
            format!("'SITE {arg}' not understood"),
            "SITE not understood".to_string(),
        ],
    ))
    .await
}

/// `SITE CHMOD mode path` (octal modes).
pub fn chmod<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: &'a str,
    rest: &'a str,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some((mode, path)) = rest.split_once(' ').map(|(m, p)| (m, p.trim_start())) else {
            return site_not_understood(ctx, arg).await;
        };
        if path.is_empty() {
            return site_not_understood(ctx, arg).await;
        }
        let Some(bits) = u32::from_str_radix(mode, 8).ok().filter(|m| *m <= 0o7777) else {
            return ctx.reply(550, format!("'{mode}': invalid mode")).await;
        };
        let target = user.resolve(path);
        if let Err(e) = user.fs.metadata(&target).await {
            return ctx.send(&fs_reply(550, path, &e)).await;
        }
        match user.fs.set_mode(&target, bits).await {
            Ok(()) => ctx.reply(200, "SITE CHMOD command successful").await,
            Err(e) => {
                ctx.reply(550, format!("CHMOD {mode} {path}: {}", attr_reason(&e)))
                    .await
            }
        }
    })
}

/// `SITE CHGRP group path` (a name or a GID).
pub fn chgrp<'a>(
    ctx: &'a mut Ctx,
    user: &'a mut LoggedIn,
    arg: &'a str,
    rest: &'a str,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some((group, path)) = rest.split_once(' ').map(|(g, p)| (g, p.trim_start())) else {
            return site_not_understood(ctx, arg).await;
        };
        if path.is_empty() {
            return site_not_understood(ctx, arg).await;
        }
        let target = user.resolve(path);
        if let Err(e) = user.fs.metadata(&target).await {
            return ctx.send(&fs_reply(550, path, &e)).await;
        }
        let gid = group
            .parse::<u32>()
            .ok()
            .or_else(|| ctx.server.auth.group_id(group));
        let Some(gid) = gid else {
            return ctx.reply(550, format!("{path}: Invalid argument")).await;
        };
        match user.fs.set_owner(&target, None, Some(gid)).await {
            Ok(()) => ctx.reply(200, "SITE CHGRP command successful").await,
            Err(e) => ctx.reply(550, format!("{path}: {}", attr_reason(&e))).await,
        }
    })
}
