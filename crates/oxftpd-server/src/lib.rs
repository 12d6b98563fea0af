//! oxftpd's server: listeners, sessions, command handlers, data channels, access control.
//!
//! A command's way through: [`session`] reads a line (bounded, Telnet-aware), looks the verb
//! up in the [`modules`] tables, checks login and [`limit`], runs the handler from
//! [`commands`], whose filesystem work runs on the credentials pool of `oxftpd-storage`.

pub mod active_bind;
pub mod address;
pub mod anonymous;
pub mod auth;
pub mod class;
pub mod client_limits;
pub mod commands;
pub mod context;
pub mod counters;
pub mod data_channel;
pub mod data_stream;
pub mod deflate;
pub mod deflate_log;
pub mod delay;
pub mod directories;
pub mod display_chdir;
pub mod errors;
pub mod filters;
pub mod ftpaccess;
pub mod group_limit;
pub mod groups;
pub mod hiding;
pub mod hosts_access;
pub mod ident;
pub mod ifsession;
pub mod jail;
pub mod limit;
pub mod listener;
pub mod localtime;
pub mod messages;
pub mod module;
pub mod modules;
pub mod pam_hold;
pub mod port_holder;
pub mod reverse_dns;
pub mod session;
pub mod session_files;
pub mod settings;
pub mod shutmsg;
pub mod tls;
pub mod tls_stream;
pub mod transfer_io;
pub mod upload_thread;
pub mod wrap;
pub mod wtmp;
pub mod xfer_limits;
pub mod xferlog;

use std::net::SocketAddr;
use std::path::Path;

use oxftpd_config::{Config, ConfigErrors, Directive, ParseOptions};

pub use context::{Generation, ServerCtx, Shared};
pub use listener::{BindOptions, Live};

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
