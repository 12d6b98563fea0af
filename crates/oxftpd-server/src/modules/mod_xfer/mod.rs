//! mod_xfer.c: transfer parameters and file transfers.

pub mod limits;
pub mod mode;
pub mod params;
pub mod range;
pub mod transfer;
pub mod xferlog;

use crate::module::CommandGroup::{Read, Write};
use crate::module::{CommandSpec, Handler, Module};

/// mod_xfer.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_xfer::MODULE,
    commands: &[
        CommandSpec {
            name: "TYPE",
            groups: &[],
            feat: None,
            help: "<sp> type-code (A, I, L 8)",
            handler: Handler::Any(params::type_),
        },
        CommandSpec {
            name: "STRU",
            groups: &[],
            feat: None,
            help: "<sp> structure-code (F)",
            handler: Handler::Any(params::stru),
        },
        CommandSpec {
            name: "MODE",
            groups: &[],
            feat: None,
            help: "<sp> mode-code (S)",
            handler: Handler::Any(mode::mode),
        },
        CommandSpec {
            name: "RETR",
            groups: &[Read],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(transfer::retr),
        },
        CommandSpec {
            name: "STOR",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(transfer::stor),
        },
        CommandSpec {
            name: "APPE",
            groups: &[Write],
            feat: None,
            help: "<sp> pathname",
            handler: Handler::User(transfer::appe),
        },
        CommandSpec {
            name: "STOU",
            groups: &[Write],
            feat: None,
            help: "(store unique filename)",
            handler: Handler::User(transfer::stou),
        },
        CommandSpec {
            name: "REST",
            groups: &[],
            feat: Some("REST STREAM"),
            help: "<sp> byte-count",
            handler: Handler::User(params::rest),
        },
        CommandSpec {
            name: "RANG",
            groups: &[],
            feat: Some("RANG STREAM"),
            help: "<sp> start-point <sp> end-point",
            handler: Handler::User(range::rang),
        },
        CommandSpec {
            name: "ALLO",
            groups: &[],
            feat: None,
            help: "<sp> size",
            handler: Handler::Any(params::allo),
        },
        CommandSpec {
            name: "ABOR",
            groups: &[],
            feat: None,
            help: "(abort current operation)",
            handler: Handler::User(transfer::abor),
        },
    ],
    events: Some(xferlog::on_event),
    open: Some(xferlog::open),
    ..Module::DEFAULT
};
