//! The `oxftpd` daemon's process life and the `oxftpctl` admin tool's pieces.

pub mod cli;
pub mod ctl;
pub mod daemon;
pub mod docs;
pub mod embedded;
pub mod fd_limit;
pub mod inetd;
pub mod info;
pub mod log_format;
pub mod log_layer;
pub mod logging;
pub mod man;
pub mod modules;
pub mod privileges;
pub mod rlimit;
pub mod sandbox;
pub mod sd_notify;
pub mod server_logs;
pub mod sockets;
pub mod upgrade;
