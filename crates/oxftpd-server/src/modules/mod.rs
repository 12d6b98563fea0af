//! The modules compiled into oxftpd, in ProFTPD's order, and lookups derived from their tables.

pub mod mod_auth;
pub mod mod_auth_pam;
pub mod mod_core;
pub mod mod_deflate;
pub mod mod_delay;
pub mod mod_digest;
pub mod mod_facts;
pub mod mod_ident;
pub mod mod_ifsession;
pub mod mod_lang;
pub mod mod_ls;
pub mod mod_site;
pub mod mod_tls;
pub mod mod_wrap;
pub mod mod_xfer;

use std::collections::HashMap;
use std::sync::LazyLock;

use oxftpd_config::ModuleSpec;

use crate::module::{CommandSpec, Module};

/// Modules that bring directives but no commands.
static MOD_AUTH_FILE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_file::MODULE,
    commands: &[],
};
static MOD_AUTH_UNIX: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_unix::MODULE,
    commands: &[],
};
static MOD_LOG: Module = Module {
    spec: &oxftpd_config::modules::mod_log::MODULE,
    commands: &[],
};
static MOD_DSO: Module = Module {
    spec: &oxftpd_config::modules::mod_dso::MODULE,
    commands: &[],
};

/// Every module, as `oxftpd -l` lists them.
pub static MODULES: &[&Module] = &[
    &mod_core::MODULE,
    &mod_xfer::MODULE,
    &mod_auth_pam::MODULE,
    &MOD_AUTH_UNIX,
    &MOD_AUTH_FILE,
    &mod_auth::MODULE,
    &mod_ls::MODULE,
    &mod_tls::MODULE,
    &mod_site::MODULE,
    &mod_facts::MODULE,
    &mod_digest::MODULE,
    &mod_site::MOD_SITE_MISC,
    &mod_site::MOD_COPY,
    &MOD_LOG,
    &mod_ident::MODULE,
    &mod_delay::MODULE,
    &MOD_DSO,
    &mod_wrap::MODULE,
    &mod_ifsession::MODULE,
    &mod_lang::MODULE,
    &mod_deflate::MODULE,
];

/// The directive tables of every module, for the configuration parser.
pub fn specs() -> Vec<&'static ModuleSpec> {
    MODULES.iter().map(|m| m.spec).collect()
}

static COMMANDS: LazyLock<HashMap<&'static str, &'static CommandSpec>> = LazyLock::new(|| {
    MODULES
        .iter()
        .flat_map(|m| m.commands.iter())
        .map(|c| (c.name, c))
        .collect()
});

/// The command table row for a verb (upper case).
pub fn command(verb: &str) -> Option<&'static CommandSpec> {
    COMMANDS.get(verb).copied()
}

/// Every verb, in table order (HELP).
pub fn command_names() -> Vec<&'static str> {
    MODULES
        .iter()
        .flat_map(|m| m.commands.iter())
        .map(|c| c.name)
        .collect()
}

/// FEAT lines, sorted and unique.
pub fn features() -> Vec<&'static str> {
    let mut lines: Vec<&'static str> = MODULES
        .iter()
        .flat_map(|m| m.commands.iter())
        .filter_map(|c| c.feat)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    /// The server compiles in exactly the modules whose directive tables the config crate has.
    #[test]
    fn every_config_module_is_compiled_in() {
        let mut ours: Vec<&str> = super::MODULES.iter().map(|m| m.name()).collect();
        let mut tables: Vec<&str> = oxftpd_config::ALL.iter().map(|m| m.name).collect();
        ours.sort_unstable();
        tables.sort_unstable();
        assert_eq!(ours, tables);
    }
}
