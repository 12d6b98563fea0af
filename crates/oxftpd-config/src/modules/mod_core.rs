//! mod_core.c: server identity, listening, limits, filters, hiding and access control.

use super::d;
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, ModuleSpec};

const S: C = C::SERVERS;
const SA: C = C::SERVERS_ANON;
const SAD: C = C::SERVERS_ANON_DIR_FTPACCESS;
const LIMIT: C = C::LIMIT;
const SRV_VHOST: C = C::SERVER.with(C::VHOST);

/// The mod_core.c module.
pub static MODULE: ModuleSpec = ModuleSpec {
    name: "mod_core.c",
    directives: DIRECTIVES,
};

static DIRECTIVES: &[DirectiveSpec] = &[
    d(
        "ServerName",
        SRV_VHOST,
        Args::exact(1),
        false,
        "name shown to clients in the greeting",
    )
    .last_wins(),
    d(
        "ServerType",
        C::SERVER,
        Args::exact(1).checked(c::server_type),
        false,
        "standalone daemon or started by inetd",
    )
    .last_wins(),
    d(
        "ServerIdent",
        S,
        Args::range(1, 2).checked(c::server_ident),
        false,
        "whether and how the server identifies itself in the greeting",
    ),
    d(
        "ServerAdmin",
        SRV_VHOST,
        Args::exact(1),
        false,
        "administrator's email address",
    )
    .last_wins(),
    d(
        "ServerAlias",
        SRV_VHOST,
        Args::at_least(1),
        true,
        "further names for HOST-based virtual hosts",
    ),
    d(
        "Port",
        S,
        Args::exact(1).checked(c::port),
        false,
        "TCP port the server listens on (0 disables)",
    ),
    d(
        "DefaultAddress",
        C::SERVER,
        Args::at_least(1),
        false,
        "addresses the main server binds to",
    )
    .last_wins(),
    d(
        "DefaultServer",
        SRV_VHOST,
        Args::flag(),
        false,
        "server used for connections to unmatched addresses",
    ),
    d(
        "SocketBindTight",
        C::SERVER,
        Args::flag(),
        false,
        "bind each server only to its own addresses",
    )
    .last_wins(),
    d(
        "PassivePorts",
        S,
        Args::exact(2).checked(c::passive_ports),
        false,
        "port range for passive data connections",
    ),
    d(
        "MasqueradeAddress",
        S,
        Args::exact(1),
        false,
        "address announced in PASV replies",
    ),
    d(
        "MaxInstances",
        C::SERVER,
        Args::exact(1).checked(c::positive),
        false,
        "most concurrent child processes",
    )
    .last_wins(),
    d(
        "User",
        SA,
        Args::exact(1),
        false,
        "user the server runs as (or the anonymous user)",
    ),
    d(
        "Group",
        SA,
        Args::exact(1),
        false,
        "group the server runs as (or the anonymous group)",
    ),
    d(
        "Umask",
        C::SERVERS_ANON_DIR.with(C::FTPACCESS),
        Args::range(1, 2).checked(c::umask),
        false,
        "umask for new files and, optionally, directories",
    ),
    d(
        "PidFile",
        C::SERVER,
        Args::exact(1).checked(c::abs_path),
        false,
        "where the daemon writes its pid",
    )
    .last_wins(),
    d(
        "ScoreboardFile",
        C::SERVER,
        Args::exact(1).checked(c::abs_path),
        false,
        "the session scoreboard, in ProFTPD 1.3.8's layout (ftpwho, ftpcount, ftptop read it)",
    )
    .last_wins(),
    d(
        "ScoreboardMutex",
        C::SERVER,
        Args::exact(1).checked(c::abs_path),
        false,
        "the lock file for claiming scoreboard slots (default: ScoreboardFile plus .lck)",
    )
    .last_wins(),
    d(
        "ScoreboardScrub",
        C::SERVER,
        Args::exact(1).checked(scrub),
        false,
        "free the entries of vanished processes: on (every 30 s), off, or every N seconds",
    ),
    d(
        "TimeoutIdle",
        SA,
        Args::exact(1).checked(c::timeout),
        false,
        "seconds a control connection may be idle",
    ),
    d(
        "UseReverseDNS",
        C::SERVER,
        Args::flag(),
        false,
        "resolve client addresses to names",
    )
    .last_wins(),
    d(
        "UseIPv6",
        C::SERVER,
        Args::flag(),
        false,
        "enable IPv6 support",
    )
    .last_wins(),
    d(
        "DeferWelcome",
        S,
        Args::flag(),
        false,
        "hide the server name until login",
    ),
    d(
        "AllowOverride",
        C::SERVERS_ANON_DIR,
        Args::at_least(1).checked(c::allow_override),
        false,
        "whether .ftpaccess files are read (default on; per user/group/class inside <IfUser>/<IfGroup>/<IfClass>)",
    ),
    d(
        "AllowOverwrite",
        SAD,
        Args::flag(),
        false,
        "let uploads replace existing files",
    ),
    d(
        "DisplayConnect",
        S,
        Args::exact(1),
        false,
        "file shown before login",
    ),
    d(
        "MaxConnectionsPerHost",
        S,
        Args::range(1, 2),
        false,
        "most concurrent connections from one address, checked before the greeting",
    ),
    d(
        "DisplayChdir",
        C::SERVERS_ANON_DIR,
        Args::range(1, 2).checked(c::display_chdir),
        false,
        "file shown on entering a directory",
    ),
    d(
        "DisplayQuit",
        SA,
        Args::exact(1),
        false,
        "file shown on QUIT",
    ),
    d(
        "AllowForeignAddress",
        SA,
        Args::exact(1).checked(c::any),
        false,
        "allow PORT/EPRT to addresses other than the client's",
    ),
    d(
        "CommandBufferSize",
        S,
        Args::exact(1).checked(c::buffer_size),
        false,
        "longest accepted command line",
    ),
    d(
        "SyslogFacility",
        S,
        Args::exact(1).checked(c::syslog_facility),
        false,
        "syslog facility for logging",
    )
    .last_wins(),
    d(
        "SyslogLevel",
        S,
        Args::exact(1).checked(c::syslog_level),
        false,
        "least severe level logged",
    ),
    d(
        "AllowFilter",
        SAD.with(LIMIT),
        Args::range(1, 2).checked(c::regex),
        false,
        "regex every command argument must match",
    ),
    d(
        "DenyFilter",
        SAD.with(LIMIT),
        Args::range(1, 2).checked(c::regex),
        false,
        "regex no command argument may match",
    ),
    d(
        "PathAllowFilter",
        SAD,
        Args::range(1, 2).checked(c::regex),
        false,
        "regex new file names must match",
    ),
    d(
        "PathDenyFilter",
        SAD,
        Args::range(1, 2).checked(c::regex),
        false,
        "regex new file names must not match",
    ),
    d(
        "HideFiles",
        C::DIR.with(C::FTPACCESS),
        Args::range(1, 3).checked(c::hide_files),
        false,
        "hide names matching a regex",
    ),
    d(
        "HideNoAccess",
        C::ANON.with(C::DIR),
        Args::flag(),
        false,
        "hide entries the user cannot access",
    ),
    d(
        "HideUser",
        C::ANON.with(C::DIR),
        Args::exact(1),
        false,
        "hide entries owned by a user",
    ),
    d(
        "HideGroup",
        C::ANON.with(C::DIR),
        Args::exact(1),
        false,
        "hide entries owned by a group",
    ),
    d(
        "IgnoreHidden",
        LIMIT,
        Args::flag(),
        false,
        "treat hidden entries as absent for the limited commands",
    ),
    d(
        "Order",
        LIMIT,
        Args::range(1, 2).checked(c::order),
        false,
        "order of Allow and Deny evaluation",
    ),
    d(
        "Allow",
        LIMIT,
        Args::at_least(1).checked(c::allow_deny),
        true,
        "addresses allowed",
    ),
    d(
        "Deny",
        LIMIT,
        Args::at_least(1).checked(c::allow_deny),
        true,
        "addresses denied",
    ),
    d(
        "AllowAll",
        C::ANON.with(C::DIR).with(LIMIT).with(C::FTPACCESS),
        Args::exact(0),
        false,
        "allow everyone",
    ),
    d(
        "DenyAll",
        C::ANON.with(C::DIR).with(LIMIT).with(C::FTPACCESS),
        Args::exact(0),
        false,
        "deny everyone",
    ),
    d(
        "AllowUser",
        LIMIT,
        Args::at_least(1),
        true,
        "users allowed (a comma list is an AND expression)",
    ),
    d(
        "DenyUser",
        LIMIT,
        Args::at_least(1),
        true,
        "users denied (a comma list is an AND expression)",
    ),
    d(
        "AllowGroup",
        LIMIT,
        Args::at_least(1),
        true,
        "groups allowed (a comma list is an AND expression)",
    ),
    d(
        "DenyGroup",
        LIMIT,
        Args::at_least(1),
        true,
        "groups denied (a comma list is an AND expression)",
    ),
    d(
        "AllowClass",
        LIMIT,
        Args::at_least(1),
        true,
        "classes allowed",
    ),
    d(
        "DenyClass",
        LIMIT,
        Args::at_least(1),
        true,
        "classes denied",
    ),
    d(
        "From",
        C::CLASS,
        Args::at_least(1),
        true,
        "addresses or names that belong to the class",
    ),
    d(
        "Satisfy",
        C::CLASS,
        Args::exact(1).checked(satisfy),
        false,
        "whether any or all From rules must match",
    )
    .last_wins(),
    d(
        "AuthOrder",
        S,
        Args::at_least(1).checked(c::auth_order),
        false,
        "authentication modules to consult, in order",
    ),
    d(
        "Include",
        C::SERVERS_ANON_DIR.with(LIMIT),
        Args::exact(1),
        true,
        "read further configuration files",
    ),
    d(
        "Define",
        SAD.with(LIMIT),
        Args::range(1, 2),
        true,
        "define a name for <IfDefine> and %{NAME}",
    ),
];

fn satisfy(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    if a.eq_ignore_ascii_case("any") || a.eq_ignore_ascii_case("all") {
        Ok(())
    } else {
        Err(format!("'{a}' is not one of: any, all"))
    }
}

/// `ScoreboardScrub on|off|secs`.
fn scrub(args: &[String]) -> Result<(), String> {
    let v = &args[0];
    if c::parse_flag(v).is_some() || v.parse::<u32>().is_ok_and(|n| n > 0) {
        Ok(())
    } else {
        Err(format!("expected on, off or a number of seconds: '{v}'"))
    }
}
