//! `TLSLog`: TLS events appended to the administrator's file, and to the tracing log.

/// mod_tls's name and version in its log lines.
pub const VERSION: &str = "mod_tls/2.9.2";

/// Appends one line to the `TLSLog` file (opened at startup, if any), in ProFTPD's form
/// (`2026-12-06 21:54:32,605 mod_tls/2.9.2[PID]: message`), and logs it through tracing.
pub fn event(file: Option<&std::fs::File>, message: &str) {
    tracing::info!(target: "mod_tls", "{message}");
    if let Some(f) = file {
        let _ = crate::module::log::write(f, VERSION, message);
    }
}
