//! The modules compiled into oxftpd, in ProFTPD's order, and lookups derived from their tables.
//!
//! [`MODULES`] is the one list of the modules this crate has. A module that lives in a crate of
//! its own (because it brings heavy dependencies) is added by the binary with [`install`] before
//! the configuration is read; from then on every lookup here ([`all`], [`specs`], [`command`],
//! the hooks) sees it, after the built-in ones.

pub mod mod_auth;
pub mod mod_auth_pam;
pub mod mod_ban;
pub mod mod_case;
pub mod mod_copy;
pub mod mod_core;
pub mod mod_ctrls;
pub mod mod_ctrls_admin;
pub mod mod_deflate;
pub mod mod_delay;
pub mod mod_digest;
pub mod mod_facts;
pub mod mod_ident;
pub mod mod_ifsession;
pub mod mod_lang;
pub mod mod_log;
pub mod mod_ls;
pub mod mod_proxy_protocol;
pub mod mod_quotatab;
pub mod mod_ratio;
pub mod mod_readme;
pub mod mod_rewrite;
pub mod mod_site;
pub mod mod_site_misc;
pub mod mod_tls;
pub mod mod_unique_id;
pub mod mod_wrap;
pub mod mod_wrap2;
pub mod mod_xfer;

mod load;

use std::sync::OnceLock;

use oxftpd_config::ModuleSpec;

use crate::module::events::EventFn;
use crate::module::hooks::{Hook, Phase};
use crate::module::registry::Registry;
use crate::module::{AdmitFn, CommandSpec, Module, SiteSpec};

/// Modules that bring directives but no commands.
static MOD_AUTH_FILE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_file::MODULE,
    commands: &[],
    ..Module::DEFAULT
};
static MOD_AUTH_UNIX: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_unix::MODULE,
    commands: &[],
    ..Module::DEFAULT
};
static MOD_RLIMIT: Module = Module {
    spec: &oxftpd_config::modules::mod_rlimit::MODULE,
    ..Module::DEFAULT
};
static MOD_DSO: Module = Module {
    spec: &oxftpd_config::modules::mod_dso::MODULE,
    commands: &[],
    ..Module::DEFAULT
};

/// mod_facl.c: its one directive (`FACLEngine on`) is how the kernel's checks always work.
static MOD_FACL: Module = Module {
    spec: &oxftpd_config::modules::mod_facl::MODULE,
    commands: &[],
    ..Module::DEFAULT
};

/// Every module this crate has, as `oxftpd -l` lists them.
pub static MODULES: &[&Module] = &[
    &mod_core::MODULE,
    &mod_xfer::MODULE,
    &MOD_RLIMIT,
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
    &mod_log::MODULE,
    &mod_ident::MODULE,
    &mod_delay::MODULE,
    &MOD_DSO,
    &mod_wrap::MODULE,
    &mod_wrap2::MODULE,
    &mod_wrap2::FILE_MODULE,
    &mod_rewrite::MODULE,
    &mod_case::MODULE,
    &mod_unique_id::MODULE,
    &mod_readme::MODULE,
    &MOD_FACL,
    &mod_ifsession::MODULE,
    &mod_ctrls::MODULE,
    &mod_ctrls_admin::MODULE,
    &mod_lang::MODULE,
    &mod_deflate::MODULE,
    &mod_ban::MODULE,
    &mod_quotatab::MODULE,
    &mod_quotatab::FILE,
    &mod_ratio::MODULE,
    // Loaded last, as ProFTPD's documentation asks: its accept hook reads the connection first.
    &mod_proxy_protocol::MODULE,
];

/// Modules from other crates, added once by the binary ([`install`]).
static INSTALLED: OnceLock<Vec<&'static Module>> = OnceLock::new();

/// Why [`install`] refused.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Modules were already installed, or a lookup already fixed the list.
    #[error("modules can be installed only once, before the configuration is read")]
    AlreadyFixed,
    /// Two modules have the same name.
    #[error("module {0} is compiled in twice")]
    Duplicate(&'static str),
}

/// Adds modules from other crates (feature-gated in the binary) after the built-in ones.
/// Call once, before the configuration is read: the first lookup fixes the list.
pub fn install(extra: &[&'static Module]) -> Result<(), InstallError> {
    for (i, m) in extra.iter().enumerate() {
        if MODULES
            .iter()
            .chain(&extra[..i])
            .any(|o| o.name() == m.name())
        {
            return Err(InstallError::Duplicate(m.name()));
        }
    }
    INSTALLED
        .set(extra.to_vec())
        .map_err(|_| InstallError::AlreadyFixed)
}

/// Every compiled-in module: [`MODULES`], then the installed crates' (fixes the registry).
pub fn all() -> &'static [&'static Module] {
    registry().modules()
}

/// The registry, fixed on first use from [`MODULES`] and what [`install`] added.
fn registry() -> &'static Registry {
    crate::module::registry::fix(|| {
        let extra = INSTALLED.get_or_init(Vec::new);
        MODULES.iter().chain(extra.iter()).copied().collect()
    })
}

/// Every module's directive table, for the parser.
pub fn specs() -> Vec<&'static ModuleSpec> {
    all().iter().map(|m| m.spec).collect()
}

/// The row for a verb (upper case), if any module has one.
pub fn command(verb: &str) -> Option<&'static CommandSpec> {
    registry().command(verb)
}

/// Every command row, in module order.
pub fn commands() -> impl Iterator<Item = &'static CommandSpec> {
    registry().commands()
}

/// The row for a `SITE` subcommand (upper case), if any module has one.
pub fn site_command(sub: &str) -> Option<&'static SiteSpec> {
    registry().site_command(sub)
}

/// Every `SITE` row, in module order.
pub fn site_commands() -> impl Iterator<Item = &'static SiteSpec> {
    registry().site_commands()
}

/// Every hook of `phase`, in module order.
pub fn hooks(phase: Phase) -> impl Iterator<Item = &'static Hook> {
    registry().hooks(phase)
}

/// Every module's event handler, in module order.
pub fn event_handlers() -> impl Iterator<Item = EventFn> {
    registry().event_handlers()
}

/// Lets every module start what runs while a configuration is live (after privileges drop).
pub fn start(
    generation: &std::sync::Arc<crate::context::Generation>,
    shared: &std::sync::Arc<crate::context::Shared>,
) {
    for start in all().iter().filter_map(|m| m.start) {
        start(generation, shared);
    }
}

/// The control action called `name` and the module that answers it, unless it is not
/// registered or `unregistered` left it out.
pub fn control(
    name: &str,
    unregistered: Option<&crate::module::controls::Unregistered>,
) -> Option<(
    &'static Module,
    &'static crate::module::controls::ControlSpec,
)> {
    if unregistered.is_some_and(|u| u.0.contains(name)) {
        return None;
    }
    all()
        .iter()
        .find_map(|m| m.controls.iter().find(|c| c.name == name).map(|c| (*m, c)))
}

/// Every registered control action with its module, in module order.
pub fn controls() -> impl Iterator<
    Item = (
        &'static Module,
        &'static crate::module::controls::ControlSpec,
    ),
> {
    all()
        .iter()
        .flat_map(|m| m.controls.iter().map(move |c| (*m, c)))
}

/// Every module's login check, in module order.
pub fn admit_checks() -> impl Iterator<Item = AdmitFn> {
    registry().admit_checks()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module from another crate may not reuse a built-in module's name.
    #[test]
    fn a_module_is_compiled_in_once() {
        let err = install(&[&mod_core::MODULE]).expect_err("mod_core.c is built in");
        assert_eq!(err.to_string(), "module mod_core.c is compiled in twice");
    }

    /// Every hook on a verb names a command some module has.
    #[test]
    fn hooks_name_known_verbs() {
        for phase in [
            Phase::Pre,
            Phase::Post,
            Phase::PostErr,
            Phase::Log,
            Phase::LogErr,
        ] {
            for hook in hooks(phase) {
                if let crate::module::hooks::On::Verb(v) = hook.on {
                    assert!(command(v).is_some(), "hook on unknown verb {v}");
                }
            }
        }
    }

    /// A verb or SITE subcommand has one row.
    #[test]
    fn rows_are_unique() {
        let mut verbs: Vec<&str> = commands().map(|c| c.name).collect();
        let n = verbs.len();
        verbs.sort_unstable();
        verbs.dedup();
        assert_eq!(verbs.len(), n, "a verb has two rows");
        let mut subs: Vec<&str> = site_commands().map(|c| c.name).collect();
        let n = subs.len();
        subs.sort_unstable();
        subs.dedup();
        assert_eq!(subs.len(), n, "a SITE subcommand has two rows");
    }

    /// A command that opens a data connection is refused while a transfer runs.
    #[test]
    fn data_commands_wait_for_the_transfer() {
        for c in commands().filter(|c| c.opens_data) {
            assert_eq!(
                c.during_transfer,
                crate::module::DuringTransfer::Refused,
                "{}",
                c.name
            );
        }
    }

    /// An alias names a row that is not itself an alias, in the same group.
    #[test]
    fn aliases_name_rows() {
        for c in commands() {
            if let Some(target) = c.alias_of {
                let t = command(target).unwrap_or_else(|| panic!("{} → {target}", c.name));
                assert_eq!(t.alias_of, None, "{}", c.name);
                assert_eq!(t.group, c.group, "{}", c.name);
            }
        }
    }
}
