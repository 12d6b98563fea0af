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
