//! mod_site.c: SITE HELP, SITE CHMOD, SITE CHGRP.

use crate::registry::{DirectiveSpec, ModuleSpec};

/// The mod_site.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_site.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[];
