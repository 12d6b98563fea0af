//! mod_ident.c: RFC 1413 ident lookups.

use super::partial;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ident.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ident.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[partial(
    "IdentLookups",
    C::SERVERS,
    Args::flag(),
    false,
    "no RFC 1413 query is ever made (as with `off`); `%u` expands to UNKNOWN",
    "query the client's ident server at connect",
)];
