//! mod_sql's directives, as 1.3.8's `sql_conftab` has them, and mod_sql_passwd's.
//!
//! Every row here is implemented; the directives oxftpd would read and then ignore
//! (`SQLRatios`, `SQLRatioStats` until mod_ratio exists, `SQLNamedConnectInfo`,
//! `SQLUserPrimaryKey`, `SQLGroupPrimaryKey`) are refused with their reason by the
//! configuration crate's `REJECTED` list.

use oxftpd_config::{Args, Contexts, DirectiveSpec, ModuleSpec};

/// Where mod_sql's directives go: the main server, `<VirtualHost>` and `<Global>`.
const SERVERS: Contexts = Contexts::SERVERS;

/// mod_sql.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sql.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "SQLEngine",
        SERVERS.with(Contexts::ANON),
        Args::exact(1).checked(check_engine),
        false,
        "on, off, auth (users only) or log (SQLLog only)",
    ),
    DirectiveSpec::new(
        "SQLBackend",
        SERVERS,
        Args::exact(1).checked(check_backend),
        false,
        "sqlite3, postgres or mysql (the default: the one backend the SQLConnectInfo names)",
    ),
    DirectiveSpec::new(
        "SQLConnectInfo",
        SERVERS,
        Args::range(1, 8).checked(check_connect_info),
        false,
        "db[@host[:port]] or a SQLite file, [user [password [policy]]], ssl-cert:/ssl-key:/ssl-ca:/ssl-ciphers:",
    ),
    DirectiveSpec::new(
        "SQLAuthenticate",
        SERVERS,
        Args::range(1, 4).checked(check_authenticate),
        false,
        "on, off, or users/groups/userset[fast]/groupset[fast]",
    ),
    DirectiveSpec::new(
        "SQLAuthTypes",
        SERVERS,
        Args::at_least(1).checked(check_auth_types),
        false,
        "how passwords are stored, tried in order: Crypt, Plaintext, Empty, OpenSSL, and mod_sql_passwd's MD5, SHA1, SHA256, SHA512, PBKDF2",
    ),
    DirectiveSpec::new(
        "SQLUserInfo",
        SERVERS,
        Args::at_least(1).checked(check_user_info),
        false,
        "table user passwd uid gid homedir shell (NULL for a column not there), or custom:/by-name[/by-id[/names[/all]]]",
    ),
    DirectiveSpec::new(
        "SQLGroupInfo",
        SERVERS,
        Args::at_least(1).checked(check_group_info),
        false,
        "table groupname gid members, or custom:/by-name/by-id/by-member[/names[/all]]",
    ),
    DirectiveSpec::new(
        "SQLUserWhereClause",
        SERVERS,
        Args::exact(1),
        false,
        "a condition added to every user query (%-variables bound as parameters)",
    ),
    DirectiveSpec::new(
        "SQLGroupWhereClause",
        SERVERS,
        Args::exact(1),
        false,
        "a condition added to every group query (%-variables bound as parameters)",
    ),
    DirectiveSpec::new(
        "SQLDefaultUID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "uid for users whose row has none or one below SQLMinUserUID (65533)",
    ),
    DirectiveSpec::new(
        "SQLDefaultGID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "gid for users whose row has none or one below SQLMinUserGID (65533)",
    ),
    DirectiveSpec::new(
        "SQLDefaultHomedir",
        SERVERS,
        Args::exact(1),
        false,
        "home directory for users whose row has none",
    ),
    DirectiveSpec::new(
        "SQLMinID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "SQLMinUserUID and SQLMinUserGID at once",
    ),
    DirectiveSpec::new(
        "SQLMinUserUID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "lowest uid taken from a row (999); lower ones become SQLDefaultUID",
    ),
    DirectiveSpec::new(
        "SQLMinUserGID",
        SERVERS,
        Args::exact(1).checked(check_id),
        false,
        "lowest gid taken from a row (999); lower ones become SQLDefaultGID",
    ),
    DirectiveSpec::new(
        "SQLNegativeCache",
        SERVERS,
        Args::flag(),
        false,
        "remember users the database does not have, until the configuration is reloaded",
    ),
    DirectiveSpec::new(
        "SQLNamedQuery",
        SERVERS,
        Args::range(3, 5).checked(check_named_query),
        true,
        "name SELECT|UPDATE|INSERT|FREEFORM query [table] [connection]; %-variables are bound as parameters",
    ),
    DirectiveSpec::new(
        "SQLLog",
        SERVERS,
        Args::range(2, 3).checked(check_log),
        true,
        "commands (or *, ERR_ prefixed for failures) query-name [IGNORE_ERRORS]",
    ),
    DirectiveSpec::new(
        "SQLLogOnEvent",
        SERVERS,
        Args::range(2, 3).checked(check_log),
        true,
        "event query-name [IGNORE_ERRORS]: run a named query when the event happens",
    )
    .partial("events: ExitLog (session end) and mod_auth.authentication-code failures are run; others are accepted and never happen"),
    DirectiveSpec::new(
        "SQLShowInfo",
        SERVERS,
        Args::exact(3).checked(check_show_info),
        true,
        "command reply-code message: one more reply line after the command (%{name} runs a named SELECT)",
    ),
    DirectiveSpec::new(
        "SQLLogFile",
        SERVERS,
        Args::exact(1).checked(check_log_file),
        false,
        "the module's own log file",
    ),
    DirectiveSpec::new(
        "SQLOptions",
        SERVERS,
        Args::at_least(1).checked(check_options),
        false,
        "NoDisconnectOnError, UseNormalizedGroupSchema, NoReconnect, IgnoreConfigFile",
    ),
    DirectiveSpec::new(
        "SQLKeepAlive",
        SERVERS,
        Args::range(1, 2).checked(check_keepalive),
        false,
        "seconds [statement]: run the statement (SELECT 1) on idle pooled connections",
    ),
];

fn check_engine(args: &[String]) -> Result<(), String> {
    match args[0].to_ascii_lowercase().as_str() {
        "on" | "off" | "auth" | "log" | "yes" | "no" | "true" | "false" | "1" | "0" => Ok(()),
        other => Err(format!("unknown SQLEngine parameter '{other}'")),
    }
}

fn check_backend(args: &[String]) -> Result<(), String> {
    crate::connect::Kind::from_backend(&args[0]).map(|_| ())
}

fn check_connect_info(args: &[String]) -> Result<(), String> {
    crate::connect::ConnectInfo::parse(args, None).map(|_| ())
}

fn check_authenticate(args: &[String]) -> Result<(), String> {
    crate::settings::AuthMask::parse(args).map(|_| ())
}

fn check_auth_types(args: &[String]) -> Result<(), String> {
    for a in args {
        crate::authtypes::AuthType::parse(a)?;
    }
    Ok(())
}

fn check_user_info(args: &[String]) -> Result<(), String> {
    crate::settings::UserInfo::parse(args).map(|_| ())
}

fn check_group_info(args: &[String]) -> Result<(), String> {
    crate::settings::GroupInfo::parse(args).map(|_| ())
}

fn check_id(args: &[String]) -> Result<(), String> {
    args[0]
        .parse::<u32>()
        .map(|_| ())
        .map_err(|_| format!("'{}' is not a valid id", args[0]))
}

fn check_named_query(args: &[String]) -> Result<(), String> {
    crate::settings::NamedQuery::parse(args).map(|_| ())
}

fn check_log(args: &[String]) -> Result<(), String> {
    match args.get(2) {
        Some(flag) if !flag.eq_ignore_ascii_case("IGNORE_ERRORS") => {
            Err(format!("expected IGNORE_ERRORS, not '{flag}'"))
        }
        _ => Ok(()),
    }
}

fn check_show_info(args: &[String]) -> Result<(), String> {
    match args[1].parse::<u16>() {
        Ok(200..=599) => Ok(()),
        _ => Err(format!("'{}' is not a reply code", args[1])),
    }
}

fn check_log_file(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') {
        Ok(())
    } else {
        Err(format!("must be a full path: '{}'", args[0]))
    }
}

fn check_options(args: &[String]) -> Result<(), String> {
    crate::settings::Options::parse(args).map(|_| ())
}

fn check_keepalive(args: &[String]) -> Result<(), String> {
    args[0]
        .parse::<u32>()
        .map(|_| ())
        .map_err(|_| format!("'{}' is not a number of seconds", args[0]))
}
