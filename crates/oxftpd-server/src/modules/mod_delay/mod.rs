//! mod_delay.c: USER/PASS answers paced against timing attacks.

pub mod delay;

use crate::module::Module;
use crate::module::hooks::{Hook, On, Phase};

/// mod_delay.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_delay::MODULE,
    hooks: &[
        Hook::new(Phase::Pre, On::Verb("USER"), delay::pre_cmd),
        Hook::new(Phase::Pre, On::Verb("PASS"), delay::pre_cmd),
        Hook::new(Phase::Post, On::Verb("USER"), delay::post_cmd),
        Hook::new(Phase::Post, On::Verb("PASS"), delay::post_cmd),
        Hook::new(Phase::PostErr, On::Verb("USER"), delay::post_cmd),
        Hook::new(Phase::PostErr, On::Verb("PASS"), delay::post_cmd),
    ],
    server: Some(delay::per_server),
    ..Module::DEFAULT
};
