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

/// mod_auth_pam's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `AuthPAM`, when set.
    pub enabled: Option<bool>,
    /// `AuthPAMConfig` service name.
    pub service: Option<String>,
    /// `AuthPAMOptions` words.
    pub options: Vec<String>,
}

impl View {
    /// Reads mod_auth_pam's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            enabled: m.one("AuthPAM").map(crate::Directive::flag),
            service: m.arg("AuthPAMConfig", 0),
            options: m.args("AuthPAMOptions").unwrap_or_default(),
        }
    }
}
