//! mod_ifsession.c: the `<IfUser>`, `<IfGroup>` and `<IfClass>` sections (handled by the parser).

use crate::registry::{DirectiveSpec, ModuleSpec};

/// The mod_ifsession.c module: its sections are parsed as conditional contexts.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ifsession.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[];
