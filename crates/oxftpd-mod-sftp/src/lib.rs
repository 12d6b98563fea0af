//! mod_sftp.c for oxftpd: SFTP and SCP over SSH from the same daemon and the same
//! `proftpd.conf` as FTP. A `<VirtualHost>` with `SFTPEngine on` speaks SSH on its `Port`.
//!
//! The SSH transport is [russh](https://docs.rs/russh) (pure Rust, `ring` crypto; strict key
//! exchange against Terrapin, CVE-2023-48795, always offered). The SFTP subsystem uses
//! [russh-sftp](https://docs.rs/russh-sftp)'s packet layer for protocol version 3 (what
//! OpenSSH, WinSCP, FileZilla and paramiko speak); its handler trait gives every request to
//! [`sftp::Sftp`], which runs it in the session's jailed `Fs` under the user's kernel
//! credentials. Where russh-sftp falls short: it serves version 3 only (versions 4–6, with
//! their text attributes and ACLs, would need our own packet layer), its names and paths
//! are `String`s (a non-UTF-8 file name is shown with replacement characters), it answers
//! requests one at a time per channel, and the `VERSION` extensions are text, so
//! `vendor-id` (binary data) is not announced.
//!
//! An SSH connection is a server session like an FTP one (`oxftpd_server::session::Ctx` with
//! a detached control connection, through the `Module::connection` seam): logins go through
//! the same path as `PASS` (the `AuthOrder` chain, `<Limit LOGIN>`, `RootLogin`,
//! `DefaultRoot`, the modules' login checks, `MaxClients*`), each request is checked by
//! `<Limit>`/`<Directory>` under the FTP command mod_sftp maps it to and logged as that
//! command (`ExtendedLog`, `TransferLog` through the transfer event, the scoreboard).

pub mod algorithms;
pub mod check_file;
pub mod directives;
pub mod greeting;
pub mod hostkey;
pub mod keys;
pub mod pam;
pub mod passphrase;
pub mod realpath;
pub mod scp;
pub mod session;
pub mod settings;
pub mod sftp;
pub mod ssh;

use oxftpd_server::module::Module;

/// The name and version this module puts in front of its log lines.
pub const VERSION: &str = "mod_sftp/1.1.1";

/// mod_sftp_sql.c: `SFTPAuthorizedUserKeys sql:/NAME`, served by [`ssh`] through mod_sql's
/// lookup service (`oxftpd_server::module::sql_lookup`); no directives of its own.
pub static SQL_MODULE: Module = Module {
    spec: &SQL_SPEC,
    ..Module::DEFAULT
};

static SQL_SPEC: oxftpd_config::ModuleSpec = oxftpd_config::ModuleSpec {
    name: "mod_sftp_sql.c",
    directives: &[],
};

/// mod_sftp.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    open: Some(settings::open),
    connection: Some(session::take),
    ..Module::DEFAULT
};
