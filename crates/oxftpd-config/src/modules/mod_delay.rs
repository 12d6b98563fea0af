//! mod_delay.c: delays that blunt user-enumeration timing attacks.

use super::{d, partial};
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_delay.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_delay.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "DelayEngine",
        C::SERVERS,
        Args::exact(1).checked(c::delay_engine),
        false,
        "pace USER/PASS replies to the median of recent handling times (on by default)",
    ),
    d(
        "DelayOnEvent",
        C::SERVERS,
        Args::exact(2).checked(c::delay_on_event),
        true,
        "minimum time before the USER, PASS or FailedLogin reply",
    ),
    partial(
        "DelayTable",
        C::SERVER,
        Args::exact(1).checked(c::abs_path_or_none),
        false,
        "timing data is kept in memory per server (lost at restart), never in the file; `none` works",
        "where learned timings are kept; `none` turns learning off",
    ),
];
