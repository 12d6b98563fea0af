//! mod_auth_pam.c: password checks through PAM.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_auth_pam.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_auth_pam.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "AuthPAM",
        C::SERVERS,
        Args::flag(),
        false,
        "consult PAM when mod_auth_pam.c is in AuthOrder",
    ),
    d(
        "AuthPAMConfig",
        C::SERVERS,
        Args::exact(1).checked(c::any),
        false,
        "PAM service name (default ftp)",
    ),
    d(
        "AuthPAMOptions",
        C::SERVERS,
        Args::at_least(1).checked(pam_options),
        false,
        "PAM options: NoTTY",
    ),
];

/// `AuthPAMOptions`: only `NoTTY` exists.
fn pam_options(args: &[String]) -> Result<(), String> {
    for a in args {
        if !a.eq_ignore_ascii_case("NoTTY") {
            return Err(format!("unknown AuthPAMOption: '{a}'"));
        }
    }
    Ok(())
}
