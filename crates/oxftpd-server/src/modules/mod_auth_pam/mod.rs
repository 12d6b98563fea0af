//! mod_auth_pam.c: PAM logins; the PAM session held for the FTP session.

pub use crate::session::pam_hold;

use crate::module::Module;

/// mod_auth_pam.c.
pub static MODULE: Module = Module {
    spec: &oxftpd_config::modules::mod_auth_pam::MODULE,
    commands: &[],
    ..Module::DEFAULT
};
