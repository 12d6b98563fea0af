//! mod_ident.c: RFC 1413 ident lookups.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ident.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ident.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "IdentLookups",
    C::SERVERS,
    Args::exact(1).checked(c::flag),
    false,
    "query the client's ident server at connect (10 s at most; off by default); `%u` shows the answer",
)];
