//! mod_ldap's directives, as 1.3.8's `ldap_conftab` has them.
//!
//! Every row is implemented. `LDAPUseSASL` and `LDAPDefaultQuota` are refused with their
//! reason by the configuration crate's `REJECTED` list, `LDAPProtocolVersion 2` and
//! `LDAPAttr ftpQuota`/`ftpQuotaProfileDN` by their checks here.

use oxftpd_config::{Args, Contexts, DirectiveSpec, ModuleSpec};

use crate::settings::{self, RENAMEABLE, Scheme};

/// Where mod_ldap's directives go: the main server, `<VirtualHost>` and `<Global>`.
const SERVERS: Contexts = Contexts::SERVERS;

/// mod_ldap.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_ldap.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "LDAPAliasDereference",
        SERVERS,
        Args::exact(1).checked(check_deref),
        false,
        "never (the default), search, find or always",
    ),
    DirectiveSpec::new(
        "LDAPAttr",
        SERVERS,
        Args::exact(2).checked(check_attr),
        true,
        "standard-name directory-name: uid, uidNumber, gidNumber, homeDirectory, userPassword, loginShell, cn, memberUid",
    )
    .partial("ftpQuota and ftpQuotaProfileDN are refused: oxftpd has no mod_quotatab_ldap.c to read them"),
    DirectiveSpec::new(
        "LDAPAuthBinds",
        SERVERS,
        Args::flag(),
        false,
        "on (the default): check a password by binding as the user's DN; off: compare it with userPassword",
    ),
    DirectiveSpec::new(
        "LDAPBindDN",
        SERVERS,
        Args::range(1, 2),
        false,
        "dn [password] for searches (anonymous when unset)",
    ),
    DirectiveSpec::new(
        "LDAPConnectTimeout",
        SERVERS,
        Args::exact(1).checked(check_duration),
        false,
        "seconds to wait for a connection to a directory server (10)",
    ),
    DirectiveSpec::new(
        "LDAPDefaultAuthScheme",
        SERVERS,
        Args::exact(1).checked(check_scheme),
        false,
        "crypt (the default) or clear: how a userPassword without {scheme} is compared",
    ),
    DirectiveSpec::new(
        "LDAPDefaultGID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "gid for entries without gidNumber",
    ),
    DirectiveSpec::new(
        "LDAPDefaultUID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "uid for entries without uidNumber",
    ),
    DirectiveSpec::new(
        "LDAPForceDefaultGID",
        SERVERS,
        Args::flag(),
        false,
        "give every LDAP user LDAPDefaultGID, whatever gidNumber says",
    ),
    DirectiveSpec::new(
        "LDAPForceDefaultUID",
        SERVERS,
        Args::flag(),
        false,
        "give every LDAP user LDAPDefaultUID, whatever uidNumber says",
    ),
    DirectiveSpec::new(
        "LDAPForceGeneratedHomedir",
        SERVERS,
        Args::flag(),
        false,
        "use the generated home directory even where homeDirectory is set (needs LDAPGenerateHomedir)",
    ),
    DirectiveSpec::new(
        "LDAPGenerateHomedir",
        SERVERS,
        Args::flag(),
        false,
        "entries without homeDirectory get LDAPGenerateHomedirPrefix/name",
    ),
    DirectiveSpec::new(
        "LDAPGenerateHomedirPrefix",
        SERVERS,
        Args::exact(1).checked(check_not_empty),
        false,
        "the directory generated home directories are in",
    ),
    DirectiveSpec::new(
        "LDAPGenerateHomedirPrefixNoUsername",
        SERVERS,
        Args::flag(),
        false,
        "the generated home directory is the prefix itself",
    ),
    DirectiveSpec::new(
        "LDAPGroups",
        SERVERS,
        Args::range(1, 4).checked(check_groups),
        false,
        "base-dn [name-filter [gid-filter [member-filter]]] (%v: the escaped name or id)",
    ),
    DirectiveSpec::new(
        "LDAPLog",
        SERVERS,
        Args::exact(1).checked(check_log),
        false,
        "the module's own log file, or none",
    ),
    DirectiveSpec::new(
        "LDAPProtocolVersion",
        SERVERS,
        Args::exact(1).checked(check_version),
        false,
        "3, the default",
    )
    .partial("2 is refused: the ldap3 library speaks LDAPv3 only"),
    DirectiveSpec::new(
        "LDAPQueryTimeout",
        SERVERS,
        Args::exact(1).checked(check_duration),
        false,
        "seconds a search or bind may take (5)",
    ),
    DirectiveSpec::new(
        "LDAPSearchScope",
        SERVERS,
        Args::exact(1).checked(check_scope),
        false,
        "base, onelevel or subtree (the default) for host:port servers; a URL names its own (base unless ??sub)",
    ),
    DirectiveSpec::new(
        "LDAPServer",
        SERVERS,
        Args::at_least(1).checked(check_server),
        true,
        "host[:port] or ldap:// / ldaps:// URLs, tried in order, each with ssl-ca:, ssl-cert:, ssl-key:, ssl-verify:",
    ),
    DirectiveSpec::new(
        "LDAPUseTLS",
        SERVERS,
        Args::flag(),
        false,
        "StartTLS on ldap:// connections; never falls back to plain text",
    ),
    DirectiveSpec::new(
        "LDAPUsers",
        SERVERS,
        Args::range(1, 3).checked(check_users),
        false,
        "base-dn [name-filter [uid-filter]] (%u/%v: the escaped user name or uid)",
    ),
];

fn check_deref(args: &[String]) -> Result<(), String> {
    settings::deref(&args[0]).map(|_| ())
}

fn check_attr(args: &[String]) -> Result<(), String> {
    let a = &args[0];
    if a.eq_ignore_ascii_case("ftpQuota") || a.eq_ignore_ascii_case("ftpQuotaProfileDN") {
        return Err(format!(
            "{a}: quotas from LDAP need mod_quotatab_ldap.c, which oxftpd does not have"
        ));
    }
    if RENAMEABLE.iter().any(|n| n.eq_ignore_ascii_case(a)) {
        Ok(())
    } else {
        Err(format!("unknown attribute name: {a}"))
    }
}

fn check_duration(args: &[String]) -> Result<(), String> {
    oxftpd_config::parse_duration(&args[0])
        .map(|_| ())
        .ok_or_else(|| format!("error parsing timeout value '{}'", args[0]))
}

fn check_scheme(args: &[String]) -> Result<(), String> {
    Scheme::parse(&args[0]).map(|_| ())
}

fn check_id(args: &[String]) -> Result<(), String> {
    args[0]
        .parse::<u32>()
        .map(|_| ())
        .map_err(|_| format!("'{}' is not a numeric id", args[0]))
}

fn check_not_empty(args: &[String]) -> Result<(), String> {
    if args[0].is_empty() {
        Err("must not be an empty string".into())
    } else {
        Ok(())
    }
}

fn check_base(args: &[String]) -> Result<(), String> {
    if oxftpd_config::parse_flag(&args[0]).is_some() {
        return Err("first parameter must be the base DN, not on/off".into());
    }
    for t in &args[1..] {
        settings::check_filter(t)?;
    }
    Ok(())
}

fn check_groups(args: &[String]) -> Result<(), String> {
    check_base(args)
}

fn check_users(args: &[String]) -> Result<(), String> {
    check_base(args)
}

fn check_log(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') || args[0].eq_ignore_ascii_case("none") {
        Ok(())
    } else {
        Err(format!("must be a full path or none: '{}'", args[0]))
    }
}

fn check_version(args: &[String]) -> Result<(), String> {
    match args[0].as_str() {
        "3" => Ok(()),
        "2" => Err("LDAPv2 is not supported: oxftpd's LDAP library (ldap3) speaks LDAPv3 only, which every current directory server does; use 3".into()),
        v if v.chars().all(|c| c.is_ascii_digit()) => Err(format!("unknown LDAP protocol version {v}")),
        _ => Err("LDAPProtocolVersion: argument must be numeric!".into()),
    }
}

fn check_scope(args: &[String]) -> Result<(), String> {
    crate::servers::search_scope(&args[0]).map(|_| ())
}

fn check_server(args: &[String]) -> Result<(), String> {
    crate::servers::parse(args).map(|_| ())
}
