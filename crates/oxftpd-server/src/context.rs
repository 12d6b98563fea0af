//! What sessions share: the loaded configuration, per-server settings, the auth chain, the FS pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use oxftpd_auth::AuthChain;
use oxftpd_config::{Config, Effective, Merged, Server};
use oxftpd_storage::{Credentials, FsPool};

use crate::StartError;
use crate::settings::ServerSettings;
use crate::type_map::TypeMap;

/// What a module adds to each server of a newly loaded configuration (one map per server, by
/// index); an error refuses the configuration.
pub type ServerFn = fn(&Config, &mut [TypeMap]) -> Result<(), StartError>;

/// What a module opens for a loaded configuration (its log files), as root before privileges
/// drop, again on every reload; kept in [`Generation::modules`].
pub type OpenFn = fn(&Config, &mut TypeMap) -> Result<(), StartError>;

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
    /// Sessions currently connected to it (`MaxClients`).
    pub clients: AtomicUsize,
    /// What each module keeps for this server (mod_tls its FTPS settings, mod_delay its
    /// timing table), by type; filled by the modules' `server` functions when it is loaded.
    pub modules: TypeMap,
    /// Its own and `<Global>`'s settings, typed (what applies before login and server-wide).
    pub cfg: Arc<Effective>,
    /// Per `<Anonymous>` block: its settings over the server's (by index).
    pub anon_cfg: Vec<Effective>,
    /// Per `<Anonymous>` block: the settings written in the block itself (by index).
    pub anon_own: Vec<Effective>,
}

impl ServerCtx {
    /// The server's configuration.
    pub fn config(&self) -> &Server {
        &self.config.servers()[self.index]
    }

    /// The typed settings of a login: its `<Anonymous>` block's over the server's.
    pub fn login_cfg(&self, anon: Option<usize>) -> &Effective {
        anon.and_then(|i| self.anon_cfg.get(i)).unwrap_or(&self.cfg)
    }
}

/// The typed settings of `server`: its own level, then each `<Anonymous>` block over it and alone.
fn typed(server: &Server) -> (Arc<Effective>, Vec<Effective>, Vec<Effective>) {
    let anon = server.anonymous();
    (
        Arc::new(Effective::of(&server.scope(None))),
        (0..anon.len())
            .map(|i| Effective::of(&server.scope(Some(i))))
            .collect(),
        anon.iter()
            .map(|a| Effective::from_merged(&Merged::of_block(a.block())))
            .collect(),
    )
}

/// A loaded configuration: every server, ready to accept sessions.
pub struct Generation {
    /// The configuration file it was read from.
    pub path: Option<PathBuf>,
    /// The configuration.
    pub config: Arc<Config>,
    /// The servers, in configuration order (the main server first).
    pub servers: Vec<Arc<ServerCtx>>,
    /// `MaxInstances`: most connections the process serves at once.
    pub max_instances: Option<usize>,
    /// What each module opened for this configuration (its log files, …).
    pub modules: TypeMap,
}

impl Generation {
    /// Prepares every server of `config`, each module adding its own per-server state
    /// through `modules` (the registry's `server` functions, in module order).
    pub fn build(
        config: Config,
        path: Option<&Path>,
        modules: impl IntoIterator<Item = ServerFn>,
    ) -> Result<Self, StartError> {
        let config = Arc::new(config);
        let mut servers = Vec::new();
        let mut states: Vec<TypeMap> = config
            .servers()
            .iter()
            .map(|_| TypeMap::default())
            .collect();
        for add in modules {
            add(&config, &mut states)?;
        }
        let mut states = states.into_iter();
        for (index, server) in config.servers().iter().enumerate() {
            let (cfg, anon_cfg, anon_own) = typed(server);
            let settings = ServerSettings::from_config(server, &cfg)?;
            let auth = crate::auth::chain_for(&cfg)?;
            servers.push(Arc::new(ServerCtx {
                config: config.clone(),
                index,
                settings,
                auth,
                clients: AtomicUsize::new(0),
                modules: states.next().unwrap_or_default(),
                cfg,
                anon_cfg,
                anon_own,
            }));
        }
        let max_instances = match servers
            .first()
            .and_then(|s| s.cfg.core.max_instances.as_ref())
        {
            Some(m) => Some(
                m.value
                    .ok_or_else(|| StartError::at(&m.at, "expected a number".to_string()))?,
            ),
            None => None,
        };
        Ok(Generation {
            path: path.map(Path::to_path_buf),
            config,
            servers,
            max_instances,
            modules: Default::default(),
        })
    }

    /// Lets each of `opens` (the registry's `open` functions) open what its module needs for
    /// this configuration, such as its log files (as root, before privileges drop; not for
    /// `-t`).
    pub fn open_with(&mut self, opens: impl IntoIterator<Item = OpenFn>) -> Result<(), StartError> {
        for open in opens {
            open(&self.config, &mut self.modules)?;
        }
        Ok(())
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
    /// The `ScoreboardFile`, when one is configured.
    pub scoreboard: Option<Arc<crate::scoreboard::Scoreboard>>,
}

impl Shared {
    /// Counts a connection in; the guard counts it out when dropped.
    pub fn enter(self: &Arc<Self>) -> (Alive, usize) {
        let now = self.sessions.fetch_add(1, Ordering::Relaxed) + 1;
        (Alive(self.clone()), now)
    }
}

/// One connection counted in [`Shared::sessions`] (`MaxInstances`, `%N`).
pub struct Alive(Arc<Shared>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.sessions.fetch_sub(1, Ordering::Relaxed);
    }
}
