//! mod_wrap2.c (with its table driver mod_wrap2_file.c): tcp-wrappers access tables checked
//! before the password of a login (or at connect with `WrapOptions CheckOnConnect`).

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

const S: C = C::SERVERS;
const SA: C = C::SERVERS_ANON;

/// The mod_wrap2.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_wrap2.c",
    directives: DIRECTIVES,
};

/// mod_wrap2_file.c: the `file:` table source; it has no directives of its own.
pub static FILE_MODULE: ModuleSpec = ModuleSpec {
    name: "mod_wrap2_file.c",
    directives: &[],
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "WrapAllowMsg",
        SA,
        Args::exact(1),
        false,
        "line added to the 230 reply of an allowed login (%u: the USER name)",
    ),
    d(
        "WrapDenyMsg",
        SA,
        Args::exact(1),
        false,
        "530 text of a refused client, instead of Access denied (%u: the USER name)",
    ),
    d(
        "WrapEngine",
        S,
        Args::flag(),
        false,
        "check the access tables",
    ),
    d(
        "WrapGroupTables",
        SA,
        Args::exact(3).checked(check_expr_tables),
        true,
        "allow and deny tables for members of every group of an AND expression",
    ),
    d(
        "WrapLog",
        S,
        Args::path(),
        false,
        "log file of mod_wrap2's checks (none: no log)",
    ),
    d(
        "WrapOptions",
        S,
        Args::at_least(1).checked(check_options),
        false,
        "CheckOnConnect: check the WrapTables when the client connects (CheckAllNames is refused: oxftpd resolves one DNS name per client)",
    ),
    d(
        "WrapServiceName",
        S,
        Args::exact(1),
        false,
        "service name looked up in the tables (default proftpd)",
    ),
    d(
        "WrapTables",
        SA,
        Args::exact(2).checked(check_tables),
        false,
        "allow and deny tables for every client (file:PATH or builtin:all; sql: and redis: sources are refused)",
    ),
    d(
        "WrapUserTables",
        SA,
        Args::exact(3).checked(check_expr_tables),
        true,
        "allow and deny tables for the users of an OR expression",
    ),
];

/// One table source of `WrapTables` and its kin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Table {
    /// `file:PATH`: a hosts.allow-style file (`~/` is the user's home, `%U` the USER name).
    File(String),
    /// `builtin:all`: a table whose one rule matches every client.
    All,
}

impl Table {
    /// Parses `type:info`; the error is for the admin.
    pub fn parse(word: &str) -> Result<Table, String> {
        let Some((kind, info)) = word.split_once(':') else {
            return Err(format!("bad table parameter: '{word}'"));
        };
        match kind {
            "file" => Ok(Table::File(info.to_string())),
            "builtin" if info.eq_ignore_ascii_case("all") => Ok(Table::All),
            "builtin" => Err(format!("unknown builtin parameter: '{info}' (only all)")),
            "sql" | "redis" => Err(format!(
                "unsupported table source type: '{kind}' (oxftpd has mod_wrap2_file's file: \
                 tables and builtin:all, not mod_wrap2_{kind})"
            )),
            _ => Err(format!("unsupported table source type: '{kind}'")),
        }
    }
}

fn check_tables(args: &[String]) -> Result<(), String> {
    args.iter().try_for_each(|a| Table::parse(a).map(|_| ()))
}

fn check_expr_tables(args: &[String]) -> Result<(), String> {
    check_tables(&args[1..])
}

fn check_options(args: &[String]) -> Result<(), String> {
    for a in args {
        match a.as_str() {
            "CheckOnConnect" => {}
            "CheckAllNames" => {
                return Err(
                    "CheckAllNames is not supported: oxftpd's reverse DNS lookup gives one name \
                     per client (getnameinfo), so there are no other names to check"
                        .into(),
                );
            }
            other => return Err(format!("unknown WrapOption '{other}'")),
        }
    }
    Ok(())
}

/// One `WrapUserTables` or `WrapGroupTables`: its expression and its two tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprTables {
    /// The names of the expression (comma-separated in the file), `!` negating one.
    pub names: Vec<String>,
    /// The allow table.
    pub allow: Table,
    /// The deny table.
    pub deny: Table,
}

/// mod_wrap2's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    /// `WrapEngine` (off by default).
    pub engine: bool,
    /// `WrapTables allow deny`.
    pub tables: Option<(Table, Table)>,
    /// `WrapUserTables`, every occurrence, most specific first.
    pub user_tables: Vec<ExprTables>,
    /// `WrapGroupTables`, every occurrence, most specific first.
    pub group_tables: Vec<ExprTables>,
    /// `WrapAllowMsg`.
    pub allow_msg: Option<String>,
    /// `WrapDenyMsg`.
    pub deny_msg: Option<String>,
    /// `WrapLog` (`None` also for `none`).
    pub log: Option<String>,
    /// `WrapOptions CheckOnConnect`.
    pub check_on_connect: bool,
    /// `WrapServiceName` (`proftpd` by default).
    pub service_name: String,
}

impl View {
    /// Reads mod_wrap2's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let expr = |name: &'static str| -> Vec<ExprTables> {
            m.all_args(name)
                .into_iter()
                .filter_map(|a| {
                    Some(ExprTables {
                        names: a
                            .first()?
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                        allow: Table::parse(a.get(1)?).ok()?,
                        deny: Table::parse(a.get(2)?).ok()?,
                    })
                })
                .collect()
        };
        View {
            engine: m.flag("WrapEngine").unwrap_or(false),
            tables: m.args("WrapTables").and_then(|a| {
                Some((
                    Table::parse(a.first()?).ok()?,
                    Table::parse(a.get(1)?).ok()?,
                ))
            }),
            user_tables: expr("WrapUserTables"),
            group_tables: expr("WrapGroupTables"),
            allow_msg: m.arg("WrapAllowMsg", 0),
            deny_msg: m.arg("WrapDenyMsg", 0),
            log: m
                .arg("WrapLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
            check_on_connect: m
                .args("WrapOptions")
                .is_some_and(|a| a.iter().any(|o| o == "CheckOnConnect")),
            service_name: m
                .arg("WrapServiceName", 0)
                .unwrap_or_else(|| "proftpd".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sources() {
        assert_eq!(
            Table::parse("file:/etc/hosts.allow"),
            Ok(Table::File("/etc/hosts.allow".into()))
        );
        assert_eq!(Table::parse("builtin:all"), Ok(Table::All));
        assert!(Table::parse("sql:/get-allow").is_err());
        assert!(Table::parse("/etc/hosts.allow").is_err());
        assert!(check_options(&["CheckOnConnect".into()]).is_ok());
        assert!(check_options(&["CheckAllNames".into()]).is_err());
        assert!(check_options(&["Bogus".into()]).is_err());
    }
}
