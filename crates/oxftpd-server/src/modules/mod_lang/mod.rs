//! mod_lang.c: LANG.

pub mod lang;

use crate::module::{CommandSpec, Handler, Module};

/// mod_lang.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_lang::MODULE,
    commands: &[CommandSpec {
        name: "LANG",
        groups: &[],
        // The FEAT line depends on the session: commands/lang.rs `feature`.
        feat: None,
        help: "[<sp> language]",
        handler: Handler::Login(lang::lang),
    }],
    ..Module::DEFAULT
};
