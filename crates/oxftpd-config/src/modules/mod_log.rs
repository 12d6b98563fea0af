//! mod_log.c: the server's own log file, `ExtendedLog` files and their `LogFormat`s.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_log.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_log.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "AllowLogSymlinks",
        C::SERVERS,
        Args::flag(),
        false,
        "open SystemLog, TransferLog and ExtendedLog paths that are symbolic links",
    ),
    d(
        "ExtendedLog",
        C::SERVERS_ANON,
        Args::range(1, 3).checked(extended_log),
        true,
        "a log file (or syslog:level) of the commands of the given classes, in a LogFormat",
    ),
    d(
        "LogFormat",
        C::SERVER.with(C::GLOBAL),
        Args::exact(2).checked(log_format),
        true,
        "a named format of ExtendedLog lines (%-variables; %{json} for JSON objects)",
    ),
    d(
        "LogOptions",
        C::SERVERS,
        Args::at_least(1).checked(log_options),
        false,
        "fields of SystemLog lines: +/-Timestamp, Hostname, VirtualHost, RoleBasedProcessLabels",
    )
    .partial("accepted and checked; SystemLog lines keep their one form"),
    d(
        "ServerLog",
        C::SERVERS,
        Args::path(),
        false,
        "a log file for this server's sessions instead of the SystemLog, or none",
    )
    .partial("accepted and checked; sessions log to the SystemLog"),
    d(
        "SystemLog",
        C::SERVER.with(C::GLOBAL),
        Args::exact(1).checked(c::system_log),
        false,
        "file for the server's log instead of syslog, or NONE",
    ),
];

/// mod_log's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `SystemLog` path or `NONE`.
    pub system_log: Option<String>,
    /// `AllowLogSymlinks` (off by default).
    pub allow_log_symlinks: bool,
}

impl View {
    /// Reads mod_log's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            system_log: m.arg("SystemLog", 0),
            allow_log_symlinks: m.flag("AllowLogSymlinks").unwrap_or(false),
        }
    }
}

/// The command classes `ExtendedLog` accepts (`!` negates one).
pub const LOG_CLASSES: &[&str] = &[
    "NONE",
    "ALL",
    "AUTH",
    "INFO",
    "DIRS",
    "READ",
    "WRITE",
    "MISC",
    "SEC",
    "SECURE",
    "CONNECT",
    "EXIT",
    "DISCONNECT",
    "SSH",
    "SFTP",
];

/// The syslog levels of `ExtendedLog syslog:LEVEL`.
pub const SYSLOG_LEVELS: &[&str] = &[
    "emerg", "alert", "crit", "error", "err", "warn", "warning", "notice", "info", "debug",
];

/// `ExtendedLog path|syslog:level [classes [format]]`.
fn extended_log(args: &[String]) -> Result<(), String> {
    let path = args.first().map(String::as_str).unwrap_or("");
    if let Some(level) = path
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("syslog:"))
        .map(|_| &path[7..])
    {
        if !SYSLOG_LEVELS.iter().any(|l| l.eq_ignore_ascii_case(level)) {
            return Err(format!("unknown syslog level: '{level}'"));
        }
    } else if !path.starts_with('/') {
        return Err(format!("relative paths not allowed: '{path}'"));
    }
    if let Some(rules) = args.get(1) {
        let delim = if rules.contains('|') { '|' } else { ',' };
        for name in rules.split(delim) {
            let bare = name.strip_prefix('!').unwrap_or(name);
            if !LOG_CLASSES.iter().any(|c| c.eq_ignore_ascii_case(bare)) {
                return Err(format!("invalid log class in '{rules}'"));
            }
        }
    }
    Ok(())
}

/// `LogFormat name "format"`: the name may not be empty.
fn log_format(args: &[String]) -> Result<(), String> {
    if args.first().is_some_and(|n| n.is_empty()) {
        return Err("missing required name parameter".to_string());
    }
    Ok(())
}

/// `LogOptions +opt|-opt …`.
fn log_options(args: &[String]) -> Result<(), String> {
    for opt in args {
        let Some(name) = opt.strip_prefix('+').or_else(|| opt.strip_prefix('-')) else {
            return Err(format!("bad LogOption: '{opt}'"));
        };
        let known = [
            "Timestamp",
            "Hostname",
            "VirtualHost",
            "RoleBasedProcessLabels",
        ];
        if !known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
            return Err(format!("unknown LogOption: '{name}'"));
        }
    }
    Ok(())
}
