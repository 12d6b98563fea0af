//! What modules keep per loaded configuration (log files, tables) and per session, by type:
//! a module stores a value of its own type and finds it again by that type, so shared code
//! never names a module's state.

pub use crate::type_map::TypeMap;

/// What the modules opened for one loaded configuration ([`crate::module::Module::open`]).
pub type ModuleState = TypeMap;

/// What the modules keep for one session (`ctx.ext`).
pub type SessionState = TypeMap;

/// The protocol of a session that did not come through the FTP door (`ssh2`, `sftp`, `scp`),
/// put in `ctx.ext` by the module that serves it; `%{protocol}` of a `LogFormat` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protocol(pub &'static str);

/// A session's own environment variables (mod_unique_id's `UNIQUE_ID`), put in `ctx.ext` by
/// the module that sets them: `%{NAME}e` and `%{note:NAME}` of a `LogFormat` read them before
/// the process environment (ProFTPD sets them in each session's own process).
#[derive(Clone, Debug, Default)]
pub struct SessionEnv(pub Vec<(String, String)>);

impl SessionEnv {
    /// The value of `name`, if the session set it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Keeps in each server's state, as an `Arc`, the settings `of` reads for that server (nothing
/// where it gives `None`), stopping at the first configuration error so that `-t` reports it
/// with file and line.
pub fn keep_per_server<T: Send + Sync + 'static>(
    config: &oxftpd_config::Config,
    servers: &mut [TypeMap],
    of: impl Fn(&oxftpd_config::Server) -> Result<Option<T>, crate::StartError>,
) -> Result<(), crate::StartError> {
    for (server, state) in config.servers().iter().zip(servers.iter_mut()) {
        if let Some(s) = of(server)? {
            state.insert(std::sync::Arc::new(s));
        }
    }
    Ok(())
}
