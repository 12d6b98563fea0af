//! mod_quotatab.c with mod_quotatab_file.c: byte and file quotas per user, group, class or
//! all, read from a limit table and counted in a tally table, both in ProFTPD's binary file
//! format (so Debian's `ftpquota` reads and writes them).

use super::{d, partial};
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_quotatab.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_quotatab.c",
    directives: DIRECTIVES,
};

/// mod_quotatab_file.c: the `file:` tables (no directives of its own).
pub static FILE: ModuleSpec = ModuleSpec {
    name: "mod_quotatab_file.c",
    directives: &[],
};

const S: C = C::SERVERS;

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "QuotaEngine",
        S,
        Args::flag(),
        false,
        "enforce and count quotas",
    ),
    partial(
        "QuotaLimitTable",
        S,
        Args::exact(1).checked(check_table),
        false,
        "sql: tables (mod_quotatab_sql) are refused: not available yet",
        "the limit table: file:/path (ProFTPD's binary format, as ftpquota writes it)",
    ),
    partial(
        "QuotaTallyTable",
        S,
        Args::exact(1).checked(check_tally_table),
        false,
        "sql: tables (mod_quotatab_sql) are refused: not available yet",
        "the tally table: file:/path (ProFTPD's binary format, as ftpquota writes it), or oxftpd's store: (the CounterStore, shared by every node using it)",
    ),
    d(
        "QuotaDisplayUnits",
        S,
        Args::exact(1).checked(check_units),
        false,
        "units of the byte figures shown to clients: b, Kb, Mb or Gb",
    ),
    d(
        "QuotaShowQuotas",
        S,
        Args::flag(),
        false,
        "answer SITE QUOTA (on by default)",
    ),
    d(
        "QuotaLog",
        S,
        Args::path(),
        false,
        "log file of quota decisions (none: no log)",
    ),
    d(
        "QuotaExcludeFilter",
        S,
        Args::exact(1).checked(check_filter),
        false,
        "regular expression of paths quotas ignore (none: no filter)",
    ),
    d(
        "QuotaLock",
        S,
        Args::exact(1).checked(crate::check::abs_path),
        false,
        "a lock file (made when missing) locked around each tally update, besides the lock on the table itself",
    ),
    partial(
        "QuotaDirectoryTally",
        S,
        Args::flag().checked(check_directory_tally),
        false,
        "on is refused: directories (MKD, RMD) are not counted yet",
        "count directories too",
    ),
];

/// `file:PATH`; `sql:` and other sources are refused.
fn check_table(args: &[String]) -> Result<(), String> {
    let a = &args[0];
    match a.split_once(':') {
        Some(("file", path)) if path.starts_with('/') => Ok(()),
        Some(("file", path)) => Err(format!("'{path}' is not an absolute path")),
        Some(("sql", _)) => Err(
            "sql: quota tables (mod_quotatab_sql) are not available yet; use file: tables".into(),
        ),
        Some((other, _)) => Err(format!(
            "unsupported quota table source '{other}' (file: only)"
        )),
        None => Err(format!("expected source-type:source-info, not '{a}'")),
    }
}

fn check_tally_table(args: &[String]) -> Result<(), String> {
    if args[0].eq_ignore_ascii_case("store:") {
        return Ok(());
    }
    check_table(args)
}

fn check_units(args: &[String]) -> Result<(), String> {
    Units::parse(&args[0]).map(|_| ())
}

fn check_filter(args: &[String]) -> Result<(), String> {
    let a = &args[0];
    if a.eq_ignore_ascii_case("none") {
        return Ok(());
    }
    regex::Regex::new(a)
        .map(|_| ())
        .map_err(|e| format!("bad regular expression '{a}': {e}"))
}

fn check_directory_tally(args: &[String]) -> Result<(), String> {
    match crate::parse_flag(&args[0]) {
        Some(false) => Ok(()),
        _ => Err("QuotaDirectoryTally on is not available yet: directories are not counted".into()),
    }
}

/// `QuotaDisplayUnits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Units {
    /// Bytes (the default).
    #[default]
    Bytes,
    /// Kb.
    Kilo,
    /// Mb.
    Mega,
    /// Gb.
    Giga,
}

impl Units {
    /// The units `QuotaDisplayUnits` names.
    pub fn parse(v: &str) -> Result<Units, String> {
        match v.to_ascii_lowercase().as_str() {
            "b" => Ok(Units::Bytes),
            "kb" => Ok(Units::Kilo),
            "mb" => Ok(Units::Mega),
            "gb" => Ok(Units::Giga),
            _ => Err(format!("unknown display units '{v}' (b, Kb, Mb or Gb)")),
        }
    }
}

/// mod_quotatab's settings for one server.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// `QuotaEngine`.
    pub engine: bool,
    /// `QuotaLimitTable`'s file.
    pub limit_table: Option<String>,
    /// `QuotaTallyTable`'s file.
    pub tally_table: Option<String>,
    /// `QuotaTallyTable store:`: the tallies are in the counter store.
    pub tally_in_store: bool,
    /// `QuotaDisplayUnits`.
    pub units: Units,
    /// `QuotaShowQuotas` (on by default).
    pub show_quotas: bool,
    /// `QuotaLog` path.
    pub log: Option<String>,
    /// `QuotaExcludeFilter`.
    pub exclude: Option<regex::Regex>,
    /// `QuotaLock`.
    pub lock: Option<String>,
}

fn file_of(v: Option<String>) -> Option<String> {
    v.and_then(|t| t.strip_prefix("file:").map(str::to_string))
}

impl View {
    /// Reads mod_quotatab's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("QuotaEngine").unwrap_or(false),
            limit_table: file_of(m.arg("QuotaLimitTable", 0)),
            tally_table: file_of(m.arg("QuotaTallyTable", 0)),
            tally_in_store: m
                .arg("QuotaTallyTable", 0)
                .is_some_and(|t| t.eq_ignore_ascii_case("store:")),
            units: m
                .arg("QuotaDisplayUnits", 0)
                .and_then(|u| Units::parse(&u).ok())
                .unwrap_or_default(),
            show_quotas: m.flag("QuotaShowQuotas").unwrap_or(true),
            log: m
                .arg("QuotaLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
            exclude: m
                .arg("QuotaExcludeFilter", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none"))
                .and_then(|p| regex::Regex::new(&p).ok()),
            lock: m.arg("QuotaLock", 0),
        }
    }
}
