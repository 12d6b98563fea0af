//! Module log files (`DeflateLog`, `PrometheusLog`, …) as ProFTPD's `pr_log_writefile`
//! writes them: `YYYY-MM-DD HH:MM:SS,mmm tag[pid]: message`, local time, one line each.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The time stamp of a module log line, in local time with milliseconds.
pub fn stamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let local = secs.saturating_add(i64::from(crate::localtime::utc_offset(secs)));
    let c = oxftpd_proto::time::Civil::from_unix(local);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03}",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        now.subsec_millis()
    )
}

/// One log line for `tag` (`mod_deflate/0.6`), with the stamp and the process id.
pub fn line(tag: &str, message: &str) -> String {
    format!("{} {tag}[{}]: {message}\n", stamp(), std::process::id())
}

/// Appends one line for `tag` to `file`.
pub fn write(mut file: &File, tag: &str, message: &str) -> io::Result<()> {
    file.write_all(line(tag, message).as_bytes())
}

/// Opens a module's log for appending, created `0600` when it does not exist (as root, before
/// privileges drop, so sessions can never write it).
pub fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

/// The log files of a module crate whose log directive names a file per server (`LDAPLog`,
/// `RadiusLog`, `AuthOTPLog`): opened as root by path when a configuration is loaded, then
/// written by the sessions that name the same path.
pub struct PathLogs {
    /// The directive, for the error when a file cannot be opened.
    directive: &'static str,
    /// The tag of each line (`mod_radius/0.1`).
    tag: &'static str,
    files: std::sync::Mutex<std::collections::BTreeMap<std::path::PathBuf, File>>,
}

impl PathLogs {
    /// No files yet, for `directive`'s lines tagged `tag`.
    pub const fn new(directive: &'static str, tag: &'static str) -> Self {
        PathLogs {
            directive,
            tag,
            files: std::sync::Mutex::new(std::collections::BTreeMap::new()),
        }
    }

    /// Opens `path` unless it is open already; the error names the directive and the path.
    pub fn open(&self, path: std::path::PathBuf) -> Result<(), crate::StartError> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if let std::collections::btree_map::Entry::Vacant(slot) = files.entry(path) {
            let f = open(slot.key()).map_err(|e| {
                crate::StartError::Message(format!(
                    "{} {}: {e}",
                    self.directive,
                    slot.key().display()
                ))
            })?;
            slot.insert(f);
        }
        Ok(())
    }

    /// Writes one line to the log at `path` (when there is one) and to the daemon's log at
    /// debug level.
    pub fn line(&self, path: Option<&Path>, message: &str) {
        tracing::debug!(module = self.tag, "{message}");
        let Some(path) = path else {
            return;
        };
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = files.get(path) {
            let _ = write(f, self.tag, message);
        }
    }
}

/// Opens, as root, each server's log of a module whose log directive is per server
/// (`CaseLog`, `RewriteLog`, `WrapLog`): `path_of` reads the path from the server's merged
/// scope, `None` when the module is off there or names no log. A log that cannot be opened is
/// warned about as `what` ("mod_case: CaseLog") and left out.
pub fn open_per_server(
    config: &oxftpd_config::Config,
    what: &str,
    path_of: impl Fn(&oxftpd_config::Merged<'_>) -> Option<String>,
) -> std::collections::HashMap<usize, std::sync::Arc<File>> {
    let mut logs = std::collections::HashMap::new();
    for (index, server) in config.servers().iter().enumerate() {
        let Some(path) = path_of(&oxftpd_config::Merged::of(&server.scope(None))) else {
            continue;
        };
        match open(Path::new(&path)) {
            Ok(f) => {
                logs.insert(index, std::sync::Arc::new(f));
            }
            Err(e) => tracing::warn!("{what}: unable to open '{path}': {e}"),
        }
    }
    logs
}

/// The span a session's events are logged under: `vhost` is its server's index, by which the
/// daemon's log writer picks that server's `ServerLog` and `LogOptions`.
pub fn session_span(server: usize) -> tracing::Span {
    tracing::error_span!("session", vhost = server as u64)
}

/// Records that the current session now belongs to server `index` (after `HOST` or a TLS
/// SNI name chose another one), so that its lines follow that server's `ServerLog`.
pub fn moved_to(index: usize) {
    tracing::Span::current().record("vhost", index as u64);
}
