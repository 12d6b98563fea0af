//! mod_deflate.c: `MODE Z`. Its verbs are MODE and OPTS, whose rows are in mod_xfer's and
//! mod_core's tables (`mod_xfer/mode.rs` handles `MODE Z`); the MODE row's FEAT line shows
//! `MODE Z` while `DeflateEngine` is on.

pub mod log;
pub mod stream;

use crate::module::Module;

/// mod_deflate.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_deflate::MODULE,
    open: Some(log::open),
    ..Module::DEFAULT
};
