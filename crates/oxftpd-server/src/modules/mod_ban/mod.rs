//! mod_ban.c: host, class and user bans, added when an event happens often enough
//! (`BanOnEvent`) and enforced when a client connects (host, class) and logs in (user,
//! `user@host`). A banned client gets `530` with the rule's message or `BanMessage` (`%a`,
//! `%c`, `%u`), if any, and its session ends.
//!
//! Counts and bans live in the counter store ([`crate::store`], through [`store::Book`]), so
//! they outlive restarts; the `BanTable` file is a copy of the live bans for people to read. The events are the server's: [`Event::LimitReached`] (mod_auth's
//! limits), the session's end by a timeout, a connection (`ClientConnectRate`) and an unknown
//! command (`UnhandledCommand`).

pub mod kick;
pub mod rules;
pub mod store;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::{Arc, Mutex};

use oxftpd_config::Config;
use oxftpd_config::modules::mod_ban::{BanKind, View};

use crate::module::events::{Disconnect, Event, EventFuture, Limit};
use crate::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use crate::module::{CommandError, ConnectHook, ConnectStage, Connected, Module};
use crate::session::{Ctx, State};

/// mod_ban.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ban::MODULE,
    hooks: &[
        Hook::new(Phase::Pre, On::AnyLine, pre_any),
        Hook::new(Phase::Pre, On::Verb("PASS"), pre_pass),
        Hook::new(Phase::Post, On::AnyCommand, post_any),
        Hook::new(Phase::PostErr, On::AnyCommand, post_any),
    ],
    connect: &[ConnectHook::new(ConnectStage::Admit, connect)],
    events: Some(on_event),
    open: Some(open),
    ..Module::DEFAULT
};

/// What mod_ban keeps per loaded configuration.
pub struct BanState {
    /// The `BanTable` copy of the live bans.
    table: Option<Arc<Mutex<File>>>,
    /// `BanLog` of the main server (mod_ban's log is server-wide).
    log: Option<Arc<File>>,
}

/// The main server's mod_ban settings (`BanTable`, `BanLog` are server-config only).
fn main_view(config: &Config) -> Option<View> {
    config
        .servers()
        .first()
        .map(|s| View::read(&oxftpd_config::Merged::of(&s.scope(None))))
}

/// Opens the ban table and the `BanLog` (as root), when any server has `BanEngine on`.
fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), crate::StartError> {
    let engine = config
        .servers()
        .iter()
        .any(|s| View::read(&oxftpd_config::Merged::of(&s.scope(None))).engine);
    if !engine {
        return Ok(());
    }
    let view = main_view(config).unwrap_or_default();
    let table = match view.table.as_deref() {
        Some(path) => Some(Arc::new(Mutex::new(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(|e| crate::StartError::Message(format!("BanTable {path}: {e}")))?,
        ))),
        None => None,
    };
    let log = match view.log.as_deref() {
        Some(path) => match crate::module::log::open(std::path::Path::new(path)) {
            Ok(f) => Some(Arc::new(f)),
            Err(e) => {
                tracing::warn!("mod_ban: unable to open BanLog '{path}': {e}");
                None
            }
        },
        None => None,
    };
    state.insert(BanState { table, log });
    Ok(())
}

/// The session's mod_ban state, when its server has `BanEngine on`.
fn engaged(ctx: &Ctx) -> Option<&BanState> {
    if !ctx.server.cfg.ban.engine {
        return None;
    }
    ctx.generation.modules.get::<BanState>()
}

/// The bans and counts of the session's configuration, when its server has `BanEngine on`
/// and the counter store answers.
async fn book(ctx: &Ctx) -> Option<store::Book> {
    let table = engaged(ctx)?.table.clone();
    match crate::module::store::of(ctx).await {
        Ok(store) => Some(store::Book { store, table }),
        Err(e) => {
            tracing::warn!("mod_ban: {e}");
            None
        }
    }
}

/// Writes to the `BanLog`, if any.
fn log(state: &BanState, message: &str) {
    if let Some(f) = &state.log {
        let _ = crate::module::log::write(f, "mod_ban/0.8", message);
    }
}

/// The text a banned client gets: the rule's message or `BanMessage`, with `%a`, `%c`, `%u`.
fn message(ctx: &Ctx, user: &str, own: Option<&str>) -> Option<String> {
    let text = own.or(ctx.server.cfg.ban.message.as_deref())?;
    Some(
        text.replace("%c", ctx.class.as_deref().unwrap_or("(none)"))
            .replace("%a", &ctx.peer.ip().to_string())
            .replace("%u", user),
    )
}

/// A session mod_ban ends: the message is sent after the command's replies, and the next
/// command ends the session.
struct Ending(Option<String>);

/// At connect: host and class bans, then the `ClientConnectRate` event.
fn connect(ctx: &mut Ctx) -> crate::module::connect::ConnectFuture<'_> {
    Box::pin(async move {
        let Some(store) = book(ctx).await else {
            return Connected::Continue;
        };
        let server = ctx.server.index;
        let ip = ctx.peer.ip().to_string();
        let mark = kick::list(ip.clone(), ctx.class.clone());
        ctx.ext.insert(mark);
        let Some(state) = engaged(ctx) else {
            return Connected::Continue;
        };
        let mut checks = vec![(BanKind::Host, ip.clone())];
        if let Some(class) = &ctx.class {
            checks.push((BanKind::Class, class.clone()));
        }
        for (kind, name) in checks {
            if let Some(ban) = store.find(kind, name.clone(), server).await {
                log(
                    state,
                    &format!(
                        "login from {} '{name}' denied due to {} ban",
                        kind.name(),
                        kind.name()
                    ),
                );
                tracing::info!(peer = %ctx.peer, "mod_ban/0.8: Login denied: {} '{name}' banned", kind.name());
                let text = message(ctx, "(none)", ban.message.as_deref());
                return close(ctx, text);
            }
        }
        match rules::happened(ctx, "ClientConnectRate", ip).await {
            Some(text) => close(ctx, text),
            None => Connected::Continue,
        }
    })
}

/// Ends a session at connect: the `530` text first, when there is one.
fn close(ctx: &mut Ctx, text: Option<String>) -> Connected {
    if let Some(text) = text {
        ctx.control.queue(&oxftpd_proto::reply::Reply::new(
            oxftpd_proto::reply::codes::NOT_LOGGED_IN,
            text,
        ));
    }
    Connected::Close
}

/// `PRE_CMD` of PASS: user and `user@host` bans.
fn pre_pass<'a>(ctx: &'a mut Ctx, state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let State::Connected { user: Some(user) } = state else {
            return Outcome::Continue;
        };
        let Some(store) = book(ctx).await else {
            return Outcome::Continue;
        };
        let server = ctx.server.index;
        let user_host = format!("{user}@{}", ctx.peer.ip());
        for (kind, name) in [
            (BanKind::User, user.clone()),
            (BanKind::UserHost, user_host),
        ] {
            if let Some(ban) = store.find(kind, name.clone(), server).await {
                tracing::info!(peer = %ctx.peer, "mod_ban/0.8: Login denied: {} '{name}' banned", kind.name());
                if let Some(text) = message(ctx, user, ban.message.as_deref()) {
                    let reply = oxftpd_proto::reply::Reply::new(
                        oxftpd_proto::reply::codes::NOT_LOGGED_IN,
                        text,
                    );
                    if ctx.control.send(&reply).await.is_err() {
                        return Outcome::Refuse(CommandError::Close);
                    }
                }
                return Outcome::Refuse(CommandError::LoginRefused("Login incorrect.".into()));
            }
        }
        Outcome::Continue
    })
}

/// `PRE_CMD` on every line: ends a session mod_ban banned; counts unknown commands.
fn pre_any<'a>(ctx: &'a mut Ctx, _state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        let kicked = ctx.ext.get::<Arc<kick::Mark>>().is_some_and(|m| m.kicked());
        if ctx.ext.get::<Ending>().is_some() || kicked {
            return Outcome::Refuse(CommandError::Close);
        }
        if engaged(ctx).is_some() && crate::modules::command(cmd.verb).is_none() {
            let ip = ctx.peer.ip().to_string();
            if let Some(text) = rules::happened(ctx, "UnhandledCommand", ip).await {
                ctx.ext.insert(Ending(text));
            }
        }
        Outcome::Continue
    })
}

/// `POST_CMD`/`POST_CMD_ERR`: the message of a ban this command brought, after its replies.
fn post_any<'a>(ctx: &'a mut Ctx, _state: &'a mut State, _cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if let Some(Ending(Some(text))) = ctx.ext.get_mut::<Ending>() {
            let text = std::mem::take(text);
            ctx.control.queue(&oxftpd_proto::reply::Reply::new(
                oxftpd_proto::reply::codes::NOT_LOGGED_IN,
                text,
            ));
        }
        Outcome::Continue
    })
}

/// The events `BanOnEvent` counts.
fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        if engaged(ctx).is_none() {
            return;
        }
        let (name, user) = match event {
            Event::LoginSucceeded { user } => {
                if let Some(mark) = ctx.ext.get::<Arc<kick::Mark>>() {
                    mark.logged_in(&user.login_name);
                }
                return;
            }
            Event::LimitReached { limit, user } => (limit.name(), *user),
            Event::SessionClosed { .. } => {
                let Some(reason) = ctx.ext.get::<crate::module::events::EndReason>() else {
                    return;
                };
                match reason.0.strip_prefix("Timeout exceeded: ") {
                    Some(t @ ("TimeoutIdle" | "TimeoutLogin" | "TimeoutNoTransfer")) => {
                        (rules::event_name(t), None)
                    }
                    _ => return,
                }
            }
            _ => return,
        };
        // MaxLoginAttemptsFromUser counts the same event per user@host.
        let names: &[&str] = if name == "MaxLoginAttempts" {
            &["MaxLoginAttempts", "MaxLoginAttemptsFromUser"]
        } else {
            &[name]
        };
        for name in names {
            count(ctx, event, name, user).await;
        }
    })
}

/// Counts the event `name` (as `BanOnEvent` names it) for its source.
async fn count(ctx: &mut Ctx, event: &Event<'_>, name: &str, user: Option<&str>) {
    {
        let Some(&(event_name, kind)) = oxftpd_config::modules::mod_ban::EVENTS
            .iter()
            .find(|(n, _)| *n == name)
        else {
            return;
        };
        let source = match kind {
            BanKind::Host => ctx.peer.ip().to_string(),
            BanKind::User => match user {
                Some(u) => u.to_string(),
                None => return,
            },
            BanKind::Class => match &ctx.class {
                Some(c) => c.clone(),
                None => return,
            },
            BanKind::UserHost => format!("{}@{}", user.unwrap_or(""), ctx.peer.ip()),
        };
        if let Some(text) = rules::happened(ctx, event_name, source).await {
            match event {
                // 1.3.8 announces these before answering the refusal, and mod_ban ends the
                // session then: the refusal is never sent.
                Event::LimitReached { limit, .. } if *limit != Limit::MaxLoginAttempts => {
                    ctx.ext.insert(Disconnect(text));
                }
                _ => ctx.ext.insert(Ending(text)),
            }
        }
    }
}
