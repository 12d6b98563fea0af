//! mod_unique_id.c: a unique ID for every session (`UNIQUE_ID`, for `%{UNIQUE_ID}e` and
//! `%{note:UNIQUE_ID}` in a `LogFormat`).

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_unique_id.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_unique_id.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "UniqueIDEngine",
    C::SERVERS,
    Args::flag(),
    false,
    "give each session a UNIQUE_ID (on by default)",
)];

/// mod_unique_id's settings for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `UniqueIDEngine` (on by default, as when ProFTPD loads the module).
    pub engine: bool,
}

impl View {
    /// Reads mod_unique_id's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("UniqueIDEngine").unwrap_or(true),
        }
    }
}
