//! mod_ident.c: RFC 1413 ident lookups.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ident.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ident.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "IdentLookups",
    C::SERVERS,
    Args::flag(),
    false,
    "query the client's ident server at connect (10 s at most; off by default); `%u` shows the answer",
)];

/// mod_ident's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `IdentLookups` (off by default, as ProFTPD 1.3.8 behaves).
    pub lookups: bool,
}

impl View {
    /// Reads mod_ident's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            lookups: m.flag("IdentLookups").unwrap_or(false),
        }
    }
}
