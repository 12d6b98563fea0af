//! mod_auth_file.c: users and groups from passwd/group-format files.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_auth_file.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_auth_file.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "AuthUserFile",
        C::SERVERS,
        Args::at_least(1).checked(c::abs_path),
        false,
        "passwd-format file of users",
    ),
    d(
        "AuthGroupFile",
        C::SERVERS,
        Args::at_least(1).checked(c::abs_path),
        false,
        "group-format file of groups",
    ),
];

/// mod_auth_file's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `AuthUserFile` path.
    pub user_file: Option<String>,
    /// `AuthGroupFile` path.
    pub group_file: Option<String>,
}

impl View {
    /// Reads mod_auth_file's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            user_file: m.arg("AuthUserFile", 0),
            group_file: m.arg("AuthGroupFile", 0),
        }
    }
}
