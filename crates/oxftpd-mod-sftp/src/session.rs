//! The SSH front door: an accepted connection on an `SFTPEngine on` server becomes a server
//! session (`oxftpd_server::session::Ctx`, with a detached control connection) that russh
//! drives. The SSH handler, the SFTP subsystem and SCP share it behind one lock.

use std::net::SocketAddr;
use std::sync::Arc;

use oxftpd_server::context::{Generation, ServerCtx, Shared as ServerShared};
use oxftpd_server::module::ConnectionFuture;
use oxftpd_server::module::events::{Event, emit};
use oxftpd_server::session::{Control, Ctx, LoggedIn, State};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::settings::{Prepared, Servers};

/// One SSH connection's server session.
pub struct Sess {
    /// The session, as the FTP side has it.
    pub ctx: Ctx,
    /// Its login state.
    pub state: State,
}

impl Sess {
    /// The context and the login state, borrowed apart.
    pub fn parts(&mut self) -> (&mut Ctx, &mut State) {
        (&mut self.ctx, &mut self.state)
    }

    /// Whether a user has logged in.
    pub fn logged_in(&self) -> bool {
        matches!(self.state, State::LoggedIn(_))
    }

    /// The context and the login, when logged in.
    pub fn user(&mut self) -> Option<(&mut Ctx, &mut LoggedIn)> {
        match &mut self.state {
            State::LoggedIn(user) => Some((&mut self.ctx, user)),
            State::Connected { .. } => None,
        }
    }
}

/// The session shared by the connection's handlers.
pub type Shared = Arc<Mutex<Sess>>;

/// `Module::connection`: takes connections to servers with `SFTPEngine on`.
pub fn take(
    stream: TcpStream,
    peer: SocketAddr,
    server: Arc<ServerCtx>,
    generation: Arc<Generation>,
    shared: Arc<ServerShared>,
) -> Result<ConnectionFuture, TcpStream> {
    let prepared = generation
        .modules
        .get::<Servers>()
        .and_then(|s| s.0.get(&server.index))
        .cloned();
    match prepared {
        Some(prepared) => Ok(Box::pin(serve(
            stream, peer, server, generation, shared, prepared,
        ))),
        None => Err(stream),
    }
}

async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    server: Arc<ServerCtx>,
    generation: Arc<Generation>,
    shared: Arc<ServerShared>,
    prepared: Arc<Prepared>,
) {
    let Ok(local) = stream.local_addr() else {
        return;
    };
    let Ok(control) = Control::detached() else {
        return;
    };
    let mut ctx = Ctx::new(control, server, generation, shared, peer, local);
    // The same connect phase as an FTP session's (class, ident, MaxConnectionsPerHost,
    // <Limit LOGIN>); the guard keeps the connection counted until the session ends.
    let Some(_connection) = oxftpd_server::engine::connect(&mut ctx).await else {
        prepared.log(&format!("connection from {peer} refused"));
        return;
    };
    prepared.log(&format!("SSH connection from {peer}"));
    ctx.ext
        .insert(oxftpd_server::module::state::Protocol("ssh2"));
    // In the process's table of sessions, as an FTP session is: `oxftpctl who`/`top` see it,
    // `kick` ends it.
    let (registration, mut ending) = oxftpd_server::sessions::register(Default::default());
    ctx.ext.insert(registration);
    emit(&mut ctx, &Event::SessionOpened).await;
    let sess: Shared = Arc::new(Mutex::new(Sess {
        ctx,
        state: State::Connected { user: None },
    }));
    let handler = crate::ssh::Handler::new(prepared.clone(), sess.clone());
    match russh::server::run_stream(prepared.ssh.clone(), stream, handler).await {
        Ok(mut running) => {
            let ssh = running.handle();
            tokio::select! {
                r = &mut running => {
                    if let Err(e) = r {
                        prepared.log(&format!("SSH connection from {peer} ended: {e}"));
                    }
                }
                end = oxftpd_server::sessions::ended(&mut ending) => {
                    // Kicked (`ftpdctl kick`, `oxftpctl kick`, a shutdown): russh runs the
                    // connection on a task of its own, so it is told to disconnect.
                    tracing::info!(%peer, "{}", end.reason);
                    prepared.log(&format!("SSH connection from {peer} ended: {}", end.reason));
                    let _ = ssh
                        .disconnect(
                            russh::Disconnect::ByApplication,
                            end.reason.clone(),
                            "en".into(),
                        )
                        .await;
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), running).await;
                }
            }
        }
        Err(e) => prepared.log(&format!("SSH handshake with {peer} failed: {e}")),
    }
    let mut guard = sess.lock().await;
    let Sess { ctx, state } = &mut *guard;
    let user = match state {
        State::LoggedIn(user) => Some(&**user),
        State::Connected { .. } => None,
    };
    emit(ctx, &Event::SessionClosed { user }).await;
    prepared.log(&format!("SSH connection from {peer} closed"));
}
