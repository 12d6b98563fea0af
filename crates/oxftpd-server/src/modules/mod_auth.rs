//! mod_auth.c: USER and PASS.

use crate::commands::{auth, opts};
use crate::module::CommandGroup::Login;
use crate::module::{CommandSpec, Handler, Module};

/// mod_auth.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth::MODULE,
    commands: &[
        CommandSpec {
            name: "USER",
            groups: &[Login],
            feat: None,
            help: "<sp> username",
            handler: Handler::Login(auth::user),
        },
        CommandSpec {
            name: "PASS",
            groups: &[Login],
            feat: None,
            help: "<sp> password",
            handler: Handler::Login(auth::pass),
        },
        CommandSpec {
            name: "ACCT",
            groups: &[],
            feat: None,
            help: "is not implemented",
            handler: Handler::Any(opts::acct),
        },
        CommandSpec {
            name: "REIN",
            groups: &[],
            feat: None,
            help: "is not implemented",
            handler: Handler::Any(opts::rein),
        },
    ],
};
