//! mod_delay.c: USER/PASS answers paced against timing attacks.

pub mod delay;

use crate::module::Module;

/// mod_delay.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_delay::MODULE,
    commands: &[],
    site: &[],
};
