//! mod_facl.c: POSIX ACLs honoured in access checks. oxftpd's file operations run with the
//! session user's credentials and the kernel decides (its own permission checks read the
//! ACLs), so `FACLEngine on` is how oxftpd always works and `off` cannot be had.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_facl.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_facl.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "FACLEngine",
    C::SERVER,
    Args::flag().checked(check_engine),
    false,
    "on (the default): POSIX ACLs count in every access check, which the kernel makes as the session user",
)];

fn check_engine(args: &[String]) -> Result<(), String> {
    match crate::check::parse_flag(&args[0]) {
        Some(false) => Err(
            "FACLEngine off is not supported: oxftpd lets the kernel check every \
                            file access as the session user, and the kernel always honours POSIX \
                            ACLs"
                .into(),
        ),
        _ => Ok(()),
    }
}
