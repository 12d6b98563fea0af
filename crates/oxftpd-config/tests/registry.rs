//! The directive tables: coverage, uniqueness, rejected names.

mod common;

use common::ALL;

use std::collections::HashSet;

use oxftpd_config::registry::{lookup, rejected};
use oxftpd_config::{Contexts, REJECTED, Status};

const REQUIRED: &[&str] = &[
    // mod_auth_pam.c (issue 6)
    "AuthPAM",
    "AuthPAMConfig",
    "AuthPAMOptions",
    "ServerName",
    "ServerType",
    "ServerIdent",
    "ServerAdmin",
    "ServerAlias",
    "Port",
    "DefaultAddress",
    "DefaultServer",
    "SocketBindTight",
    "PassivePorts",
    "MasqueradeAddress",
    "MaxInstances",
    "MaxClients",
    "User",
    "Group",
    "Umask",
    "PidFile",
    "ScoreboardFile",
    "TimeoutIdle",
    "TimeoutLogin",
    "TimeoutNoTransfer",
    "TimeoutStalled",
    "TimeoutSession",
    "DefaultRoot",
    "DefaultChdir",
    "AuthUserFile",
    "AuthGroupFile",
    "AuthOrder",
    "RequireValidShell",
    "RootLogin",
    "UseReverseDNS",
    "IdentLookups",
    "UseIPv6",
    "WtmpLog",
    "DeferWelcome",
    "AllowOverwrite",
    "AllowRetrieveRestart",
    "AllowStoreRestart",
    "HiddenStores",
    "DeleteAbortedStores",
    "TimesGMT",
    "ShowSymlinks",
    "ListOptions",
    "DisplayConnect",
    "DisplayLogin",
    "DisplayChdir",
    "DisplayQuit",
    "AccessGrantMsg",
    "AccessDenyMsg",
    "MaxLoginAttempts",
    "CommandBufferSize",
    "AllowForeignAddress",
    "SystemLog",
    "TransferLog",
    "SyslogFacility",
    "SyslogLevel",
    "UserAlias",
    "AnonRequirePassword",
    "AuthAliasOnly",
    "AllowFilter",
    "DenyFilter",
    "PathAllowFilter",
    "PathDenyFilter",
    "HideFiles",
    "HideNoAccess",
    "HideUser",
    "HideGroup",
    "IgnoreHidden",
    "Order",
    "Allow",
    "Deny",
    "AllowAll",
    "DenyAll",
    "AllowUser",
    "DenyUser",
    "AllowGroup",
    "DenyGroup",
    "AllowClass",
    "DenyClass",
    "Include",
    "Define",
    "LoadModule",
    "ModulePath",
    "ModuleControlsACLs",
    "DelayEngine",
    "MaxClientsPerClass",
    "MaxClientsPerHost",
    "MaxClientsPerUser",
    "MaxHostsPerUser",
    "UseFtpUsers",
    "MaxConnectionsPerHost",
    "MaxRetrieveFileSize",
    "MaxStoreFileSize",
    "TCPAccessFiles",
    "TCPGroupAccessFiles",
    "TCPServiceName",
    "TCPUserAccessFiles",
    "SiteMiscEngine",
    "CopyEngine",
    "DigestEngine",
    "DeflateEngine",
    "DeflateLog",
    "LangEngine",
    "LangDefault",
    "AnonRejectPasswords",
    "UserPassword",
    "AnonymousGroup",
];

#[test]
fn every_required_directive_is_registered_once() {
    let mut seen = HashSet::new();
    for m in ALL.iter() {
        for d in m.directives {
            assert!(
                seen.insert(d.name.to_ascii_lowercase()),
                "{} registered twice",
                d.name
            );
            assert!(!d.summary.is_empty(), "{} has no summary", d.name);
        }
    }
    for name in REQUIRED {
        assert!(seen.contains(&name.to_ascii_lowercase()), "{name} missing");
    }
}

#[test]
fn lookup_is_case_insensitive_and_reports_module() {
    let f = lookup(&ALL, "allowoverwrite").unwrap();
    assert_eq!(f.spec.name, "AllowOverwrite");
    assert_eq!(f.module.name, "mod_core.c");
    assert_eq!(
        lookup(&ALL, "authuserfile").unwrap().module.name,
        "mod_auth_file.c"
    );
    assert_eq!(
        lookup(&ALL, "DelayEngine").unwrap().module.name,
        "mod_delay.c"
    );
    assert!(lookup(&ALL, "SQLEngine").is_none());
}

#[test]
fn status_is_honest_for_partial_directives() {
    assert!(matches!(
        lookup(&ALL, "DelayTable").unwrap().spec.status,
        Status::Partial(_)
    ));
    assert_eq!(
        lookup(&ALL, "DelayEngine").unwrap().spec.status,
        Status::Implemented
    );
    assert!(matches!(
        lookup(&ALL, "ModulePath").unwrap().spec.status,
        Status::Partial(_)
    ));
    assert_eq!(
        lookup(&ALL, "Port").unwrap().spec.status,
        Status::Implemented
    );
}

#[test]
fn rejected_names_are_not_registered() {
    for (name, reason) in REJECTED {
        assert!(
            lookup(&ALL, name).is_none(),
            "{name} both registered and rejected"
        );
        assert!(!reason.is_empty());
    }
    assert_eq!(rejected("rlimitchroot").map(|r| r.0), Some("RLimitChroot"));
}

#[test]
fn contexts_sets() {
    let anon = lookup(&ALL, "AnonRequirePassword").unwrap().spec.contexts;
    assert_eq!(anon.names(), vec!["<Anonymous>"]);
    assert!(Contexts::SERVERS.contains(Contexts::VHOST));
    assert!(!Contexts::SERVERS.contains(Contexts::ANON));
    assert!(!Contexts::SERVERS.contains(Contexts::NONE));
}
