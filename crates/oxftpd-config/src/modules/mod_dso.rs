//! mod_dso.c: loadable modules. oxftpd compiles its modules in.

use super::{d, partial};
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_dso.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_dso.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "LoadModule",
        C::SERVER,
        Args::exact(1),
        true,
        "load a module; compiled-in modules are already loaded",
    ),
    partial(
        "ModulePath",
        C::SERVER,
        Args::exact(1).checked(c::abs_path),
        false,
        "accepted and ignored: no modules are loaded from disk",
        "directory of loadable modules",
    )
    .last_wins(),
    partial(
        "ModuleControlsACLs",
        C::SERVER,
        Args::at_least(4).checked(c::controls_acls),
        true,
        "accepted and ignored: there are no module controls",
        "who may run the module controls actions",
    ),
];
