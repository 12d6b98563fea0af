//! mod_site.c: SITE and its subcommands (with those of mod_site_misc.c and mod_copy.c).

pub mod site;

use crate::module::{CommandSpec, Handler, Module};

/// mod_site.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_site::MODULE,
    commands: &[CommandSpec {
        name: "SITE",
        groups: &[],
        feat: None,
        help: "<sp> string",
        handler: Handler::Login(site::site),
    }],
    ..Module::DEFAULT
};

/// mod_site_misc.c: its SITE subcommands are dispatched by `SITE`.
pub static MOD_SITE_MISC: Module = Module {
    spec: &oxftpd_config::modules::mod_site_misc::MODULE,
    commands: &[],
    ..Module::DEFAULT
};

/// mod_copy.c: its SITE subcommands are dispatched by `SITE`.
pub static MOD_COPY: Module = Module {
    spec: &oxftpd_config::modules::mod_copy::MODULE,
    commands: &[],
    ..Module::DEFAULT
};
