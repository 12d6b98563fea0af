//! mod_deflate.c: `MODE Z`. Its verbs are core's MODE and OPTS (commands/mode.rs); its
//! FEAT line depends on `DeflateEngine` (commands/mode.rs `feature`).

pub mod log;
pub mod stream;

use crate::module::Module;

/// mod_deflate.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_deflate::MODULE,
    open: Some(log::open),
    ..Module::DEFAULT
};
