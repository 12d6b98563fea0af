//! mod_log.c: `ExtendedLog` files in `LogFormat`s (and our `%{json}` form), filtered by
//! command class, as ProFTPD 1.3.8 writes them.
//!
//! One line per command from `LOG_CMD`/`LOG_CMD_ERR` hooks on every command; `CONNECT` and
//! `EXIT` lines from the session events; byte counts and times from the `Transfer` event;
//! what ProFTPD keeps in its notes (the USER name, the RNFR path, the REST offset, …) from
//! `PRE_CMD` hooks, in `ctx.ext` ([`notes::Notes`]). The files are opened by `open`, as root
//! before privileges drop and again on every reload ([`files`]).

pub mod classes;
pub mod files;
pub mod format;
pub mod notes;
pub mod render;
pub mod syslog;

use std::time::Instant;

use crate::data::channel::DataSetup;
use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, Hook, HookFuture, On, Outcome, Phase};
use crate::module::{CommandClass, Module};
use crate::session::{Ctx, LoggedIn, State};

use files::ExtendedLogs;
use notes::{Notes, Xfer};
use render::{Facts, Kind};

/// The mod_log.c module.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_log::MODULE,
    hooks: HOOKS,
    events: Some(on_event),
    open: Some(files::open),
    ..Module::DEFAULT
};

static HOOKS: &[Hook] = &[
    Hook::new(Phase::Pre, On::AnyLine, line_read),
    Hook::new(Phase::Pre, On::Verb("USER"), note_user),
    Hook::new(Phase::Pre, On::Verb("RNTO"), note_rnfr),
    Hook::new(Phase::Pre, On::Verb("DELE"), note_dele),
    Hook::new(Phase::Pre, On::Verb("RETR"), note_transfer),
    Hook::new(Phase::Pre, On::Verb("STOR"), note_transfer),
    Hook::new(Phase::Pre, On::Verb("APPE"), note_transfer),
    Hook::new(Phase::Pre, On::Verb("STOU"), note_transfer),
    Hook::new(Phase::Pre, On::Verb("LIST"), note_transfer),
    Hook::new(Phase::Pre, On::Verb("NLST"), note_transfer),
    Hook::new(Phase::Pre, On::Verb("MLSD"), note_transfer),
    Hook::new(Phase::Log, On::AnyLine, log_command),
    Hook::new(Phase::LogErr, On::AnyLine, log_command),
];

fn notes(ctx: &mut Ctx) -> &mut Notes {
    ctx.ext.get_or_default::<Notes>()
}

/// Whether the configuration has any `ExtendedLog` (else every hook returns at once).
fn active(ctx: &Ctx) -> bool {
    ctx.generation
        .modules
        .get::<ExtendedLogs>()
        .is_some_and(|l| !l.logs.is_empty())
}

fn line_read<'a>(ctx: &'a mut Ctx, _: &'a mut State, _: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if active(ctx) {
            notes(ctx).started = Some(Instant::now());
        }
        Outcome::Continue
    })
}

fn note_user<'a>(ctx: &'a mut Ctx, _: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if active(ctx) {
            notes(ctx).orig_user = cmd.arg.map(str::to_string);
        }
        Outcome::Continue
    })
}

fn note_rnfr<'a>(ctx: &'a mut Ctx, state: &'a mut State, _: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if active(ctx)
            && let State::LoggedIn(user) = state
        {
            notes(ctx).rnfr = user.rename_from.clone();
        }
        Outcome::Continue
    })
}

fn note_dele<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if active(ctx)
            && let State::LoggedIn(user) = state
        {
            let path = user.resolve(cmd.arg.unwrap_or(""));
            let size = user.fs.metadata(&path).await.ok().map(|m| m.size);
            notes(ctx).deleted_size = Some(size.unwrap_or(0));
        }
        Outcome::Continue
    })
}

fn note_transfer<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !active(ctx) {
            return Outcome::Continue;
        }
        let port = match &ctx.data {
            DataSetup::Passive(l) => l.local_addr().ok().map(|a| a.port()),
            DataSetup::Active(a) => Some(a.port()),
            DataSetup::None => None,
        };
        let offset = ctx.restart;
        let listed = ctx.totals.bytes_out;
        let upload = matches!(cmd.verb, "STOR" | "APPE" | "STOU");
        let mut modified = false;
        if upload
            && cmd.verb != "STOU"
            && let State::LoggedIn(user) = state
        {
            let path = user.resolve(cmd.arg.unwrap_or(""));
            modified = user.fs.metadata(&path).await.is_ok();
        }
        let n = notes(ctx);
        if port.is_some() {
            n.data_port = port;
        }
        if matches!(cmd.verb, "LIST" | "NLST" | "MLSD") {
            n.listed_before = Some(listed);
            n.listing_started = Some(Instant::now());
        }
        if matches!(cmd.verb, "RETR" | "STOR" | "APPE" | "STOU") {
            n.file_offset = Some(offset);
            n.file_modified = modified;
        }
        Outcome::Continue
    })
}

/// `LOG_CMD`/`LOG_CMD_ERR` on every command: a line in each `ExtendedLog` that takes it.
fn log_command<'a>(ctx: &'a mut Ctx, state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    Box::pin(async move {
        if !active(ctx) {
            return Outcome::Continue;
        }
        if matches!(cmd.verb, "PASV" | "EPSV" | "PORT" | "EPRT") {
            notes(ctx).data_port = match &ctx.data {
                DataSetup::Passive(l) => l.local_addr().ok().map(|a| a.port()),
                DataSetup::Active(a) => Some(a.port()),
                DataSetup::None => None,
            };
        }
        if cmd.verb == "QUIT" {
            notes(ctx).end_reason = Some("Quit".to_string());
        }
        // An unknown verb has no class: only a log of every command takes it.
        let class = cmd.spec.map_or(CommandClass::NONE, |s| s.class);
        let user = match &*state {
            State::LoggedIn(u) => Some(&**u),
            State::Connected { .. } => None,
        };
        if let Some(user) = user
            && wants_file_size(ctx, user)
            && let Some(vpath) = ctx
                .ext
                .get::<Notes>()
                .and_then(|n| n.xfer.as_ref())
                .map(|x| x.vpath.clone())
        {
            let size = user.fs.metadata(&vpath).await.ok().map(|m| m.size);
            notes(ctx).file_size = size;
        }
        let text = ctx.control.last_text().to_string();
        write_lines(
            ctx,
            user,
            Kind::Command,
            cmd.verb,
            cmd.arg,
            cmd.code,
            &text,
            class,
        );
        notes(ctx).command_done();
        Outcome::Continue
    })
}

/// Whether a log of the session has `%{file-size}` (the file is looked at only then).
fn wants_file_size(ctx: &Ctx, user: &LoggedIn) -> bool {
    ctx.generation
        .modules
        .get::<ExtendedLogs>()
        .is_some_and(|logs| {
            logs.for_session(ctx.server.index, user.anon)
                .any(|l| l.format.vars().any(|v| *v == format::Var::FileSize))
        })
}

/// Writes the line of one command (or pseudo-command) to every log of the session that logs
/// its class.
#[allow(clippy::too_many_arguments)]
fn write_lines(
    ctx: &Ctx,
    user: Option<&LoggedIn>,
    kind: Kind,
    verb: &str,
    arg: Option<&str>,
    code: u16,
    text: &str,
    class: CommandClass,
) {
    let Some(logs) = ctx.generation.modules.get::<ExtendedLogs>() else {
        return;
    };
    let empty = Notes::default();
    let notes = ctx.ext.get::<Notes>().unwrap_or(&empty);
    let facts = Facts {
        kind,
        verb,
        arg,
        code,
        text,
        ctx,
        user,
        notes,
    };
    let anon = user.and_then(|u| u.anon);
    for log in logs.for_session(ctx.server.index, anon) {
        if !log.filter.logs(class, true) {
            continue;
        }
        let line = if log.format.json {
            facts.json_line(&log.format)
        } else {
            facts.text_line(&log.format)
        };
        log.write(&line);
    }
}

/// mod_log's events: CONNECT and EXIT lines, and the transfer a command made.
fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        if !active(ctx) {
            return;
        }
        match event {
            Event::SessionOpened => {
                write_lines(
                    ctx,
                    None,
                    Kind::Connect,
                    "CONNECT",
                    None,
                    0,
                    "",
                    CommandClass::CONNECT,
                );
            }
            Event::SessionClosed { user } => {
                let told = ctx
                    .ext
                    .get::<crate::module::events::EndReason>()
                    .map(|r| r.0.clone());
                let n = notes(ctx);
                if let Some(reason) = told {
                    n.end_reason = Some(reason);
                } else if n.end_reason.is_none() {
                    n.end_reason = Some("Read EOF from client".to_string());
                }
                write_lines(
                    ctx,
                    *user,
                    Kind::Exit,
                    "EXIT",
                    None,
                    0,
                    "",
                    CommandClass::EXIT,
                );
            }
            Event::Transfer { transfer, .. } => {
                // No file system call here: a download's data connection closes after it.
                let n = notes(ctx);
                n.xfer = Some(Xfer {
                    started: transfer.started,
                    ended: Instant::now(),
                    bytes: transfer.bytes,
                    vpath: transfer.vpath.to_string(),
                    ascii: transfer.ascii,
                    direction: transfer.direction,
                    complete: transfer.complete,
                });
            }
            Event::LoginSucceeded { .. }
            | Event::LoginFailed { .. }
            | Event::LimitReached { .. }
            | Event::TransferProgress { .. } => {}
        }
    })
}
