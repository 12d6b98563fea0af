//! One FTP session: its state, its read loop and command dispatch.

pub mod config_cache;
mod control;
pub mod foreign;
pub mod pam_hold;
mod timeouts;
pub mod watch;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use oxftpd_auth::Identity;
use oxftpd_proto::command::{self, CommandError};
use oxftpd_proto::reply::{Reply, codes};
use oxftpd_storage::Fs;
use tokio::net::TcpStream;
use tracing::{debug, info};

pub use control::{Control, Incoming};

use crate::context::{Generation, ServerCtx, Shared};
use crate::data::channel::DataSetup;
use crate::module::events::Event;
use crate::module::hooks::{Cmd, On, Outcome, Phase};
use crate::module::{self, CommandResult, CommandSpec, Handler};

/// The ident name of a client whose ident server gave no useful answer (RFC 1413 lookups).
pub const UNKNOWN_IDENT: &str = "UNKNOWN";

/// Why a session ends before the client says QUIT.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The control connection failed.
    #[error("control connection: {0}")]
    Io(#[from] std::io::Error),
    /// The session ends by our decision (QUIT, timeout, too many failed logins).
    #[error("session closed")]
    Closed,
}

/// What the session's own steps return: `Err` ends the session.
pub type SessionResult = Result<(), SessionError>;

/// Transfer representation (`TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferType {
    /// `TYPE A`: LF on disk, CRLF on the wire.
    Ascii,
    /// `TYPE I` / `TYPE L 8`: bytes as they are.
    Binary,
}

/// Everything a session has besides its login state.
pub struct Ctx {
    /// The control connection.
    pub control: Control,
    /// The server (main or virtual host) this session belongs to (`HOST` may change it).
    pub server: Arc<ServerCtx>,
    /// The configuration generation the session started under (for `HOST`).
    pub generation: Arc<Generation>,
    /// State shared by every session of the process.
    pub shared: Arc<Shared>,
    /// The client's address.
    pub peer: SocketAddr,
    /// Our address on the control connection.
    pub local: SocketAddr,
    /// The data connection prepared by PASV/EPSV/PORT/EPRT.
    pub data: DataSetup,
    /// `TYPE`.
    pub transfer_type: TransferType,
    /// `REST` offset for the next transfer.
    pub restart: u64,
    /// Failed logins so far.
    pub failed_logins: u32,
    /// Command lines read while a transfer ran, to serve after it.
    pub pending: VecDeque<Incoming>,
    /// `EPSV ALL` was sent: PASV, PORT and EPRT are refused from now on.
    pub epsv_all: bool,
    /// When the session began (`TimeoutSession`).
    pub started: tokio::time::Instant,
    /// When the last transfer ended, or the session began (`TimeoutNoTransfer`).
    pub last_transfer: tokio::time::Instant,
    /// Bytes moved by the session's transfers so far (`STAT`).
    pub transferred: u64,
    /// Files and bytes of the session's completed transfers (display-file variables).
    pub totals: crate::counters::SessionTotals,
    /// The client's name from reverse DNS (`UseReverseDNS on`), looked up once per session.
    pub remote_name: Option<String>,
    /// Connections from the client's address to this server before this one (counted at
    /// connect, for `MaxConnectionsPerHost`).
    pub host_connections: usize,
    /// The session's `<Class>`, decided at connect.
    pub class: Option<String>,
    /// The client's RFC 1413 identity (`IdentLookups on`; `UNKNOWN` without an answer).
    pub ident: Option<String>,
    /// What modules keep for this session, by type (`ctx.ext.get::<T>()`).
    pub ext: crate::module::state::SessionState,
    /// The verb of the command being served (ProFTPD's `session.curr_cmd`).
    pub command: &'static str,
    /// The session's trace channels (`Trace`, `TraceLog`); off unless configured.
    pub trace: crate::trace::Trace,
}

/// Whether the session has logged in; handlers that need a login get [`LoggedIn`] itself.
pub enum State {
    /// Not logged in; `user` is the name from `USER`, awaiting `PASS`.
    Connected {
        /// The name given with USER.
        user: Option<String>,
    },
    /// Logged in.
    LoggedIn(Box<LoggedIn>),
}

/// A logged-in session: who, where, and its jailed filesystem.
pub struct LoggedIn {
    /// The name the client logged in with.
    pub login_name: String,
    /// The identity the session acts as.
    pub identity: Identity,
    /// The `<Anonymous>` block in force, if an anonymous login.
    pub anon: Option<usize>,
    /// The jailed filesystem under the session's credentials.
    pub fs: Fs,
    /// The real path of the session's root (`/` when not jailed).
    pub root: String,
    /// The current directory, as a virtual path.
    pub cwd: String,
    /// The pending `RNFR` source.
    pub rename_from: Option<String>,
    /// Holds the session in the `MaxClients*` counts while logged in.
    pub counted: Option<crate::counters::LoginGuard>,
    /// A real user made anonymous by `AnonymousGroup` (answers as an anonymous login).
    pub anonymous_group: bool,
    /// The e-mail address an anonymous user gave as password (for the TransferLog).
    pub anonymous_email: Option<String>,
    /// `DisplayChdir … once` files already shown (virtual paths).
    pub chdir_shown: std::collections::HashSet<String>,
    /// Parsed `.ftpaccess` files of the directories this session touched.
    pub ftpaccess: crate::access::ftpaccess::Cache,
    /// The login's PAM session, closed when the session ends.
    pub pam: crate::session::pam_hold::PamHold,
    /// Typed settings per path, merged once (see [`crate::access::directories::cfg_for`]).
    pub config_cache: config_cache::ConfigCache,
}

impl LoggedIn {
    /// Resolves a client path argument against the current directory into a virtual path.
    ///
    /// Command lines with NUL bytes never reach a handler (`command::parse` refuses them),
    /// so the NUL error of `path::resolve` cannot happen; were it to, the answer is the cwd.
    pub fn resolve(&self, arg: &str) -> String {
        let expanded;
        let arg = if arg == "~" || arg.starts_with("~/") {
            let home = self.home_virtual();
            expanded = format!("{home}{}", &arg[1..]);
            expanded.as_str()
        } else {
            arg
        };
        oxftpd_proto::path::resolve(&self.cwd, arg).unwrap_or_else(|_| self.cwd.clone())
    }

    /// Resolves `arg` against `dir` (a virtual path).
    pub fn resolve_from(&self, dir: &str, arg: &str) -> String {
        oxftpd_proto::path::resolve(dir, arg).unwrap_or_else(|_| dir.to_string())
    }

    /// The user's home directory as a virtual path (the root when home lies outside it).
    pub fn home_virtual(&self) -> String {
        let home = self.identity.home.to_string_lossy();
        crate::jail::virtual_of(&self.root, &home).unwrap_or_else(|| "/".to_string())
    }

    /// The real filesystem path of a virtual path, for `<Directory>` matching and logs.
    pub fn real_path(&self, vpath: &str) -> String {
        crate::jail::real_of(&self.root, vpath)
    }
}

impl Ctx {
    /// Replies with one line. The reply is written when the command ends (after its
    /// `POST_CMD` hooks, as ProFTPD flushes its responses), or at once for a `1xx` mark.
    pub async fn reply(&mut self, code: u16, text: impl AsRef<str>) -> SessionResult {
        self.send(&Reply::new(code, text.as_ref().to_owned())).await
    }

    /// Replies with a prepared reply (see [`Ctx::reply`] for when it is written).
    pub async fn send(&mut self, reply: &Reply) -> SessionResult {
        self.control.queue(reply);
        if reply.code() < 200 {
            self.control.flush().await?;
        }
        Ok(())
    }

    /// Sets the session's trace, for its trace points and the control connection's lines.
    pub fn set_trace(&mut self, trace: crate::trace::Trace) {
        self.control.set_trace(trace.clone());
        self.trace = trace;
    }

    /// Writes the replies queued so far.
    pub async fn flush(&mut self) -> SessionResult {
        self.control.flush().await?;
        Ok(())
    }
}

impl Ctx {
    /// A new session's context on `control`, before anything was said.
    pub fn new(
        control: Control,
        server: Arc<ServerCtx>,
        generation: Arc<Generation>,
        shared: Arc<Shared>,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> Ctx {
        Ctx {
            control,
            server,
            generation,
            shared,
            peer,
            local,
            data: DataSetup::None,
            transfer_type: TransferType::Binary,
            restart: 0,
            failed_logins: 0,
            pending: VecDeque::new(),
            epsv_all: false,
            started: tokio::time::Instant::now(),
            last_transfer: tokio::time::Instant::now(),
            transferred: 0,
            totals: Default::default(),
            remote_name: None,
            class: None,
            host_connections: 0,
            ident: None,
            ext: Default::default(),
            command: "",
            trace: crate::trace::Trace::OFF,
        }
    }
}

/// The connect phase of a new session, for every front door: reverse DNS, the modules'
/// connect hooks (an implicit TLS handshake, ident, `<Class>`, `MaxConnectionsPerHost`), the
/// connection counts and `<Limit LOGIN>`. `None` when the session must end here (what a hook
/// queued is flushed); else the guard that keeps the connection counted.
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
    peer: SocketAddr,
    server: Arc<ServerCtx>,
    generation: Arc<Generation>,
    shared: Arc<Shared>,
) {
    let local = match stream.local_addr() {
        Ok(a) => a,
        Err(_) => return,
    };
    let _ = stream.set_nodelay(true);
    let control = Control::new(stream, server.settings.command_buffer_size);
    let mut ctx = Ctx::new(control, server, generation, shared, peer, local);
    ctx.transfer_type = TransferType::Ascii;
    let Some(_connection) = connect(&mut ctx).await else {
        return;
    };
    info!(%peer, server = %ctx.server.settings.name, "FTP session opened");
    crate::module::events::emit(&mut ctx, &Event::SessionOpened).await;
    let mut state = State::Connected { user: None };
    let result = serve(&mut ctx, &mut state).await;
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
        arg: cmd.arg,
        spec: None,
        code: 0,
    };
    // Hooks on every line run before the lookup (mod_tls judges unknown commands too).
    if let Some(refused) = pre_hooks(ctx, state, seen, |on| on == On::AnyLine).await {
        return answer(ctx, verb, refused).await;
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

/// Runs the `PRE_CMD` hooks that `stage` selects; `Some` ends the command with their refusal.
async fn pre_hooks(
    ctx: &mut Ctx,
    state: &mut State,
    cmd: Cmd<'_>,
    stage: impl Fn(On) -> bool,
) -> Option<CommandResult> {
    for hook in crate::module::registry::registry()
        .hooks(Phase::Pre)
        .filter(|h| stage(h.on))
    {
        if let Some(spec) = cmd.spec
            && !hook.on.matches(spec)
        {
            continue;
        }
        match (hook.run)(ctx, state, cmd).await {
            Outcome::Continue => {}
            Outcome::Refuse(err) => return Some(Err(err)),
        }
    }
    None
}

async fn run_command(
    ctx: &mut Ctx,
    state: &mut State,
    spec: &'static CommandSpec,
    cmd: Cmd<'_>,
) -> CommandResult {
    ctx.command = spec.name;
    let arg = cmd.arg;
    if let Some(refused) = pre_hooks(ctx, state, cmd, |on| on != On::AnyLine).await {
        return refused;
    }
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
        (Handler::User(_), State::Connected { .. }) => Err(module::CommandError::LoginRequired),
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
