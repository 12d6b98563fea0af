//! mod_delay.c: delays that blunt user-enumeration timing attacks.

use super::partial;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_delay.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_delay.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[partial(
    "DelayEngine",
    C::SERVERS,
    Args::exact(1).checked(c::delay_engine),
    false,
    "accepted, but no timing-attack delays are applied (as if off)",
    "enable login-timing delays",
)];
