//! mod_wrap2.c and its table driver mod_wrap2_file.c: tcp-wrappers access tables
//! (`WrapTables`, `WrapUserTables`, `WrapGroupTables`) checked before the password of a login
//! (`PRE_CMD` on PASS, as ProFTPD: a refused client gets `530` and is disconnected whatever
//! its password), or when the client connects (`WrapOptions CheckOnConnect`, `WrapTables`
//! only). The tables are hosts.allow/hosts.deny files read with mod_wrap's parser
//! (`mod_wrap::hosts_access`), or `builtin:all`.

pub mod check;
pub mod tables;

use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;

use oxftpd_config::Config;

use crate::module::hooks::{Hook, On, Phase};
use crate::module::{ConnectHook, ConnectStage, Module};

/// mod_wrap2.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_wrap2::MODULE,
    hooks: &[
        Hook::new(Phase::Pre, On::Verb("PASS"), check::pre_pass),
        Hook::new(Phase::Post, On::Verb("PASS"), check::post_pass),
    ],
    connect: &[ConnectHook::new(ConnectStage::Admit, check::on_connect)],
    open: Some(open),
    ..Module::DEFAULT
};

/// mod_wrap2_file.c: the `file:` table source (its code is [`tables`]); no directives.
pub static FILE_MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_wrap2::FILE_MODULE,
    ..Module::DEFAULT
};

/// The `WrapLog` files of a loaded configuration, by server index.
#[derive(Default)]
pub struct WrapLogs(HashMap<usize, Arc<File>>);

/// The tag of mod_wrap2's log lines, as ProFTPD writes it.
const TAG: &str = "mod_wrap2/2.0.7";

impl WrapLogs {
    /// Writes one line to server `index`'s `WrapLog`, if it has one.
    pub fn write(&self, index: usize, message: &str) {
        if let Some(f) = self.0.get(&index) {
            let _ = crate::module::log::write(f, TAG, message);
        }
    }
}

/// Opens every server's `WrapLog` (as root) when its `WrapEngine` is on.
fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), crate::StartError> {
    state.insert(WrapLogs(crate::module::log::open_per_server(
        config,
        "mod_wrap2: WrapLog",
        |m| {
            let view = oxftpd_config::modules::mod_wrap2::View::read(m);
            view.log.filter(|_| view.engine)
        },
    )));
    Ok(())
}
