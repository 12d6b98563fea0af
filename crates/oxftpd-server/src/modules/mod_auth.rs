//! mod_auth.c: USER and PASS.

use crate::commands::auth;
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
    ],
};
