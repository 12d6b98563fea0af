//! `TLSLog`: TLS events appended to the administrator's file, and to the tracing log.

use std::io::Write;

/// Appends one line to the `TLSLog` file (opened at startup, if any) and logs it through tracing.
pub fn event(file: Option<&std::fs::File>, message: &str) {
    tracing::info!(target: "mod_tls", "{message}");
    let Some(path) = file else { return };
    let line = format!("{} mod_tls[{}]: {message}\n", now(), std::process::id());
    let mut f = path;
    let _ = f.write_all(line.as_bytes());
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
