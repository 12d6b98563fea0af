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
    ),
    d(
        "ServerLog",
        C::SERVERS,
        Args::path(),
        false,
        "a log file for this server's sessions instead of the SystemLog, or none",
    ),
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
    /// `ServerLog` path or `none` (this server's sessions log there instead).
    pub server_log: Option<String>,
    /// `LogOptions` written for this scope (ProFTPD's defaults ± each option), if any.
    pub log_options: Option<LogOptions>,
}

impl View {
    /// Reads mod_log's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            system_log: m.arg("SystemLog", 0),
            allow_log_symlinks: m.flag("AllowLogSymlinks").unwrap_or(false),
            server_log: m.arg("ServerLog", 0),
            log_options: m.args("LogOptions").map(|a| LogOptions::parse(&a)),
        }
    }
}

/// The fields of a `SystemLog`/`ServerLog` line (`LogOptions`); ProFTPD's default has every
/// field but the role-based labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogOptions {
    /// `Timestamp`: the local time with milliseconds first.
    pub timestamp: bool,
    /// `Hostname`: the host's name after the time.
    pub hostname: bool,
    /// `VirtualHost`: the server's name (ours: its address) before the client.
    pub virtual_host: bool,
    /// `RoleBasedProcessLabels`: `daemon[pid]` / `session[pid]` instead of the program's name.
    pub role_labels: bool,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            timestamp: true,
            hostname: true,
            virtual_host: true,
            role_labels: false,
        }
    }
}

impl LogOptions {
    /// ProFTPD's defaults with each `+Name`/`-Name` applied in order (unknown names were
    /// refused when the file was read, and are ignored here).
    pub fn parse(args: &[String]) -> LogOptions {
        let mut o = LogOptions::default();
        for opt in args {
            let (on, name) = match opt.split_at_checked(1) {
                Some(("+", name)) => (true, name),
                Some(("-", name)) => (false, name),
                _ => continue,
            };
            match name.to_ascii_lowercase().as_str() {
                "timestamp" => o.timestamp = on,
                "hostname" => o.hostname = on,
                "virtualhost" => o.virtual_host = on,
                "rolebasedprocesslabels" => o.role_labels = on,
                _ => {}
            }
        }
        o
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
    if args.is_empty() {
        return Err("wrong number of parameters".to_string());
    }
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

#[cfg(test)]
mod tests {
    use super::LogOptions;

    #[test]
    fn log_options_start_from_proftpds_defaults() {
        let o =
            |a: &[&str]| LogOptions::parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(o(&[]), LogOptions::default());
        let x = o(&["-Timestamp", "-hostname", "+RoleBasedProcessLabels"]);
        assert!(!x.timestamp && !x.hostname && x.virtual_host && x.role_labels);
        assert!(!o(&["-VirtualHost"]).virtual_host);
    }
}
