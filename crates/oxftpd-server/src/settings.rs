//! Typed server settings, read once from the configuration of a server.
//!
//! The values come from the server's typed configuration ([`oxftpd_config::Effective`]), where
//! they were parsed and checked when the file was read; what is left here is what needs the
//! running system (resolving addresses) and the defaults. Per-path settings (AllowOverwrite,
//! …) come from the session's per-path view (`access::directories::cfg_for`).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use oxftpd_config::{Directive, Effective, Server};

use crate::StartError;

/// How the server identifies itself in the banner (`ServerIdent`).
#[derive(Clone, Debug)]
pub enum Ident {
    /// `ServerIdent on`: `ProFTPD Server (name) [addr]`.
    Default,
    /// `ServerIdent on "text"`.
    Text(String),
    /// `ServerIdent off`: `ADDRESS FTP server ready`.
    Off,
}

/// The four session timeouts (`None` = disabled).
#[derive(Clone, Debug)]
pub struct Timeouts {
    /// `TimeoutLogin`.
    pub login: Option<Duration>,
    /// `TimeoutIdle`.
    pub idle: Option<Duration>,
    /// `TimeoutNoTransfer`.
    pub no_transfer: Option<Duration>,
    /// `TimeoutStalled`.
    pub stalled: Option<Duration>,
    /// `TimeoutSession`.
    pub session: Option<Duration>,
    /// `TimeoutLinger`: how long a closing data connection waits for the client's end.
    pub linger: Option<Duration>,
}

/// A `DefaultRoot` line: where to jail, and for whom.
#[derive(Clone, Debug)]
pub struct DefaultRoot {
    /// `~`, `~/sub` or an absolute path.
    pub path: String,
    /// The group expression (`users,!staff`); empty = everyone.
    pub groups: Vec<String>,
}

/// What a server (main or `<VirtualHost>`) is, resolved from its configuration.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// `ServerName`.
    pub name: String,
    /// `ServerIdent`.
    pub ident: Ident,
    /// `ServerAdmin`.
    pub admin: Option<String>,
    /// `Port` (0 disables the server).
    pub port: u16,
    /// Addresses to bind (the `<VirtualHost>` addresses, or `DefaultAddress`).
    pub addresses: Vec<IpAddr>,
    /// `DefaultServer`.
    pub default_server: bool,
    /// `SocketBindTight`.
    pub socket_bind_tight: bool,
    /// `PassivePorts`.
    pub passive_ports: Option<(u16, u16)>,
    /// `MasqueradeAddress`, resolved.
    pub masquerade: Option<IpAddr>,
    /// `MaxClients` and its message.
    pub max_clients: Option<(usize, Option<String>)>,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// `DefaultRoot` lines in order.
    pub default_roots: Vec<DefaultRoot>,
    /// `Umask` for files and directories.
    pub umask: (u32, u32),
    /// `RequireValidShell`.
    pub require_valid_shell: bool,
    /// `RootLogin`.
    pub root_login: bool,
    /// `DeferWelcome`.
    pub defer_welcome: bool,
    /// `DisplayConnect` file.
    pub display_connect: Option<PathBuf>,
    /// `MaxLoginAttempts`.
    pub max_login_attempts: u32,
    /// `CommandBufferSize`.
    pub command_buffer_size: usize,
    /// `AllowForeignAddress`.
    pub allow_foreign_address: bool,
    /// `RootRevoke`: the source port of active data connections.
    pub root_revoke: RootRevoke,
    /// `UseIPv6`.
    pub use_ipv6: bool,
}

/// A timeout: `None` when 0 (disabled).
fn timeout(secs: Option<u64>, default: u64) -> Option<Duration> {
    let secs = secs.unwrap_or(default);
    (secs > 0).then(|| Duration::from_secs(secs))
}

fn resolve_host(d: &Directive, host: &str) -> Result<IpAddr, StartError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(ip);
    }
    use std::net::ToSocketAddrs;
    (host, 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut it| it.next())
        .map(|sa| sa.ip())
        .ok_or_else(|| StartError::at(d, format!("cannot resolve '{host}' to an address")))
}

impl ServerSettings {
    /// Reads the settings of one server from its typed configuration `cfg` (its own level
    /// and `<Global>`); `server` gives the `<VirtualHost>` addresses.
    pub fn from_config(server: &Server, cfg: &Effective) -> Result<Self, StartError> {
        let (core, auth, xfer) = (&cfg.core, &cfg.auth, &cfg.xfer);
        let name = core
            .server_name
            .clone()
            .unwrap_or_else(|| "ProFTPD".to_string());
        let ident = match &core.server_ident {
            None => Ident::Default,
            Some((false, _)) => Ident::Off,
            Some((true, Some(t))) => Ident::Text(t.clone()),
            Some((true, None)) => Ident::Default,
        };
        let port = core.port.unwrap_or(21);
        let mut addresses = Vec::new();
        if server.is_main() {
            if let Some(d) = &core.default_address {
                for a in &d.value {
                    addresses.push(resolve_host(&d.at, a)?);
                }
            }
        } else {
            for a in server.addresses() {
                let ip = a
                    .parse::<IpAddr>()
                    .or_else(|_| {
                        use std::net::ToSocketAddrs;
                        (a.as_str(), 0)
                            .to_socket_addrs()
                            .ok()
                            .and_then(|mut i| i.next())
                            .map(|s| s.ip())
                            .ok_or(())
                    })
                    .map_err(|_| {
                        StartError::Message(format!(
                            "<VirtualHost {a}>: cannot resolve '{a}' to an address"
                        ))
                    })?;
                addresses.push(ip);
            }
        }
        let masquerade = match &core.masquerade_address {
            Some(d) => Some(resolve_host(&d.at, &d.value)?),
            None => None,
        };
        let max_clients = match auth.max_clients.as_deref() {
            Some([n, ..]) if n.eq_ignore_ascii_case("none") => None,
            Some([n, rest @ ..]) => Some((n.parse::<usize>().unwrap_or(0), rest.first().cloned())),
            _ => None,
        };
        let timeouts = Timeouts {
            login: timeout(auth.timeout_login, 300),
            idle: timeout(core.timeout_idle, 600),
            no_transfer: timeout(xfer.timeout_no_transfer, 300),
            stalled: timeout(xfer.timeout_stalled, 3600),
            session: timeout(auth.timeout_session, 0),
            linger: timeout(core.timeout_linger, 10),
        };
        let default_roots = auth
            .default_root
            .iter()
            .map(|d| DefaultRoot {
                path: d.first().map(String::as_str).unwrap_or("/").to_string(),
                groups: d
                    .get(1)
                    .map(|g| g.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Ok(ServerSettings {
            name,
            ident,
            admin: core.server_admin.clone(),
            port,
            addresses,
            default_server: core.default_server,
            socket_bind_tight: core.socket_bind_tight,
            passive_ports: core.passive_ports,
            masquerade,
            max_clients,
            timeouts,
            default_roots,
            umask: core.umask.unwrap_or((0o022, 0o022)),
            require_valid_shell: auth.require_valid_shell,
            root_login: auth.root_login,
            defer_welcome: core.defer_welcome,
            display_connect: core.display_connect.as_ref().map(PathBuf::from),
            max_login_attempts: auth.max_login_attempts.unwrap_or(3),
            command_buffer_size: core.command_buffer_size.unwrap_or(512).clamp(16, 64 * 1024),
            allow_foreign_address: core.allow_foreign_address,
            root_revoke: RootRevoke::parse(auth.root_revoke.as_deref()),
            use_ipv6: core.use_ipv6,
        })
    }
}

/// `RootRevoke`, as far as it decides active data connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RootRevoke {
    /// Not set: the kernel picks the source port.
    #[default]
    Unset,
    /// `off`: the control port minus one, privileged or not.
    Off,
    /// `on`: the control port minus one; no active mode on a control port below 1025.
    On,
    /// `UseNonCompliantActiveTransfer`: the kernel picks the source port.
    NonCompliant,
}

impl RootRevoke {
    /// The mode for the directive's argument (`None`: not set).
    pub fn parse(arg: Option<&str>) -> RootRevoke {
        let Some(arg) = arg else {
            return RootRevoke::Unset;
        };
        if arg.eq_ignore_ascii_case("UseNonCompliantActiveTransfer") {
            return RootRevoke::NonCompliant;
        }
        match oxftpd_config::parse_flag(arg) {
            Some(true) => RootRevoke::On,
            Some(false) => RootRevoke::Off,
            None => RootRevoke::Unset,
        }
    }

    /// Whether PORT/EPRT are refused on `control_port` (`on` and below 1025).
    pub fn refuses_active(self, control_port: u16) -> bool {
        self == RootRevoke::On && control_port < 1025
    }

    pub(crate) fn binds_l_minus_one(self) -> bool {
        matches!(self, RootRevoke::Off | RootRevoke::On)
    }
}
