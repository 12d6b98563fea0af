//! mod_auth_unix.c: users and groups from the system databases.

use crate::registry::{DirectiveSpec, ModuleSpec};

/// The mod_auth_unix.c module (no directives configured here yet).
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_auth_unix.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[];
