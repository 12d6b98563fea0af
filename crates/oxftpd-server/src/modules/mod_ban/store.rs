//! Where bans and event counts live: one [`BanStore`] trait, so that a cluster can put them
//! in a shared database later. [`LocalStore`] keeps them in memory and writes the bans through
//! to the ban table file (`BanTable`, or beside the `ScoreboardFile`), from which they are read
//! again at start and on every reload: bans outlive restarts, event counts do not (as mod_ban's
//! own counts).
//!
//! The table is a text file, one ban a line: `kind TAB server TAB name TAB expires TAB reason
//! TAB message`, where server is `*` for every server and expires is a Unix time (0: never).

use std::collections::HashMap;
use std::fs::File;
use std::future::Future;
use std::io::{Seek, Write};
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oxftpd_config::modules::mod_ban::BanKind;

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

impl Ban {
    fn live(&self, now: SystemTime) -> bool {
        self.expires.is_none_or(|e| e > now)
    }
}

/// Which occurrences count together: the event, the server and the source.
pub type EventKey = (&'static str, usize, String);

/// The future a store's method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Bans and event counts, wherever they are kept.
pub trait BanStore: Send + Sync {
    /// Adds `ban` (replacing one of the same kind, name and server).
    fn add(&self, ban: Ban) -> StoreFuture<'_, ()>;
    /// The live ban of `kind` on `name` that holds on `server`, if any.
    fn find(&self, kind: BanKind, name: String, server: usize) -> StoreFuture<'_, Option<Ban>>;
    /// Removes the bans of `kind` on `name` (on `server`, or every one when `None`); returns
    /// how many there were.
    fn remove(&self, kind: BanKind, name: String, server: Option<usize>) -> StoreFuture<'_, usize>;
    /// Every live ban.
    fn list(&self) -> StoreFuture<'_, Vec<Ban>>;
    /// Counts one occurrence of `key` within `window` (a count starts with its first
    /// occurrence and is forgotten once its window has passed); returns the count.
    fn occurred(&self, key: EventKey, window: Duration) -> StoreFuture<'_, u32>;
    /// Forgets the count of `key` (once it led to a ban).
    fn reset(&self, key: EventKey) -> StoreFuture<'_, ()>;
}

/// One event's occurrences.
struct Count {
    n: u32,
    since: std::time::Instant,
    window: Duration,
}

#[derive(Default)]
struct Inner {
    bans: Vec<Ban>,
    counts: HashMap<EventKey, Count>,
}

/// The store of one process: memory, with the bans written through to a file.
pub struct LocalStore {
    inner: Mutex<Inner>,
    /// The ban table, opened (as root) when the configuration was loaded.
    table: Option<Mutex<File>>,
}

fn kind_name(kind: BanKind) -> &'static str {
    kind.name()
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

/// One ban as a table line.
fn line(b: &Ban) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\n",
        kind_name(b.kind),
        b.server.map_or("*".to_string(), |s| s.to_string()),
        field(&b.name),
        unix(b.expires),
        field(&b.reason),
        b.message.as_deref().map(field).unwrap_or_default()
    )
}

/// A table line as a ban; `None` for a line that is not one.
fn parse(text: &str) -> Option<Ban> {
    let mut f = text.split('\t');
    let kind = kind_of(f.next()?)?;
    let server = match f.next()? {
        "*" => None,
        n => Some(n.parse().ok()?),
    };
    let name = f.next()?.to_string();
    let expires = match f.next()?.parse::<u64>().ok()? {
        0 => None,
        secs => Some(UNIX_EPOCH + Duration::from_secs(secs)),
    };
    let reason = f.next().unwrap_or("").to_string();
    let message = f.next().filter(|m| !m.is_empty()).map(str::to_string);
    Some(Ban {
        kind,
        name,
        server,
        reason,
        expires,
        message,
    })
}

impl LocalStore {
    /// A store in memory only.
    pub fn in_memory() -> LocalStore {
        LocalStore {
            inner: Mutex::default(),
            table: None,
        }
    }

    /// A store whose bans are written to `file` (read from it first: the live ones).
    pub fn with_table(mut file: File) -> std::io::Result<LocalStore> {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text)?;
        let now = SystemTime::now();
        let bans = text
            .lines()
            .filter_map(parse)
            .filter(|b| b.live(now))
            .collect();
        Ok(LocalStore {
            inner: Mutex::new(Inner {
                bans,
                counts: HashMap::new(),
            }),
            table: Some(Mutex::new(file)),
        })
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Rewrites the table with `bans` (a few lines; bans are rare).
    fn save(&self, bans: &[Ban]) {
        let Some(table) = &self.table else {
            return;
        };
        let text: String = bans.iter().map(line).collect();
        let mut file = match table.lock() {
            Ok(f) => f,
            Err(p) => p.into_inner(),
        };
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(text.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("mod_ban: unable to write the ban table: {e}");
        }
    }

    fn expire(inner: &mut Inner) -> bool {
        let now = SystemTime::now();
        let before = inner.bans.len();
        inner.bans.retain(|b| b.live(now));
        inner.counts.retain(|_, c| c.since.elapsed() <= c.window);
        inner.bans.len() != before
    }
}

impl BanStore for LocalStore {
    fn add(&self, ban: Ban) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let bans = {
                let mut inner = self.inner();
                Self::expire(&mut inner);
                inner.bans.retain(|b| {
                    !(b.kind == ban.kind && b.name == ban.name && b.server == ban.server)
                });
                inner.bans.push(ban);
                inner.bans.clone()
            };
            self.save(&bans);
        })
    }

    fn find(&self, kind: BanKind, name: String, server: usize) -> StoreFuture<'_, Option<Ban>> {
        Box::pin(async move {
            let (found, changed) = {
                let mut inner = self.inner();
                let changed = Self::expire(&mut inner).then(|| inner.bans.clone());
                let found = inner
                    .bans
                    .iter()
                    .find(|b| {
                        b.kind == kind && b.name == name && b.server.is_none_or(|s| s == server)
                    })
                    .cloned();
                (found, changed)
            };
            if let Some(bans) = changed {
                self.save(&bans);
            }
            found
        })
    }

    fn remove(&self, kind: BanKind, name: String, server: Option<usize>) -> StoreFuture<'_, usize> {
        Box::pin(async move {
            let (n, bans) = {
                let mut inner = self.inner();
                let before = inner.bans.len();
                inner.bans.retain(|b| {
                    !(b.kind == kind
                        && b.name == name
                        && server.is_none_or(|s| b.server == Some(s)))
                });
                (before - inner.bans.len(), inner.bans.clone())
            };
            self.save(&bans);
            n
        })
    }

    fn list(&self) -> StoreFuture<'_, Vec<Ban>> {
        Box::pin(async move {
            let mut inner = self.inner();
            Self::expire(&mut inner);
            inner.bans.clone()
        })
    }

    fn occurred(&self, key: EventKey, window: Duration) -> StoreFuture<'_, u32> {
        Box::pin(async move {
            let mut inner = self.inner();
            Self::expire(&mut inner);
            let count = inner.counts.entry(key).or_insert(Count {
                n: 0,
                since: std::time::Instant::now(),
                window,
            });
            count.n += 1;
            count.n
        })
    }

    fn reset(&self, key: EventKey) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.inner().counts.remove(&key);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[tokio::test]
    async fn bans_hold_on_their_server_until_they_expire_or_are_removed() {
        let store = LocalStore::in_memory();
        store.add(ban("10.0.0.1", Some(60))).await;
        store.add(ban("10.0.0.2", Some(0))).await;
        assert!(
            store
                .find(BanKind::Host, "10.0.0.1".into(), 0)
                .await
                .is_some()
        );
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
        assert_eq!(
            store.remove(BanKind::Host, "10.0.0.1".into(), None).await,
            1
        );
        assert!(store.list().await.is_empty());
    }

    #[tokio::test]
    async fn events_count_within_their_window() {
        let store = LocalStore::in_memory();
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
    fn table_lines_read_back() {
        let b = ban("10.0.0.1", Some(60));
        let back = parse(line(&b).trim_end()).expect("parses");
        assert_eq!(back.message.as_deref(), Some("go away"));
        assert_eq!(unix(back.expires), unix(b.expires));
        assert_eq!(
            (back.kind, back.name, back.server),
            (b.kind, b.name, b.server)
        );
    }
}
