//! mod_auth.c: logins, jails, aliases and login-time limits.

pub mod create_home;

use super::{d, partial};
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, Kind, ModuleSpec};

const S: C = C::SERVERS;
const SA: C = C::SERVERS_ANON;

/// The mod_auth.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_auth.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "CreateHome",
        S,
        Args::at_least(1).checked(create_home::check),
        false,
        "make a missing home directory at login (mode, parents' mode and owner, skeleton)",
    ),
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
        Args::duration(),
        false,
        "seconds allowed to complete a login",
    ),
    d(
        "TimeoutSession",
        SA,
        Args::range(1, 3).typed(Kind::Duration),
        false,
        "longest session, in seconds",
    ),
    d(
        "AllowChrootSymlinks",
        C::SERVERS,
        Args::flag(),
        false,
        "off: refuse a DefaultRoot or <Anonymous> root reached through a symlink",
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
        Args::flag(),
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
    d(
        "AuthUsingAlias",
        C::ANON,
        Args::flag(),
        false,
        "with AnonRequirePassword, check the password of the alias logged in with, not of the real user",
    ),
];

/// mod_auth's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `MaxClients number|none [message]`.
    pub max_clients: Option<Vec<String>>,
    /// `MaxClientsPerClass class number|none [message]`, every occurrence, most specific first.
    pub max_clients_per_class: Vec<Vec<String>>,
    /// `MaxClientsPerHost number|none [message]`.
    pub max_clients_per_host: Option<Vec<String>>,
    /// `MaxClientsPerUser number|none [message]`.
    pub max_clients_per_user: Option<Vec<String>>,
    /// `MaxHostsPerUser number|none [message]`.
    pub max_hosts_per_user: Option<Vec<String>>,
    /// `UseFtpUsers` (on by default).
    pub use_ftp_users: bool,
    /// `AllowEmptyPasswords`, when set at this level (on by default).
    pub allow_empty_passwords: Option<bool>,
    /// `DefaultChdir path [group-expression]`, every occurrence, most specific first.
    pub default_chdir: Vec<Vec<String>>,
    /// `WtmpLog` (on by default).
    pub wtmp_log: bool,
    /// `DisplayLogin` file.
    pub display_login: Option<String>,
    /// `AccessGrantMsg` text.
    pub access_grant_msg: Option<String>,
    /// `AccessDenyMsg` text.
    pub access_deny_msg: Option<String>,
    /// `UserAlias alias user`, every occurrence, most specific first.
    pub user_alias: Vec<Vec<String>>,
    /// `AnonRequirePassword` (off by default).
    pub anon_require_password: bool,
    /// `AnonRejectPasswords regex [[NC]]`.
    pub anon_reject_passwords: Option<Vec<String>>,
    /// `UserPassword user hash`, every occurrence, most specific first.
    pub user_password: Vec<Vec<String>>,
    /// `AnonymousGroup group-expression`, every occurrence, most specific first.
    pub anonymous_group: Vec<Vec<String>>,
    /// `AuthAliasOnly` (off by default).
    pub auth_alias_only: bool,
    /// `AuthUsingAlias` (off by default).
    pub auth_using_alias: bool,
    /// `TimeoutLogin` seconds.
    pub timeout_login: Option<u64>,
    /// `TimeoutSession` seconds.
    pub timeout_session: Option<u64>,
    /// `AllowChrootSymlinks` (on by default).
    pub allow_chroot_symlinks: bool,
    /// `DefaultRoot path [group-expression]`, every occurrence, most specific first.
    pub default_root: Vec<Vec<String>>,
    /// `RequireValidShell` (on by default).
    pub require_valid_shell: bool,
    /// `RootLogin` (off by default).
    pub root_login: bool,
    /// `RootRevoke` word.
    pub root_revoke: Option<String>,
    /// `MaxLoginAttempts`.
    pub max_login_attempts: Option<u32>,
    /// `CreateHome on …`.
    pub create_home: Option<create_home::CreateHome>,
}

impl View {
    /// Reads mod_auth's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            max_clients: m.args("MaxClients"),
            max_clients_per_class: m.all_args("MaxClientsPerClass"),
            max_clients_per_host: m.args("MaxClientsPerHost"),
            max_clients_per_user: m.args("MaxClientsPerUser"),
            max_hosts_per_user: m.args("MaxHostsPerUser"),
            use_ftp_users: m.flag("UseFtpUsers").unwrap_or(true),
            allow_empty_passwords: m.flag("AllowEmptyPasswords"),
            default_chdir: m.all_args("DefaultChdir"),
            wtmp_log: m.flag("WtmpLog").unwrap_or(true),
            display_login: m.arg("DisplayLogin", 0),
            access_grant_msg: m.arg("AccessGrantMsg", 0),
            access_deny_msg: m.arg("AccessDenyMsg", 0),
            user_alias: m.all_args("UserAlias"),
            anon_require_password: m.flag("AnonRequirePassword").unwrap_or(false),
            anon_reject_passwords: m.args("AnonRejectPasswords"),
            user_password: m.all_args("UserPassword"),
            anonymous_group: m.all_args("AnonymousGroup"),
            auth_alias_only: m.flag("AuthAliasOnly").unwrap_or(false),
            auth_using_alias: m.flag("AuthUsingAlias").unwrap_or(false),
            timeout_login: m.duration("TimeoutLogin"),
            timeout_session: m.duration("TimeoutSession"),
            allow_chroot_symlinks: m.flag("AllowChrootSymlinks").unwrap_or(true),
            default_root: m.all_args("DefaultRoot"),
            require_valid_shell: m.flag("RequireValidShell").unwrap_or(true),
            root_login: m.flag("RootLogin").unwrap_or(false),
            root_revoke: m.arg("RootRevoke", 0),
            max_login_attempts: m.number("MaxLoginAttempts", 0),
            create_home: m
                .args("CreateHome")
                .and_then(|a| create_home::parse(&a).ok().flatten()),
        }
    }
}
