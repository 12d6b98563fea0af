//! mod_lang.c: LANG.

pub mod lang;

use crate::module::{CommandSpec, Feat, Handler, Module};

/// mod_lang.c (its 1.3.8 LANG row has no class).
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_lang::MODULE,
    commands: &[CommandSpec::new("LANG", Handler::Login(lang::lang))
        .feat(Feat::Computed(lang::feature))
        .hidden()],
    ..Module::DEFAULT
};
