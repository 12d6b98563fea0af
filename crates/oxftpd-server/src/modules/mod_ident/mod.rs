//! mod_ident.c: RFC 1413 lookups at connect.

pub mod ident;

use crate::module::Module;

/// mod_ident.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ident::MODULE,
    commands: &[],
    connect: &[crate::module::ConnectHook::new(
        crate::module::ConnectStage::Identify,
        ident::on_connect,
    )],
    ..Module::DEFAULT
};
