//! oxftpd's server: listeners, sessions, command handlers, data channels, access control.
//!
//! A command's way through: the [`engine`] reads a line (bounded, Telnet-aware), looks the verb
//! up in the registry ([`module::registry`], fixed from the [`modules`] tables), checks login
//! and [`access::limit`], and runs the handler from the module's room (`modules/mod_*/`), whose
//! filesystem work runs on the credentials pool of `oxftpd-storage`. Shared machinery lives
//! outside the rooms and names none of them: [`session`] (what a session is), [`engine`],
//! [`data`] (data connections and moving bytes), [`access`] (`<Limit>`, patterns, the
//! effective configuration), [`module`] (the module API); `tests/module_graph.rs` checks that,
//! and that the top-level modules import each other without a cycle.

pub mod access;
pub mod admin;
pub mod auth;
pub mod connection_rate;
pub mod context;
pub mod counters;
pub mod data;
pub mod engine;
pub mod group_limit;
pub mod jail;
pub mod listener;
pub mod localtime;
pub mod lookup_pool;
pub mod messages;
pub mod module;
pub mod modules;
pub mod port_holder;
pub mod reverse_dns;
pub mod scoreboard;
pub mod session;
pub mod session_files;
pub mod sessions;
pub mod settings;
pub mod shutmsg;
pub mod store;
pub mod trace;
pub mod type_map;

use std::net::SocketAddr;
use std::path::Path;

use oxftpd_config::{Config, ConfigErrors, Directive, ParseOptions};

pub use context::{Generation, ServerCtx, Shared};
pub use listener::{BindOptions, Live};

/// The ProFTPD release whose behaviour oxftpd matches (`-v`, `-V`, `%V`, build information).
pub const PROFTPD_VERSION: &str = "1.3.8";

/// Why the server cannot start (or a reload is refused).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration has errors.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// A directive's value can't be used.
    #[error("{file}:{line}: {directive}: {message}")]
    At {
        /// File.
        file: String,
        /// Line.
        line: u32,
        /// Directive name.
        directive: String,
        /// What is wrong.
        message: String,
    },
    /// A listening socket could not be bound.
    #[error("cannot bind {addr}: {reason}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// Anything else, already phrased for the administrator.
    #[error("{0}")]
    Message(String),
}

impl StartError {
    /// An error about a directive, naming its file and line.
    pub fn at(d: &Directive, message: String) -> Self {
        StartError::At {
            file: d.file.display().to_string(),
            line: d.line,
            directive: d.name.to_string(),
            message,
        }
    }
}

/// Parses a configuration file with every compiled-in module's directives.
pub fn parse_config(
    path: &Path,
    defines: &[(String, Option<String>)],
) -> Result<Config, ConfigErrors> {
    let specs = modules::specs();
    oxftpd_config::parse_file(
        path,
        &ParseOptions {
            modules: &specs,
            defines: defines.to_vec(),
        },
    )
}

/// Parses configuration text (the embedded default).
pub fn parse_config_str(
    text: &str,
    name: &Path,
    defines: &[(String, Option<String>)],
) -> Result<Config, ConfigErrors> {
    let specs = modules::specs();
    oxftpd_config::parse_str(
        text,
        name,
        &ParseOptions {
            modules: &specs,
            defines: defines.to_vec(),
        },
    )
}
