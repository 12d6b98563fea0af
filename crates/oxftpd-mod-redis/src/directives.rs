//! mod_redis's directives (ProFTPD 1.3.8's `doc/modules/mod_redis.html`) and oxftpd's
//! `Cluster*` directives, which keep the session counts of several nodes in that Redis.

use oxftpd_config::{Args, Contexts, DirectiveSpec, Merged, ModuleSpec};

/// mod_redis.c's configuration surface.
pub static SPEC: ModuleSpec = ModuleSpec {
    name: "mod_redis.c",
    directives: DIRECTIVES,
};

const S: Contexts = Contexts::SERVERS;

static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec::new(
        "ClusterEngine",
        S,
        Args::flag(),
        false,
        "oxftpd: count this server's sessions across every node sharing the ClusterStore (MaxClients, MaxClientsPerUser/Host/Class, MaxHostsPerUser)",
    ),
    DirectiveSpec::new(
        "ClusterLease",
        S,
        Args::duration(),
        false,
        "oxftpd: how long a node's sessions keep counting after it stops renewing them (a dead node; 15 s by default)",
    ),
    DirectiveSpec::new(
        "ClusterNodeName",
        S,
        Args::exact(1),
        false,
        "oxftpd: this node's name in the shared counts (host name and process id by default)",
    ),
    DirectiveSpec::new(
        "ClusterStore",
        S,
        Args::exact(1).checked(check_store),
        false,
        "oxftpd: where the shared counts live: `redis:` (the RedisServer)",
    ),
    DirectiveSpec::new(
        "RedisEngine",
        S,
        Args::flag(),
        false,
        "use the Redis server (off by default)",
    ),
    DirectiveSpec::new(
        "RedisLog",
        S,
        Args::exact(1),
        false,
        "the module's own log file, or \"none\"",
    ),
    DirectiveSpec::new(
        "RedisOptions",
        S,
        Args::at_least(1).checked(check_options),
        false,
        "NoReconnect: once the connection breaks, do not make another",
    ),
    DirectiveSpec::new(
        "RedisServer",
        S,
        Args::range(1, 8).checked(check_server),
        false,
        "host:port, [ipv6]:port or /unix/socket, then optional user, password, database index",
    ),
    DirectiveSpec::new(
        "RedisTimeouts",
        S,
        Args::exact(2).checked(check_timeouts),
        false,
        "connect and I/O timeouts in milliseconds (500 500 by default)",
    ),
];

/// Where a Redis server is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// `host:port` (`[v6]:port`; port 6379 when left out).
    Tcp(String, u16),
    /// A Unix socket path.
    Unix(String),
}

/// A `RedisServer` line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerLine {
    /// Where.
    pub address: Address,
    /// `username` (empty: none).
    pub username: Option<String>,
    /// `password` (empty: none).
    pub password: Option<String>,
    /// `db-index`.
    pub db: i64,
}

/// mod_redis's (and the cluster's) settings for one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// `RedisEngine`.
    pub engine: bool,
    /// `RedisServer`.
    pub server: Option<ServerLine>,
    /// `RedisTimeouts` (connect, I/O), milliseconds.
    pub timeouts_ms: (u64, u64),
    /// `RedisOptions NoReconnect`.
    pub no_reconnect: bool,
    /// `RedisLog` (not `none`).
    pub log: Option<String>,
    /// `ClusterEngine`.
    pub cluster: bool,
    /// `ClusterStore` names Redis.
    pub store_redis: bool,
    /// `ClusterLease`, seconds.
    pub lease_secs: u64,
    /// `ClusterNodeName`.
    pub node: Option<String>,
}

impl View {
    /// Reads the settings from a merged server scope.
    pub fn read(m: &Merged<'_>) -> View {
        let timeouts = m
            .args("RedisTimeouts")
            .and_then(|a| Some((a.first()?.parse().ok()?, a.get(1)?.parse().ok()?)))
            .unwrap_or((500, 500));
        View {
            engine: m.flag("RedisEngine").unwrap_or(false),
            server: m.args("RedisServer").and_then(|a| server_line(&a).ok()),
            timeouts_ms: timeouts,
            no_reconnect: m
                .args("RedisOptions")
                .is_some_and(|a| a.iter().any(|o| o.eq_ignore_ascii_case("NoReconnect"))),
            log: m
                .arg("RedisLog", 0)
                .filter(|p| !p.eq_ignore_ascii_case("none")),
            cluster: m.flag("ClusterEngine").unwrap_or(false),
            store_redis: m
                .arg("ClusterStore", 0)
                .is_some_and(|s| s.eq_ignore_ascii_case("redis:")),
            lease_secs: m.duration("ClusterLease").unwrap_or(15),
            node: m.arg("ClusterNodeName", 0),
        }
    }
}

/// Parses a `RedisServer` line.
pub fn server_line(args: &[String]) -> Result<ServerLine, String> {
    let (plain, ssl): (Vec<&String>, Vec<&String>) = args
        .iter()
        .partition(|a| !a.to_ascii_lowercase().starts_with("ssl"));
    if let Some(s) = ssl.first() {
        return Err(format!(
            "'{s}': Redis over TLS is not supported by oxftpd; reach Redis over a trusted network or a Unix socket"
        ));
    }
    let first = plain.first().ok_or("missing parameters")?;
    let address = if first.starts_with('/') {
        Address::Unix(first.to_string())
    } else {
        let (host, port) = match first.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') && (h.starts_with('[') || !h.contains(':')) => {
                let port = p
                    .parse()
                    .map_err(|_| format!("'{first}': bad port '{p}'"))?;
                (h.trim_start_matches('[').trim_end_matches(']'), port)
            }
            _ => (first.trim_start_matches('[').trim_end_matches(']'), 6379),
        };
        if host.is_empty() {
            return Err(format!("'{first}': missing host"));
        }
        Address::Tcp(host.to_string(), port)
    };
    let opt = |i: usize| {
        plain
            .get(i)
            .map(|s| s.to_string())
            .filter(|s| !s.is_empty())
    };
    let db = match plain.get(3) {
        Some(d) => d.parse().map_err(|_| format!("bad database index '{d}'"))?,
        None => 0,
    };
    if plain.len() > 4 {
        return Err("too many parameters".into());
    }
    Ok(ServerLine {
        address,
        username: opt(1),
        password: opt(2),
        db,
    })
}

fn check_server(args: &[String]) -> Result<(), String> {
    server_line(args).map(|_| ())
}

fn check_store(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some(s) if s.eq_ignore_ascii_case("redis:") => Ok(()),
        Some(s) if s.to_ascii_lowercase().starts_with("postgres") => Err(format!(
            "'{s}': a PostgreSQL cluster store is not in oxftpd yet; use redis:"
        )),
        Some(s) => Err(format!("unknown ClusterStore '{s}' (known: redis:)")),
        None => Err("missing parameters".into()),
    }
}

fn check_timeouts(args: &[String]) -> Result<(), String> {
    for a in args {
        match a.parse::<u64>() {
            Ok(n) if n > 0 => {}
            _ => return Err(format!("'{a}' is not a positive number of milliseconds")),
        }
    }
    Ok(())
}

fn check_options(args: &[String]) -> Result<(), String> {
    match args.iter().find(|o| !o.eq_ignore_ascii_case("NoReconnect")) {
        Some(o) => Err(format!(
            "unknown RedisOptions option '{o}' (known: NoReconnect)"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Result<ServerLine, String> {
        server_line(&s.split(' ').map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn server_lines() {
        assert_eq!(
            line("127.0.0.1:6380").map(|l| l.address),
            Ok(Address::Tcp("127.0.0.1".into(), 6380))
        );
        assert_eq!(
            line("[::1]:7000").map(|l| l.address),
            Ok(Address::Tcp("::1".into(), 7000))
        );
        assert_eq!(
            line("redis.example.com").map(|l| l.address),
            Ok(Address::Tcp("redis.example.com".into(), 6379))
        );
        let l = line("/run/redis.sock user pw 2");
        assert_eq!(
            l,
            Ok(ServerLine {
                address: Address::Unix("/run/redis.sock".into()),
                username: Some("user".into()),
                password: Some("pw".into()),
                db: 2,
            })
        );
        assert!(line("1.2.3.4:6379 ssl:true").is_err());
        assert!(line("1.2.3.4:x").is_err());
        assert!(line("1.2.3.4:6379 u p nope").is_err());
    }
}
