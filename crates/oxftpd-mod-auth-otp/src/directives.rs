//! mod_auth_otp's directives, as 1.3.8's `auth_otp_conftab` has them.
//!
//! Every row is implemented but `AuthOTPOptions DisplayVerificationCode`, refused with its
//! reason: it only changes mod_sftp's keyboard-interactive prompt, which oxftpd's mod_sftp
//! does not offer for one-time passwords.

use oxftpd_config::{Args, Contexts, DirectiveSpec, ModuleSpec};

use crate::otp::Algorithm;
use crate::settings::{Options, parse_table};

/// Where mod_auth_otp's directives go: the main server, `<VirtualHost>` and `<Global>`.
const SERVERS: Contexts = Contexts::SERVERS;

/// mod_auth_otp.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_auth_otp.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "AuthOTPAlgorithm",
        SERVERS,
        Args::exact(1).checked(check_algorithm),
        false,
        "hotp, totp (the default, HMAC-SHA1), totp-sha256 or totp-sha512",
    ),
    DirectiveSpec::new(
        "AuthOTPEngine",
        SERVERS,
        Args::flag(),
        false,
        "on|off: one-time passwords for logins (off by default)",
    ),
    DirectiveSpec::new(
        "AuthOTPLog",
        SERVERS,
        Args::exact(1).checked(check_log),
        false,
        "path|none: mod_auth_otp's own log",
    ),
    DirectiveSpec::new(
        "AuthOTPOptions",
        SERVERS,
        Args::at_least(1).checked(check_options),
        false,
        "FTPStandardResponse (StandardResponse) RequireTableEntry",
    ),
    DirectiveSpec::new(
        "AuthOTPTable",
        SERVERS,
        Args::exact(1).checked(check_table),
        false,
        "sql:/select-query/update-query: mod_sql's named queries for a user's secret and counter",
    ),
    DirectiveSpec::new(
        "AuthOTPTableLock",
        SERVERS,
        Args::exact(1).checked(check_lock),
        false,
        "path of a lock file held while a HOTP counter is read and moved on",
    ),
];

fn check_algorithm(args: &[String]) -> Result<(), String> {
    Algorithm::parse(&args[0]).map(|_| ())
}

fn check_options(args: &[String]) -> Result<(), String> {
    Options::parse(args).map(|_| ())
}

fn check_table(args: &[String]) -> Result<(), String> {
    parse_table(&args[0]).map(|_| ())
}

fn check_log(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') || args[0].eq_ignore_ascii_case("none") {
        Ok(())
    } else {
        Err(format!("must be a full path or none: '{}'", args[0]))
    }
}

fn check_lock(args: &[String]) -> Result<(), String> {
    if args[0].starts_with('/') {
        Ok(())
    } else {
        Err(format!("must be a full path: '{}'", args[0]))
    }
}
