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
        "DirFakeUser",
        C::SERVERS_ANON_DIR_FTPACCESS,
        Args::range(1, 2).checked(c::flag),
        false,
        "listings show this owner name (on: ftp, ~: the logged-in user) instead of the real one",
    ),
    d(
        "DirFakeGroup",
        C::SERVERS_ANON_DIR_FTPACCESS,
        Args::range(1, 2).checked(c::flag),
        false,
        "listings show this group name (on: ftp, ~: the user's group) instead of the real one",
    ),
    d(
        "DirFakeMode",
        C::SERVERS_ANON_DIR_FTPACCESS,
        Args::exact(1).checked(c::octal_mode),
        false,
        "listings show this octal mode instead of the real one (directories keep search bits where readable)",
    ),
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
    /// `ListOptions`.
    pub list_options: Option<ListOptions>,
    /// `ShowSymlinks` (on by default).
    pub show_symlinks: bool,
    /// `ShowSymlinks` as written: mod_facts' MLST shows links as links only when it is
    /// written `on` (its MLSD takes the default).
    pub show_symlinks_written: Option<bool>,
    /// `TimesGMT` (on by default).
    pub times_gmt: bool,
    /// `ListStyle Windows`: DIR-style lines, no dot files.
    pub windows_style: bool,
    /// `DirFakeUser`: the owner name listings show (`~`: the logged-in user).
    pub fake_user: Option<String>,
    /// `DirFakeGroup`: the group name listings show (`~`: the user's primary group).
    pub fake_group: Option<String>,
    /// `DirFakeMode`: the permission bits listings show.
    pub fake_mode: Option<u32>,
}

/// `DirFakeUser`/`DirFakeGroup` as written: `on [name]` (name `ftp` when left out), `off`.
fn fake_name(m: &crate::Merged<'_>, name: &'static str) -> Option<String> {
    let args = m.args(name)?;
    let on = args.first().and_then(|a| crate::check::parse_flag(a))?;
    on.then(|| args.get(1).cloned().unwrap_or_else(|| "ftp".to_string()))
}

impl View {
    /// Reads mod_ls's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            list_options: m.args("ListOptions").map(|a| ListOptions::parse(&a)),
            show_symlinks: m.flag("ShowSymlinks").unwrap_or(true),
            show_symlinks_written: m.flag("ShowSymlinks"),
            times_gmt: m.flag("TimesGMT").unwrap_or(true),
            windows_style: m
                .arg("ListStyle", 0)
                .is_some_and(|s| s.eq_ignore_ascii_case("windows")),
            fake_user: fake_name(m, "DirFakeUser"),
            fake_group: fake_name(m, "DirFakeGroup"),
            fake_mode: m
                .arg("DirFakeMode", 0)
                .and_then(|a| u32::from_str_radix(&a, 8).ok())
                .map(|mode| mode & 0o7777),
        }
    }
}

/// `ListOptions "-flags" [strict] [maxdepth N] [maxfiles N] [maxdirs N] [LISTOnly|NLSTOnly]
/// [NoErrorIfAbsent] [AdjustedSymlinks] [SortedNLST]`, checked at load by
/// [`crate::check::list_options`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// The `ls` options added to the client's (`-la`).
    pub flags: String,
    /// `strict`: the client's own options are ignored.
    pub strict: bool,
    /// `maxdepth`: how deep `-R` descends.
    pub max_depth: Option<u32>,
    /// `maxfiles`: entries listed at most, the rest left out.
    pub max_files: Option<u32>,
    /// `maxdirs`: directories `-R` lists at most.
    pub max_dirs: Option<u32>,
    /// `LISTOnly`: for LIST and STAT, not NLST.
    pub list_only: bool,
    /// `NLSTOnly`: for NLST alone.
    pub nlst_only: bool,
    /// `NoErrorIfAbsent`: a missing path lists as empty (`226`) instead of `450`.
    pub no_error_if_absent: bool,
    /// `AdjustedSymlinks`: link targets made absolute and shown inside the session's root.
    pub adjusted_symlinks: bool,
    /// `SortedNLST`: NLST names in byte order.
    pub sorted_nlst: bool,
}

impl ListOptions {
    /// Reads the directive's arguments (already checked).
    pub fn parse(args: &[String]) -> ListOptions {
        let mut o = ListOptions {
            flags: args.first().cloned().unwrap_or_default(),
            ..ListOptions::default()
        };
        let mut words = args.iter().skip(1);
        while let Some(w) = words.next() {
            let mut number = || words.next().and_then(|n| n.parse().ok());
            match w.to_ascii_lowercase().as_str() {
                "strict" => o.strict = true,
                "maxdepth" => o.max_depth = number(),
                "maxfiles" => o.max_files = number(),
                "maxdirs" => o.max_dirs = number(),
                "listonly" => o.list_only = true,
                "nlstonly" => o.nlst_only = true,
                "noerrorifabsent" => o.no_error_if_absent = true,
                "adjustedsymlinks" => o.adjusted_symlinks = true,
                "noadjustedsymlinks" => o.adjusted_symlinks = false,
                "sortednlst" => o.sorted_nlst = true,
                _ => {}
            }
        }
        o
    }

    /// Whether these options apply to NLST (`names_only`) or to LIST and STAT.
    pub fn applies_to(&self, names_only: bool) -> bool {
        if names_only {
            !self.list_only
        } else {
            !self.nlst_only
        }
    }
}
