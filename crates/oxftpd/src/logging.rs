//! Where logs go: stderr with `-n`, the `SystemLog` file, or syslog; `-d` sets the level. Lines
//! are ProFTPD's (`log_format.rs`).

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io::Write;
use std::sync::Mutex;

use oxftpd_config::Config;
use oxftpd_config::modules::mod_core::Daemon;
use tracing_subscriber::EnvFilter;

use crate::log_layer::{ProftpdLayer, Sink};

use crate::cli::Cli;

/// Sends one line to syslog(3) (the facility `openlog` was given).
pub fn syslog(text: &str) {
    let text = text.trim_end().replace('\0', " ");
    if let Ok(c) = CString::new(text) {
        // SAFETY: "%s" with one valid C string argument.
        unsafe {
            libc::syslog(
                libc::LOG_DAEMON | libc::LOG_NOTICE,
                c"%s".as_ptr(),
                c.as_ptr(),
            )
        };
    }
}

/// The least severe level logged: `DebugLevel N` (which takes precedence over `-d`, as in
/// ProFTPD), else `-d N` when given, else `SyslogLevel`, else info.
fn filter(cli: &Cli, config: &Config) -> EnvFilter {
    let daemon = Daemon::of(config);
    let debug = daemon.debug_level.or(cli.debug).map(u32::from);
    let level = level_of(daemon.syslog_level.as_deref(), debug);
    EnvFilter::try_from_env("OXFTPD_LOG").unwrap_or_else(|_| EnvFilter::new(level))
}

/// The tracing level of a debug level (`-d N`, `DebugLevel N`, `ftpdctl debug level N`).
fn level_of(syslog: Option<&str>, debug: Option<u32>) -> &'static str {
    match debug {
        Some(0) | None => syslog.map_or("info", syslog_level),
        Some(1..=4) => "debug",
        Some(_) => "trace",
    }
}

/// Maps a syslog(3) level name onto the nearest tracing level.
fn syslog_level(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "emerg" | "alert" | "crit" | "error" => "error",
        "warn" | "warning" => "warn",
        "debug" => "debug",
        _ => "info",
    }
}

/// `SyslogFacility` (ProFTPD's default is `daemon`).
fn facility(config: &Config) -> libc::c_int {
    let name = Daemon::of(config)
        .syslog_facility
        .as_deref()
        .unwrap_or("daemon")
        .to_ascii_lowercase();
    match name.as_str() {
        "auth" => libc::LOG_AUTH,
        "authpriv" => libc::LOG_AUTHPRIV,
        "cron" => libc::LOG_CRON,
        "kern" => libc::LOG_KERN,
        "lpr" => libc::LOG_LPR,
        "mail" => libc::LOG_MAIL,
        "news" => libc::LOG_NEWS,
        "user" => libc::LOG_USER,
        "uucp" => libc::LOG_UUCP,
        "local0" => libc::LOG_LOCAL0,
        "local1" => libc::LOG_LOCAL1,
        "local2" => libc::LOG_LOCAL2,
        "local3" => libc::LOG_LOCAL3,
        "local4" => libc::LOG_LOCAL4,
        "local5" => libc::LOG_LOCAL5,
        "local6" => libc::LOG_LOCAL6,
        "local7" => libc::LOG_LOCAL7,
        _ => libc::LOG_DAEMON,
    }
}

/// The open `SystemLog`: its path and file, replaced by [`reopen`] on SIGHUP (logrotate's
/// rename then HUP).
static SYSTEM_LOG: Mutex<Option<(String, std::fs::File)>> = Mutex::new(None);

/// Opens a `SystemLog` or `ServerLog` as ProFTPD does: appending, created mode 0640.
pub fn open_log_file(path: &str) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(path)
}

fn open_system_log(path: &str) -> Result<std::fs::File, String> {
    open_log_file(path).map_err(|e| format!("unable to open SystemLog '{path}': {e}"))
}

/// Reopens the `SystemLog` at its path (call as root, on SIGHUP), so that lines go to a new
/// file after the old one was renamed. The `ServerLog`s are reopened with the configuration
/// they belong to ([`crate::server_logs::open`]).
pub fn reopen() -> Result<(), String> {
    let mut log = SYSTEM_LOG.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((path, file)) = log.as_mut() {
        *file = open_system_log(path)?;
    }
    Ok(())
}

/// Appends one line to the current `SystemLog` file.
pub fn write_system_log(line: &[u8]) {
    let mut log = SYSTEM_LOG.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, file)) = log.as_mut() {
        let _ = file.write_all(line);
    }
}

/// Installs the global subscriber; `ftpdctl debug level N` changes its level afterwards.
/// A `SystemLog` that cannot be opened is an error (ProFTPD's `unable to open SystemLog`);
/// in the foreground without `-q`, one line on stderr says where the log goes.
pub fn init(cli: &Cli, config: &Config, foreground: bool) -> Result<(), String> {
    use tracing_subscriber::prelude::*;
    let system_log = Daemon::of(config)
        .system_log
        .filter(|p| !p.eq_ignore_ascii_case("none"));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter(cli, config));
    let registry = tracing_subscriber::registry().with(filter);
    let file = match &system_log {
        Some(path) => Some(open_system_log(path)?),
        None => None,
    };
    let sink = if let (Some(file), Some(path)) = (file, &system_log) {
        *SYSTEM_LOG.lock().unwrap_or_else(|p| p.into_inner()) = Some((path.clone(), file));
        if foreground && !cli.quiet {
            eprintln!(
                "oxftpd: logging to the SystemLog {}",
                system_log.as_deref().unwrap_or_default()
            );
        }
        Sink::SystemLog
    } else if foreground {
        if cli.quiet {
            Sink::Discard
        } else {
            Sink::Stderr
        }
    } else {
        // SAFETY: the ident is a static C string.
        unsafe {
            libc::openlog(
                c"oxftpd".as_ptr(),
                libc::LOG_PID | libc::LOG_NDELAY,
                facility(config),
            )
        };
        Sink::Syslog
    };
    let installed = registry.with(ProftpdLayer { sink }).try_init();
    crate::server_logs::open(config);
    if installed.is_ok() {
        let daemon = Daemon::of(config);
        let syslog = daemon.syslog_level.clone();
        let level = daemon.debug_level.or(cli.debug).map_or(0, u32::from);
        oxftpd_server::admin::set_debug_hook(
            level,
            Box::new(move |n| {
                let _ = handle.reload(EnvFilter::new(level_of(syslog.as_deref(), Some(n))));
            }),
        );
    }
    Ok(())
}
