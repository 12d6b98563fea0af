//! The session's `ScoreboardFile` entry, changed where ProFTPD 1.3.8 changes it: claimed at
//! connect (user `(none)`, addresses, server, class, protocol; `mod_auth`'s session init),
//! the user, directory and ids at login, the command and its argument while a logged-in
//! session runs one (`main.c`), `idle` with its start time when the command ends
//! (`pr_session_set_idle`), the transfer's size, bytes done and rate about once a second while
//! it runs (`Event::TransferProgress`; ProFTPD writes them every few buffers), and freed when
//! the session ends.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::scoreboard::{Entry, Slot};
use crate::session::{Ctx, LoggedIn, State};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `ftp`/`ftps`, or what another front door says (mod_sftp: `ssh2`, `sftp`, `scp`).
fn protocol(ctx: &Ctx) -> &'static str {
    if let Some(p) = ctx.ext.get::<crate::module::state::Protocol>() {
        return p.0;
    }
    if ctx.control.is_tls() { "ftps" } else { "ftp" }
}

/// Sets the entry's fields of a logged-in session: who, where, and that it is idle.
fn idle(entry: &mut Entry, user: &LoggedIn, protocol: &str) {
    entry.user.clone_from(&user.login_name);
    entry.uid = user.identity.uid;
    entry.gid = user.identity.gid;
    entry.cwd.clone_from(&user.cwd);
    entry.protocol = protocol.to_string();
    entry.cmd = "idle".to_string();
    entry.cmd_arg.clear();
    entry.begin_idle = now();
    entry.xfer_size = 0;
    entry.xfer_done = 0;
    entry.xfer_len = 0;
    entry.xfer_elapsed = 0;
}

/// mod_core's event handler for the scoreboard.
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        match event {
            Event::SessionOpened => {
                let Some(board) = ctx.shared.scoreboard.clone() else {
                    return;
                };
                let entry = Entry {
                    uid: ctx.shared.daemon_cred.uid,
                    gid: ctx.shared.daemon_cred.gid,
                    user: "(none)".to_string(),
                    server_port: i32::from(ctx.local.port()),
                    server_addr: format!("{}:{}", ctx.local.ip(), ctx.local.port()),
                    server_label: ctx.server.settings.name.clone(),
                    client_addr: ctx.peer.ip().to_string(),
                    client_name: ctx
                        .remote_name
                        .clone()
                        .unwrap_or_else(|| ctx.peer.ip().to_string()),
                    class: ctx.class.clone().unwrap_or_default(),
                    protocol: protocol(ctx).to_string(),
                    begin_session: now(),
                    ..Entry::default()
                };
                match board.add(entry) {
                    Ok(slot) => ctx.ext.insert(slot),
                    Err(e) => tracing::warn!(
                        "notice: unable to add scoreboard entry to {}: {e}",
                        board.path().display()
                    ),
                }
            }
            Event::LoginSucceeded { user } => {
                let protocol = protocol(ctx);
                if let Some(slot) = ctx.ext.get_mut::<Slot>() {
                    slot.update(|e| idle(e, user, protocol));
                }
            }
            Event::SessionClosed { .. } => {
                drop(ctx.ext.remove::<Slot>());
            }
            Event::TransferProgress {
                size,
                done,
                elapsed_ms,
            } => {
                if let Some(slot) = ctx.ext.get_mut::<Slot>() {
                    let (size, done) = (clamp(*size), clamp(*done));
                    slot.update(|e| {
                        e.xfer_size = size;
                        e.xfer_done = done;
                        e.xfer_len = done;
                        e.xfer_elapsed = *elapsed_ms;
                    });
                }
            }
            Event::LoginFailed { .. } | Event::Transfer { .. } | Event::LimitReached { .. } => {}
        }
    })
}

/// mod_core's `PRE_CMD` hook: a logged-in session's entry shows the command it runs.
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let protocol = protocol(ctx);
        if let (State::LoggedIn(_), Some(slot)) = (state, ctx.ext.get_mut::<Slot>()) {
            slot.update(|e| {
                e.cmd = cmd.verb.to_string();
                e.cmd_arg = cmd.arg.unwrap_or_default().to_string();
                e.protocol = protocol.to_string();
            });
        }
        Outcome::Continue
    })
}

/// mod_core's `LOG_CMD`/`LOG_CMD_ERR` hook: the session is idle again, in its (maybe new)
/// directory, over its (maybe now protected) control connection.
pub fn log_cmd<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let protocol = protocol(ctx);
        match (state, ctx.ext.get_mut::<Slot>()) {
            (State::LoggedIn(user), Some(slot)) => slot.update(|e| idle(e, user, protocol)),
            (State::Connected { .. }, Some(slot)) if slot.entry().protocol != protocol => {
                slot.update(|e| e.protocol = protocol.to_string());
            }
            _ => {}
        }
        Outcome::Continue
    })
}
