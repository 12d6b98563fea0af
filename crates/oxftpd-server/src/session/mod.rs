//! What one FTP session is: its state (`Ctx`, its login), its control connection, its
//! typed-settings cache. The loop that drives it is `engine/`.

pub mod config_cache;
mod control;
pub mod ftpaccess;
pub mod pam_hold;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use oxftpd_auth::Identity;
use oxftpd_proto::reply::Reply;
use oxftpd_storage::Fs;

pub use control::{Control, Incoming};

use crate::context::{Generation, ServerCtx, Shared};
use crate::data::channel::DataSetup;

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
    /// The client's address (named by a proxy's PROXY protocol header when one came).
    pub peer: SocketAddr,
    /// The proxy the control connection came through (mod_proxy_protocol), if any.
    pub via: Option<SocketAddr>,
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
    pub ext: crate::type_map::TypeMap,
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
    pub ftpaccess: ftpaccess::Cache,
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
    /// A new session's context on `control`, before anything was said (binary `TYPE`; the
    /// FTP engine sets ASCII, ProFTPD's default for FTP).
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
            via: None,
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
