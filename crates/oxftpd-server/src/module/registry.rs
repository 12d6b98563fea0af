//! The registry: every compiled-in module in order, and the lookups derived from their tables.
//!
//! `modules` (the one list of built-in modules, plus the module crates the binary installs)
//! fixes it once with [`fix`], before any configuration is read; shared machinery (the session
//! loop, `<Limit>`, events) reads it through [`registry`], so it never names a module.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use crate::module::events::EventFn;
use crate::module::hooks::{Hook, Phase};
use crate::module::{AdmitFn, CommandSpec, ConnectHook, Module, SiteSpec};

/// The compiled-in modules and their command tables, indexed.
pub struct Registry {
    modules: Vec<&'static Module>,
    commands: HashMap<&'static str, &'static CommandSpec>,
    site: HashMap<&'static str, &'static SiteSpec>,
    connect: Vec<&'static ConnectHook>,
}

impl Registry {
    fn new(modules: Vec<&'static Module>) -> Self {
        let commands = modules
            .iter()
            .flat_map(|m| m.commands.iter())
            .map(|c| (c.name, c))
            .collect();
        let site = modules
            .iter()
            .flat_map(|m| m.site.iter())
            .map(|c| (c.name, c))
            .collect();
        let mut connect: Vec<&'static ConnectHook> =
            modules.iter().flat_map(|m| m.connect.iter()).collect();
        // By stage; within a stage, in module order (the sort is stable).
        connect.sort_by_key(|h| h.stage);
        Registry {
            modules,
            commands,
            site,
            connect,
        }
    }

    /// Every module, built-in ones first, in ProFTPD's order.
    pub fn modules(&self) -> &[&'static Module] {
        &self.modules
    }

    /// The row for a verb (upper case), if any module has one.
    pub fn command(&self, verb: &str) -> Option<&'static CommandSpec> {
        self.commands.get(verb).copied()
    }

    /// Every command row, in module order.
    pub fn commands(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.modules.iter().flat_map(|m| m.commands.iter())
    }

    /// The row for a `SITE` subcommand (upper case), if any module has one.
    pub fn site_command(&self, sub: &str) -> Option<&'static SiteSpec> {
        self.site.get(sub).copied()
    }

    /// Every `SITE` row, in module order.
    pub fn site_commands(&self) -> impl Iterator<Item = &'static SiteSpec> + '_ {
        self.modules.iter().flat_map(|m| m.site.iter())
    }

    /// Every hook of `phase`, in module order.
    pub fn hooks(&self, phase: Phase) -> impl Iterator<Item = &'static Hook> + '_ {
        self.modules
            .iter()
            .flat_map(|m| m.hooks.iter())
            .filter(move |h| h.phase == phase)
    }

    /// The connect-phase hooks, by stage, then module order.
    pub fn connect_hooks(&self) -> &[&'static ConnectHook] {
        &self.connect
    }

    /// Every module's event handler, in module order.
    pub fn event_handlers(&self) -> impl Iterator<Item = EventFn> + '_ {
        self.modules.iter().filter_map(|m| m.events)
    }

    /// Every module's accept hook, in module order.
    pub fn accept_hooks(&self) -> impl Iterator<Item = crate::module::AcceptFn> + '_ {
        self.modules.iter().filter_map(|m| m.accept)
    }

    /// Every module's front door for other protocols (mod_sftp), in module order.
    pub fn connection_handlers(&self) -> impl Iterator<Item = crate::module::ConnectionFn> + '_ {
        self.modules.iter().filter_map(|m| m.connection)
    }

    /// Every module's login check, in module order.
    pub fn admit_checks(&self) -> impl Iterator<Item = AdmitFn> + '_ {
        self.modules.iter().filter_map(|m| m.admit)
    }
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

static EMPTY: LazyLock<Registry> = LazyLock::new(|| Registry::new(Vec::new()));

/// Fixes the registry from `modules` the first time it is called; later calls return it as
/// fixed then.
pub fn fix(modules: impl FnOnce() -> Vec<&'static Module>) -> &'static Registry {
    REGISTRY.get_or_init(|| Registry::new(modules()))
}

/// The registry `modules` fixed (it does so before any configuration is read; empty before).
pub fn registry() -> &'static Registry {
    REGISTRY.get().unwrap_or(&EMPTY)
}
