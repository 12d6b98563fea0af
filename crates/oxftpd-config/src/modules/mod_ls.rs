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
        "ListStyle",
        C::SERVERS_ANON,
        Args::exact(1).checked(c::list_style),
        false,
        "Unix (ls -l) or Windows (DIR) listing lines",
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

/// mod_ls's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `ListOptions` arguments.
    pub list_options: Option<Vec<String>>,
    /// `ShowSymlinks` (on by default).
    pub show_symlinks: bool,
    /// `TimesGMT` (on by default).
    pub times_gmt: bool,
    /// `ListStyle Windows`: DIR-style lines, no dot files.
    pub windows_style: bool,
}

impl View {
    /// Reads mod_ls's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            list_options: m.args("ListOptions"),
            show_symlinks: m.flag("ShowSymlinks").unwrap_or(true),
            times_gmt: m.flag("TimesGMT").unwrap_or(true),
            windows_style: m
                .arg("ListStyle", 0)
                .is_some_and(|s| s.eq_ignore_ascii_case("windows")),
        }
    }
}
