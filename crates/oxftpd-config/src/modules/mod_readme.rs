//! mod_readme.c: "Please read the file …" lines after a login and a change of directory.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_readme.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_readme.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "DisplayReadme",
    C::SERVERS_ANON,
    Args::exact(1),
    true,
    "a file or glob pattern (relative to the directory) announced with its modification date after login and CWD",
)];

/// mod_readme's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    /// `DisplayReadme`, every occurrence, most specific first.
    pub patterns: Vec<String>,
}

impl View {
    /// Reads mod_readme's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            patterns: m.all_first("DisplayReadme"),
        }
    }
}
