//! The session engine: the connect phase, the read loop and command dispatch (hooks,
//! login check, `<Limit>`, the handler, the one place errors become replies), the idle and
//! session timeouts, and the watch over the control connection while a transfer runs.
//!
//! It names no module: commands, hooks and connect-phase hooks come from the registry
//! (`module::registry`).

pub mod foreign;
pub mod socket_options;
mod timeouts;
pub mod watch;

use std::sync::Arc;

use oxftpd_proto::command::{self, CommandError};
use oxftpd_proto::reply::codes;
use tokio::net::TcpStream;
use tracing::{debug, info};

use crate::context::{Generation, ServerCtx, Shared};
use crate::module::events::Event;
use crate::module::hooks::{Cmd, On, Outcome, Phase};
use crate::module::{self, CommandResult, CommandSpec, Handler};
use crate::session::{
    Control, Ctx, Incoming, LoggedIn, SessionError, SessionResult, State, TransferType,
};

/// The connect phase of a new session, for every front door (FTP here, mod_sftp's SSH):
/// reverse DNS, the modules' connect hooks (an implicit TLS handshake, ident, `<Class>`,
/// `MaxConnectionsPerHost`), the connection counts and `<Limit LOGIN>`. `None` when the
/// session must end here (what a hook queued is flushed); else the guard that keeps the
/// connection counted.
pub async fn connect(ctx: &mut Ctx) -> Option<crate::counters::ConnectionGuard> {
    let peer = ctx.peer;
    // Before an implicit handshake: the client-certificate name checks compare against it.
    ctx.remote_name = crate::reverse_dns::lookup(ctx).await;
    let hooks = crate::module::registry::registry().connect_hooks();
    let before_count = hooks
        .iter()
        .take_while(|h| h.stage < crate::module::ConnectStage::Admit);
    let counted = hooks
        .iter()
        .skip_while(|h| h.stage < crate::module::ConnectStage::Admit);
    for hook in before_count {
        if (hook.run)(ctx).await == crate::module::Connected::Close {
            let _ = ctx.flush().await;
            return None;
        }
    }
    let (connection, before) = ctx.shared.counters.connect(ctx.server.index, peer.ip());
    ctx.host_connections = before;
    for hook in counted {
        if (hook.run)(ctx).await == crate::module::Connected::Close {
            let _ = ctx.flush().await;
            return None;
        }
    }
    if !crate::access::limit::connect_allowed(
        ctx.server.config(),
        &crate::access::limit::anonymous_subject(ctx),
    ) {
        // ProFTPD closes without a word when no <Limit LOGIN> could ever let this client in.
        info!(%peer, "Connection from {} denied (<Limit LOGIN>)", peer.ip());
        return None;
    }
    Some(connection)
}

/// Runs a session on an accepted connection until it ends.
pub async fn run(
    stream: TcpStream,
    conn: crate::module::Conn,
    server: Arc<ServerCtx>,
    generation: Arc<Generation>,
    shared: Arc<Shared>,
) {
    let crate::module::Conn { peer, local, via } = conn;
    let _ = stream.set_nodelay(true);
    let traced = socket_options::apply(&stream, &server.cfg.core.socket_options, true);
    let control = Control::new(stream, server.settings.command_buffer_size);
    let mut ctx = Ctx::new(control, server, generation, shared, peer, local);
    for line in traced {
        crate::trace_msg!(ctx.trace, "inet", 15, "{line}");
    }
    ctx.via = via;
    ctx.transfer_type = TransferType::Ascii;
    let Some(_connection) = connect(&mut ctx).await else {
        return;
    };
    info!(%peer, server = %ctx.server.settings.name, "FTP session opened");
    // In the process's table of sessions (mod_ctrls_admin fills the entry in), so the
    // control socket can see it and end it.
    let (registration, mut ending) = crate::sessions::register(Default::default());
    ctx.ext.insert(registration);
    crate::module::events::emit(&mut ctx, &Event::SessionOpened).await;
    let mut state = State::Connected { user: None };
    let result = tokio::select! {
        r = serve(&mut ctx, &mut state) => r,
        end = crate::sessions::ended(&mut ending) => {
            info!(%peer, "{}", end.reason);
            ctx.ext.insert(crate::module::events::EndReason(end.reason));
            match end.reply {
                Some(text) => ctx.reply(codes::SERVICE_NOT_AVAILABLE, text).await,
                None => Ok(()),
            }
        }
    };
    // Replies a closing command or a timeout queued (221, 421, 530) go out before the close.
    let _ = ctx.flush().await;
    if let Err(SessionError::Io(e)) = &result {
        debug!(%peer, "control connection error: {e}");
    }
    let user = match &state {
        State::LoggedIn(user) => Some(&**user),
        State::Connected { .. } => None,
    };
    crate::module::events::emit(&mut ctx, &Event::SessionClosed { user }).await;
    match user {
        Some(user) => info!(%peer, user = %user.login_name, "FTP session closed"),
        None => info!(%peer, "FTP session closed"),
    }
}

async fn serve(ctx: &mut Ctx, state: &mut State) -> SessionResult {
    let banner = crate::messages::banner(ctx);
    ctx.send(&banner).await?;
    loop {
        ctx.flush().await?;
        let incoming = match ctx.pending.pop_front() {
            Some(queued) => queued,
            None => match timeouts::next_command(ctx, state).await? {
                Some(incoming) => incoming,
                None => return Ok(()),
            },
        };
        let line = match incoming {
            Incoming::Line(line, _interrupt) => line,
            Incoming::TooLong => {
                ctx.reply(codes::SYNTAX_ERROR, "Command line too long")
                    .await?;
                continue;
            }
            Incoming::Closed => return Ok(()),
        };
        match dispatch(ctx, state, &line).await {
            Ok(()) => {}
            Err(SessionError::Closed) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

async fn dispatch(ctx: &mut Ctx, state: &mut State, line: &[u8]) -> SessionResult {
    let cmd = match command::parse(line) {
        Ok(cmd) => cmd,
        Err(CommandError::Empty) => {
            return ctx
                .reply(
                    codes::SYNTAX_ERROR,
                    "Invalid command: try being more creative",
                )
                .await;
        }
        Err(e) => {
            debug!(peer = %ctx.peer, "bad command line: {e}");
            return ctx
                .reply(
                    codes::SYNTAX_ERROR,
                    crate::messages::bad_line_text(line, &e),
                )
                .await;
        }
    };
    let verb = cmd.verb.as_str();
    let mut seen = Cmd {
        verb,
        arg: cmd.arg.as_deref(),
        spec: None,
        code: 0,
    };
    // Hooks on every line run before the lookup (mod_tls judges unknown commands too).
    let rewritten = match pre_hooks(ctx, state, seen, |on| on == On::AnyLine).await {
        Ok(r) => r,
        Err(refused) => return answer(ctx, verb, Err(refused)).await,
    };
    if rewritten.is_some() {
        seen.arg = rewritten.as_deref();
    }
    let Some(spec) = crate::module::registry::registry().command(verb) else {
        let result = ctx
            .reply(codes::SYNTAX_ERROR, format!("{verb} not understood"))
            .await;
        // LOG_CMD_ERR hooks on every line see unknown commands too (ProFTPD logs them).
        seen.code = ctx.control.take_last_code();
        for hook in crate::module::registry::registry()
            .hooks(Phase::LogErr)
            .filter(|h| h.on == On::AnyLine)
        {
            let _ = (hook.run)(ctx, state, seen).await;
        }
        return result;
    };
    debug!(peer = %ctx.peer, "command {verb}");
    seen.spec = Some(spec);
    ctx.control.take_last_code();
    let result = run_command(ctx, state, spec, seen).await;
    // An error's reply is queued before the POST_CMD hooks, which judge by the last code.
    let end = answer(ctx, spec.name, result).await;
    seen.code = ctx.control.take_last_code();
    let failed = crate::module::hooks::is_error(seen.code);
    let (post, log) = if failed {
        (Phase::PostErr, Phase::LogErr)
    } else {
        (Phase::Post, Phase::Log)
    };
    for phase in [post, log] {
        for hook in crate::module::registry::registry()
            .hooks(phase)
            .filter(|h| h.on.matches(spec))
        {
            // Post and log hooks observe; what they answer is not a decision.
            let _ = (hook.run)(ctx, state, seen).await;
        }
    }
    end
}

/// Queues the replies for a command's outcome: nothing more on success (the handler queued
/// them), else what `module::replies` maps the error to for the verb; `Err` ends the session.
/// This is the one place where an error becomes a reply.
async fn answer(ctx: &mut Ctx, verb: &str, result: CommandResult) -> SessionResult {
    let err = match result {
        Ok(()) => return Ok(()),
        Err(module::CommandError::Control(e)) => return Err(e),
        Err(e) => e,
    };
    debug!(peer = %ctx.peer, "{verb}: {err}");
    for reply in module::replies::replies(verb, &err) {
        ctx.send(&reply).await?;
    }
    if err.closes_session() {
        return Err(SessionError::Closed);
    }
    Ok(())
}

/// Runs the `PRE_CMD` hooks that `stage` selects: `Err` ends the command with their refusal,
/// `Ok(Some(arg))` is the argument a hook rewrote it to (each later hook sees the new one).
async fn pre_hooks(
    ctx: &mut Ctx,
    state: &mut State,
    cmd: Cmd<'_>,
    stage: impl Fn(On) -> bool,
) -> Result<Option<String>, module::CommandError> {
    let mut rewritten: Option<String> = None;
    for hook in crate::module::registry::registry()
        .hooks(Phase::Pre)
        .filter(|h| stage(h.on))
    {
        if let Some(spec) = cmd.spec
            && !hook.on.matches(spec)
        {
            continue;
        }
        let seen = Cmd {
            arg: rewritten.as_deref().or(cmd.arg),
            ..cmd
        };
        match (hook.run)(ctx, state, seen).await {
            Outcome::Continue => {}
            Outcome::Refuse(err) => return Err(err),
            Outcome::Rewrite(arg) => rewritten = Some(arg),
        }
    }
    Ok(rewritten)
}

async fn run_command(
    ctx: &mut Ctx,
    state: &mut State,
    spec: &'static CommandSpec,
    cmd: Cmd<'_>,
) -> CommandResult {
    ctx.command = spec.name;
    let rewritten = pre_hooks(ctx, state, cmd, |on| on != On::AnyLine).await?;
    let arg = rewritten.as_deref().or(cmd.arg);
    match (spec.handler, state) {
        (Handler::Any(h), State::LoggedIn(user)) if !crate::access::limit::exempt(spec.name) => {
            if !limit_allows(ctx, user, spec, arg).await? {
                return Ok(());
            }
            h(ctx, arg).await
        }
        (Handler::Any(h), _) => h(ctx, arg).await,
        (Handler::Session(h), State::LoggedIn(user)) => h(ctx, Some(user), arg).await,
        (Handler::Session(h), State::Connected { .. }) => h(ctx, None, arg).await,
        (Handler::Login(h), state) => h(ctx, state, arg).await,
        (Handler::User(h), State::LoggedIn(user)) => {
            if !crate::access::limit::exempt(spec.name)
                && !limit_allows(ctx, user, spec, arg).await?
            {
                return Ok(());
            }
            h(ctx, user, arg).await
        }
        (Handler::Narrow(h), State::LoggedIn(user)) => {
            if !crate::access::limit::exempt(spec.name)
                && !limit_allows(ctx, user, spec, arg).await?
            {
                return Ok(());
            }
            let target = crate::access::limit::target_vpath(user, spec, arg);
            let cfg = crate::access::directories::cfg_for(ctx, user, &target);
            let hx = module::HandlerCtx {
                user,
                target,
                cfg,
                replies: module::Replies::new(&mut ctx.control),
                data: module::DataChannel {
                    setup: &mut ctx.data,
                    transfer_type: &mut ctx.transfer_type,
                    restart: &mut ctx.restart,
                },
            };
            h(hx, arg).await
        }
        (Handler::User(_) | Handler::Narrow(_), State::Connected { .. }) => {
            Err(module::CommandError::LoginRequired)
        }
    }
}

/// `<Limit>` for a logged-in user's command: `Ok(true)` when the handler may run, `Ok(false)`
/// when the refusal was answered with an empty listing, as ProFTPD does for LIST and MLSD.
async fn limit_allows(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    spec: &'static CommandSpec,
    arg: Option<&str>,
) -> Result<bool, module::CommandError> {
    match crate::access::limit::allowed(ctx, user, spec, arg).await {
        crate::access::limit::Outcome::Allowed => Ok(true),
        crate::access::limit::Outcome::Denied if spec.limit_denied.is_some() => {
            if let Some(answer) = spec.limit_denied {
                answer(ctx, spec.name).await?;
            }
            Ok(false)
        }
        outcome => Err(module::CommandError::Limit {
            outcome,
            arg: arg.map(str::to_string),
        }),
    }
}
