//! mod_ifsession.c: `<IfUser>`, `<IfGroup>`, `<IfClass>`.

pub mod ifsession;

use crate::module::Module;

/// mod_ifsession.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_ifsession::MODULE,
    commands: &[],
    ..Module::DEFAULT
};
