//! SITE (RFC 959 section 4.1.3): the dispatcher for the SITE rows of every module's table,
//! and mod_site's own subcommands (HELP, CHMOD, CHGRP).
//!
//! RFC 959: "SITE PARAMETERS (SITE) … is used by the server to provide services specific to
//! his system that are essential to file transfer but not sufficiently universal to be
//! included as commands in the protocol." `<Limit SITE_CHMOD>` names one subcommand (with
//! its row's group), `<Limit SITE>` all of them.

use oxftpd_proto::reply::{Reply, codes};

use crate::access::limit::{self, Outcome};
use crate::messages::multi;
use crate::module::{CommandError, HandlerCtx, HandlerFuture, Session, SiteHandler, SiteHelp};
use crate::modules;
use crate::session::{Ctx, State};

/// `SITE sub args`.
pub fn site<'a>(ctx: &'a mut Ctx, state: &'a mut State, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some((arg, (sub, rest))) = arg
            .map(str::trim)
            .and_then(|a| Some((a, super::args::subcommand(a)?)))
        else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                "'SITE' requires parameters",
            ));
        };
        let Some(row) = modules::site_command(&sub).filter(|row| (row.enabled)(ctx)) else {
            return Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                format!("'SITE {arg}' not understood"),
            ));
        };
        let handler = match row.handler {
            SiteHandler::Any(_) | SiteHandler::Conn(_) => {
                // Before login too, `<Limit SITE_X>` answers mod_site's `501 X: Permission
                // denied` (SITE HELP).
                let user = match state {
                    State::LoggedIn(user) => Some(&**user),
                    _ => None,
                };
                if limit::refused_here(ctx, user, &row.limit_name()) {
                    return Err(CommandError::refused(
                        codes::SYNTAX_ERROR_ARGUMENTS,
                        format!("{sub}: Permission denied"),
                    ));
                }
                return match row.handler {
                    SiteHandler::Any(h) => h(ctx, rest).await,
                    SiteHandler::Conn(h) => h(Session::new(ctx), rest).await,
                    _ => Ok(()),
                };
            }
            other => other,
        };
        let State::LoggedIn(user) = state else {
            return Err(CommandError::LoginRequired);
        };
        let spec = modules::command("SITE");
        let vpath = match spec {
            Some(spec) => limit::target_vpath(user, spec, Some(arg)),
            None => user.cwd.clone(),
        };
        if let Some(spec) = spec {
            let name = row.limit_name();
            // `<Limit SITE_CHMOD>` with the row's group, then `<Limit SITE>`.
            let checks = [(name.as_str(), row.group), (spec.name, spec.group)];
            let outcome = limit::allowed_as(ctx, user, &checks, &vpath, Some(arg)).await;
            if outcome != Outcome::Allowed {
                return Err(CommandError::Limit {
                    outcome,
                    arg: Some(arg.to_string()),
                });
            }
        }
        match handler {
            SiteHandler::Narrow(h) => {
                let cfg = crate::access::directories::cfg_for(ctx, user, &vpath);
                let hx = HandlerCtx {
                    user,
                    target: vpath,
                    cfg,
                    session: Session::new(ctx),
                };
                h(hx, arg, rest).await
            }
            SiteHandler::User(h) => h(ctx, user, arg, rest).await,
            SiteHandler::Any(h) => h(ctx, rest).await,
            SiteHandler::Conn(h) => h(Session::new(ctx), rest).await,
        }
    })
}

/// `SITE HELP [sub]`: the `Line` rows' lines, then the `Listed` rows' names (or the syntax of
/// the one asked for).
pub fn help<'a>(mut ctx: Session<'a>, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
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
                    return Err(CommandError::NotImplemented(
                        format!("Unknown command 'SITE HELP {rest}'").into(),
                    ));
                }
            }
        }
        lines.push(format!("Direct comments to {admin}"));
        Ok(ctx.send(&multi(codes::HELP_MESSAGE, lines)).await?)
    })
}

/// `500-'SITE …' not understood` / `500 SITE not understood`, mod_site's reply to missing arguments.
fn site_not_understood(arg: &str) -> CommandError {
    CommandError::BadArgument(
        Reply::new(codes::SYNTAX_ERROR, format!("'SITE {arg}' not understood"))
            .with_line("SITE not understood"),
    )
}

/// `SITE CHMOD mode path` (octal modes).
pub fn chmod<'a>(hx: HandlerCtx<'a>, arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some((mode, path)) = super::args::word_and_path(rest) else {
            return Err(site_not_understood(arg));
        };
        let Some(bits) = super::args::octal_mode(mode) else {
            return Err(CommandError::bad_argument(
                codes::FILE_UNAVAILABLE,
                format!("'{mode}': invalid mode"),
            ));
        };
        let target = user.resolve(path);
        if let Err(e) = user.fs.metadata(&target).await {
            return Err(CommandError::storage(path, e));
        }
        match user.fs.set_mode(&target, bits).await {
            Ok(()) => Ok(ctx
                .reply(codes::COMMAND_OK, "SITE CHMOD command successful")
                .await?),
            Err(e) => Err(CommandError::attributes(format!("CHMOD {mode} {path}"), e)),
        }
    })
}

/// `SITE CHGRP group path` (a name or a GID).
pub fn chgrp<'a>(hx: HandlerCtx<'a>, arg: &'a str, rest: &'a str) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let Some((group, path)) = super::args::word_and_path(rest) else {
            return Err(site_not_understood(arg));
        };
        let target = user.resolve(path);
        if let Err(e) = user.fs.metadata(&target).await {
            return Err(CommandError::storage(path, e));
        }
        let gid = group
            .parse::<u32>()
            .ok()
            .or_else(|| ctx.server.auth.group_id(group));
        let Some(gid) = gid else {
            return Err(CommandError::bad_argument(
                codes::FILE_UNAVAILABLE,
                format!("{path}: Invalid argument"),
            ));
        };
        match user.fs.set_owner(&target, None, Some(gid)).await {
            Ok(()) => Ok(ctx
                .reply(codes::COMMAND_OK, "SITE CHGRP command successful")
                .await?),
            Err(e) => Err(CommandError::attributes(path, e)),
        }
    })
}
