//! mod_case.c (a third-party module, github.com/Castaglia/proftpd-mod_case): case-insensitive
//! file names for the commands that take a path.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_case.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_case.c",
    directives: DIRECTIVES,
};

/// The commands mod_case handles (`SITE` subcommands as `SITE_CHMOD`, …).
pub const COMMANDS: &[&str] = &[
    "APPE",
    "CWD",
    "XCWD",
    "DELE",
    "LIST",
    "MDTM",
    "MKD",
    "XMKD",
    "MLSD",
    "MLST",
    "NLST",
    "RETR",
    "RMD",
    "XRMD",
    "RNFR",
    "RNTO",
    "SITE_CPFR",
    "SITE_CPTO",
    "SITE_CHGRP",
    "SITE_CHMOD",
    "SIZE",
    "STAT",
    "STOR",
];

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "CaseEngine",
        C::SERVERS,
        Args::flag(),
        false,
        "look for file names case-insensitively",
    ),
    d(
        "CaseIgnore",
        C::SERVERS_ANON_DIR,
        Args::at_least(1).checked(check_ignore),
        false,
        "on, off, or the commands (comma-separated, ! to exclude) whose paths match case-insensitively",
    ),
    d(
        "CaseLog",
        C::SERVERS,
        Args::path(),
        false,
        "log file of mod_case's matches (none: no log)",
    ),
];

fn check_ignore(args: &[String]) -> Result<(), String> {
    if args.len() == 1 && crate::check::parse_flag(&args[0]).is_some() {
        return Ok(());
    }
    for word in args
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let name = word.trim_start_matches('!').to_ascii_uppercase();
        if !COMMANDS.contains(&name.as_str()) {
            return Err(format!(
                "'{word}' is not a command mod_case handles (on, off, or a list of: {})",
                COMMANDS.join(", ")
            ));
        }
    }
    Ok(())
}

/// Which commands `CaseIgnore` names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ignore {
    /// `off` (the default).
    #[default]
    Off,
    /// `on`: every command mod_case handles.
    All,
    /// A list: a command matches when it is named, or when a `!name` does not name it.
    Commands(Vec<(bool, String)>),
}

impl Ignore {
    /// Whether the command `name` (`RETR`, `SITE_CHMOD`) is matched case-insensitively.
    pub fn covers(&self, name: &str) -> bool {
        match self {
            Ignore::Off => false,
            Ignore::All => true,
            Ignore::Commands(list) => list
                .iter()
                .any(|(negated, c)| c.eq_ignore_ascii_case(name) != *negated),
        }
    }
}

/// mod_case's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    /// `CaseEngine` (off by default).
    pub engine: bool,
    /// `CaseIgnore`.
    pub ignore: Ignore,
    /// `CaseLog` (`None` also for `none`).
    pub log: Option<String>,
}

impl View {
    /// Reads mod_case's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        let ignore = match m.args("CaseIgnore") {
            None => Ignore::Off,
            Some(a) => match (a.len(), a.first().and_then(|f| crate::check::parse_flag(f))) {
                (1, Some(true)) => Ignore::All,
                (1, Some(false)) => Ignore::Off,
                _ => Ignore::Commands(
                    a.iter()
                        .flat_map(|w| w.split(','))
                        .map(str::trim)
                        .filter(|w| !w.is_empty())
                        .map(|w| match w.strip_prefix('!') {
                            Some(n) => (true, n.to_ascii_uppercase()),
                            None => (false, w.to_ascii_uppercase()),
                        })
                        .collect(),
                ),
            },
        };
        View {
            engine: m.flag("CaseEngine").unwrap_or(false),
            ignore,
            log: m
                .arg("CaseLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_lists() {
        assert!(check_ignore(&["on".into()]).is_ok());
        assert!(check_ignore(&["APPE,RETR,STOR".into()]).is_ok());
        assert!(check_ignore(&["!retr".into()]).is_ok());
        assert!(check_ignore(&["FOO".into()]).is_err());
        let l = Ignore::Commands(vec![(false, "RETR".into())]);
        assert!(l.covers("RETR") && !l.covers("STOR"));
        let n = Ignore::Commands(vec![(true, "RETR".into())]);
        assert!(!n.covers("RETR") && n.covers("STOR"));
    }
}
