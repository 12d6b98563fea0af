//! The connection pools, one per database (the URL), on a runtime of mod_sql's own.
//!
//! Auth look-ups come from the daemon's blocking pool (the `AuthProvider` trait is
//! synchronous) and `SQLLog` from the session tasks; both hand their statement to this
//! runtime and wait for it with a deadline, so a database that stops answering costs a login
//! at most [`DEADLINE`], never a hung session. Pools are shared between the auth provider
//! and the logging hooks of the same database, and survive a reload.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row as _};

use crate::connect::{Kind, Policy};
use crate::query::{Bound, Param};

/// The longest a statement may take, connection included.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// The longest a pool waits for a connection.
const ACQUIRE: Duration = Duration::from_secs(5);
/// Connections per pool.
const MAX_CONNECTIONS: u32 = 16;

/// Why a statement failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The database answered with an error, or could not be reached.
    #[error("{0}")]
    Sql(String),
    /// No answer within [`DEADLINE`].
    #[error("no answer from the database within {} seconds", DEADLINE.as_secs())]
    Timeout,
    /// mod_sql's runtime is gone (the daemon is stopping).
    #[error("the SQL runtime is not running")]
    NoRuntime,
}

/// A row: every column as text (`None` for NULL).
pub type Row = Vec<Option<String>>;

static RT: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();

/// Whether the runtime exists yet.
pub fn runtime_ready() -> bool {
    RT.get().is_some()
}

/// mod_sql's runtime: two worker threads, made once per process (after any fork), by the
/// first caller. Callers make it from the daemon's privileged pool (the auth chain runs
/// there; the hooks go there first), so its threads keep the daemon's uid 0 as ProFTPD keeps
/// root for its SQLite opens: a root-only `users.db` works, and SQLite may write its journal
/// beside the file. They keep only the daemon's limited capabilities.
pub fn runtime() -> Option<&'static tokio::runtime::Runtime> {
    RT.get_or_init(|| {
        sqlx::any::install_default_drivers();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("oxftpd-sql")
            .enable_all()
            .build()
            .map_err(|e| tracing::error!("mod_sql: cannot start its runtime: {e}"))
            .ok()
    })
    .as_ref()
}

/// One database: its pool and dialect.
pub struct Db {
    pool: AnyPool,
    kind: Kind,
}

/// The pool for `url`, made on first use.
pub fn db(
    url: &str,
    kind: Kind,
    policy: Policy,
    keepalive: Option<(Duration, String)>,
) -> Result<Arc<Db>, DbError> {
    static POOLS: OnceLock<Mutex<HashMap<String, Arc<Db>>>> = OnceLock::new();
    let pools = POOLS.get_or_init(Default::default);
    let mut pools = pools.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(db) = pools.get(url) {
        return Ok(db.clone());
    }
    let rt = runtime().ok_or(DbError::NoRuntime)?;
    let _entered = rt.enter();
    let mut options = AnyPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(ACQUIRE)
        .test_before_acquire(true);
    options = match policy {
        Policy::Keep => options,
        Policy::PerCall => options.max_lifetime(Some(Duration::from_millis(1))),
        Policy::Idle(d) => options.idle_timeout(Some(d)),
    };
    let pool = options
        .connect_lazy(url)
        .map_err(|e| DbError::Sql(e.to_string()))?;
    let db = Arc::new(Db { pool, kind });
    if let Some((every, statement)) = keepalive {
        db.keep_alive(every, statement);
    }
    pools.insert(url.to_string(), db.clone());
    Ok(db)
}

/// A cell as text, whatever type the backend gave it.
fn cell(row: &AnyRow, i: usize) -> Option<String> {
    if let Ok(v) = row.try_get::<Option<String>, _>(i) {
        return v;
    }
    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
        return v.map(|n| n.to_string());
    }
    if let Ok(v) = row.try_get::<Option<i32>, _>(i) {
        return v.map(|n| n.to_string());
    }
    if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
        return v.map(|n| n.to_string());
    }
    if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
        return v.map(|b| if b { "1" } else { "0" }.to_string());
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
        return v.map(|b| String::from_utf8_lossy(&b).into_owned());
    }
    None
}

impl Db {
    /// The backend this pool talks to.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    async fn fetch_now(pool: AnyPool, stmt: Bound) -> Result<Vec<Row>, DbError> {
        let mut q = sqlx::query(&stmt.sql);
        for p in stmt.params {
            q = match p {
                Param::Text(s) => q.bind(s),
                Param::Int(n) => q.bind(n),
                Param::Float(x) => q.bind(x),
            };
        }
        let rows = q
            .fetch_all(&pool)
            .await
            .map_err(|e| DbError::Sql(e.to_string()))?;
        Ok(rows
            .iter()
            .map(|r| (0..r.len()).map(|i| cell(r, i)).collect())
            .collect())
    }

    async fn execute_now(pool: AnyPool, stmt: Bound) -> Result<u64, DbError> {
        let mut q = sqlx::query(&stmt.sql);
        for p in stmt.params {
            q = match p {
                Param::Text(s) => q.bind(s),
                Param::Int(n) => q.bind(n),
                Param::Float(x) => q.bind(x),
            };
        }
        q.execute(&pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(|e| DbError::Sql(e.to_string()))
    }

    /// Runs a SELECT and returns its rows; blocking (for the auth provider, off the async
    /// threads).
    pub fn fetch_blocking(&self, stmt: Bound) -> Result<Vec<Row>, DbError> {
        let rt = runtime().ok_or(DbError::NoRuntime)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let pool = self.pool.clone();
        rt.spawn(async move {
            let r = tokio::time::timeout(DEADLINE, Db::fetch_now(pool, stmt)).await;
            let _ = tx.send(r.unwrap_or(Err(DbError::Timeout)));
        });
        rx.recv_timeout(DEADLINE + Duration::from_secs(1))
            .unwrap_or(Err(DbError::Timeout))
    }

    /// Runs a SELECT from async code.
    pub async fn fetch(&self, stmt: Bound) -> Result<Vec<Row>, DbError> {
        let rt = runtime().ok_or(DbError::NoRuntime)?;
        let pool = self.pool.clone();
        let task = rt.spawn(tokio::time::timeout(DEADLINE, Db::fetch_now(pool, stmt)));
        match task.await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(DbError::Timeout),
            Err(_) => Err(DbError::NoRuntime),
        }
    }

    /// Runs any other statement from async code; the number of rows it changed.
    pub async fn execute(&self, stmt: Bound) -> Result<u64, DbError> {
        let rt = runtime().ok_or(DbError::NoRuntime)?;
        let pool = self.pool.clone();
        let task = rt.spawn(tokio::time::timeout(DEADLINE, Db::execute_now(pool, stmt)));
        match task.await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(DbError::Timeout),
            Err(_) => Err(DbError::NoRuntime),
        }
    }

    /// Runs `stmts` in one transaction from async code, each one's rows (none for a
    /// statement that returns none); nothing of it stays when one fails.
    pub async fn transaction(&self, stmts: Vec<Bound>) -> Result<Vec<Vec<Row>>, DbError> {
        let rt = runtime().ok_or(DbError::NoRuntime)?;
        let pool = self.pool.clone();
        let task = rt.spawn(tokio::time::timeout(
            DEADLINE,
            Db::transaction_now(pool, stmts),
        ));
        match task.await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(DbError::Timeout),
            Err(_) => Err(DbError::NoRuntime),
        }
    }

    async fn transaction_now(pool: AnyPool, stmts: Vec<Bound>) -> Result<Vec<Vec<Row>>, DbError> {
        let sql = |e: sqlx::Error| DbError::Sql(e.to_string());
        let mut tx = pool.begin().await.map_err(sql)?;
        let mut all = Vec::new();
        for stmt in stmts {
            let mut q = sqlx::query(&stmt.sql);
            for p in stmt.params {
                q = match p {
                    Param::Text(s) => q.bind(s),
                    Param::Int(n) => q.bind(n),
                    Param::Float(x) => q.bind(x),
                };
            }
            let rows = q.fetch_all(&mut *tx).await.map_err(sql)?;
            all.push(
                rows.iter()
                    .map(|r| (0..r.len()).map(|i| cell(r, i)).collect())
                    .collect(),
            );
        }
        tx.commit().await.map_err(sql)?;
        Ok(all)
    }

    /// Starts `SQLKeepAlive`: `statement` every `every` on a pooled connection.
    pub fn keep_alive(self: &Arc<Self>, every: Duration, statement: String) {
        let Some(rt) = runtime() else { return };
        let weak = Arc::downgrade(self);
        rt.spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(db) = weak.upgrade() else { return };
                let stmt = Bound {
                    sql: statement.clone(),
                    params: Vec::new(),
                };
                if let Err(e) = Db::execute_now(db.pool.clone(), stmt).await {
                    crate::log::line(None, &format!("SQLKeepAlive: {e}"));
                }
            }
        });
    }
}
