//! mod_log.c: the server's own log file.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_log.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_log.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "SystemLog",
    C::SERVER.with(C::GLOBAL),
    Args::exact(1).checked(c::system_log),
    false,
    "file for the server's log instead of syslog, or NONE",
)];

/// mod_log's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `SystemLog` path or `NONE`.
    pub system_log: Option<String>,
}

impl View {
    /// Reads mod_log's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            system_log: m.arg("SystemLog", 0),
        }
    }
}
