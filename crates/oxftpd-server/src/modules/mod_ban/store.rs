//! Bans and event counts in the counter store ([`crate::store`]), so that they outlive
//! restarts and, with a shared database, hold on every node: a ban is a record of the space
//! `ban` (key `kind TAB server TAB name`, value `reason TAB message`, with its expiry), an
//! event count a counter of the space `ban.event` with the rule's window.
//!
//! The `BanTable` file is a copy of the live bans for people to read, rewritten by this
//! process when it adds or removes one: one ban a line, `kind TAB server TAB name TAB expires
//! TAB reason TAB message`, where server is `*` for every server and expires a Unix time (0:
//! never).

use std::fs::File;
use std::io::{Seek, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oxftpd_config::modules::mod_ban::BanKind;

use crate::store::{CounterStore, Record};

/// The store's space of bans.
const BANS: &str = "ban";
/// The store's space of event counts.
const EVENTS: &str = "ban.event";

/// One ban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    /// What it bans.
    pub kind: BanKind,
    /// The address, user, class or `user@address`.
    pub name: String,
    /// The server it holds on (its index); `None` is every server.
    pub server: Option<usize>,
    /// Why, in mod_ban's words (`MaxLoginAttempts autoban at …`).
    pub reason: String,
    /// When it ends; `None` is never.
    pub expires: Option<SystemTime>,
    /// The rule's own message for the banned client.
    pub message: Option<String>,
}

/// Which occurrences count together: the event, the server and the source.
pub type EventKey = (&'static str, usize, String);

/// The bans and counts of the counter store, with the `BanTable` copy.
pub struct Book {
    /// The counter store.
    pub store: Arc<dyn CounterStore>,
    /// The `BanTable` file, opened (as root) when the configuration was loaded.
    pub table: Option<Arc<Mutex<File>>>,
}

fn kind_of(name: &str) -> Option<BanKind> {
    [
        BanKind::Host,
        BanKind::User,
        BanKind::Class,
        BanKind::UserHost,
    ]
    .into_iter()
    .find(|k| k.name() == name)
}

fn unix(t: Option<SystemTime>) -> u64 {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// Tabs and line ends cannot be in a field.
fn field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn server_field(server: Option<usize>) -> String {
    server.map_or("*".to_string(), |s| s.to_string())
}

/// The store key of a ban.
fn key(kind: BanKind, server: Option<usize>, name: &str) -> String {
    format!("{}\t{}\t{}", kind.name(), server_field(server), field(name))
}

/// The ban a store record holds; `None` for one that is not a ban.
fn ban_of(r: &Record) -> Option<Ban> {
    let mut k = r.key.splitn(3, '\t');
    let kind = kind_of(k.next()?)?;
    let server = match k.next()? {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    let name = k.next()?.to_string();
    let (reason, message) = r.value.split_once('\t').unwrap_or((&r.value, ""));
    Some(Ban {
        kind,
        name,
        server,
        reason: reason.to_string(),
        expires: r.expires,
        message: (!message.is_empty()).then(|| message.to_string()),
    })
}

/// One ban as a `BanTable` line.
fn line(b: &Ban) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\n",
        b.kind.name(),
        server_field(b.server),
        field(&b.name),
        unix(b.expires),
        field(&b.reason),
        b.message.as_deref().map(field).unwrap_or_default()
    )
}

/// Logs a store failure; mod_ban then acts as if nothing were there.
fn failed<T: Default>(r: Result<T, crate::store::StoreError>) -> T {
    r.unwrap_or_else(|e| {
        tracing::warn!("mod_ban: {e}");
        T::default()
    })
}

impl Book {
    /// Adds `ban` (replacing one of the same kind, name and server).
    pub async fn add(&self, ban: Ban) {
        let value = format!(
            "{}\t{}",
            field(&ban.reason),
            ban.message.as_deref().map(field).unwrap_or_default()
        );
        failed(
            self.store
                .put(
                    BANS.into(),
                    key(ban.kind, ban.server, &ban.name),
                    value,
                    ban.expires,
                )
                .await,
        );
        self.save().await;
    }

    /// The live ban of `kind` on `name` that holds on `server`, if any.
    pub async fn find(&self, kind: BanKind, name: String, server: usize) -> Option<Ban> {
        for scope in [Some(server), None] {
            let k = key(kind, scope, &name);
            if let Some(value) = failed(self.store.get(BANS.into(), k.clone()).await) {
                return ban_of(&Record {
                    key: k,
                    value,
                    expires: None,
                });
            }
        }
        None
    }

    /// Removes the bans of `kind` on `name` (on `server`, or every one when `None`); returns
    /// how many there were.
    pub async fn remove(&self, kind: BanKind, name: String, server: Option<usize>) -> usize {
        let keys: Vec<String> = match server {
            Some(s) => vec![key(kind, Some(s), &name)],
            None => self
                .list()
                .await
                .into_iter()
                .filter(|b| b.kind == kind && b.name == name)
                .map(|b| key(b.kind, b.server, &b.name))
                .collect(),
        };
        let mut n = 0;
        for k in keys {
            if failed(self.store.remove(BANS.into(), k).await) {
                n += 1;
            }
        }
        self.save().await;
        n
    }

    /// Every live ban.
    pub async fn list(&self) -> Vec<Ban> {
        failed(self.store.records(BANS.into()).await)
            .iter()
            .filter_map(ban_of)
            .collect()
    }

    /// Counts one occurrence of `key` within `window` (a count starts with its first
    /// occurrence and is forgotten once its window has passed); returns the count.
    pub async fn occurred(&self, key: EventKey, window: Duration) -> u32 {
        let k = format!("{}\t{}\t{}", key.0, key.1, key.2);
        let n = failed(
            self.store
                .add(EVENTS.into(), k, vec![("n".into(), 1)], Some(window))
                .await,
        );
        n.first()
            .map_or(0, |&n| u32::try_from(n.max(0)).unwrap_or(u32::MAX))
    }

    /// Forgets the count of `key` (once it led to a ban).
    pub async fn reset(&self, key: EventKey) {
        let k = format!("{}\t{}\t{}", key.0, key.1, key.2);
        failed(self.store.clear(EVENTS.into(), k).await);
    }

    /// Rewrites the `BanTable` copy with the live bans (a few lines; bans are rare).
    async fn save(&self) {
        let Some(table) = &self.table else {
            return;
        };
        let text: String = self.list().await.iter().map(line).collect();
        let mut file = table.lock().unwrap_or_else(|p| p.into_inner());
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(text.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("mod_ban: unable to write the ban table: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::memory::MemoryStore;

    fn ban(name: &str, secs: Option<u64>) -> Ban {
        Ban {
            kind: BanKind::Host,
            name: name.into(),
            server: Some(0),
            reason: "MaxLoginAttempts autoban at now".into(),
            expires: secs.map(|s| SystemTime::now() + Duration::from_secs(s)),
            message: Some("go\taway".into()),
        }
    }

    fn book() -> Book {
        Book {
            store: Arc::new(MemoryStore::default()),
            table: None,
        }
    }

    #[tokio::test]
    async fn bans_hold_on_their_server_until_they_expire_or_are_removed() {
        let store = book();
        store.add(ban("10.0.0.1", Some(60))).await;
        store.add(ban("10.0.0.2", Some(0))).await;
        let found = store.find(BanKind::Host, "10.0.0.1".into(), 0).await;
        assert_eq!(found.and_then(|b| b.message).as_deref(), Some("go away"));
        assert!(
            store
                .find(BanKind::Host, "10.0.0.1".into(), 1)
                .await
                .is_none()
        );
        assert!(
            store
                .find(BanKind::User, "10.0.0.1".into(), 0)
                .await
                .is_none()
        );
        // Expired at once.
        assert!(
            store
                .find(BanKind::Host, "10.0.0.2".into(), 0)
                .await
                .is_none()
        );
        // A ban on every server holds on each.
        let mut everywhere = ban("10.0.0.3", None);
        everywhere.server = None;
        store.add(everywhere).await;
        assert!(
            store
                .find(BanKind::Host, "10.0.0.3".into(), 5)
                .await
                .is_some()
        );
        assert_eq!(
            store.remove(BanKind::Host, "10.0.0.1".into(), None).await,
            1
        );
        assert_eq!(
            store.remove(BanKind::Host, "10.0.0.3".into(), None).await,
            1
        );
        assert!(store.list().await.is_empty());
    }

    #[tokio::test]
    async fn events_count_within_their_window() {
        let store = book();
        let key = ("MaxLoginAttempts", 0, "10.0.0.1".to_string());
        assert_eq!(
            store.occurred(key.clone(), Duration::from_secs(60)).await,
            1
        );
        assert_eq!(
            store.occurred(key.clone(), Duration::from_secs(60)).await,
            2
        );
        store.reset(key.clone()).await;
        assert_eq!(store.occurred(key, Duration::from_secs(60)).await, 1);
    }

    #[test]
    fn table_lines_name_the_ban() {
        let b = ban("10.0.0.1", Some(60));
        let l = line(&b);
        let fields: Vec<&str> = l.trim_end().split('\t').collect();
        assert_eq!(fields[..3], ["host", "0", "10.0.0.1"]);
        assert_eq!(fields[5], "go away");
    }
}
