//! mod_digest.c: HASH, XCRC, MD5, XMD5, XSHA, XSHA1, XSHA256, XSHA512.

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

/// The mod_digest.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_digest.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[d(
    "DigestEngine",
    C::SERVERS_ANON,
    Args::flag(),
    false,
    "enable the checksum commands",
)];
