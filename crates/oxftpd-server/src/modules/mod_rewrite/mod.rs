//! mod_rewrite.c: `RewriteRule`s rewrite the argument of every command (a `PRE_CMD` hook on
//! any command, as ProFTPD's `C_ANY`), after their `RewriteCondition`s held; maps
//! (`RewriteMap` txt: and int:), variables and back-references are expanded in ProFTPD's
//! order ([`subst`]). Patterns are the `regex` crate's, not POSIX's (see the module's page in
//! `docs/directives.md`).

pub mod engine;
pub mod subst;

use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;

use oxftpd_config::Config;

use crate::module::Module;
use crate::module::hooks::{Hook, On, Phase};

/// mod_rewrite.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_rewrite::MODULE,
    hooks: &[Hook::new(Phase::Pre, On::AnyCommand, engine::pre_any)],
    open: Some(open),
    ..Module::DEFAULT
};

/// The `RewriteLog` files of a loaded configuration, by server index.
#[derive(Default)]
pub struct RewriteLogs(HashMap<usize, Arc<File>>);

impl RewriteLogs {
    /// Writes one line to server `index`'s `RewriteLog`, if it has one.
    pub fn write(&self, index: usize, message: &str) {
        if let Some(f) = self.0.get(&index) {
            let _ = crate::module::log::write(f, "mod_rewrite/1.1", message);
        }
    }

    /// Whether server `index` has a `RewriteLog`.
    pub fn has(&self, index: usize) -> bool {
        self.0.contains_key(&index)
    }
}

/// Opens every server's `RewriteLog` (as root) when its `RewriteEngine` is on.
fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), crate::StartError> {
    state.insert(RewriteLogs(crate::module::log::open_per_server(
        config,
        "mod_rewrite: RewriteLog",
        |m| {
            let view = oxftpd_config::modules::mod_rewrite::View::read(m);
            view.log.filter(|_| view.engine)
        },
    )));
    Ok(())
}
