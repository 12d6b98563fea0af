//! The running daemon's administrative state, changed over the control socket: addresses
//! taken down (`ftpdctl down`), shutdowns of one vhost or of all (`oxftpctl shut`), and the
//! reverse DNS switch (`ftpdctl dns`). The listener consults it at connect, mod_ctrls_admin
//! at login; it lives as long as the process (a reload keeps it, a restart forgets it, as
//! ProFTPD's restart brings every address up again).

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::context::ServerCtx;
use crate::sessions::{self, Ending};
use crate::shutmsg::{self, Shutdown, Vars};

static DOWN: Mutex<BTreeSet<SocketAddr>> = Mutex::new(BTreeSet::new());
static SHUTS: Mutex<Vec<Shut>> = Mutex::new(Vec::new());
/// 0: as configured; 1: off; 2: on.
static DNS: AtomicU8 = AtomicU8::new(0);

static DEBUG_LEVEL: AtomicU32 = AtomicU32::new(0);
/// How the binary changes its log level (`ftpdctl debug level N`).
type DebugHook = Box<dyn Fn(u32) + Send + Sync>;
static DEBUG_HOOK: OnceLock<DebugHook> = OnceLock::new();

/// The binary says how to change the log's level at run time, and the level in force.
pub fn set_debug_hook(level: u32, hook: DebugHook) {
    DEBUG_LEVEL.store(level, Ordering::Relaxed);
    let _ = DEBUG_HOOK.set(hook);
}

/// The debug level in force (`-d`, `DebugLevel`, or `ftpdctl debug level N`).
pub fn debug_level() -> u32 {
    DEBUG_LEVEL.load(Ordering::Relaxed)
}

/// Sets the debug level; false when the log cannot change its level (no hook).
pub fn set_debug_level(level: u32) -> bool {
    let Some(hook) = DEBUG_HOOK.get() else {
        return false;
    };
    hook(level);
    DEBUG_LEVEL.store(level, Ordering::Relaxed);
    true
}

/// An address with IPv4-mapped IPv6 written as IPv4.
fn plain(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(IpAddr::V4(v4), addr.port()),
            None => addr,
        },
        IpAddr::V4(_) => addr,
    }
}

/// Takes an address down (`true`) or brings it up; whether that changed anything.
pub fn set_down(addr: SocketAddr, down: bool) -> bool {
    let mut set = DOWN.lock().unwrap_or_else(|p| p.into_inner());
    if down {
        set.insert(plain(addr))
    } else {
        set.remove(&plain(addr))
    }
}

/// Whether connections arriving on `local` are turned away (`ftpdctl down`).
pub fn is_down(local: SocketAddr) -> bool {
    let set = DOWN.lock().unwrap_or_else(|p| p.into_inner());
    !set.is_empty() && set.contains(&plain(local))
}

/// `ftpdctl dns on|off`: overrides `UseReverseDNS` for new sessions.
pub fn set_reverse_dns(on: bool) {
    DNS.store(if on { 2 } else { 1 }, Ordering::Relaxed);
}

/// Whether new sessions look their client's name up, given the configured `UseReverseDNS`.
pub fn reverse_dns(configured: bool) -> bool {
    match DNS.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => configured,
    }
}

/// Which vhost a shutdown or an action names: its `ServerName`, or an address with an
/// optional port (`127.0.0.1`, `127.0.0.1#2121`, `127.0.0.1:2121`, `[::1]:2121`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Vhost {
    /// By `ServerName`.
    Name(String),
    /// By address (and port).
    Addr(IpAddr, Option<u16>),
}

impl Vhost {
    /// Reads a selector; anything that is not an address is a name.
    pub fn parse(text: &str) -> Vhost {
        if let Ok(ip) = text.trim_start_matches('[').trim_end_matches(']').parse() {
            return Vhost::Addr(ip, None);
        }
        if let Ok(sa) = text.parse::<SocketAddr>() {
            return Vhost::Addr(sa.ip(), Some(sa.port()));
        }
        if let Some((ip, port)) = text.rsplit_once('#')
            && let (Ok(ip), Ok(port)) = (
                ip.trim_start_matches('[').trim_end_matches(']').parse(),
                port.parse(),
            )
        {
            return Vhost::Addr(ip, Some(port));
        }
        Vhost::Name(text.to_string())
    }

    /// Whether a session with this vhost name on this local address is one of it.
    pub fn covers(&self, name: &str, local: Option<SocketAddr>) -> bool {
        match self {
            Vhost::Name(n) => n == name,
            Vhost::Addr(ip, port) => local
                .map(plain)
                .is_some_and(|l| l.ip() == *ip && port.is_none_or(|p| p == l.port())),
        }
    }

    /// Whether it names `server` (by name, or one of its addresses and its port).
    pub fn names(&self, server: &ServerCtx) -> bool {
        let s = &server.settings;
        match self {
            Vhost::Name(n) => *n == s.name,
            Vhost::Addr(ip, port) => s.addresses.contains(ip) && port.is_none_or(|p| p == s.port),
        }
    }
}

impl std::fmt::Display for Vhost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Vhost::Name(n) => f.write_str(n),
            Vhost::Addr(ip, None) => write!(f, "{ip}"),
            Vhost::Addr(ip, Some(p)) => write!(f, "{ip}#{p}"),
        }
    }
}

/// A shutdown set with `oxftpctl shut`: for one vhost or all, with ftpshut's times.
#[derive(Debug)]
pub struct Shut {
    /// The vhost, or all of them.
    pub vhost: Option<Vhost>,
    /// When, and from when logins are refused and sessions cut (`i64::MAX`: never).
    pub schedule: Shutdown,
    /// The task that cuts the running sessions at the disconnect time.
    cutter: Option<tokio::task::AbortHandle>,
}

impl Shut {
    fn applies(&self, server: &ServerCtx) -> bool {
        self.vhost.as_ref().is_none_or(|v| v.names(server))
    }
}

impl Drop for Shut {
    fn drop(&mut self) {
        if let Some(c) = self.cutter.take() {
            c.abort();
        }
    }
}

/// Sets a shutdown (replacing one for the same vhost); from its disconnect time on, the
/// running sessions it covers are told `421 FTP server shutting down - …` and closed.
/// Call on the runtime.
pub fn shut(vhost: Option<Vhost>, schedule: Shutdown) {
    let cutter = (schedule.disconnect != i64::MAX).then(|| {
        let target = vhost.clone();
        let sched = schedule.clone();
        tokio::spawn(async move {
            let wait = sched.disconnect.saturating_sub(shutmsg::now()).max(0);
            tokio::time::sleep(std::time::Duration::from_secs(wait.unsigned_abs())).await;
            let n = sessions::end_where(
                |i| target.as_ref().is_none_or(|v| v.covers(&i.vhost, i.local)),
                None,
                &Ending {
                    reply: Some(format!(
                        "FTP server shutting down - {}",
                        expand_plain(&sched)
                    )),
                    reason: "Server shutting down".to_string(),
                },
            );
            tracing::info!("shutdown: disconnected {n} session(s)");
        })
        .abort_handle()
    });
    let mut shuts = SHUTS.lock().unwrap_or_else(|p| p.into_inner());
    shuts.retain(|s| s.vhost != vhost);
    shuts.push(Shut {
        vhost,
        schedule,
        cutter,
    });
}

/// Lifts the shutdown of `vhost` (or the one of all); how many were lifted.
pub fn cancel(vhost: Option<&Vhost>) -> usize {
    let mut shuts = SHUTS.lock().unwrap_or_else(|p| p.into_inner());
    let before = shuts.len();
    shuts.retain(|s| s.vhost.as_ref() != vhost);
    before - shuts.len()
}

/// The shutdowns set now: (vhost, schedule).
pub fn shuts() -> Vec<(Option<Vhost>, Shutdown)> {
    let shuts = SHUTS.lock().unwrap_or_else(|p| p.into_inner());
    shuts
        .iter()
        .map(|s| (s.vhost.clone(), s.schedule.clone()))
        .collect()
}

fn expand_plain(s: &Shutdown) -> String {
    shutmsg::expand(
        s,
        shutmsg::now(),
        &Vars {
            local: "",
            remote: "",
            server_name: "",
            user: None,
            cwd: None,
        },
    )
}

/// The message of a shutdown of `server` whose deny time has come, with its `%` variables
/// replaced for this client.
pub fn shut_message(server: &ServerCtx, local: SocketAddr, remote: &str) -> Option<String> {
    let shuts = SHUTS.lock().unwrap_or_else(|p| p.into_inner());
    if shuts.is_empty() {
        return None;
    }
    let now = shutmsg::now();
    let shut = shuts
        .iter()
        .find(|s| s.applies(server) && s.schedule.deny <= now)?;
    let local = local.ip().to_string();
    Some(shutmsg::expand(
        &shut.schedule,
        now,
        &Vars {
            local: &local,
            remote,
            server_name: &server.settings.name,
            user: None,
            cwd: None,
        },
    ))
}

/// What a connection to `server` is told when a shutdown refuses it (ftpshut's words).
pub fn refusal(server: &ServerCtx, local: SocketAddr, peer: SocketAddr) -> Option<String> {
    let reason = shut_message(server, local, &peer.ip().to_string())?;
    tracing::info!("connection refused ({reason}) from {}", peer.ip());
    Some(format!(
        "{} FTP server shut down ({reason}) -- please try again later\r\n",
        oxftpd_proto::reply::codes::SYNTAX_ERROR
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_read_names_and_addresses() {
        assert_eq!(
            Vhost::parse("127.0.0.1#2121"),
            Vhost::Addr("127.0.0.1".parse().unwrap(), Some(2121))
        );
        assert_eq!(
            Vhost::parse("127.0.0.1:21"),
            Vhost::Addr("127.0.0.1".parse().unwrap(), Some(21))
        );
        assert_eq!(
            Vhost::parse("::1"),
            Vhost::Addr("::1".parse().unwrap(), None)
        );
        assert_eq!(Vhost::parse("Files"), Vhost::Name("Files".into()));
        let local: SocketAddr = "127.0.0.1:2121".parse().unwrap();
        assert!(Vhost::parse("127.0.0.1").covers("x", Some(local)));
        assert!(!Vhost::parse("127.0.0.1#21").covers("x", Some(local)));
        assert!(Vhost::parse("x").covers("x", None));
    }

    #[test]
    fn addresses_go_down_and_up() {
        let a: SocketAddr = "192.0.2.7:2121".parse().unwrap();
        assert!(!is_down(a));
        assert!(set_down(a, true));
        assert!(!set_down(a, true));
        assert!(is_down("[::ffff:192.0.2.7]:2121".parse().unwrap()));
        assert!(set_down(a, false));
        assert!(!is_down(a));
    }
}
