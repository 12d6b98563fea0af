//! Keeps the session's entry in the process's table of sessions ([`crate::sessions`]) up to
//! date where ProFTPD updates its scoreboard entry: at connect, login, the start of each
//! command (and of its transfer), and its end. `who`, `count` and `kick` read the table.

use crate::module::CommandGroup;
use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};
use crate::sessions::{Registration, Transfer};

fn now() -> i64 {
    crate::shutmsg::now()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `ftp`/`ftps`, or what another front door says (mod_sftp: `ssh2`, `sftp`, `scp`).
fn protocol(ctx: &Ctx) -> &'static str {
    if let Some(p) = ctx.ext.get::<crate::module::state::Protocol>() {
        return p.0;
    }
    if ctx.control.is_tls() { "ftps" } else { "ftp" }
}

/// The event handler: who connected where, who logged in.
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        let (peer, local, vhost) = (ctx.peer, ctx.local, ctx.server.settings.name.clone());
        let (class, name, protocol) = (ctx.class.clone(), ctx.remote_name.clone(), protocol(ctx));
        let Some(reg) = ctx.ext.get::<Registration>() else {
            return;
        };
        match event {
            Event::SessionOpened => reg.update(|i| {
                i.peer = Some(peer);
                i.local = Some(local);
                i.client_name = name;
                i.vhost = vhost;
                i.class = class;
                i.protocol = protocol.to_string();
                i.connected = now();
                i.idle_since = i.connected;
                i.command = "idle".to_string();
            }),
            Event::LoginSucceeded { user } => reg.update(|i| {
                i.user = Some(user.login_name.clone());
                i.login = Some(now());
                i.cwd.clone_from(&user.cwd);
                i.vhost = vhost;
                i.protocol = protocol.to_string();
            }),
            Event::Transfer { .. } => reg.update(|i| i.transfer = None),
            Event::TransferProgress {
                size,
                done,
                elapsed_ms,
            } => reg.update(|i| {
                if let Some(t) = &mut i.transfer {
                    t.size = (*size > 0).then_some(*size);
                    t.done = *done;
                    t.moving_ms = *elapsed_ms;
                }
            }),
            Event::SessionClosed { .. }
            | Event::LoginFailed { .. }
            | Event::LimitReached { .. } => {}
        }
    })
}

/// `PRE_CMD`: the command (and the transfer it starts) of a logged-in session.
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let protocol = protocol(ctx);
        let (State::LoggedIn(_), Some(reg)) = (state, ctx.ext.get::<Registration>()) else {
            return Outcome::Continue;
        };
        let transfer = cmd.spec.filter(|s| s.opens_data).map(|s| Transfer {
            direction: match s.group {
                Some(CommandGroup::Write) => "upload",
                Some(CommandGroup::Read) => "download",
                _ => "listing",
            },
            path: cmd.arg.unwrap_or_default().to_string(),
            size: None,
            started_ms: now_ms(),
            done: 0,
            moving_ms: 0,
        });
        reg.update(|i| {
            i.command = cmd.verb.to_string();
            i.argument = cmd.arg.unwrap_or_default().to_string();
            i.transfer = transfer;
            i.protocol = protocol.to_string();
        });
        Outcome::Continue
    })
}

/// `LOG_CMD`/`LOG_CMD_ERR`: idle again, in its (maybe new) directory and vhost.
pub fn log_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let (vhost, protocol) = (ctx.server.settings.name.clone(), protocol(ctx));
        let Some(reg) = ctx.ext.get::<Registration>() else {
            return Outcome::Continue;
        };
        let cwd = match state {
            State::LoggedIn(u) => Some(u.cwd.clone()),
            State::Connected { .. } => None,
        };
        reg.update(|i| {
            i.command = "idle".to_string();
            i.argument.clear();
            i.transfer = None;
            i.idle_since = now();
            i.vhost = vhost;
            i.protocol = protocol.to_string();
            if let Some(c) = cwd {
                i.cwd = c;
            }
        });
        Outcome::Continue
    })
}
