//! The `ExtendedLog` files of a loaded configuration, opened as root before privileges drop
//! (and again on every reload, so `mv log log.1; kill -HUP` starts a new `log`), with
//! ProFTPD's refusals: a path in a world-writable directory, or a symbolic link unless
//! `AllowLogSymlinks on`. A refused or unopenable log is skipped with a warning, as ProFTPD
//! skips it; the server still starts.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::{Arc, Mutex};

use oxftpd_config::{Config, Directive, Server};
use tracing::warn;

use super::classes::Filter;
use super::format::{DEFAULT, Format};
use crate::StartError;

/// Where an `ExtendedLog` writes.
pub enum Target {
    /// An open file, shared by every `ExtendedLog` naming the same path.
    File(Arc<Mutex<File>>),
    /// `syslog:LEVEL`.
    Syslog(libc::c_int),
}

/// One `ExtendedLog` of a server or of one of its `<Anonymous>` blocks.
pub struct LogFile {
    /// The path as written (or `syslog:level`).
    pub path: String,
    /// The server it belongs to (index in `config.servers()`).
    pub server: usize,
    /// The `<Anonymous>` block it was written in, if any.
    pub anon: Option<usize>,
    /// The classes it logs.
    pub filter: Filter,
    /// Its format.
    pub format: Arc<Format>,
    /// Where it writes.
    pub target: Target,
}

impl LogFile {
    /// Writes one line (a newline is added).
    pub fn write(&self, line: &str) {
        match &self.target {
            Target::File(file) => {
                let mut buf = String::with_capacity(line.len() + 1);
                buf.push_str(line);
                buf.push('\n');
                let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
                if let Err(e) = file.write_all(buf.as_bytes()) {
                    warn!("error: cannot write ExtendedLog '{}': {e}", self.path);
                }
            }
            Target::Syslog(level) => super::syslog::write(*level, line),
        }
    }
}

/// Every `ExtendedLog` of a loaded configuration (module state of mod_log).
#[derive(Default)]
pub struct ExtendedLogs {
    /// In configuration order, server by server.
    pub logs: Vec<LogFile>,
}

/// The formats `LogFormat` names (from the main server and `<Global>`), plus `default`.
fn formats(config: &Config) -> HashMap<String, Arc<Format>> {
    let mut map = HashMap::new();
    map.insert(String::new(), Arc::new(Format::parse(DEFAULT)));
    let main = config.main_server();
    for server in config.servers() {
        let list: Vec<&Directive> = if server.is_main() {
            main.directives("LogFormat").collect()
        } else {
            server.global().directives("LogFormat").collect()
        };
        for d in list {
            if let (Some(name), Some(text)) = (d.arg(0), d.arg(1)) {
                map.entry(name.to_string())
                    .or_insert_with(|| Arc::new(Format::parse(text)));
            }
        }
    }
    map
}

/// Why a log file was refused.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The directory holding it is world-writable.
    #[error("parent directory is world-writable")]
    WritableDir,
    /// It is a symbolic link and `AllowLogSymlinks` is off.
    #[error("{0} is a symbolic link")]
    Symlink(String),
    /// The system refused.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Opens a log file for appending as ProFTPD's `pr_log_openfile` does: refused in a
/// world-writable directory or through a symbolic link (unless `symlinks`), created `0600`.
pub fn open_log(path: &str, symlinks: bool) -> Result<File, OpenError> {
    let p = Path::new(path);
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(meta) = std::fs::metadata(dir)
        && meta.mode() & 0o002 != 0
    {
        return Err(OpenError::WritableDir);
    }
    if !symlinks && std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(OpenError::Symlink(path.to_string()));
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true).mode(0o600);
    if !symlinks {
        options.custom_flags(libc::O_NOFOLLOW);
    }
    Ok(options.open(p)?)
}

/// `AllowLogSymlinks on` for `server`.
fn symlinks_allowed(server: &Server) -> bool {
    let merged = oxftpd_config::Merged::of(&server.scope(None));
    oxftpd_config::modules::mod_log::View::read(&merged).allow_log_symlinks
}

impl ExtendedLogs {
    /// Opens every `ExtendedLog` of every server and `<Anonymous>` block.
    pub fn open(config: &Config) -> ExtendedLogs {
        let formats = formats(config);
        let mut files: HashMap<String, Arc<Mutex<File>>> = HashMap::new();
        let mut logs = Vec::new();
        for (index, server) in config.servers().iter().enumerate() {
            let symlinks = symlinks_allowed(server);
            let own = server.directives("ExtendedLog").map(|d| (None, d));
            let anon = server
                .anonymous()
                .iter()
                .enumerate()
                .flat_map(|(i, a)| a.directives("ExtendedLog").map(move |d| (Some(i), d)));
            for (anon, d) in own.chain(anon) {
                let Some(path) = d.arg(0) else { continue };
                let filter = match d.arg(1) {
                    Some(rules) => match Filter::parse(rules) {
                        Some(f) => f,
                        None => continue,
                    },
                    None => Filter::ALL,
                };
                let format = match d.arg(2) {
                    None => formats.get(""),
                    Some(name) => formats.get(name).or_else(|| {
                        name.eq_ignore_ascii_case("default")
                            .then(|| formats.get(""))
                            .flatten()
                    }),
                };
                let Some(format) = format.cloned() else {
                    warn!(
                        "ExtendedLog '{path}' uses unknown format name '{}'",
                        d.arg(2).unwrap_or("")
                    );
                    continue;
                };
                let target = if let Some(level) = syslog_level(path) {
                    Target::Syslog(level)
                } else if let Some(file) = files.get(path) {
                    Target::File(file.clone())
                } else {
                    match open_log(path, symlinks) {
                        Ok(file) => {
                            let file = Arc::new(Mutex::new(file));
                            files.insert(path.to_string(), file.clone());
                            Target::File(file)
                        }
                        Err(e) => {
                            warn!("unable to open ExtendedLog '{path}': {e}");
                            continue;
                        }
                    }
                };
                logs.push(LogFile {
                    path: path.to_string(),
                    server: index,
                    anon,
                    filter,
                    format,
                    target,
                });
            }
        }
        ExtendedLogs { logs }
    }

    /// The logs a session of `server` writes to, inside `<Anonymous>` block `anon` or not:
    /// outside, the server's own; inside, the block's own (but not `NONE` ones) and the
    /// server's whose path the block does not override.
    pub fn for_session(
        &self,
        server: usize,
        anon: Option<usize>,
    ) -> impl Iterator<Item = &LogFile> {
        self.logs.iter().filter(move |l| {
            if l.server != server {
                return false;
            }
            match (anon, l.anon) {
                (_, Some(a)) => anon == Some(a) && !l.filter.is_none(),
                (None, None) => true,
                (Some(a), None) => !self
                    .logs
                    .iter()
                    .any(|o| o.server == server && o.anon == Some(a) && o.path == l.path),
            }
        })
    }
}

/// The syslog level of a `syslog:LEVEL` path.
pub fn syslog_level(path: &str) -> Option<libc::c_int> {
    let level = path
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("syslog:"))
        .map(|_| path[7..].to_ascii_lowercase())?;
    Some(match level.as_str() {
        "emerg" => libc::LOG_EMERG,
        "alert" => libc::LOG_ALERT,
        "crit" => libc::LOG_CRIT,
        "error" | "err" => libc::LOG_ERR,
        "warn" | "warning" => libc::LOG_WARNING,
        "notice" => libc::LOG_NOTICE,
        "debug" => libc::LOG_DEBUG,
        _ => libc::LOG_INFO,
    })
}

/// mod_log's `open`: the configuration's `ExtendedLog` files into the module state.
pub fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), StartError> {
    state.insert(ExtendedLogs::open(config));
    Ok(())
}
