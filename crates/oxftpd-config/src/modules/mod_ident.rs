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
    "query the client's ident server at connect",
)];
