//! Modules as ProFTPD has them: a name, a table of directives and a table of commands.
//!
//! FEAT, HELP, `SITE HELP`, the `<Limit>` groups of a command and `oxftpd -l` are all read
//! from these tables.

pub mod class;
pub mod command;
pub mod handler;
pub mod helpers;
pub mod site_command;

use oxftpd_config::ModuleSpec;

pub use class::CommandClass;
pub use command::{
    ArgFilter, CommandGroup, CommandSpec, DuringTransfer, Feat, Help, LimitRule, PathArg, TlsRule,
};
pub use handler::{Handler, HandlerFuture};
pub use site_command::{SiteHandler, SiteHelp, SiteSpec};

/// A module: its ProFTPD name and directives (from `oxftpd-config`) and its commands.
pub struct Module {
    /// The configuration surface, shared with the config parser.
    pub spec: &'static ModuleSpec,
    /// The commands this module handles.
    pub commands: &'static [CommandSpec],
    /// The SITE subcommands this module handles.
    pub site: &'static [SiteSpec],
}

impl Module {
    /// The ProFTPD module name, e.g. `mod_core.c`.
    pub fn name(&self) -> &'static str {
        self.spec.name
    }
}
