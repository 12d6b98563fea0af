//! The `oxftpd` daemon's process life and the `oxftpctl` admin tool's pieces.

pub mod cli;
pub mod ctl;
pub mod daemon;
pub mod docs;
pub mod embedded;
pub mod fd_limit;
pub mod inetd;
pub mod info;
pub mod logging;
pub mod modules;
pub mod privileges;
pub mod sandbox;
pub mod sockets;
pub mod upgrade;
