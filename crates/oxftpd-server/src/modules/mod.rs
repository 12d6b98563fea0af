//! The modules compiled into oxftpd, in ProFTPD's order, and lookups derived from their tables.

pub mod mod_auth;
pub mod mod_auth_pam;
pub mod mod_copy;
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
pub mod mod_site_misc;
pub mod mod_tls;
pub mod mod_wrap;
pub mod mod_xfer;

use std::collections::HashMap;
use std::sync::LazyLock;

use oxftpd_config::ModuleSpec;

use crate::module::{CommandSpec, Module, SiteSpec};

/// Modules that bring directives but no commands.
static MOD_AUTH_FILE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_file::MODULE,
    commands: &[],
    site: &[],
};
static MOD_AUTH_UNIX: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_unix::MODULE,
    commands: &[],
    site: &[],
};
static MOD_LOG: Module = Module {
    spec: &oxftpd_config::modules::mod_log::MODULE,
    commands: &[],
    site: &[],
};
static MOD_DSO: Module = Module {
    spec: &oxftpd_config::modules::mod_dso::MODULE,
    commands: &[],
    site: &[],
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
    &mod_site_misc::MODULE,
    &mod_copy::MODULE,
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

static COMMANDS: LazyLock<HashMap<&'static str, &'static CommandSpec>> =
    LazyLock::new(|| commands().map(|c| (c.name, c)).collect());

static SITE_COMMANDS: LazyLock<HashMap<&'static str, &'static SiteSpec>> =
    LazyLock::new(|| site_commands().map(|c| (c.name, c)).collect());

/// The command table row for a verb (upper case).
pub fn command(verb: &str) -> Option<&'static CommandSpec> {
    COMMANDS.get(verb).copied()
}

/// Every command row, in table order (HELP lists them so).
pub fn commands() -> impl Iterator<Item = &'static CommandSpec> {
    MODULES.iter().flat_map(|m| m.commands.iter())
}

/// The SITE table row for a subcommand (upper case).
pub fn site_command(sub: &str) -> Option<&'static SiteSpec> {
    SITE_COMMANDS.get(sub).copied()
}

/// Every SITE row, in table order (`SITE HELP` lists them so).
pub fn site_commands() -> impl Iterator<Item = &'static SiteSpec> {
    MODULES.iter().flat_map(|m| m.site.iter())
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

    /// A verb or SITE subcommand has one row.
    #[test]
    fn rows_are_unique() {
        let mut verbs: Vec<&str> = super::commands().map(|c| c.name).collect();
        let n = verbs.len();
        verbs.sort_unstable();
        verbs.dedup();
        assert_eq!(verbs.len(), n, "a verb has two rows");
        let mut subs: Vec<&str> = super::site_commands().map(|c| c.name).collect();
        let n = subs.len();
        subs.sort_unstable();
        subs.dedup();
        assert_eq!(subs.len(), n, "a SITE subcommand has two rows");
    }

    /// A command that opens a data connection is refused while a transfer runs.
    #[test]
    fn data_commands_wait_for_the_transfer() {
        for c in super::commands().filter(|c| c.opens_data) {
            assert_eq!(
                c.during_transfer,
                crate::module::DuringTransfer::Refused,
                "{}",
                c.name
            );
        }
    }

    /// An alias names a row that is not itself an alias.
    #[test]
    fn aliases_name_rows() {
        for c in super::commands() {
            if let Some(target) = c.alias_of {
                let t = super::command(target).unwrap_or_else(|| panic!("{} → {target}", c.name));
                assert_eq!(t.alias_of, None, "{}", c.name);
                assert_eq!(t.group, c.group, "{}", c.name);
            }
        }
    }
}
