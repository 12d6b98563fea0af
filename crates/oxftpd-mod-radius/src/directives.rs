//! mod_radius's directives, as 1.3.8's `radius_conftab` has them.
//!
//! Every row is implemented. `RadiusQuotaInfo` is refused with its reason by the
//! configuration crate's `REJECTED` list: its only reader is mod_quotatab_radius.c.

use oxftpd_config::{Args, Contexts, DirectiveSpec, ModuleSpec};

use crate::settings::{self, GroupInfo, Options, UserInfo};

/// Where mod_radius's directives go: the main server, `<VirtualHost>` and `<Global>`.
const SERVERS: Contexts = Contexts::SERVERS;

/// mod_radius.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_radius.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "RadiusAcctServer",
        SERVERS,
        Args::range(2, 3).checked(check_acct_server),
        true,
        "server[:port] shared-secret [timeout]: accounting (Start at login, Stop with bytes and time at the end), servers tried in order",
    ),
    DirectiveSpec::new(
        "RadiusAuthServer",
        SERVERS,
        Args::range(2, 3).checked(check_auth_server),
        true,
        "server[:port] shared-secret [timeout]: authentication by Access-Request, servers tried in order",
    ),
    DirectiveSpec::new(
        "RadiusEngine",
        SERVERS,
        Args::flag(),
        false,
        "on|off: RADIUS authentication and accounting (off by default)",
    ),
    DirectiveSpec::new(
        "RadiusGroupInfo",
        SERVERS,
        Args::exact(3).checked(check_group_info),
        false,
        "primary-group-name suppl-names suppl-ids, each fixed or $(vsa-id:default)",
    ),
    DirectiveSpec::new(
        "RadiusLog",
        SERVERS,
        Args::exact(1).checked(check_log),
        false,
        "file|none: mod_radius's own log",
    ),
    DirectiveSpec::new(
        "RadiusNASIdentifier",
        SERVERS,
        Args::exact(1),
        false,
        "the NAS-Identifier sent in every request (ftp)",
    ),
    DirectiveSpec::new(
        "RadiusOptions",
        SERVERS,
        Args::at_least(1).checked(check_options),
        false,
        "IgnoreClass IgnoreReplyMessage IgnoreIdleTimeout IgnoreSessionTimeout RequireMAC",
    ),
    DirectiveSpec::new(
        "RadiusRealm",
        SERVERS,
        Args::exact(1),
        false,
        "a realm appended to the user name in requests",
    ),
    DirectiveSpec::new(
        "RadiusUserInfo",
        SERVERS,
        Args::exact(4).checked(check_user_info),
        false,
        "uid gid home shell, each fixed or $(vsa-id:default); without it RADIUS only checks the password",
    ),
    DirectiveSpec::new(
        "RadiusVendor",
        SERVERS,
        Args::exact(2).checked(check_vendor),
        false,
        "name id: the vendor whose Vendor-Specific attributes $(id:default) reads (Unix 4)",
    ),
];

fn check_auth_server(args: &[String]) -> Result<(), String> {
    settings::parse_server(args, settings::AUTH_PORT).map(|_| ())
}

fn check_acct_server(args: &[String]) -> Result<(), String> {
    settings::parse_server(args, settings::ACCT_PORT).map(|_| ())
}

fn check_user_info(args: &[String]) -> Result<(), String> {
    UserInfo::parse(args).map(|_| ())
}

fn check_group_info(args: &[String]) -> Result<(), String> {
    GroupInfo::parse(args).map(|_| ())
}

fn check_options(args: &[String]) -> Result<(), String> {
    Options::parse(args).map(|_| ())
}

fn check_vendor(args: &[String]) -> Result<(), String> {
    settings::parse_vendor(args).map(|_| ())
}

fn check_log(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') || args[0].eq_ignore_ascii_case("none") {
        Ok(())
    } else {
        Err(format!("must be a full path or none: '{}'", args[0]))
    }
}
