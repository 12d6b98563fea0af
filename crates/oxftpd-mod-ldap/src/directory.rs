//! Connections to the directory, on a runtime of mod_ldap's own.
//!
//! Searches share one connection per server configuration, bound as `LDAPBindDN`: LDAP
//! multiplexes requests on a connection, and ldap3 lets every login use the same one at once.
//! Password checks by bind (`LDAPAuthBinds`) use a small pool of other connections, since a
//! bind changes who a connection is. A connection that fails is dropped; the request is tried
//! once more on a fresh one, going through the `LDAPServer`s in order from the last one that
//! answered, so a directory that goes away costs a login a refusal within the timeouts and
//! service comes back with the directory, with no restart.
//!
//! The auth provider is synchronous (it runs on the daemon's blocking pool); it hands each
//! request to this runtime and waits with a deadline.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, SearchEntry, SearchOptions};
use rustls::ClientConfig;

use crate::servers::Security;
use crate::settings::Connect;

/// Why a request got no answer.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LdapFail {
    /// No `LDAPServer` could be connected to and bound.
    #[error("no LDAP server could be reached: {0}")]
    Down(String),
    /// The directory answered with an error.
    #[error("the directory refused the request: {0}")]
    Refused(String),
    /// mod_ldap's runtime is gone (the daemon is stopping).
    #[error("the LDAP runtime is not running")]
    NoRuntime,
    /// No answer in time.
    #[error("no answer from the directory within {0} seconds")]
    Timeout(u64),
}

/// Result code 49: invalidCredentials.
const INVALID_CREDENTIALS: u32 = 49;
/// Result code 32: noSuchObject (a base DN that is not there: no entries).
const NO_SUCH_OBJECT: u32 = 32;
/// Result code 4: sizeLimitExceeded.
const SIZE_LIMIT: u32 = 4;
/// Idle connections kept for binds as users.
const AUTH_POOL: usize = 8;

static RT: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();

/// mod_ldap's runtime: two worker threads, made once per process by the first caller.
fn runtime() -> Option<&'static tokio::runtime::Runtime> {
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("oxftpd-ldap")
            .enable_all()
            .build()
            .map_err(|e| tracing::error!("mod_ldap: cannot start its runtime: {e}"))
            .ok()
    })
    .as_ref()
}

/// One entry: its DN and attributes (names lower-cased).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// The entry's DN.
    pub dn: String,
    attrs: HashMap<String, Vec<String>>,
}

impl Entry {
    /// An entry with these attributes (tests).
    pub fn new(dn: &str, attrs: &[(&str, &[&str])]) -> Entry {
        Entry {
            dn: dn.to_string(),
            attrs: attrs
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        v.iter().map(|s| s.to_string()).collect(),
                    )
                })
                .collect(),
        }
    }

    /// The first value of `attr` (any case).
    pub fn first(&self, attr: &str) -> Option<&str> {
        self.attrs
            .get(&attr.to_ascii_lowercase())
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    fn from(e: SearchEntry) -> Entry {
        Entry {
            dn: e.dn,
            attrs: e
                .attrs
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v))
                .collect(),
        }
    }
}

/// The directory of one server configuration.
pub struct Directory {
    connect: Connect,
    tls: Vec<Option<Arc<ClientConfig>>>,
    /// The searching connection, when one is up.
    shared: tokio::sync::Mutex<Option<Ldap>>,
    /// Idle connections for binds as users.
    auth_pool: Mutex<Vec<Ldap>>,
    /// The server that answered last (ProFTPD's `curr_server_index`).
    current: Mutex<usize>,
    /// Where log lines go.
    log: Option<std::path::PathBuf>,
}

impl Directory {
    /// The directory for `connect`; TLS settings are read now, so a bad `ssl-ca:` is a
    /// configuration error.
    pub fn new(connect: Connect, log: Option<std::path::PathBuf>) -> Result<Directory, String> {
        let tls = connect
            .servers
            .iter()
            .zip(&connect.security)
            .map(|(s, sec)| match sec {
                Security::Plain => Ok(None),
                _ => crate::tls::client_config(s).map(Some),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Directory {
            connect,
            tls,
            shared: tokio::sync::Mutex::new(None),
            auth_pool: Mutex::new(Vec::new()),
            current: Mutex::new(0),
            log,
        })
    }

    fn note(&self, message: &str) {
        crate::log::line(self.log.as_deref(), message);
    }

    /// The longest one request may take: every server's connect and bind, and the search,
    /// tried twice.
    fn deadline(&self) -> Duration {
        let per_server = self.connect.connect_timeout + self.connect.query_timeout;
        (per_server * self.connect.servers.len().max(1) as u32 + self.connect.query_timeout) * 2
    }

    /// Runs `fut` on mod_ldap's runtime and waits for it, at most [`Self::deadline`].
    fn block<T: Send + 'static>(
        &self,
        fut: impl std::future::Future<Output = Result<T, LdapFail>> + Send + 'static,
    ) -> Result<T, LdapFail> {
        let rt = runtime().ok_or(LdapFail::NoRuntime)?;
        let deadline = self.deadline();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rt.spawn(async move {
            let r = tokio::time::timeout(deadline, fut)
                .await
                .unwrap_or(Err(LdapFail::Timeout(deadline.as_secs())));
            let _ = tx.send(r);
        });
        rx.recv_timeout(deadline + Duration::from_secs(1))
            .unwrap_or(Err(LdapFail::Timeout(deadline.as_secs())))
    }

    /// A new connection to the first server that takes it, from the current one on; bound as
    /// `bind` (`None`: anonymous).
    async fn open(&self, bind: Option<&(String, String)>) -> Result<(Ldap, usize), LdapFail> {
        let n = self.connect.servers.len();
        let start = *self.current.lock().unwrap_or_else(|p| p.into_inner());
        let mut errors = Vec::new();
        for k in 0..n {
            let i = (start + k) % n;
            let server = &self.connect.servers[i];
            match self.open_one(i, bind).await {
                Ok(ldap) => {
                    *self.current.lock().unwrap_or_else(|p| p.into_inner()) = i;
                    return Ok((ldap, i));
                }
                Err(e) => {
                    self.note(&format!("connection to '{}' failed: {e}", server.text));
                    errors.push(format!("{}: {e}", server.text));
                }
            }
        }
        Err(LdapFail::Down(errors.join("; ")))
    }

    async fn open_one(&self, i: usize, bind: Option<&(String, String)>) -> Result<Ldap, String> {
        let server = &self.connect.servers[i];
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(self.connect.connect_timeout)
            .set_starttls(self.connect.security[i] == Security::StartTls);
        if let Some(Some(config)) = self.tls.get(i) {
            settings = settings.set_config(config.clone());
        }
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &server.url())
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.drive().await;
        });
        if let Some((dn, password)) = bind {
            let r = ldap
                .with_timeout(self.connect.query_timeout)
                .simple_bind(dn, password)
                .await
                .map_err(|e| e.to_string())?;
            if r.rc != 0 {
                let _ = ldap.unbind().await;
                return Err(format!("bind as DN '{dn}' failed: {} ({})", r.text, r.rc));
            }
        }
        Ok(ldap)
    }

    /// The searching connection, opened (and bound as `LDAPBindDN`) when there is none.
    async fn shared(&self) -> Result<Ldap, LdapFail> {
        let mut slot = self.shared.lock().await;
        if let Some(ldap) = slot.as_mut()
            && !ldap.is_closed()
        {
            return Ok(ldap.clone());
        }
        *slot = None;
        let (ldap, i) = self.open(self.connect.bind.as_ref()).await?;
        self.note(&format!(
            "connected to '{}' as {}",
            self.connect.servers[i].text,
            self.connect
                .bind
                .as_ref()
                .map_or("(anonymous)".to_string(), |(dn, _)| format!("DN '{dn}'"))
        ));
        *slot = Some(ldap.clone());
        Ok(ldap)
    }

    async fn forget_shared(&self) {
        *self.shared.lock().await = None;
    }

    async fn search_now(
        self: Arc<Self>,
        base: String,
        filter: String,
        attrs: Vec<String>,
        limit: i32,
    ) -> Result<Vec<Entry>, LdapFail> {
        let mut last = None;
        for _attempt in 0..2 {
            let mut ldap = self.shared().await?;
            let i = *self.current.lock().unwrap_or_else(|p| p.into_inner());
            let scope = self
                .connect
                .servers
                .get(i)
                .and_then(|s| s.url_scope)
                .unwrap_or(self.connect.scope);
            let r =
                ldap.with_timeout(self.connect.query_timeout)
                    .with_search_options(
                        SearchOptions::new()
                            .deref(self.connect.deref)
                            .sizelimit(limit)
                            .timelimit(
                                self.connect.query_timeout.as_secs().min(i32::MAX as u64) as i32
                            ),
                    )
                    .search(&base, scope, &filter, attrs.clone())
                    .await;
            match r {
                Ok(res) => {
                    let rc = res.1.rc;
                    if rc == 0 || rc == NO_SUCH_OBJECT || rc == SIZE_LIMIT {
                        self.note(&format!(
                            "searched under base DN {base} using filter {filter}"
                        ));
                        return Ok(res
                            .0
                            .into_iter()
                            .map(|e| Entry::from(SearchEntry::construct(e)))
                            .collect());
                    }
                    let msg = format!(
                        "search under '{base}' with filter '{filter}' failed: {} ({rc})",
                        res.1.text
                    );
                    self.note(&msg);
                    return Err(LdapFail::Refused(msg));
                }
                Err(e) => {
                    self.note(&format!("LDAP connection went away ({e}), retrying search"));
                    self.forget_shared().await;
                    last = Some(e.to_string());
                }
            }
        }
        Err(LdapFail::Down(last.unwrap_or_default()))
    }

    /// Entries under `base` matching `filter`, with `attrs`; at most `limit` (0: no limit).
    pub fn search(
        self: &Arc<Self>,
        base: &str,
        filter: &str,
        attrs: &[&str],
        limit: i32,
    ) -> Result<Vec<Entry>, LdapFail> {
        let me = self.clone();
        let attrs = attrs.iter().map(|a| a.to_string()).collect();
        self.block(me.search_now(base.to_string(), filter.to_string(), attrs, limit))
    }

    async fn bind_now(self: Arc<Self>, dn: String, password: String) -> Result<bool, LdapFail> {
        // A pooled connection first; a fresh one if it fails (or there is none).
        let mut next = self
            .auth_pool
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        let mut tried_fresh = false;
        loop {
            let mut ldap = match next.take() {
                Some(l) => l,
                None => {
                    tried_fresh = true;
                    self.open(None).await?.0
                }
            };
            match ldap
                .with_timeout(self.connect.query_timeout)
                .simple_bind(&dn, &password)
                .await
            {
                Ok(r) => {
                    let mut pool = self.auth_pool.lock().unwrap_or_else(|p| p.into_inner());
                    if pool.len() < AUTH_POOL && !ldap.is_closed() {
                        pool.push(ldap);
                    }
                    return match r.rc {
                        0 => Ok(true),
                        INVALID_CREDENTIALS => Ok(false),
                        rc => Err(LdapFail::Refused(format!(
                            "bind as {dn} failed: {} ({rc})",
                            r.text
                        ))),
                    };
                }
                Err(e) => {
                    self.note(&format!("bind connection went away ({e}), retrying"));
                    if tried_fresh {
                        return Err(LdapFail::Down(e.to_string()));
                    }
                }
            }
        }
    }

    /// Whether `password` is `dn`'s (a bind as that DN succeeds). Never called with an empty
    /// password: that would be an unauthenticated bind, which succeeds for any DN.
    pub fn bind_as(self: &Arc<Self>, dn: &str, password: &str) -> Result<bool, LdapFail> {
        if password.is_empty() {
            return Ok(false);
        }
        let me = self.clone();
        self.block(me.bind_now(dn.to_string(), password.to_string()))
    }
}
