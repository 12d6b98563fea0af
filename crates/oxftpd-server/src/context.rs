//! What sessions share: the loaded configuration, per-server settings, the auth chain, the FS pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use oxftpd_auth::AuthChain;
use oxftpd_config::{Config, Server};
use oxftpd_storage::{Credentials, FsPool};

use crate::StartError;
use crate::settings::ServerSettings;

/// One server (main or virtual host) of a loaded configuration.
pub struct ServerCtx {
    /// The whole configuration this server came from.
    pub config: Arc<Config>,
    /// Its index in `config.servers()`.
    pub index: usize,
    /// Its settings.
    pub settings: ServerSettings,
    /// Its `AuthOrder` chain.
    pub auth: AuthChain,
    /// Its FTPS settings (`TLSEngine on`).
    pub tls: Option<Arc<crate::tls::TlsSettings>>,
    /// Sessions currently connected to it (`MaxClients`).
    pub clients: AtomicUsize,
}

impl ServerCtx {
    /// The server's configuration.
    pub fn config(&self) -> &Server {
        &self.config.servers()[self.index]
    }
}

/// A loaded configuration: every server, ready to accept sessions.
pub struct Generation {
    /// The configuration file it was read from.
    pub path: Option<PathBuf>,
    /// The configuration.
    pub config: Arc<Config>,
    /// The servers, in configuration order (the main server first).
    pub servers: Vec<Arc<ServerCtx>>,
}

impl Generation {
    /// Prepares every server of `config`.
    pub fn new(config: Config, path: Option<&Path>) -> Result<Self, StartError> {
        let config = Arc::new(config);
        let mut servers = Vec::new();
        let mut tls = crate::tls::settings::build_all(&config)?.into_iter();
        for (index, server) in config.servers().iter().enumerate() {
            let settings = ServerSettings::from_config(server)?;
            let auth = crate::auth::chain_for(server)?;
            servers.push(Arc::new(ServerCtx {
                config: config.clone(),
                index,
                settings,
                auth,
                tls: tls.next().flatten(),
                clients: AtomicUsize::new(0),
            }));
        }
        Ok(Generation {
            path: path.map(Path::to_path_buf),
            config,
            servers,
        })
    }
}

/// Process-wide state shared by all sessions.
pub struct Shared {
    /// The pool that runs filesystem (and other privileged blocking) work.
    pub pool: FsPool,
    /// Credentials of the daemon itself (for work that is not a user's).
    pub daemon_cred: Credentials,
    /// Sessions alive in this process.
    pub sessions: AtomicUsize,
    /// Connection and login counts for the `Max*` limits.
    pub counters: Arc<crate::counters::Counters>,
}

impl Shared {
    /// Counts a session in; returns the number now alive.
    pub fn enter(&self) -> usize {
        self.sessions.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Counts a session out.
    pub fn leave(&self) {
        self.sessions.fetch_sub(1, Ordering::Relaxed);
    }
}
