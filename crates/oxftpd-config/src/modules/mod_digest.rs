//! mod_digest.c: HASH, XCRC, MD5, XMD5, XSHA, XSHA1, XSHA256, XSHA512.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_digest.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_digest.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "DigestEngine",
    C::SERVERS_ANON,
    Args::flag(),
    false,
    "enable the checksum commands",
)];

/// mod_digest.c's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `DigestEngine` (on by default).
    pub engine: bool,
}

impl View {
    /// Reads the module's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("DigestEngine").unwrap_or(true),
        }
    }
}
