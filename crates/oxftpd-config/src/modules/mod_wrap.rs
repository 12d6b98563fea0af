//! mod_wrap.c: tcp-wrappers access files (hosts.allow / hosts.deny).

use super::d;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

const S: C = C::SERVERS;
const SA: C = C::SERVERS_ANON;

/// The mod_wrap.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_wrap.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "TCPAccessFiles",
        SA,
        Args::exact(2),
        false,
        "hosts.allow and hosts.deny files checked at login",
    ),
    d(
        "TCPGroupAccessFiles",
        S,
        Args::exact(3),
        true,
        "access files for users of a group expression",
    ),
    d(
        "TCPServiceName",
        S,
        Args::exact(1),
        false,
        "service name looked up in the access files (default proftpd)",
    ),
    d(
        "TCPUserAccessFiles",
        S,
        Args::exact(3),
        true,
        "access files for users of a user expression",
    ),
];
