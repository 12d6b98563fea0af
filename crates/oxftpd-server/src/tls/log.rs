//! `TLSLog`: TLS events appended to the administrator's file, and to the tracing log.

use std::io::Write;
use std::path::Path;

/// Appends one line to the `TLSLog` file (if any) and logs it through tracing.
pub fn event(file: Option<&Path>, message: &str) {
    tracing::info!(target: "mod_tls", "{message}");
    let Some(path) = file else { return };
    let line = format!(
        "{} mod_tls[{}]: {message}\n",
        now(),
        std::process::id()
    );
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(line.as_bytes());
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
