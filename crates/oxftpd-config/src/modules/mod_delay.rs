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
        Args::path(),
        false,
        "timing data is kept in memory per server (lost at restart), never in the file; `none` works",
        "where learned timings are kept; `none` turns learning off",
    ),
];

/// mod_delay's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `DelayEngine` (on by default).
    pub engine: bool,
    /// `DelayOnEvent event delay`, every occurrence, most specific first.
    pub on_event: Vec<Vec<String>>,
    /// `DelayTable` path (`none` as written).
    pub table: Option<String>,
}

impl View {
    /// Reads mod_delay's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("DelayEngine").unwrap_or(true),
            on_event: m.all_args("DelayOnEvent"),
            table: m.arg("DelayTable", 0),
        }
    }
}
