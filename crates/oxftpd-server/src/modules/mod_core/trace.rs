//! mod_core's `Trace`, `TraceLog` and `TraceOptions`: the `TraceLog` file is opened once per
//! configuration (as root, before privileges drop); each session gets its channel levels when it
//! opens; hooks write the `command` channel's dispatch lines.
//!
//! As ProFTPD: `Trace` lines of the server config (without the `session` keyword) set the levels
//! of every session in order; the first `Trace` of a `<VirtualHost>` or `<Global>` (or one with
//! `session`) is applied on top for the sessions of that server. `TraceOptions` is the first
//! of the session's server.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use oxftpd_config::Config;
use oxftpd_config::trace::{TraceOptions, parse_trace, parse_trace_options};

use crate::StartError;
use crate::module::events::{Event, EventFuture};
use crate::module::hooks::{Cmd, HookFuture, Outcome};
use crate::session::{Ctx, State};
use crate::trace::{Levels, Trace, TraceFile};
use crate::trace_msg;

/// What a configuration says about tracing: the file, and per server its levels and options.
pub struct Tracing {
    file: Arc<TraceFile>,
    servers: Vec<(Levels, TraceOptions)>,
}

impl Tracing {
    /// The trace of a session of server `index` between `peer` and `local`.
    pub fn session(
        &self,
        index: usize,
        peer: std::net::SocketAddr,
        local: std::net::SocketAddr,
    ) -> Trace {
        match self.servers.get(index) {
            Some((levels, options)) => Trace::new(
                Arc::clone(&self.file),
                levels.clone(),
                *options,
                Some((peer, local)),
            ),
            None => Trace::OFF,
        }
    }
}

/// Opens the configuration's `TraceLog` and computes each server's levels
/// ([`crate::module::OpenFn`]). Nothing is stored without a `TraceLog`.
pub fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), StartError> {
    state.remove::<Tracing>();
    let Some(main) = config.servers().first() else {
        return Ok(());
    };
    let Some(d) = main.directives("TraceLog").last() else {
        return Ok(());
    };
    let path = d.arg(0).unwrap_or_default();
    let file = TraceFile::open(Path::new(path))
        .map_err(|e| StartError::at(d, format!("error using TraceLog '{path}': {e}")))?;
    let parse =
        |d: &oxftpd_config::Directive| parse_trace(&d.args).map_err(|e| StartError::at(d, e));
    // The server config's own lines, each applied in order (ProFTPD applies them as it reads).
    let mut base = Levels::default();
    for d in main.block().directives("Trace") {
        let line = parse(d)?;
        if !line.session {
            base.apply(&line);
        }
    }
    let mut servers = Vec::new();
    for server in config.servers() {
        let mut levels = base.clone();
        // The first per-session line: a virtual host's own lines are all per-session.
        let own = server
            .block()
            .directives("Trace")
            .map(|d| parse(d).map(|l| (d, l)))
            .collect::<Result<Vec<_>, _>>()?;
        let global = server
            .global()
            .directives("Trace")
            .map(|d| {
                parse(d).map(|mut l| {
                    l.session = true;
                    (d, l)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let first = own
            .into_iter()
            .map(|(d, mut l)| {
                l.session |= !server.is_main();
                (d, l)
            })
            .chain(global)
            .find(|(_, l)| l.session);
        if let Some((_, line)) = first {
            levels.apply(&line);
        }
        let options = match server.directive("TraceOptions") {
            Some(d) => parse_trace_options(&d.args).map_err(|e| StartError::at(d, e))?,
            None => TraceOptions::default(),
        };
        servers.push((levels, options));
    }
    state.insert(Tracing {
        file: Arc::new(file),
        servers,
    });
    Ok(())
}

/// Gives a session that opens its trace ([`crate::module::events::EventFn`]).
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    if let Event::SessionOpened = event
        && let Some(tracing) = ctx.generation.modules.get::<Tracing>()
    {
        let trace = tracing.session(ctx.server.index, ctx.peer, ctx.local);
        ctx.set_trace(trace);
    }
    Box::pin(Done)
}

/// The ready future of an event handler: boxing it allocates nothing (it has no size).
struct Done;

impl Future for Done {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Ready(())
    }
}

/// The ready future of a hook that goes on: zero-sized, so boxing it allocates nothing and a
/// trace hook costs one test when tracing is off.
struct GoOn;

impl Future for GoOn {
    type Output = Outcome;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Outcome> {
        Poll::Ready(Outcome::Continue)
    }
}

/// The command as ProFTPD shows it in logs: the verb and argument, a password hidden.
fn displayable(cmd: &Cmd<'_>) -> String {
    match cmd.arg {
        _ if cmd.verb == "PASS" || cmd.verb == "ADAT" => format!("{} (hidden)", cmd.verb),
        Some(arg) => format!("{} {arg}", cmd.verb),
        None => cmd.verb.to_string(),
    }
}

/// The module whose table has the command.
fn owner(cmd: &Cmd<'_>) -> &'static str {
    cmd.spec
        .and_then(|spec| {
            crate::modules::all()
                .iter()
                .find(|m| m.commands.iter().any(|c| std::ptr::eq(c, spec)))
        })
        .map(|m| m.name())
        .unwrap_or("mod_core.c")
}

fn dispatching(ctx: &Ctx, phase: &str, cmd: &Cmd<'_>) {
    trace_msg!(
        ctx.trace,
        "command",
        7,
        "dispatching {phase} command '{}' to {}",
        displayable(cmd),
        owner(cmd)
    );
}

/// `PRE_CMD`: the command is about to be served (the `command` channel, level 7).
pub fn pre_cmd<'a>(ctx: &'a mut Ctx, _state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    if ctx.trace.is_on() {
        dispatching(ctx, "PRE_CMD", &cmd);
        dispatching(ctx, "CMD", &cmd);
    }
    Box::pin(GoOn)
}

/// `POST_CMD`/`POST_CMD_ERR` then `LOG_CMD`/`LOG_CMD_ERR` (run in the `Log` phases).
pub fn log_cmd<'a>(ctx: &'a mut Ctx, _state: &'a mut State, cmd: Cmd<'a>) -> HookFuture<'a> {
    if ctx.trace.is_on() {
        let failed = crate::module::hooks::is_error(cmd.code);
        let (post, log) = if failed {
            ("POST_CMD_ERR", "LOG_CMD_ERR")
        } else {
            ("POST_CMD", "LOG_CMD")
        };
        dispatching(ctx, post, &cmd);
        dispatching(ctx, log, &cmd);
    }
    Box::pin(GoOn)
}
