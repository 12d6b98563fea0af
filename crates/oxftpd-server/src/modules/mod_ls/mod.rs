//! mod_ls.c: directory listings.

pub mod listing;
pub mod status;

use crate::module::CommandGroup::Dirs;
use crate::module::{CommandSpec, Handler, Module};

/// mod_ls.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ls::MODULE,
    commands: &[
        CommandSpec {
            name: "LIST",
            groups: &[Dirs],
            feat: None,
            help: "[<sp> pathname]",
            handler: Handler::User(listing::list),
        },
        CommandSpec {
            name: "NLST",
            groups: &[Dirs],
            feat: None,
            help: "[<sp> (pathname)]",
            handler: Handler::User(listing::nlst),
        },
        CommandSpec {
            name: "STAT",
            groups: &[],
            feat: None,
            help: "[<sp> pathname]",
            handler: Handler::User(status::stat),
        },
    ],
    ..Module::DEFAULT
};
