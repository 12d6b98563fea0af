//! `TransferLog`: one xferlog(5) line per file transfer, as ProFTPD's mod_xfer writes it:
//! `ctime secs host bytes path type _ direction access user ftp 0 * status`.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Mutex;

use oxftpd_config::Config;
use tracing::warn;

use crate::StartError;
use crate::module::events::{Direction, Event, EventFuture, Transfer};
use crate::session::{Ctx, LoggedIn};

/// The transfer logs a configuration names, opened once (as root, before privileges drop).
#[derive(Default)]
pub struct TransferLogs {
    files: HashMap<String, Mutex<File>>,
}

impl TransferLogs {
    /// Opens (appending) every `TransferLog` file of every server and `<Anonymous>` block.
    pub fn open(config: &Config) -> Result<Self, StartError> {
        let mut files = HashMap::new();
        for server in config.servers() {
            for log in oxftpd_config::modules::mod_xfer::transfer_log_files(server) {
                let path = &log.value;
                if files.contains_key(path) {
                    continue;
                }
                // ProFTPD's PR_TUNABLE_XFER_LOG_MODE (the daemon's umask is 0).
                let file = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o644)
                    .open(path)
                    .map_err(|e| StartError::at(&log.at, format!("cannot open {path}: {e}")))?;
                files.insert(path.to_string(), Mutex::new(file));
            }
        }
        Ok(TransferLogs { files })
    }
}

/// Opens the configuration's `TransferLog` files into the module state ([`crate::module::OpenFn`]).
pub fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), StartError> {
    state.insert(TransferLogs::open(config)?);
    Ok(())
}

/// mod_xfer's event handler: a `TransferLog` line for every transfer that ended.
pub fn on_event<'a>(ctx: &'a mut Ctx, event: &'a Event<'a>) -> EventFuture<'a> {
    Box::pin(async move {
        if let Event::Transfer { user, transfer } = event {
            record(ctx, user, transfer);
        }
    })
}

/// Appends the xferlog line for `record`, if a `TransferLog` applies to the session.
pub fn record(ctx: &Ctx, user: &LoggedIn, record: &Transfer<'_>) {
    let Some(path) = ctx.server.login_cfg(user.anon).xfer.transfer_log.as_deref() else {
        return;
    };
    let Some(file) = ctx
        .generation
        .modules
        .get::<TransferLogs>()
        .and_then(|logs| logs.files.get(path))
    else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let local = now + i64::from(crate::localtime::utc_offset(now));
    let secs = record.started.elapsed().as_secs_f64().round() as u64;
    // Spaces would split the fields: xferlog readers expect them escaped as '_'.
    let real = user.real_path(record.vpath).replace(' ', "_");
    let (access, name) = match (user.anon, &user.anonymous_email) {
        (Some(_), Some(email)) => ('a', email.as_str()),
        (Some(_), None) => ('a', user.login_name.as_str()),
        (None, _) => ('r', user.login_name.as_str()),
    };
    let line = format!(
        "{} {secs} {} {} {real} {} _ {} {access} {name} ftp {} {}\n",
        crate::messages::ctime(local),
        ctx.remote_name
            .as_deref()
            .map_or_else(|| ctx.peer.ip().to_string(), str::to_string),
        record.bytes,
        if record.ascii { 'a' } else { 'b' },
        if record.direction == Direction::Outgoing {
            'o'
        } else {
            'i'
        },
        // mod_ident's answer: method 1 and the user id ('*' for UNKNOWN) once looked up.
        match ctx.ident.as_deref() {
            None => "0 *".to_string(),
            Some(crate::modules::mod_ident::ident::UNKNOWN) => "1 *".to_string(),
            Some(ident) => format!("1 {ident}"),
        },
        if record.complete { 'c' } else { 'i' },
    );
    let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(e) = file.write_all(line.as_bytes()) {
        warn!("TransferLog {path}: {e}");
    }
}
