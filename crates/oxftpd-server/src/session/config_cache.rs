//! A logged-in session's typed configuration per path: the scope (`.ftpaccess` files,
//! `<Directory>` chain, matching `<IfUser>`/`<IfGroup>`/`<IfClass>`, `<Anonymous>`, server,
//! `<Global>`) is merged once per virtual path and kept until a `.ftpaccess` file changes.
//!
//! The key is the exact virtual path looked up (a `<Directory>` pattern may match a file's
//! path, not only its directory's). A session keeps the configuration generation it started
//! under, so a reload (SIGHUP) never changes what is cached; entries are dropped when the
//! session's server changes, when the `.ftpaccess` files it has read change, and when the
//! cache is full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use oxftpd_config::Effective;

/// Paths remembered per session (the cache is emptied when it would grow past this).
const MAX_ENTRIES: usize = 256;

#[derive(Default)]
struct Inner {
    /// The server the entries were made for (its address: a session's `ServerCtx` lives as long as it).
    server: usize,
    /// The `.ftpaccess` cache's version the `full` entries were made with.
    ftpaccess: u64,
    /// With `.ftpaccess` files, by virtual path.
    full: HashMap<String, Arc<Effective>>,
    /// From the configuration alone, by real path (what `AllowOverride` is read from).
    config_only: HashMap<String, Arc<Effective>>,
}

/// The cache; interior-mutable so that lookups need only `&LoggedIn`.
#[derive(Default)]
pub struct ConfigCache {
    inner: Mutex<Inner>,
}

impl ConfigCache {
    /// The settings for `vpath`, made by `build` unless cached for this server and `.ftpaccess` version.
    pub fn full(
        &self,
        server: usize,
        ftpaccess: u64,
        vpath: &str,
        build: impl FnOnce() -> Effective,
    ) -> Arc<Effective> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.check_server(server);
        if inner.ftpaccess != ftpaccess {
            inner.full.clear();
            inner.ftpaccess = ftpaccess;
        }
        get_or_build(&mut inner.full, vpath, build)
    }

    /// The settings from the configuration alone for the real path `real`.
    pub fn config_only(
        &self,
        server: usize,
        real: &str,
        build: impl FnOnce() -> Effective,
    ) -> Arc<Effective> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.check_server(server);
        get_or_build(&mut inner.config_only, real, build)
    }
}

impl Inner {
    fn check_server(&mut self, server: usize) {
        if self.server != server {
            self.full.clear();
            self.config_only.clear();
            self.server = server;
        }
    }
}

fn get_or_build(
    map: &mut HashMap<String, Arc<Effective>>,
    key: &str,
    build: impl FnOnce() -> Effective,
) -> Arc<Effective> {
    if let Some(hit) = map.get(key) {
        return hit.clone();
    }
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    let made = Arc::new(build());
    map.insert(key.to_string(), made.clone());
    made
}
