//! mod_wrap2's checks: before PASS (the user's tables: `WrapUserTables`, then
//! `WrapGroupTables`, then `WrapTables`, in the `<Anonymous>` block the name leads to or the
//! server), at connect with `CheckOnConnect`, and the `WrapAllowMsg` line after a login.

use std::path::PathBuf;

use oxftpd_config::modules::mod_wrap2::{ExprTables, Table, View};
use oxftpd_proto::reply::{Reply, codes};

use super::WrapLogs;
use super::tables::{self, Who};
use crate::access::groups::GroupExpr;
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::module::{CommandError, Connected};
use crate::modules::mod_auth::login;
use crate::modules::mod_wrap::hosts_access::Client;
use crate::session::{Ctx, State};

/// Writes `lines` to the server's `WrapLog`.
fn log(ctx: &Ctx, lines: &[String]) {
    if let Some(logs) = ctx.generation.modules.get::<WrapLogs>() {
        for l in lines {
            logs.write(ctx.server.index, l);
        }
    }
}

/// ProFTPD's user OR expression: any term matches (`*` any user, `!name` any other user).
fn or_matches(names: &[String], user: &str) -> bool {
    names.iter().any(|t| match t.strip_prefix('!') {
        Some(n) => n != "*" && n != user,
        None => t == "*" || t == user,
    })
}

/// The tables that apply to a user with `groups`, and which directive gave them.
fn tables_for<'a>(
    view: &'a View,
    user: &str,
    groups: &[String],
) -> Option<(&'static str, &'a Table, &'a Table)> {
    let pick = |e: &'a ExprTables| (&e.allow, &e.deny);
    if let Some(e) = view.user_tables.iter().find(|e| or_matches(&e.names, user)) {
        let (a, d) = pick(e);
        return Some(("WrapUserTables", a, d));
    }
    if !groups.is_empty()
        && let Some(e) = view
            .group_tables
            .iter()
            .find(|e| GroupExpr::new(&e.names).matches(groups))
    {
        let (a, d) = pick(e);
        return Some(("WrapGroupTables", a, d));
    }
    view.tables.as_ref().map(|(a, d)| ("WrapTables", a, d))
}

fn show(t: &Table) -> String {
    match t {
        Table::File(p) => format!("file:{p}"),
        Table::All => "builtin:all".into(),
    }
}

/// The client as mod_wrap2 logs it, `user@host`; `user` is the USER name when there is no
/// ident answer (empty at connect, as ProFTPD writes it).
fn client_text(ctx: &Ctx, user: Option<&str>) -> String {
    let host = ctx
        .remote_name
        .clone()
        .unwrap_or_else(|| ctx.peer.ip().to_string());
    format!("{}@{host}", ident(ctx).or(user).unwrap_or(""))
}

fn ident(ctx: &Ctx) -> Option<&str> {
    ctx.ident.as_deref().filter(|i| *i != "UNKNOWN")
}

/// Runs the check of one pair of tables on the filesystem pool (the files are read there).
async fn judge(
    ctx: &Ctx,
    allow: Table,
    deny: Table,
    user: Option<String>,
    home: Option<PathBuf>,
) -> (bool, Vec<String>) {
    let service = ctx.server.cfg.wrap2.service_name.clone();
    let addr = ctx.peer.ip();
    let name = ctx.remote_name.clone();
    let who_user = ident(ctx).map(str::to_string).or_else(|| user.clone());
    let run = ctx
        .shared
        .pool
        .run(&ctx.shared.daemon_cred, move || {
            let mut lines = vec![
                format!("looking under service name '{service}'"),
                "checking access rules for connection".to_string(),
            ];
            let client = Client {
                addr,
                name: name.as_deref(),
                user: who_user.as_deref(),
            };
            let who = Who {
                user: user.as_deref(),
                home: home.as_deref(),
            };
            let ok = tables::allowed(&allow, &deny, &service, &client, who, &mut lines);
            (ok, lines)
        })
        .await;
    run.unwrap_or_else(|e| (true, vec![format!("access check could not run: {e}")]))
}

/// The refusal text: `WrapDenyMsg` with `%u`, or ProFTPD's `Access denied`.
fn deny_text(view: &View, user: &str) -> String {
    view.deny_msg
        .as_deref()
        .map_or_else(|| "Access denied".to_string(), |m| m.replace("%u", user))
}

/// `PRE_CMD` on PASS: the tables for the user named with USER.
pub fn pre_pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.wrap2.engine {
            return Outcome::Continue;
        }
        let State::Connected { user: Some(name) } = state else {
            return Outcome::Continue;
        };
        let name = name.clone();
        let Ok(target) = login::target(&ctx.server, &name) else {
            return Outcome::Continue;
        };
        let view = ctx.server.login_cfg(target.anon).wrap2.clone();
        let server = ctx.server.clone();
        let account = target.user.clone();
        let identity = ctx
            .shared
            .pool
            .run(&ctx.shared.daemon_cred, move || {
                server.auth.lookup(&account)
            })
            .await;
        let Ok(Ok(identity)) = identity else {
            log(
                ctx,
                &[format!("unable to resolve UID for '{}'", target.user)],
            );
            return Outcome::Continue;
        };
        let Some((by, allow, deny)) = tables_for(&view, &target.user, &identity.group_names) else {
            log(ctx, &["no tables configured, allowing connection".into()]);
            return Outcome::Continue;
        };
        let mut lines = Vec::new();
        if by != "WrapTables" {
            lines.push(format!(
                "matched {by} expression for user '{}'",
                target.user
            ));
        }
        lines.push(format!("using '{}' for allow table", show(allow)));
        lines.push(format!("using '{}' for deny table", show(deny)));
        let (ok, more) = judge(
            ctx,
            allow.clone(),
            deny.clone(),
            Some(name.clone()),
            Some(identity.home.clone()),
        )
        .await;
        lines.extend(more);
        let client = client_text(ctx, Some(&name));
        if ok {
            lines.push(format!("allowed connection from {client}"));
            log(ctx, &lines);
            return Outcome::Continue;
        }
        lines.push(format!("refused connection from {client}"));
        log(ctx, &lines);
        tracing::info!(peer = %ctx.peer, "mod_wrap2: refused connection from {client} ({by})");
        Outcome::Refuse(CommandError::CloseAfter(Box::new(
            CommandError::LoginRefused(deny_text(&view, &name)),
        )))
    })
}

/// `POST_CMD` on PASS: `WrapAllowMsg`, as the first line of the 230 reply.
pub fn post_pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !ctx.server.cfg.wrap2.engine {
            return Outcome::Continue;
        }
        let State::LoggedIn(user) = state else {
            return Outcome::Continue;
        };
        let cfg = ctx.server.login_cfg(user.anon).wrap2.allow_msg.clone();
        if let Some(msg) = cfg {
            let text = msg.replace("%u", &user.login_name);
            ctx.control.add_line(codes::LOGGED_IN, &text, true);
        }
        Outcome::Continue
    })
}

/// `WrapOptions CheckOnConnect`: the server's `WrapTables` before the banner (no user yet,
/// so `~/` and `%U` paths cannot be opened and count as empty tables).
pub fn on_connect(ctx: &mut Ctx) -> crate::module::connect::ConnectFuture<'_> {
    Box::pin(async move {
        let view = &ctx.server.cfg.wrap2;
        if !view.engine || !view.check_on_connect {
            return Connected::Continue;
        }
        let Some((allow, deny)) = view.tables.clone() else {
            return Connected::Continue;
        };
        let text = deny_text(view, "unknown");
        let mut lines = vec![
            format!("using '{}' for allow table", show(&allow)),
            format!("using '{}' for deny table", show(&deny)),
        ];
        let (ok, more) = judge(ctx, allow, deny, None, None).await;
        lines.extend(more);
        let client = client_text(ctx, None);
        if ok {
            log(ctx, &lines);
            return Connected::Continue;
        }
        lines.push(format!("refused connection from {client}"));
        log(ctx, &lines);
        tracing::info!(peer = %ctx.peer, "mod_wrap2: refused connection from {client} (CheckOnConnect)");
        ctx.control.queue(&Reply::new(codes::NOT_LOGGED_IN, text));
        Connected::Close
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_or_expressions() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(or_matches(&v(&["*"]), "alice"));
        assert!(or_matches(&v(&["bob", "alice"]), "alice"));
        assert!(!or_matches(&v(&["!alice"]), "alice"));
        assert!(or_matches(&v(&["!other"]), "alice"));
    }
}
