//! mod_tls.c: FTPS commands (RFC 4217).

use crate::commands::tls;
use crate::module::{CommandSpec, Handler, Module};

/// The FEAT lines mod_tls adds when `TLSEngine on`.
pub const FEATURES: &[&str] = &["AUTH TLS", "CCC", "PBSZ", "PROT", "SSCN"];

/// mod_tls.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_tls::MODULE,
    commands: &[
        CommandSpec {
            name: "AUTH",
            groups: &[],
            feat: None,
            help: "<sp> base64-data",
            handler: Handler::Login(tls::auth),
        },
        CommandSpec {
            name: "PBSZ",
            groups: &[],
            feat: None,
            help: "<sp> protection buffer size",
            handler: Handler::Any(tls::pbsz),
        },
        CommandSpec {
            name: "PROT",
            groups: &[],
            feat: None,
            help: "<sp> protection code",
            handler: Handler::Any(tls::prot),
        },
        CommandSpec {
            name: "CCC",
            groups: &[],
            feat: None,
            help: "(clear command channel)",
            handler: Handler::User(tls::ccc),
        },
        CommandSpec {
            name: "SSCN",
            groups: &[],
            feat: None,
            help: "[ON|OFF] (site-to-site TLS client mode)",
            handler: Handler::User(tls::sscn),
        },
    ],
};
