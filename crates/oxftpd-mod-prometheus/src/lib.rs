//! mod_prometheus.c for oxftpd: the metrics ProFTPD's third-party `mod_prometheus` exports
//! (`proftpd_*`, same names and buckets), served over HTTP for Prometheus to scrape.
//!
//! The first module in a crate of its own, and the example of the module API
//! (`oxftpd_server::module`): it brings a directive table ([`directives::SPEC`]), hooks on
//! command phases (listings and transfers in flight, commands by reply class, TLS
//! handshakes), session events (connections, logins, transfers), per-configuration work
//! (`open`: the log and the exporter's socket, bound as root) and a start step (`start`: the
//! exporter's task on the runtime, with privileges dropped). The binary installs it with
//! `oxftpd_server::modules::install` behind its default `mod_prometheus` feature.
//!
//! Where oxftpd differs: one process serves every session, so the values live in memory
//! (mod_prometheus keeps SQLite tables under `PrometheusTables` for its many processes); the
//! directory is still required, created and checked as mod_prometheus does. The exporter
//! runs as a task of the daemon with the daemon's dropped privileges (mod_prometheus forks
//! and chroots into `PrometheusTables/empty`). `proftpd_command_total` is oxftpd's own.

pub mod directives;
pub mod exporter;
pub mod hooks;
pub mod metrics;
pub mod settings;

use std::fs::File;
use std::sync::Mutex;

use oxftpd_server::module::Module;
use oxftpd_server::module::hooks::{Hook, On, Phase};

/// The name and version this module puts in front of its log lines.
pub const VERSION: &str = "mod_prometheus/0.2";

/// mod_prometheus.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    hooks: &[
        Hook::new(Phase::Pre, On::Verb("LIST"), hooks::list_began),
        Hook::new(Phase::Pre, On::Verb("NLST"), hooks::list_began),
        Hook::new(Phase::Pre, On::Verb("MLSD"), hooks::list_began),
        Hook::new(Phase::Pre, On::Verb("RETR"), hooks::download_began),
        Hook::new(Phase::Pre, On::Verb("STOR"), hooks::upload_began),
        Hook::new(Phase::Pre, On::Verb("APPE"), hooks::upload_began),
        Hook::new(Phase::Pre, On::Verb("STOU"), hooks::upload_began),
        Hook::new(Phase::Post, On::Verb("AUTH"), hooks::after_auth),
        Hook::new(Phase::PostErr, On::Verb("AUTH"), hooks::after_auth),
        Hook::new(Phase::Log, On::AnyCommand, hooks::logged),
        Hook::new(Phase::LogErr, On::AnyCommand, hooks::logged),
    ],
    events: Some(hooks::on_event),
    open: Some(settings::open),
    start: Some(settings::start),
    ..Module::DEFAULT
};

/// The `PrometheusLog` file, when one is open.
static LOG: Mutex<Option<File>> = Mutex::new(None);

/// Writes one line to the `PrometheusLog` (and the daemon's log at debug level).
pub fn log(message: &str) {
    tracing::debug!(target: "mod_prometheus", "{message}");
    let log = LOG.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(file) = log.as_ref() {
        let _ = oxftpd_server::module::log::write(file, VERSION, message);
    }
}
