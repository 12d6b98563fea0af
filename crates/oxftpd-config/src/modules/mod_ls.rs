//! mod_ls.c: directory listings.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_ls.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_ls.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "ListOptions",
        C::SERVERS_ANON_DIR_FTPACCESS,
        Args::at_least(1).checked(c::list_options),
        false,
        "default options for LIST and NLST",
    ),
    d(
        "ShowSymlinks",
        C::SERVERS_ANON,
        Args::flag(),
        false,
        "show symlinks as links rather than their targets",
    ),
    d(
        "TimesGMT",
        C::SERVERS_ANON,
        Args::flag(),
        false,
        "list times in GMT instead of local time",
    ),
];
