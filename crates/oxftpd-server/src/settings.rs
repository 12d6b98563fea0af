//! Typed server settings, read once from the configuration of a server.
//!
//! Per-path settings (AllowOverwrite, Umask in a `<Directory>`, …) are looked up per command
//! through [`oxftpd_config::Scope`]; what cannot vary by path is resolved here, once.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use oxftpd_config::{Directive, Server};

use crate::StartError;

/// How the server identifies itself in the banner (`ServerIdent`).
#[derive(Clone, Debug)]
pub enum Ident {
    /// `ServerIdent on`: `ProFTPD Server (name) [addr]`.
    Default,
    /// `ServerIdent on "text"`.
    Text(String),
    /// `ServerIdent off`: `name FTP server ready.`
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
    /// `DefaultChdir`.
    pub default_chdir: Option<String>,
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
    pub root_revoke: crate::data::active_bind::RootRevoke,
    /// `UseIPv6`.
    pub use_ipv6: bool,
}

fn flag(server: &Server, name: &str, default: bool) -> bool {
    server
        .directive(name)
        .map(Directive::flag)
        .unwrap_or(default)
}

fn text(server: &Server, name: &str) -> Option<String> {
    server
        .directive(name)
        .and_then(|d| d.arg(0))
        .map(str::to_string)
}

fn number<T: std::str::FromStr>(d: &Directive, i: usize) -> Result<T, StartError> {
    d.arg(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| StartError::at(d, format!("argument {} must be a number", i + 1)))
}

fn timeout(server: &Server, name: &str, default: u64) -> Result<Option<Duration>, StartError> {
    let secs = match server.directive(name) {
        Some(d) => number::<u64>(d, 0)?,
        None => default,
    };
    Ok((secs > 0).then(|| Duration::from_secs(secs)))
}

/// Parses an octal umask.
pub fn octal(d: &Directive, i: usize) -> Result<u32, StartError> {
    d.arg(i)
        .and_then(oxftpd_config::parse_umask)
        .ok_or_else(|| StartError::at(d, format!("argument {} must be an octal mode", i + 1)))
}

/// Reads `Umask file [dir]` from a directive.
pub fn umask_of(d: &Directive) -> Result<(u32, u32), StartError> {
    let file = octal(d, 0)?;
    let dir = if d.arg(1).is_some() {
        octal(d, 1)?
    } else {
        file
    };
    Ok((file, dir))
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
    /// Reads the settings of one server.
    pub fn from_config(server: &Server) -> Result<Self, StartError> {
        let name = text(server, "ServerName").unwrap_or_else(|| "ProFTPD".to_string());
        let ident = match server.directive("ServerIdent") {
            None => Ident::Default,
            Some(d) if !d.flag() => Ident::Off,
            Some(d) => match d.arg(1) {
                Some(t) => Ident::Text(t.to_string()),
                None => Ident::Default,
            },
        };
        let port = match server.directive("Port") {
            Some(d) => number::<u16>(d, 0)?,
            None => 21,
        };
        let mut addresses = Vec::new();
        if server.is_main() {
            if let Some(d) = server.directive("DefaultAddress") {
                for a in &d.args {
                    addresses.push(resolve_host(d, a)?);
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
        let passive_ports = match server.directive("PassivePorts") {
            Some(d) => {
                let lo = number::<u16>(d, 0)?;
                let hi = number::<u16>(d, 1)?;
                if lo < 1024 || hi < lo {
                    return Err(StartError::at(
                        d,
                        "port range must be within 1024-65535, low before high".to_string(),
                    ));
                }
                Some((lo, hi))
            }
            None => None,
        };
        let masquerade = match server.directive("MasqueradeAddress") {
            Some(d) => Some(resolve_host(d, d.arg(0).unwrap_or_default())?),
            None => None,
        };
        let max_clients = match server.directive("MaxClients") {
            Some(d) if d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("none")) => None,
            Some(d) => Some((number::<usize>(d, 0)?, d.arg(1).map(str::to_string))),
            None => None,
        };
        let timeouts = Timeouts {
            login: timeout(server, "TimeoutLogin", 300)?,
            idle: timeout(server, "TimeoutIdle", 600)?,
            no_transfer: timeout(server, "TimeoutNoTransfer", 300)?,
            stalled: timeout(server, "TimeoutStalled", 3600)?,
            session: timeout(server, "TimeoutSession", 0)?,
            linger: timeout(server, "TimeoutLinger", 10)?,
        };
        let default_roots = server
            .directives("DefaultRoot")
            .map(|d| DefaultRoot {
                path: d.arg(0).unwrap_or("/").to_string(),
                groups: d
                    .args
                    .get(1)
                    .map(|g| g.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
            })
            .collect();
        let umask = match server.directive("Umask") {
            Some(d) => umask_of(d)?,
            None => (0o022, 0o022),
        };
        let max_login_attempts = match server.directive("MaxLoginAttempts") {
            Some(d) => number::<u32>(d, 0)?,
            None => 3,
        };
        let command_buffer_size = match server.directive("CommandBufferSize") {
            Some(d) => number::<usize>(d, 0)?.clamp(16, 64 * 1024),
            None => 512,
        };
        Ok(ServerSettings {
            name,
            ident,
            admin: text(server, "ServerAdmin"),
            port,
            addresses,
            default_server: flag(server, "DefaultServer", false),
            socket_bind_tight: flag(server, "SocketBindTight", false),
            passive_ports,
            masquerade,
            max_clients,
            timeouts,
            default_roots,
            default_chdir: text(server, "DefaultChdir"),
            umask,
            require_valid_shell: flag(server, "RequireValidShell", true),
            root_login: flag(server, "RootLogin", false),
            defer_welcome: flag(server, "DeferWelcome", false),
            display_connect: text(server, "DisplayConnect").map(PathBuf::from),
            max_login_attempts,
            command_buffer_size,
            allow_foreign_address: flag(server, "AllowForeignAddress", false),
            root_revoke: crate::data::active_bind::RootRevoke::parse(
                text(server, "RootRevoke").as_deref(),
            ),
            use_ipv6: flag(server, "UseIPv6", true),
        })
    }
}
