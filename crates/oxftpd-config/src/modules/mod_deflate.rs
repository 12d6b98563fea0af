//! mod_deflate.c: `MODE Z`, deflate-compressed data connections.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_deflate.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_deflate.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "DeflateEngine",
        C::SERVERS,
        Args::flag(),
        false,
        "enable MODE Z (advertised in FEAT)",
    ),
    d(
        "DeflateLog",
        C::SERVERS,
        Args::exact(1),
        false,
        "log file for MODE Z messages",
    ),
];

/// mod_deflate's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `DeflateEngine` (off by default).
    pub engine: bool,
    /// `DeflateLog` path (`none` as written).
    pub log: Option<String>,
}

impl View {
    /// Reads mod_deflate's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("DeflateEngine").unwrap_or(false),
            log: m.arg("DeflateLog", 0),
        }
    }
}
