//! mod_quotatab.c with mod_quotatab_file.c and mod_quotatab_sql.c: byte and file quotas per
//! user, group, class or all, read from a limit table and counted in a tally table, either in
//! ProFTPD's binary file format (so Debian's `ftpquota` reads and writes them) or in SQL
//! through mod_sql's `SQLNamedQuery`s.

use super::d;
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

/// mod_quotatab_sql.c: the `sql:` tables (no directives of its own; mod_sql's queries).
pub static SQL: ModuleSpec = ModuleSpec {
    name: "mod_quotatab_sql.c",
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
    d(
        "QuotaLimitTable",
        S,
        Args::exact(1).checked(check_limit_table),
        false,
        "the limit table: file:/path (ProFTPD's binary format, as ftpquota writes it) or sql:/select-query (mod_quotatab_sql)",
    ),
    d(
        "QuotaTallyTable",
        S,
        Args::exact(1).checked(check_tally_table),
        false,
        "the tally table: file:/path, sql:/select-query/update-query/insert-query (mod_quotatab_sql), or oxftpd's store: (the CounterStore, shared by every node using it)",
    ),
    d(
        "QuotaDefault",
        S,
        Args::exact(9).checked(check_default),
        false,
        "a limit for users (or groups) the limit table has no row for: type per-session soft|hard bytes-in bytes-out bytes-xfer files-in files-out files-xfer",
    ),
    d(
        "QuotaOptions",
        S,
        Args::at_least(1).checked(check_options),
        false,
        "ScanOnLogin: at login, count the bytes and files the user (or group) owns under the login directory into the tally",
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
    d(
        "QuotaDirectoryTally",
        S,
        Args::flag(),
        false,
        "count directories too: MKD counts a file in (and is refused past the files limit), RMD takes one back",
    ),
];

/// A table's source: `scheme:info`.
fn check_source(a: &str, sql_parts: usize) -> Result<(), String> {
    match a.split_once(':') {
        Some(("file", path)) if path.starts_with('/') => Ok(()),
        Some(("file", path)) => Err(format!("'{path}' is not an absolute path")),
        Some(("sql", info)) => {
            let parts: Vec<&str> = info.split('/').collect();
            if parts.len() == sql_parts + 1
                && parts[0].is_empty()
                && parts[1..].iter().all(|p| !p.is_empty())
            {
                Ok(())
            } else if sql_parts == 1 {
                Err(format!("expected sql:/select-query, not '{a}'"))
            } else {
                Err(format!(
                    "expected sql:/select-query/update-query/insert-query, not '{a}'"
                ))
            }
        }
        Some((other, _)) => Err(format!(
            "unsupported quota table source '{other}' (file: or sql:)"
        )),
        None => Err(format!("expected source-type:source-info, not '{a}'")),
    }
}

fn check_limit_table(args: &[String]) -> Result<(), String> {
    check_source(&args[0], 1)
}

fn check_tally_table(args: &[String]) -> Result<(), String> {
    if args[0].eq_ignore_ascii_case("store:") {
        return Ok(());
    }
    check_source(&args[0], 3)
}

fn check_default(args: &[String]) -> Result<(), String> {
    DefaultLimit::parse(args).map(|_| ())
}

fn check_options(args: &[String]) -> Result<(), String> {
    for a in args {
        if !a.eq_ignore_ascii_case("ScanOnLogin") {
            return Err(format!("unknown QuotaOption '{a}' (ScanOnLogin)"));
        }
    }
    Ok(())
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

/// Where a table is: `file:PATH`, or another module's source (`sql:/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file in ProFTPD's binary format.
    File(String),
    /// `store:` (tallies only): the counter store, shared by every node using it.
    Store,
    /// Another module's table: its scheme and the rest of the line.
    Other {
        /// `sql`.
        scheme: String,
        /// What follows the colon.
        info: String,
    },
}

impl Source {
    fn parse(v: &str) -> Option<Source> {
        if v.eq_ignore_ascii_case("store:") {
            return Some(Source::Store);
        }
        let (scheme, info) = v.split_once(':')?;
        Some(if scheme == "file" {
            Source::File(info.to_string())
        } else {
            Source::Other {
                scheme: scheme.to_string(),
                info: info.to_string(),
            }
        })
    }

    /// The file's path, for a `file:` table.
    pub fn file(&self) -> Option<&str> {
        match self {
            Source::File(p) => Some(p),
            Source::Other { .. } | Source::Store => None,
        }
    }
}

/// One `QuotaDefault` line: the limit row used when the table has none.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultLimit {
    /// `user`, `group`, `class` or `all` (lower case).
    pub kind: String,
    /// Per session.
    pub per_session: bool,
    /// Hard rather than soft.
    pub hard: bool,
    /// bytes in, out, xfer.
    pub bytes: [f64; 3],
    /// files in, out, xfer.
    pub files: [u32; 3],
}

impl DefaultLimit {
    /// Parses `QuotaDefault`'s nine arguments.
    pub fn parse(a: &[String]) -> Result<DefaultLimit, String> {
        if a.len() != 9 {
            return Err("expected 9 arguments".into());
        }
        let kind = a[0].to_ascii_lowercase();
        if !["user", "group", "class", "all"].contains(&kind.as_str()) {
            return Err(format!("unknown quota type '{}' configured", a[0]));
        }
        let per_session = crate::parse_flag(&a[1])
            .ok_or_else(|| format!("expected Boolean per-session parameter: {}", a[1]))?;
        let hard = match a[2].to_ascii_lowercase().as_str() {
            "hard" => true,
            "soft" => false,
            _ => {
                return Err(format!(
                    "expected 'soft' or 'hard' limit-type parameter: {}",
                    a[2]
                ));
            }
        };
        let mut bytes = [0.0; 3];
        for (i, v) in a[3..6].iter().enumerate() {
            bytes[i] = v
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("'{v}' is not a number of bytes"))?;
        }
        let mut files = [0u32; 3];
        for (i, v) in a[6..9].iter().enumerate() {
            files[i] = v
                .parse::<u32>()
                .map_err(|_| format!("'{v}' is not a number of files"))?;
        }
        Ok(DefaultLimit {
            kind,
            per_session,
            hard,
            bytes,
            files,
        })
    }
}

/// mod_quotatab's settings for one server.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// `QuotaEngine`.
    pub engine: bool,
    /// `QuotaLimitTable`.
    pub limit_table: Option<Source>,
    /// `QuotaTallyTable`.
    pub tally_table: Option<Source>,
    /// `QuotaDefault` lines, in file order.
    pub defaults: Vec<DefaultLimit>,
    /// `QuotaOptions ScanOnLogin`.
    pub scan_on_login: bool,
    /// `QuotaDirectoryTally`.
    pub directory_tally: bool,
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

impl View {
    /// Reads mod_quotatab's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            engine: m.flag("QuotaEngine").unwrap_or(false),
            limit_table: m.arg("QuotaLimitTable", 0).and_then(|v| Source::parse(&v)),
            tally_table: m.arg("QuotaTallyTable", 0).and_then(|v| Source::parse(&v)),
            defaults: m
                .nearest("QuotaDefault")
                .iter()
                .filter_map(|d| DefaultLimit::parse(&d.args).ok())
                .collect(),
            scan_on_login: m
                .nearest("QuotaOptions")
                .iter()
                .flat_map(|d| d.args.iter())
                .any(|a| a.eq_ignore_ascii_case("ScanOnLogin")),
            directory_tally: m.flag("QuotaDirectoryTally").unwrap_or(false),
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
