//! Where logs go: stderr with `-n`, the `SystemLog` file, or syslog; `-d` sets the level.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io::Write;
use std::sync::Mutex;

use oxftpd_config::Config;
use oxftpd_config::modules::mod_core::Daemon;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::cli::Cli;

/// A writer that sends each formatted event to syslog(3) (facility daemon).
pub struct Syslog;

/// One event's bytes, sent to syslog when dropped.
pub struct SyslogLine(Vec<u8>);

impl Write for SyslogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for SyslogLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0)
            .trim_end()
            .replace('\0', " ");
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
}

impl<'a> MakeWriter<'a> for Syslog {
    type Writer = SyslogLine;
    fn make_writer(&'a self) -> Self::Writer {
        SyslogLine(Vec::with_capacity(128))
    }
}

/// The least severe level logged: `-d N` when given, else `SyslogLevel`, else info.
fn filter(cli: &Cli, config: &Config) -> EnvFilter {
    let level = match cli.debug {
        Some(0) | None => Daemon::of(config)
            .syslog_level
            .as_deref()
            .map_or("info", syslog_level),
        Some(1..=4) => "debug",
        Some(_) => "trace",
    };
    EnvFilter::try_from_env("OXFTPD_LOG").unwrap_or_else(|_| EnvFilter::new(level))
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

/// Installs the global subscriber.
pub fn init(cli: &Cli, config: &Config, foreground: bool) {
    let system_log = Daemon::of(config)
        .system_log
        .filter(|p| !p.eq_ignore_ascii_case("none"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(cli, config))
        .with_ansi(false);
    if let Some(Ok(file)) = system_log.map(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
    }) {
        let _ = builder.with_writer(Mutex::new(file)).try_init();
        return;
    }
    if foreground {
        if cli.quiet {
            let _ = builder.with_writer(std::io::sink).try_init();
        } else {
            let _ = builder.with_writer(std::io::stderr).try_init();
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
        let _ = builder.without_time().with_writer(Syslog).try_init();
    }
}
