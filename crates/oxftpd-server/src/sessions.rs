//! The sessions alive in this process, as the control socket sees them: who is connected
//! where, doing what (`oxftpctl who`, `count`), and a way to end chosen ones (`kick`, a
//! vhost's shutdown). ProFTPD finds its sessions in the scoreboard and signals their
//! processes; here every session is a task of one process, so each registers itself here
//! and listens for its end.
//!
//! The table is touched at connect and at the end of a session; a session's own entry is
//! updated by mod_ctrls_admin's hooks (login, each command, each transfer and its progress
//! about once a second), never per byte.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::watch;

/// What is known of one session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// The session's number in this process.
    pub id: u64,
    /// The client's address.
    pub peer: Option<SocketAddr>,
    /// Our address on the control connection.
    pub local: Option<SocketAddr>,
    /// The client's name (reverse DNS), if looked up.
    pub client_name: Option<String>,
    /// The `ServerName` of its vhost.
    pub vhost: String,
    /// Its `<Class>`.
    pub class: Option<String>,
    /// `ftp` or `ftps`.
    pub protocol: String,
    /// The user, once logged in.
    pub user: Option<String>,
    /// When it connected, unix seconds.
    pub connected: i64,
    /// When it logged in, unix seconds.
    pub login: Option<i64>,
    /// Its current directory (virtual path).
    pub cwd: String,
    /// The command it runs (`idle` between commands).
    pub command: String,
    /// That command's argument.
    pub argument: String,
    /// When it last became idle, unix seconds.
    pub idle_since: i64,
    /// The transfer it runs, if any.
    pub transfer: Option<Transfer>,
}

/// A transfer in progress.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transfer {
    /// `upload` or `download` (or `listing`).
    pub direction: &'static str,
    /// The path, as the client named it.
    pub path: String,
    /// The file's size for a download, when known.
    pub size: Option<u64>,
    /// When it started, unix milliseconds.
    pub started_ms: i64,
    /// Bytes moved, as last announced (about once a second).
    pub done: u64,
    /// Milliseconds the data had flowed when `done` was announced.
    pub moving_ms: u64,
}

impl Transfer {
    /// Bytes per second so far, once data has flowed.
    pub fn rate(&self) -> Option<u64> {
        (self.moving_ms > 0).then(|| self.done.saturating_mul(1000) / self.moving_ms)
    }

    /// Percent done of a download of known size.
    pub fn percent(&self) -> Option<u64> {
        self.size
            .filter(|s| *s > 0)
            .map(|s| (self.done.min(s).saturating_mul(100)) / s)
    }
}

/// How a session is asked to end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ending {
    /// The reply sent before the connection closes (`421 …`), or none (ProFTPD's `kick`
    /// closes without a word, as a signalled process does).
    pub reply: Option<String>,
    /// Why, for the log (`%E`).
    pub reason: String,
}

struct Live {
    info: Mutex<Info>,
    end: watch::Sender<Option<Ending>>,
}

static NEXT: AtomicU64 = AtomicU64::new(1);
static TABLE: LazyLock<Mutex<HashMap<u64, Arc<Live>>>> = LazyLock::new(Default::default);

fn table() -> std::sync::MutexGuard<'static, HashMap<u64, Arc<Live>>> {
    TABLE.lock().unwrap_or_else(|p| p.into_inner())
}

/// A session's place in the table; it leaves the table when dropped. Kept in `ctx.ext`.
pub struct Registration(Arc<Live>, u64);

impl Registration {
    /// Changes the session's entry.
    pub fn update(&self, change: impl FnOnce(&mut Info)) {
        change(&mut self.0.info.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// The session's entry as it is now.
    pub fn info(&self) -> Info {
        self.0
            .info
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        table().remove(&self.1);
    }
}

/// Enters a new session into the table; the receiver turns `Some` when it is asked to end.
pub fn register(info: Info) -> (Registration, watch::Receiver<Option<Ending>>) {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let (end, ended) = watch::channel(None);
    let live = Arc::new(Live {
        info: Mutex::new(Info { id, ..info }),
        end,
    });
    table().insert(id, live.clone());
    (Registration(live, id), ended)
}

/// Waits until the session is asked to end; how.
pub async fn ended(rx: &mut watch::Receiver<Option<Ending>>) -> Ending {
    loop {
        if let Some(e) = rx.borrow_and_update().clone() {
            return e;
        }
        if rx.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// Every session now, in the order they connected.
pub fn list() -> Vec<Info> {
    let lives: Vec<Arc<Live>> = table().values().cloned().collect();
    let mut infos: Vec<Info> = lives
        .iter()
        .map(|l| l.info.lock().unwrap_or_else(|p| p.into_inner()).clone())
        .collect();
    infos.sort_by_key(|i| i.id);
    infos
}

/// Asks the sessions `chosen` picks (at most `max`, oldest first) to end; how many were asked.
pub fn end_where(chosen: impl Fn(&Info) -> bool, max: Option<usize>, ending: &Ending) -> usize {
    let mut lives: Vec<(u64, Arc<Live>)> = table().iter().map(|(k, v)| (*k, v.clone())).collect();
    lives.sort_by_key(|(k, _)| *k);
    let mut n = 0;
    for (_, live) in lives {
        if max.is_some_and(|m| n >= m) {
            break;
        }
        let pick = chosen(&live.info.lock().unwrap_or_else(|p| p.into_inner()));
        if pick && live.end.borrow().is_none() {
            live.end.send_replace(Some(ending.clone()));
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_are_listed_and_ended_by_choice() {
        let (a, mut a_end) = register(Info {
            user: Some("alice-sessions-test".into()),
            ..Info::default()
        });
        let (b, b_end) = register(Info {
            user: Some("bob-sessions-test".into()),
            ..Info::default()
        });
        let mine = |i: &Info| {
            i.user
                .as_deref()
                .is_some_and(|u| u.ends_with("-sessions-test"))
        };
        assert_eq!(list().iter().filter(|i| mine(i)).count(), 2);
        let ending = Ending {
            reply: None,
            reason: "kicked".into(),
        };
        let n = end_where(
            |i| i.user.as_deref() == Some("alice-sessions-test"),
            None,
            &ending,
        );
        assert_eq!(n, 1);
        assert_eq!(ended(&mut a_end).await, ending);
        assert!(b_end.borrow().is_none());
        a.update(|i| i.command = "idle".into());
        assert_eq!(a.info().command, "idle");
        drop((a, b));
        assert_eq!(list().iter().filter(|i| mine(i)).count(), 0);
    }
}
