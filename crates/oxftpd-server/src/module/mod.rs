//! Modules as ProFTPD has them: a name, a table of directives and a table of commands.
//!
//! FEAT, HELP, the `<Limit>` groups of a command and `oxftpd -l` are all read from these tables.

pub mod command;
pub mod error;
pub mod handler;
pub mod helpers;
pub mod replies;

use oxftpd_config::ModuleSpec;

pub use command::{CommandGroup, CommandSpec};
pub use error::{CommandError, CommandResult, DataFailure, FilterRefusal, TlsRefusal};
pub use handler::{Handler, HandlerFuture};

/// A module: its ProFTPD name and directives (from `oxftpd-config`) and its commands.
pub struct Module {
    /// The configuration surface, shared with the config parser.
    pub spec: &'static ModuleSpec,
    /// The commands this module handles.
    pub commands: &'static [CommandSpec],
}

impl Module {
    /// The ProFTPD module name, e.g. `mod_core.c`.
    pub fn name(&self) -> &'static str {
        self.spec.name
    }
}
