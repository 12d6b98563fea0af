//! mod_auth.c: logins, jails, aliases and login-time limits.

use super::{d, partial};
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

const S: C = C::SERVERS;
const SA: C = C::SERVERS_ANON;

/// The mod_auth.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_auth.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "AllowEmptyPasswords",
        SA,
        Args::flag(),
        false,
        "whether PASS with an empty password reaches the auth chain (default on)",
    ),
    d(
        "MaxClients",
        SA,
        Args::range(1, 2).checked(c::max_clients),
        false,
        "most concurrent logins, with an optional message",
    ),
    d(
        "MaxClientsPerClass",
        S,
        Args::range(2, 3),
        true,
        "most concurrent logins from one class, with an optional message",
    ),
    d(
        "MaxClientsPerHost",
        SA,
        Args::range(1, 2),
        false,
        "most concurrent logins from one address, with an optional message",
    ),
    d(
        "MaxClientsPerUser",
        SA,
        Args::range(1, 2),
        false,
        "most concurrent logins of one user, with an optional message",
    ),
    d(
        "MaxHostsPerUser",
        SA,
        Args::range(1, 2),
        false,
        "most addresses one user may be logged in from at once, with an optional message",
    ),
    d(
        "UseFtpUsers",
        SA,
        Args::flag(),
        false,
        "refuse users listed in /etc/ftpusers",
    ),
    d(
        "TimeoutLogin",
        S,
        Args::exact(1).checked(c::timeout),
        false,
        "seconds allowed to complete a login",
    ),
    d(
        "TimeoutSession",
        SA,
        Args::range(1, 3).checked(c::timeout),
        false,
        "longest session, in seconds",
    ),
    d(
        "DefaultRoot",
        S,
        Args::range(1, 2).checked(c::default_root),
        true,
        "chroot users into a directory, optionally only for a group expression",
    ),
    d(
        "DefaultChdir",
        SA,
        Args::range(1, 2),
        true,
        "directory to change into after login",
    ),
    d(
        "RequireValidShell",
        SA,
        Args::flag(),
        false,
        "refuse users whose shell is not in /etc/shells",
    ),
    d("RootLogin", SA, Args::flag(), false, "allow root to log in"),
    d(
        "RootRevoke",
        SA,
        Args::exact(1).checked(c::root_revoke),
        false,
        "source port of active data connections (off: control port minus one); sessions never hold root",
    ),
    d(
        "WtmpLog",
        SA,
        Args::exact(1).checked(c::flag),
        false,
        "wtmp login/logout records (on by default; `ut_line` ftpd<pid>.<n>)",
    ),
    d(
        "DisplayLogin",
        SA,
        Args::exact(1),
        false,
        "file shown after a successful login",
    ),
    d(
        "AccessGrantMsg",
        SA,
        Args::exact(1),
        false,
        "text of the reply to a successful login",
    ),
    d(
        "AccessDenyMsg",
        SA,
        Args::exact(1),
        false,
        "text of the reply to a failed login",
    ),
    d(
        "MaxLoginAttempts",
        S,
        Args::exact(1).checked(c::max_login_attempts),
        false,
        "failed logins allowed before disconnecting",
    ),
    d(
        "UserAlias",
        SA,
        Args::exact(2),
        true,
        "login name that maps to a real user",
    ),
    d(
        "AnonRequirePassword",
        C::ANON,
        Args::flag(),
        false,
        "anonymous logins need the user's real password",
    ),
    d(
        "AnonRejectPasswords",
        C::ANON,
        Args::range(1, 2),
        false,
        "regex of anonymous passwords to refuse",
    ),
    d(
        "UserPassword",
        SA,
        Args::exact(2),
        true,
        "a user's password hash in this context",
    ),
    partial(
        "AnonymousGroup",
        S,
        Args::at_least(1),
        true,
        "oxftpd extension: ProFTPD 1.3.8 no longer has it (the FAQ still uses it)",
        "users of these groups log in as anonymous",
    ),
    d(
        "AuthAliasOnly",
        SA,
        Args::flag(),
        false,
        "only UserAlias names may log in",
    ),
];
