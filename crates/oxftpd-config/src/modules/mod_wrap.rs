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

/// Which `TCP…AccessFiles` directive a pair of files came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessFilesFor {
    /// `TCPUserAccessFiles expr allow deny`.
    User,
    /// `TCPGroupAccessFiles expr allow deny`.
    Group,
    /// `TCPAccessFiles allow deny`.
    Everyone,
}

/// mod_wrap's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `TCPUserAccessFiles`, every occurrence, most specific first.
    pub user_access_files: Vec<Vec<String>>,
    /// `TCPGroupAccessFiles`, every occurrence, most specific first.
    pub group_access_files: Vec<Vec<String>>,
    /// `TCPAccessFiles allow deny`.
    pub access_files: Option<Vec<String>>,
    /// `TCPServiceName` (`proftpd` by default).
    pub service_name: String,
}

impl View {
    /// Reads mod_wrap's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            user_access_files: m.all_args("TCPUserAccessFiles"),
            group_access_files: m.all_args("TCPGroupAccessFiles"),
            access_files: m.args("TCPAccessFiles"),
            service_name: m
                .arg("TCPServiceName", 0)
                .unwrap_or_else(|| "proftpd".to_string()),
        }
    }
}
