//! mod_core.c: server identity, listening, limits, filters, hiding and access control.

pub mod socket_options;

use super::{d, partial};
use crate::check as c;
use crate::registry::{Args, Contexts as C, DirectiveSpec, Kind, ModuleSpec};

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
        "SocketOptions",
        C::SERVER.with(C::VHOST),
        Args::at_least(2).checked(socket_options::check),
        false,
        "TCP options of the server's connections: maxseg, rcvbuf, sndbuf (data), keepalive (control)",
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
        "MaxCommandRate",
        C::SERVERS,
        Args::range(1, 2).checked(check_rate_interval),
        false,
        "commands a session may send per interval before each further one is delayed",
    ),
    d(
        "MaxConnectionRate",
        C::SERVER,
        Args::range(1, 2).checked(check_rate_interval),
        false,
        "connections the daemon accepts per interval; more are closed",
    )
    .last_wins(),
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
        Args::range(1, 2).typed(Kind::Umask),
        false,
        "umask for new files and, optionally, directories",
    ),
    d(
        "SandboxLandlock",
        C::SERVER,
        Args::flag(),
        false,
        "oxftpd extension: after binding and opening logs, confine the daemon with Landlock to the paths its configuration serves, logs to and reads (on by default where the kernel has Landlock)",
    )
    .last_wins(),
    d(
        "SandboxSeccomp",
        C::SERVER,
        Args::flag(),
        false,
        "oxftpd extension: after binding and opening logs, refuse clearly dangerous system calls (ptrace, mount, bpf, kexec, module loading, …) with a seccomp filter (on by default)",
    )
    .last_wins(),
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
        "CounterStore",
        C::SERVER,
        Args::range(1, 2).checked(counter_store),
        false,
        "where counters that outlive a session are kept (mod_ban's bans and event counts): sqlite PATH, sql (mod_sql's SQLConnectInfo), redis (mod_redis's RedisServer) or memory; default: redis with BanCache redis:, else sqlite beside the ScoreboardFile",
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
        Args::duration(),
        false,
        "seconds a control connection may be idle",
    ),
    partial(
        "DebugLevel",
        C::SERVER.with(C::GLOBAL),
        Args::exact(1).checked(debug_level),
        false,
        "one level for the whole daemon (its log is one): the server config's value applies to \
         virtual hosts' sessions too, and a <VirtualHost> of its own is refused",
        "debugging level 0-10 of the log, taking precedence over -d",
    ),
    d(
        "TimeoutLinger",
        S,
        Args::exact(1).checked(crate::trace::check_linger),
        false,
        "seconds a closing data connection waits for the client's end before the reply (default 10)",
    ),
    d(
        "TraceLog",
        C::SERVER.with(C::GLOBAL),
        Args::exact(1).checked(c::abs_path),
        false,
        "file the trace channels are written to, opened as root at start",
    )
    .last_wins(),
    partial(
        "Trace",
        S,
        Args::at_least(1).checked(crate::trace::check_trace),
        true,
        "channels written: command, response, data, auth, tls, fsio, xfer (others accepted, never written); \
         per-user levels inside <IfUser>/<IfGroup>/<IfClass> are not applied",
        "trace channels and their levels, e.g. DEFAULT:10 fsio:0",
    ),
    d(
        "TraceOptions",
        S,
        Args::at_least(1).checked(crate::trace::check_trace_options),
        false,
        "fields of trace lines: +/-ConnIPs, Timestamp, TimestampMillis",
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

fn debug_level(args: &[String]) -> Result<(), String> {
    let a = args.first().map(String::as_str).unwrap_or("");
    match a.parse::<u8>() {
        Ok(n) if n <= 10 => Ok(()),
        _ => Err(format!("'{a}' is not a debug level (0-10)")),
    }
}

/// `ScoreboardScrub on|off|secs`.
fn counter_store(args: &[String]) -> Result<(), String> {
    CounterStoreChoice::parse(args).map(|_| ())
}

/// `CounterStore`: where the counters that outlive a session are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterStoreChoice {
    /// `memory`: in the daemon's memory only (lost when it stops).
    Memory,
    /// `sqlite PATH`: a SQLite database file.
    Sqlite(String),
    /// `sql`: the database of mod_sql's `SQLConnectInfo` (of the first server that has one).
    Sql,
    /// `redis`: the main server's `RedisServer` (mod_redis), shared by every node using it.
    Redis,
}

impl CounterStoreChoice {
    /// The choice `CounterStore` writes.
    pub fn parse(args: &[String]) -> Result<CounterStoreChoice, String> {
        let kind = args
            .first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        match (kind.as_str(), args.get(1)) {
            ("memory", None) => Ok(CounterStoreChoice::Memory),
            ("sql", None) => Ok(CounterStoreChoice::Sql),
            ("redis", None) => Ok(CounterStoreChoice::Redis),
            ("sqlite", Some(path)) if path.starts_with('/') => {
                Ok(CounterStoreChoice::Sqlite(path.clone()))
            }
            ("sqlite", Some(path)) => Err(format!("'{path}' is not an absolute path")),
            ("sqlite", None) => Err("sqlite needs the database file's path".into()),
            _ => Err(format!(
                "expected 'sqlite PATH', 'sql', 'redis' or 'memory', not '{}'",
                args.join(" ")
            )),
        }
    }
}

fn scrub(args: &[String]) -> Result<(), String> {
    let v = &args[0];
    if c::parse_flag(v).is_some() || v.parse::<u32>().is_ok_and(|n| n > 0) {
        Ok(())
    } else {
        Err(format!("expected on, off or a number of seconds: '{v}'"))
    }
}

/// The directives that can hide a directory entry.
const HIDING: [&str; 4] = ["HideFiles", "HideUser", "HideGroup", "HideNoAccess"];

/// Whether any context of `server` could hide a directory entry (`HideFiles`, `HideUser`,
/// `HideGroup`, `HideNoAccess`).
pub fn server_hides(server: &crate::Server) -> bool {
    server.mentions_anywhere(&HIDING)
}

/// Whether a `.ftpaccess` block could hide a directory entry.
pub fn block_hides(block: &crate::Block) -> bool {
    HIDING.iter().any(|n| block.directive(n).is_some())
}

/// mod_core's settings in force for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `AllowOverwrite` (off by default).
    pub allow_overwrite: bool,
    /// `AllowOverride` (on by default).
    pub allow_override: bool,
    /// `HideFiles` arguments (`regex|none [user|group|class expr]`).
    pub hide_files: Option<Vec<String>>,
    /// `HideUser` first arguments, most specific first.
    pub hide_user: Vec<String>,
    /// `HideGroup` first arguments, most specific first.
    pub hide_group: Vec<String>,
    /// `HideNoAccess`.
    pub hide_no_access: bool,
    /// Whether any of `HideFiles`, `HideUser`, `HideGroup`, `HideNoAccess` is set.
    pub hides: bool,
    /// `DisplayChdir file [on|off]`: the file, and whether it is shown once only.
    pub display_chdir: Option<(String, bool)>,
    /// `DisplayQuit` file.
    pub display_quit: Option<String>,
    /// `AllowFilter regex [flags]`.
    pub allow_filter: Option<Vec<String>>,
    /// `DenyFilter regex [flags]`.
    pub deny_filter: Option<Vec<String>>,
    /// `PathAllowFilter regex [flags]`.
    pub path_allow_filter: Option<Vec<String>>,
    /// `PathDenyFilter regex [flags]`.
    pub path_deny_filter: Option<Vec<String>>,
    /// `MaxConnectionsPerHost number|none [message]`.
    pub max_connections_per_host: Option<Vec<String>>,
    /// `UseReverseDNS` (on by default).
    pub use_reverse_dns: bool,
    /// `ServerAlias` names, every occurrence.
    pub server_alias: Vec<String>,
    /// `MaxCommandRate count [interval]`: `(count, interval seconds)`; a count of 0 is off.
    pub max_command_rate: Option<(u64, u64)>,
    /// `MaxConnectionRate count [interval]`: `(count, interval seconds)`; a count of 0 is off.
    pub max_connection_rate: Option<(u64, u64)>,
    /// `MaxInstances` with where it was written.
    pub max_instances: Option<crate::Located<Option<usize>>>,
    /// `User` (the daemon's user; in `<Anonymous>`, the anonymous login's user).
    pub user: Option<String>,
    /// `Group`.
    pub group: Option<String>,
    /// `AuthOrder` module names, with where they were written.
    pub auth_order: Option<crate::Located<Vec<String>>>,
    /// `ServerName`.
    pub server_name: Option<String>,
    /// `ServerIdent on|off [text]`: on or off, and the text.
    pub server_ident: Option<(bool, Option<String>)>,
    /// `ServerAdmin`.
    pub server_admin: Option<String>,
    /// `Port`.
    pub port: Option<u16>,
    /// `DefaultAddress` names, with where they were written (resolved when the server starts).
    pub default_address: Option<crate::Located<Vec<String>>>,
    /// `DefaultServer` (off by default).
    pub default_server: bool,
    /// `SocketBindTight` (off by default).
    pub socket_bind_tight: bool,
    /// `SocketOptions` of the server's connections.
    pub socket_options: socket_options::SocketOptions,
    /// `PassivePorts min max` (checked when the file is read).
    pub passive_ports: Option<(u16, u16)>,
    /// `MasqueradeAddress`, with where it was written (resolved when the server starts).
    pub masquerade_address: Option<crate::Located<String>>,
    /// `TimeoutLinger` seconds, when set.
    pub timeout_linger: Option<u64>,
    /// `TimeoutIdle` seconds.
    pub timeout_idle: Option<u64>,
    /// `Umask file [dir]`: the file and directory masks.
    pub umask: Option<(u32, u32)>,
    /// `DeferWelcome` (off by default).
    pub defer_welcome: bool,
    /// `DisplayConnect` file.
    pub display_connect: Option<String>,
    /// `AllowForeignAddress` (off by default; a class name counts as off).
    pub allow_foreign_address: bool,
    /// `CommandBufferSize` bytes.
    pub command_buffer_size: Option<usize>,
    /// `UseIPv6` (on by default).
    pub use_ipv6: bool,
}

/// `count [interval]` of `MaxCommandRate`/`MaxConnectionRate` (interval 1 by default).
fn rate_interval(args: &[String]) -> Result<(u64, u64), String> {
    let count = args
        .first()
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or("invalid rate")?;
    let count = u64::try_from(count).map_err(|_| "rate must be positive")?;
    let interval = match args.get(1) {
        Some(i) => i
            .parse::<u64>()
            .ok()
            .filter(|i| *i >= 1)
            .ok_or("interval must be greater than zero")?,
        None => 1,
    };
    Ok((count, interval))
}

/// Checks `MaxCommandRate`/`MaxConnectionRate`.
fn check_rate_interval(args: &[String]) -> Result<(), String> {
    rate_interval(args).map(drop)
}

impl View {
    /// Reads mod_core's settings from a merged scope.
    pub fn read(m: &crate::Merged<'_>) -> View {
        View {
            allow_overwrite: m.flag("AllowOverwrite").unwrap_or(false),
            allow_override: m.flag("AllowOverride").unwrap_or(true),
            hide_files: m.args("HideFiles"),
            hide_user: m.all_first("HideUser"),
            hide_group: m.all_first("HideGroup"),
            hide_no_access: m.flag("HideNoAccess").unwrap_or(false),
            hides: HIDING.iter().any(|n| m.has(n)),
            display_chdir: m.one("DisplayChdir").and_then(|d| {
                let once = d.arg(1).and_then(crate::parse_flag) == Some(true);
                d.arg(0).map(|file| (file.to_string(), once))
            }),
            display_quit: m.arg("DisplayQuit", 0),
            allow_filter: m.args("AllowFilter"),
            deny_filter: m.args("DenyFilter"),
            path_allow_filter: m.args("PathAllowFilter"),
            path_deny_filter: m.args("PathDenyFilter"),
            max_connections_per_host: m.args("MaxConnectionsPerHost"),
            use_reverse_dns: m.flag("UseReverseDNS").unwrap_or(true),
            server_alias: m.all_args("ServerAlias").into_iter().flatten().collect(),
            max_command_rate: m
                .args("MaxCommandRate")
                .and_then(|a| rate_interval(&a).ok()),
            max_connection_rate: m
                .args("MaxConnectionRate")
                .and_then(|a| rate_interval(&a).ok()),
            max_instances: m.located("MaxInstances", |d| d.arg(0).and_then(|n| n.parse().ok())),
            user: m.arg("User", 0),
            group: m.arg("Group", 0),
            auth_order: m.located("AuthOrder", |d| d.args.clone()),
            server_name: m.arg("ServerName", 0),
            server_ident: m
                .one("ServerIdent")
                .map(|d| (d.flag(), d.arg(1).map(str::to_string))),
            server_admin: m.arg("ServerAdmin", 0),
            port: m.number("Port", 0),
            default_address: m.located("DefaultAddress", |d| d.args.clone()),
            default_server: m.flag("DefaultServer").unwrap_or(false),
            socket_bind_tight: m.flag("SocketBindTight").unwrap_or(false),
            socket_options: m
                .args("SocketOptions")
                .and_then(|a| socket_options::parse(&a).ok())
                .unwrap_or_default(),
            passive_ports: m.number("PassivePorts", 0).zip(m.number("PassivePorts", 1)),
            masquerade_address: m.located("MasqueradeAddress", |d| {
                d.arg(0).unwrap_or_default().to_string()
            }),
            timeout_idle: m.duration("TimeoutIdle"),
            timeout_linger: m.duration("TimeoutLinger"),
            umask: m
                .umask("Umask", 0)
                .map(|file| (file, m.umask("Umask", 1).unwrap_or(file))),
            defer_welcome: m.flag("DeferWelcome").unwrap_or(false),
            display_connect: m.arg("DisplayConnect", 0),
            allow_foreign_address: m.flag("AllowForeignAddress").unwrap_or(false),
            command_buffer_size: m.number("CommandBufferSize", 0),
            use_ipv6: m.flag("UseIPv6").unwrap_or(true),
        }
    }
}

/// What the daemon process itself is configured with (the main server's own level and
/// `<Global>`), read once by the binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daemon {
    /// `User` to run as, with where it was written.
    pub user: Option<crate::Located<String>>,
    /// `Group` to run as, with where it was written.
    pub group: Option<crate::Located<String>>,
    /// `ServerType` (`standalone` or `inetd`).
    pub server_type: Option<String>,
    /// `PidFile`.
    pub pid_file: Option<String>,
    /// `SandboxLandlock` (oxftpd): on unless set off.
    pub sandbox_landlock: bool,
    /// `SandboxSeccomp` (oxftpd): on unless set off.
    pub sandbox_seccomp: bool,
    /// `ScoreboardFile`.
    pub scoreboard_file: Option<String>,
    /// `ScoreboardMutex`.
    pub scoreboard_mutex: Option<String>,
    /// `CounterStore`, or its default: Redis with `BanCache redis:`, else a SQLite file beside
    /// the `ScoreboardFile` (its path plus `.db`), in memory without one.
    pub counter_store: CounterStoreChoice,
    /// `ScoreboardScrub`: seconds between scrubs (30 by default and for `on`), `None` for off.
    pub scoreboard_scrub: Option<u64>,
    /// `SyslogLevel`.
    pub syslog_level: Option<String>,
    /// `SyslogFacility`.
    pub syslog_facility: Option<String>,
    /// `SystemLog` path or `NONE` (mod_log).
    pub system_log: Option<String>,
    /// `DebugLevel` (takes precedence over `-d`).
    pub debug_level: Option<u8>,
}

impl Daemon {
    /// Reads the daemon's settings from the main server of `config`.
    pub fn of(config: &crate::Config) -> Daemon {
        let m = crate::Merged::of(&config.main_server().scope(None));
        let word = |name| m.located(name, |d| d.arg(0).unwrap_or("").to_string());
        Daemon {
            user: word("User"),
            group: word("Group"),
            server_type: m.arg("ServerType", 0),
            pid_file: m.arg("PidFile", 0),
            sandbox_landlock: m.flag("SandboxLandlock").unwrap_or(true),
            sandbox_seccomp: m.flag("SandboxSeccomp").unwrap_or(true),
            scoreboard_file: m.arg("ScoreboardFile", 0),
            scoreboard_mutex: m.arg("ScoreboardMutex", 0),
            counter_store: m
                .located("CounterStore", |d| CounterStoreChoice::parse(&d.args))
                .and_then(|l| l.value.ok())
                .unwrap_or_else(|| match m.arg("ScoreboardFile", 0) {
                    _ if m
                        .arg("BanCache", 0)
                        .is_some_and(|c| c.eq_ignore_ascii_case("redis:")) =>
                    {
                        CounterStoreChoice::Redis
                    }
                    Some(sb) => CounterStoreChoice::Sqlite(format!("{sb}.db")),
                    None => CounterStoreChoice::Memory,
                }),
            scoreboard_scrub: match m.arg("ScoreboardScrub", 0) {
                None => Some(30),
                Some(v) => match crate::parse_flag(&v) {
                    Some(true) => Some(30),
                    Some(false) => None,
                    None => v.parse().ok().filter(|&s| s > 0),
                },
            },
            syslog_level: m.arg("SyslogLevel", 0),
            syslog_facility: m.arg("SyslogFacility", 0),
            system_log: m.arg("SystemLog", 0),
            debug_level: m.arg("DebugLevel", 0).and_then(|a| a.parse().ok()),
        }
    }
}

/// The access rules of one `<Limit>` block, typed when the block is read: what ProFTPD's
/// `login_check_limits`/`dir_check_limits` look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitRules {
    /// `Order deny,allow` (the last `Order` of the block); else allow,deny.
    pub deny_first: bool,
    /// The last `IgnoreHidden`, when set.
    pub ignore_hidden: Option<bool>,
    /// The last `AllowAll` (bare, or a true flag).
    pub allow_all: bool,
    /// The last `DenyAll` (bare, or a true flag).
    pub deny_all: bool,
    /// `AllowUser` expressions, in file order.
    pub allow_user: Vec<Vec<String>>,
    /// `AllowGroup` expressions, in file order.
    pub allow_group: Vec<Vec<String>>,
    /// `AllowClass` expressions, in file order.
    pub allow_class: Vec<Vec<String>>,
    /// `Allow [from] …` address lists, in file order.
    pub allow: Vec<Vec<String>>,
    /// `DenyUser` expressions, in file order.
    pub deny_user: Vec<Vec<String>>,
    /// `DenyGroup` expressions, in file order.
    pub deny_group: Vec<Vec<String>>,
    /// `DenyClass` expressions, in file order.
    pub deny_class: Vec<Vec<String>>,
    /// `Deny [from] …` address lists, in file order.
    pub deny: Vec<Vec<String>>,
    /// `AllowFilter regex [flags]`: the command's argument matching one allows.
    pub allow_filter: Vec<Vec<String>>,
    /// `DenyFilter regex [flags]`: the command's argument matching one denies.
    pub deny_filter: Vec<Vec<String>>,
}

impl LimitRules {
    /// Reads the rules of a `<Limit>` block's directives (file order).
    pub fn of(directives: &[crate::Directive]) -> LimitRules {
        let last = |name: &str| directives.iter().rev().find(|d| d.name == name);
        let each = |name: &str| -> Vec<Vec<String>> {
            directives
                .iter()
                .filter(|d| d.name == name)
                .map(|d| d.args.clone())
                .collect()
        };
        let all_or_flag = |d: &crate::Directive| d.args.is_empty() || d.flag();
        LimitRules {
            deny_first: last("Order").is_some_and(|d| {
                d.args
                    .concat()
                    .replace(' ', "")
                    .eq_ignore_ascii_case("deny,allow")
            }),
            ignore_hidden: last("IgnoreHidden").map(crate::Directive::flag),
            allow_all: last("AllowAll").is_some_and(all_or_flag),
            deny_all: last("DenyAll").is_some_and(all_or_flag),
            allow_user: each("AllowUser"),
            allow_group: each("AllowGroup"),
            allow_class: each("AllowClass"),
            allow: each("Allow"),
            deny_user: each("DenyUser"),
            deny_group: each("DenyGroup"),
            deny_class: each("DenyClass"),
            deny: each("Deny"),
            allow_filter: each("AllowFilter"),
            deny_filter: each("DenyFilter"),
        }
    }
}

/// The rules of a `<Class>` block, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassRules {
    /// `Satisfy all` (the last `Satisfy`); else any rule is enough.
    pub satisfy_all: bool,
    /// Every `From` term in file order (`From a, b` and `From a b` both list several).
    pub from: Vec<String>,
}

impl crate::Class {
    /// The block's `From` and `Satisfy` rules.
    pub fn rules(&self) -> ClassRules {
        let mut rules = ClassRules::default();
        for d in &self.directives {
            if d.name.eq_ignore_ascii_case("Satisfy") {
                rules.satisfy_all = d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("all"));
            } else if d.name.eq_ignore_ascii_case("From") {
                rules.from.extend(
                    d.args
                        .iter()
                        .flat_map(|a| a.split(','))
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
            }
        }
        rules
    }
}
