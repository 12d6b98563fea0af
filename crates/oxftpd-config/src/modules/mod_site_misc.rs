//! mod_site_misc.c: SITE UTIME, SITE MKDIR, SITE RMDIR, SITE SYMLINK.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_site_misc.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_site_misc.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "SiteMiscEngine",
    C::SERVERS,
    Args::flag(),
    false,
    "enable the SITE UTIME, MKDIR, RMDIR and SYMLINK commands",
)];

/// mod_site_misc.c's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `SiteMiscEngine` (on by default).
    pub engine: bool,
}

impl View {
    /// Reads the module's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("SiteMiscEngine").unwrap_or(true),
        }
    }
}
