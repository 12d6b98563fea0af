//! `DeflateLog`: mod_deflate's own log file. Each line is
//! `YYYY-MM-DD HH:MM:SS,mmm mod_deflate/0.6[pid]: message`, local time, as ProFTPD's
//! `pr_log_writefile` writes it; the messages are mod_deflate's (MODE changes, the
//! compression summary of each `MODE Z` data connection, inflate errors).

use std::fs::{File, OpenOptions};
use std::sync::Arc;

use oxftpd_config::Config;
use tracing::warn;

use crate::session::Ctx;

/// The name and version mod_deflate puts in front of its messages.
const TAG: &str = "mod_deflate/0.6";

/// The `DeflateLog` file of each server (by index), opened once as root.
#[derive(Default)]
pub struct DeflateLogs {
    files: Vec<Option<Arc<File>>>,
}

impl DeflateLogs {
    /// Opens (appending) the `DeflateLog` of every server with `DeflateEngine on`. A file that
    /// cannot be opened is a notice, not an error, as in mod_deflate.
    pub fn open(config: &Config) -> Self {
        let files = config
            .servers()
            .iter()
            .map(|server| {
                let deflate = oxftpd_config::modules::mod_deflate::View::read(
                    &oxftpd_config::Merged::of(&server.scope(None)),
                );
                if !deflate.engine {
                    return None;
                }
                let path = deflate
                    .log
                    .as_deref()
                    .filter(|p| !p.eq_ignore_ascii_case("none"))?;
                match OpenOptions::new().create(true).append(true).open(path) {
                    Ok(f) => Some(Arc::new(f)),
                    Err(e) => {
                        warn!("{TAG}: notice: unable to open DeflateLog '{path}': {e}");
                        None
                    }
                }
            })
            .collect();
        DeflateLogs { files }
    }
}

/// Opens the configuration's `DeflateLog` files into the module state ([`crate::module::OpenFn`]).
pub fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), crate::StartError> {
    state.insert(DeflateLogs::open(config));
    Ok(())
}

/// The session's `DeflateLog`, if its server has one.
pub fn file(ctx: &Ctx) -> Option<Arc<File>> {
    ctx.generation
        .modules
        .get::<DeflateLogs>()?
        .files
        .get(ctx.server.index)
        .cloned()
        .flatten()
}

/// Appends `message` to the session's `DeflateLog`, if any.
pub fn log(ctx: &Ctx, message: &str) {
    if let Some(f) = file(ctx) {
        write(&f, message);
    }
}

/// Appends one line with `message` to `file`.
pub fn write(file: &File, message: &str) {
    if let Err(e) = crate::module::log::write(file, TAG, message) {
        warn!("DeflateLog: {e}");
    }
}

/// mod_deflate's summary of a data connection: `deflated` (sent) or `inflated` (received)
/// `total_in` bytes to `total_out`, and how much smaller the compressed side is, in percent
/// (computed in single precision as mod_deflate does, so an upload that inflated to nothing
/// shows `-inf`).
pub fn summary(verb: &str, deflated: bool, total_in: u64, total_out: u64) -> String {
    let (compressed, plain) = if deflated {
        (total_out, total_in)
    } else {
        (total_in, total_out)
    };
    let ratio = compressed as f32 / plain as f32;
    let percent = (1.0 - f64::from(ratio)) * 100.0;
    let what = if deflated { "deflated" } else { "inflated" };
    format!("{verb}: {what} {total_in} bytes to {total_out} bytes ({percent:.2}% compression)")
}

/// Where a `MODE Z` wrapper reports: the log file and the command it serves.
pub struct Report {
    /// The `DeflateLog`.
    pub file: Arc<File>,
    /// The command of the data connection (`RETR`, `STOR`, `LIST`…).
    pub verb: &'static str,
}

impl Report {
    /// A report for the session's current command, when it has a `DeflateLog`.
    pub fn for_session(ctx: &Ctx) -> Option<Report> {
        Some(Report {
            file: file(ctx)?,
            verb: ctx.command,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn summaries_as_mod_deflate() {
        // Values observed on ProFTPD 1.3.8.
        assert_eq!(
            summary("STOR", false, 2351, 20890),
            "STOR: inflated 2351 bytes to 20890 bytes (88.75% compression)"
        );
        assert_eq!(
            summary("RETR", true, 20890, 2304),
            "RETR: deflated 20890 bytes to 2304 bytes (88.97% compression)"
        );
        assert_eq!(
            summary("NLST", true, 14, 24),
            "NLST: deflated 14 bytes to 24 bytes (-71.43% compression)"
        );
        assert_eq!(
            summary("LIST", true, 124, 73),
            "LIST: deflated 124 bytes to 73 bytes (41.13% compression)"
        );
        assert_eq!(
            summary("APPE", false, 8, 0),
            "APPE: inflated 8 bytes to 0 bytes (-inf% compression)"
        );
    }
}
