//! mod_copy.c: SITE CPFR, SITE CPTO, SITE COPY.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_copy.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_copy.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "CopyEngine",
    C::SERVERS,
    Args::flag(),
    false,
    "enable the SITE CPFR, CPTO and COPY commands",
)];
