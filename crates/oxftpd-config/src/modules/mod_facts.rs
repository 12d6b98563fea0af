//! mod_facts.c: MLSD, MLST, MFMT, MFF.

use crate::registry::{DirectiveSpec, ModuleSpec};

/// The mod_facts.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_facts.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[];
