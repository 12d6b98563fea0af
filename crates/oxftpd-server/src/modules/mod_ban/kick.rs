//! The sessions a new ban reaches: 1.3.8's mod_ban sends `SIGTERM` to every other session of
//! the banned host, user or class when it adds a ban. Here each session under `BanEngine on`
//! is listed with its address, class and user; a ban marks the matching ones, and each ends
//! at its next command (mod_ban's `PRE_CMD`), silently, as a terminated ProFTPD session.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use oxftpd_config::modules::mod_ban::BanKind;

/// One session, as bans see it.
#[derive(Default)]
pub struct Mark {
    ip: String,
    class: Option<String>,
    user: Mutex<Option<String>>,
    kicked: AtomicBool,
}

/// Every listed session.
static SESSIONS: LazyLock<Mutex<Vec<Weak<Mark>>>> = LazyLock::new(Default::default);

fn sessions() -> std::sync::MutexGuard<'static, Vec<Weak<Mark>>> {
    match SESSIONS.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    }
}

/// Lists a session (kept in its `ctx.ext` while it lives).
pub fn list(ip: String, class: Option<String>) -> Arc<Mark> {
    let mark = Arc::new(Mark {
        ip,
        class,
        ..Mark::default()
    });
    let mut all = sessions();
    all.retain(|m| m.strong_count() > 0);
    all.push(Arc::downgrade(&mark));
    mark
}

impl Mark {
    /// Notes the session's login.
    pub fn logged_in(&self, user: &str) {
        if let Ok(mut u) = self.user.lock() {
            *u = Some(user.to_string());
        }
    }

    /// Whether a ban reached this session.
    pub fn kicked(&self) -> bool {
        self.kicked.load(Ordering::Relaxed)
    }

    fn matches(&self, kind: BanKind, name: &str) -> bool {
        let user = self.user.lock().ok().and_then(|u| u.clone());
        match kind {
            BanKind::Host => self.ip == name,
            BanKind::Class => self.class.as_deref() == Some(name),
            BanKind::User => user.as_deref() == Some(name),
            BanKind::UserHost => user.is_some_and(|u| format!("{u}@{}", self.ip) == name),
        }
    }
}

/// Marks every listed session the ban of `kind` on `name` reaches; returns how many.
pub fn reach(kind: BanKind, name: &str) -> usize {
    let all: Vec<Arc<Mark>> = sessions().iter().filter_map(Weak::upgrade).collect();
    all.iter()
        .filter(|m| m.matches(kind, name))
        .map(|m| m.kicked.store(true, Ordering::Relaxed))
        .count()
}
