//! mod_wrap.c: tcp-wrappers access files.

pub mod hosts_access;
pub mod wrap;

use crate::module::Module;

/// mod_wrap.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_wrap::MODULE,
    admit: Some(crate::module::AdmitFn::Now(wrap::admit_login)),
    ..Module::DEFAULT
};
