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
