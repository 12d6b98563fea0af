//! Process-wide session counts for `MaxClients`, `MaxClientsPerUser`, `MaxClientsPerHost`,
//! `MaxHostsPerUser`, `MaxClientsPerClass` and `MaxConnectionsPerHost`.
//!
//! Counts change only when a connection opens, a login succeeds, or a session ends, so no
//! command's hot path takes a lock. Each table is split into shards chosen by a hash of its
//! key, so sessions of different users or hosts rarely contend. Counts are held by RAII
//! guards: dropping a [`ConnectionGuard`] or [`LoginGuard`] takes the session back out.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

const SHARDS: usize = 16;

/// A sharded counting map.
struct Table<K> {
    hasher: RandomState,
    shards: [Mutex<HashMap<K, usize>>; SHARDS],
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new() -> Self {
        Table {
            hasher: RandomState::new(),
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        }
    }

    fn shard(&self, key: &K) -> MutexGuard<'_, HashMap<K, usize>> {
        let i = (self.hasher.hash_one(key) as usize) % SHARDS;
        // A panic while holding a shard leaves counts that are still usable.
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, key: &K) -> usize {
        self.shard(key).get(key).copied().unwrap_or(0)
    }

    /// Adds one; returns the count before.
    fn inc(&self, key: &K) -> usize {
        let mut shard = self.shard(key);
        let n = shard.entry(key.clone()).or_insert(0);
        *n += 1;
        *n - 1
    }

    fn dec(&self, key: &K) {
        let mut shard = self.shard(key);
        if let Some(n) = shard.get_mut(key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                shard.remove(key);
            }
        }
    }
}

/// Which server a count belongs to (its index in the configuration).
pub type ServerKey = usize;

/// Every count the process keeps.
pub struct Counters {
    connections: Table<(ServerKey, IpAddr)>,
    clients: Table<ServerKey>,
    users: Table<(ServerKey, String)>,
    hosts: Table<(ServerKey, IpAddr)>,
    user_hosts: Table<(ServerKey, String, IpAddr)>,
    distinct_hosts: Table<(ServerKey, String)>,
    classes: Table<(ServerKey, String)>,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            connections: Table::new(),
            clients: Table::new(),
            users: Table::new(),
            hosts: Table::new(),
            user_hosts: Table::new(),
            distinct_hosts: Table::new(),
            classes: Table::new(),
        }
    }
}

/// What a login would count against, for checking limits before taking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginCounts {
    /// Logged-in sessions on the server (`MaxClients`).
    pub clients: usize,
    /// Logged-in sessions of this user (`MaxClientsPerUser`).
    pub user: usize,
    /// Logged-in sessions from this host (`MaxClientsPerHost`).
    pub host: usize,
    /// Distinct hosts this user is logged in from, not counting this one (`MaxHostsPerUser`).
    pub other_hosts: usize,
    /// Logged-in sessions of the session's class (`MaxClientsPerClass`).
    pub class: usize,
}

impl Counters {
    /// Counts a new connection from `addr`; the guard returned holds it. Also returns how
    /// many connections from `addr` there were before.
    pub fn connect(self: &Arc<Self>, server: ServerKey, addr: IpAddr) -> (ConnectionGuard, usize) {
        let before = self.connections.inc(&(server, addr));
        (
            ConnectionGuard {
                counters: self.clone(),
                key: (server, addr),
            },
            before,
        )
    }

    /// The counts a login of `user` from `addr` in `class` would join (itself not included).
    pub fn login_counts(
        &self,
        server: ServerKey,
        user: &str,
        addr: IpAddr,
        class: Option<&str>,
    ) -> LoginCounts {
        let user_key = (server, user.to_string());
        let distinct = self.distinct_hosts.get(&user_key);
        let here = self.user_hosts.get(&(server, user.to_string(), addr));
        LoginCounts {
            clients: self.clients.get(&server),
            user: self.users.get(&user_key),
            host: self.hosts.get(&(server, addr)),
            other_hosts: if here > 0 {
                distinct.saturating_sub(1)
            } else {
                distinct
            },
            class: class
                .map(|c| self.classes.get(&(server, c.to_string())))
                .unwrap_or(0),
        }
    }

    /// Counts a logged-in session; the guard returned holds it.
    pub fn login(
        self: &Arc<Self>,
        server: ServerKey,
        user: &str,
        addr: IpAddr,
        class: Option<&str>,
    ) -> LoginGuard {
        self.clients.inc(&server);
        self.users.inc(&(server, user.to_string()));
        self.hosts.inc(&(server, addr));
        if self.user_hosts.inc(&(server, user.to_string(), addr)) == 0 {
            self.distinct_hosts.inc(&(server, user.to_string()));
        }
        if let Some(c) = class {
            self.classes.inc(&(server, c.to_string()));
        }
        LoginGuard {
            counters: self.clone(),
            server,
            user: user.to_string(),
            addr,
            class: class.map(str::to_string),
        }
    }

    /// Logged-in sessions of a class on a server (`%z`-style display variables).
    pub fn class_count(&self, server: ServerKey, class: &str) -> usize {
        self.classes.get(&(server, class.to_string()))
    }

    /// Logged-in sessions on a server.
    pub fn clients(&self, server: ServerKey) -> usize {
        self.clients.get(&server)
    }
}

/// One session's file transfers so far (ProFTPD's `session.total_*`, shown by `%i`, `%o`,
/// `%t`, `%K`, `%k` and `%{total_*}` in display files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionTotals {
    /// Bytes received by completed uploads.
    pub bytes_in: u64,
    /// Bytes sent by completed downloads.
    pub bytes_out: u64,
    /// Completed uploads (STOR, APPE, STOU).
    pub files_in: u64,
    /// Completed downloads (RETR).
    pub files_out: u64,
}

impl SessionTotals {
    /// Counts a completed upload of `bytes`.
    pub fn uploaded(&mut self, bytes: u64) {
        self.bytes_in = self.bytes_in.saturating_add(bytes);
        self.files_in = self.files_in.saturating_add(1);
    }

    /// Counts a completed download of `bytes`.
    pub fn downloaded(&mut self, bytes: u64) {
        self.bytes_out = self.bytes_out.saturating_add(bytes);
        self.files_out = self.files_out.saturating_add(1);
    }

    /// Bytes moved either way.
    pub fn bytes(&self) -> u64 {
        self.bytes_in.saturating_add(self.bytes_out)
    }

    /// Files moved either way.
    pub fn files(&self) -> u64 {
        self.files_in.saturating_add(self.files_out)
    }
}

/// Holds one connection in the counts until dropped.
pub struct ConnectionGuard {
    counters: Arc<Counters>,
    key: (ServerKey, IpAddr),
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.counters.connections.dec(&self.key);
    }
}

/// Holds one logged-in session in the counts until dropped.
pub struct LoginGuard {
    counters: Arc<Counters>,
    server: ServerKey,
    user: String,
    addr: IpAddr,
    class: Option<String>,
}

impl Drop for LoginGuard {
    fn drop(&mut self) {
        let c = &self.counters;
        c.clients.dec(&self.server);
        c.users.dec(&(self.server, self.user.clone()));
        c.hosts.dec(&(self.server, self.addr));
        let uh = (self.server, self.user.clone(), self.addr);
        c.user_hosts.dec(&uh);
        if c.user_hosts.get(&uh) == 0 {
            c.distinct_hosts.dec(&(self.server, self.user.clone()));
        }
        if let Some(class) = &self.class {
            c.classes.dec(&(self.server, class.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn session_totals_add_up_both_ways() {
        let mut t = SessionTotals::default();
        t.downloaded(12_000);
        t.uploaded(5_000);
        t.downloaded(7);
        assert_eq!(
            (t.bytes_in, t.bytes_out, t.bytes()),
            (5_000, 12_007, 17_007)
        );
        assert_eq!((t.files_in, t.files_out, t.files()), (1, 2, 3));
    }

    #[test]
    fn connections_count_and_release() {
        let c = Arc::new(Counters::default());
        let (g1, before1) = c.connect(0, ip("10.0.0.1"));
        let (g2, before2) = c.connect(0, ip("10.0.0.1"));
        let (_g3, before3) = c.connect(1, ip("10.0.0.1"));
        assert_eq!((before1, before2, before3), (0, 1, 0));
        drop(g1);
        drop(g2);
        let (_g, before) = c.connect(0, ip("10.0.0.1"));
        assert_eq!(before, 0);
    }

    #[test]
    fn logins_count_users_hosts_and_classes() {
        let c = Arc::new(Counters::default());
        let a = c.login(0, "alice", ip("10.0.0.1"), Some("local"));
        let b = c.login(0, "alice", ip("10.0.0.2"), None);
        let counts = c.login_counts(0, "alice", ip("10.0.0.1"), Some("local"));
        assert_eq!(
            counts,
            LoginCounts {
                clients: 2,
                user: 2,
                host: 1,
                other_hosts: 1,
                class: 1
            }
        );
        let counts = c.login_counts(0, "alice", ip("10.0.0.3"), None);
        assert_eq!(counts.other_hosts, 2);
        drop(b);
        let counts = c.login_counts(0, "alice", ip("10.0.0.3"), None);
        assert_eq!((counts.clients, counts.user, counts.other_hosts), (1, 1, 1));
        drop(a);
        assert_eq!(
            c.login_counts(0, "alice", ip("10.0.0.1"), Some("local")),
            LoginCounts::default()
        );
    }
}
