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

/// mod_copy.c's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `CopyEngine` (on by default).
    pub engine: bool,
}

impl View {
    /// Reads the module's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("CopyEngine").unwrap_or(true),
        }
    }
}
