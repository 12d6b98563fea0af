//! The counter store ([`oxftpd_server::store`]) in a SQL database: a SQLite file (the
//! default, `CounterStore sqlite PATH`, or beside the `ScoreboardFile`) or mod_sql's own
//! database (`CounterStore sql`: the first server's `SQLConnectInfo`, PostgreSQL, MySQL/MariaDB
//! or SQLite), so that several daemons can share their counters.
//!
//! Two tables, made when the store is first used: `oxftpd_counters (space, ckey, name, value,
//! expires)` and `oxftpd_records (space, rkey, value, expires)`, times in milliseconds since
//! the epoch, 0 for never. A counter changes only by one upsert that adds to the stored value
//! inside the database (`value = value + delta`), in a transaction with the read of the new
//! value, so concurrent sessions, processes and nodes never lose an update. Values are always
//! bound parameters.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use oxftpd_config::Config;
use oxftpd_config::modules::mod_core::CounterStoreChoice;
use oxftpd_server::StartError;
use oxftpd_server::store::{CounterStore, Record, StoreError, StoreFuture, from_millis, millis};

use crate::backend::{Db, DbError, Row};
use crate::connect::{Kind, Policy};
use crate::query::{Bound, Param};

/// The counter store in a SQL database.
pub struct SqlStore {
    url: String,
    kind: Kind,
    what: String,
    db: OnceLock<Arc<Db>>,
}

/// mod_sql's counter-store backends (`Module::store`): a SQLite file, or mod_sql's database.
pub fn offer(
    config: &Config,
    choice: &CounterStoreChoice,
) -> Result<Option<Arc<dyn CounterStore>>, StartError> {
    let store = match choice {
        CounterStoreChoice::Memory | CounterStoreChoice::Redis => return Ok(None),
        CounterStoreChoice::Sqlite(path) => SqlStore::sqlite(path)?,
        CounterStoreChoice::Sql => {
            let mut found = None;
            for server in config.servers() {
                if let Some(s) = crate::settings_for(server)? {
                    found = Some(s);
                    break;
                }
            }
            let Some(s) = found else {
                return Err(StartError::Message(
                    "CounterStore sql: no server has an SQLConnectInfo".into(),
                ));
            };
            SqlStore::new(s.url.clone(), s.kind, format!("sql {}", s.connect.info))
        }
    };
    Ok(Some(Arc::new(store)))
}

fn failed(e: DbError) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn text(v: &str) -> Param {
    Param::Text(v.to_string())
}

fn cell_i64(row: &Row, i: usize) -> i64 {
    row.get(i)
        .and_then(|c| c.as_deref())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn cell_text(row: &Row, i: usize) -> String {
    row.get(i).cloned().flatten().unwrap_or_default()
}

fn expiry(t: Option<SystemTime>) -> i64 {
    t.map_or(0, |t| millis(t).max(1))
}

impl SqlStore {
    /// A store in the SQLite file `path` (made when missing).
    pub fn sqlite(path: &str) -> Result<SqlStore, StartError> {
        let bad = |e: url::ParseError| StartError::Message(format!("CounterStore {path}: {e}"));
        let mut u = url::Url::parse("sqlite:///").map_err(bad)?;
        u.set_path(path);
        u.query_pairs_mut().append_pair("mode", "rwc");
        Ok(SqlStore::new(
            u.to_string(),
            Kind::Sqlite,
            format!("sqlite {path}"),
        ))
    }

    /// A store in the database at `url`.
    pub fn new(url: String, kind: Kind, what: String) -> SqlStore {
        SqlStore {
            url,
            kind,
            what,
            db: OnceLock::new(),
        }
    }

    fn db(&self) -> Result<Arc<Db>, StoreError> {
        if let Some(db) = self.db.get() {
            return Ok(db.clone());
        }
        let db = crate::backend::db(&self.url, self.kind, Policy::Keep, None).map_err(failed)?;
        Ok(self.db.get_or_init(|| db).clone())
    }

    /// `?` or `$n`: the `n`th placeholder (from 1).
    fn p(&self, n: usize) -> String {
        self.kind.placeholder(n)
    }

    /// A text column type that compares bytes (user names are case-sensitive).
    fn text_type(&self, len: u32) -> String {
        match self.kind {
            Kind::Mysql => format!("VARCHAR({len}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
            Kind::Sqlite | Kind::Postgres => format!("VARCHAR({len})"),
        }
    }

    fn schema(&self) -> Vec<Bound> {
        let t = |n| self.text_type(n);
        let value_type = match self.kind {
            Kind::Mysql => "TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            Kind::Sqlite | Kind::Postgres => "TEXT",
        };
        [
            format!(
                "CREATE TABLE IF NOT EXISTS oxftpd_counters (space {} NOT NULL, ckey {} NOT NULL, \
                 name {} NOT NULL, value BIGINT NOT NULL, expires BIGINT NOT NULL, \
                 PRIMARY KEY (space, ckey, name))",
                t(64),
                t(255),
                t(64)
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS oxftpd_records (space {} NOT NULL, rkey {} NOT NULL, \
                 value {value_type} NOT NULL, expires BIGINT NOT NULL, PRIMARY KEY (space, rkey))",
                t(64),
                t(255)
            ),
        ]
        .into_iter()
        .map(|sql| Bound {
            sql,
            params: Vec::new(),
        })
        .collect()
    }

    /// The statements that add `delta` to one counter and read its new value.
    fn add_one(
        &self,
        space: &str,
        key: &str,
        name: &str,
        delta: i64,
        window: Option<Duration>,
    ) -> Vec<Bound> {
        let now = millis(SystemTime::now());
        let ends = expiry(window.map(|w| SystemTime::now() + w));
        let p = |n| self.p(n);
        let values = vec![
            text(space),
            text(key),
            text(name),
            Param::Int(delta),
            Param::Int(ends),
        ];
        match self.kind {
            Kind::Sqlite | Kind::Postgres => {
                let over = format!(
                    "oxftpd_counters.expires <> 0 AND oxftpd_counters.expires <= {}",
                    p(6)
                );
                let mut params = values;
                params.push(Param::Int(now));
                vec![Bound {
                    sql: format!(
                        "INSERT INTO oxftpd_counters (space, ckey, name, value, expires) \
                         VALUES ({}, {}, {}, {}, {}) ON CONFLICT (space, ckey, name) DO UPDATE SET \
                         value = CASE WHEN {over} THEN excluded.value \
                         ELSE oxftpd_counters.value + excluded.value END, \
                         expires = CASE WHEN {over} THEN excluded.expires \
                         ELSE oxftpd_counters.expires END RETURNING value",
                        p(1),
                        p(2),
                        p(3),
                        p(4),
                        p(5)
                    ),
                    params,
                }]
            }
            Kind::Mysql => {
                let mut params = values;
                params.push(Param::Int(now));
                params.push(Param::Int(now));
                vec![
                    Bound {
                        sql: "INSERT INTO oxftpd_counters (space, ckey, name, value, expires) \
                              VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE \
                              value = IF(expires <> 0 AND expires <= ?, VALUES(value), value + VALUES(value)), \
                              expires = IF(expires <> 0 AND expires <= ?, VALUES(expires), expires)"
                            .into(),
                        params,
                    },
                    Bound {
                        sql: "SELECT value FROM oxftpd_counters WHERE space = ? AND ckey = ? AND name = ?"
                            .into(),
                        params: vec![text(space), text(key), text(name)],
                    },
                ]
            }
        }
    }

    async fn run(&self, stmts: Vec<Bound>) -> Result<Vec<Vec<Row>>, StoreError> {
        self.db()?.transaction(stmts).await.map_err(failed)
    }

    async fn one(&self, sql: String, params: Vec<Param>) -> Result<Vec<Row>, StoreError> {
        let mut all = self.run(vec![Bound { sql, params }]).await?;
        Ok(all.pop().unwrap_or_default())
    }
}

impl CounterStore for SqlStore {
    fn describe(&self) -> String {
        self.what.clone()
    }

    /// Makes mod_sql's runtime (its threads keep the daemon's privileges, so that the SQLite
    /// file and its journal may be made where only root writes), then the tables.
    fn prepare(&self) -> Result<(), StoreError> {
        let rt = crate::backend::runtime()
            .ok_or_else(|| StoreError::Backend("the SQL runtime is not running".into()))?;
        let mut stmts = self.schema();
        stmts.push(Bound {
            sql: format!(
                "DELETE FROM oxftpd_counters WHERE expires <> 0 AND expires <= {}",
                self.p(1)
            ),
            params: vec![Param::Int(millis(SystemTime::now()))],
        });
        rt.block_on(async {
            if self.kind == Kind::Sqlite {
                // Readers do not wait for a writer; set once, kept by the file.
                let wal = Bound {
                    sql: "PRAGMA journal_mode=WAL".into(),
                    params: Vec::new(),
                };
                self.db()?.fetch(wal).await.map_err(failed)?;
            }
            self.run(stmts).await.map(|_| ())
        })
    }

    fn add(
        &self,
        space: String,
        key: String,
        deltas: Vec<(String, i64)>,
        window: Option<Duration>,
    ) -> StoreFuture<'_, Vec<i64>> {
        Box::pin(async move {
            let per = match self.kind {
                Kind::Mysql => 2,
                Kind::Sqlite | Kind::Postgres => 1,
            };
            let stmts: Vec<Bound> = deltas
                .iter()
                .flat_map(|(name, delta)| self.add_one(&space, &key, name, *delta, window))
                .collect();
            let results = self.run(stmts).await?;
            Ok(results
                .chunks(per)
                .map(|c| {
                    c.last()
                        .and_then(|rows| rows.first())
                        .map_or(0, |r| cell_i64(r, 0))
                })
                .collect())
        })
    }

    fn counters(&self, space: String, key: String) -> StoreFuture<'_, Vec<(String, i64)>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT name, value FROM oxftpd_counters WHERE space = {} AND ckey = {} \
                 AND (expires = 0 OR expires > {})",
                self.p(1),
                self.p(2),
                self.p(3)
            );
            let now = Param::Int(millis(SystemTime::now()));
            let rows = self.one(sql, vec![text(&space), text(&key), now]).await?;
            let mut all: Vec<(String, i64)> = rows
                .iter()
                .map(|r| (cell_text(r, 0), cell_i64(r, 1)))
                .collect();
            all.sort();
            Ok(all)
        })
    }

    fn clear(&self, space: String, key: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let sql = format!(
                "DELETE FROM oxftpd_counters WHERE space = {} AND ckey = {}",
                self.p(1),
                self.p(2)
            );
            self.one(sql, vec![text(&space), text(&key)])
                .await
                .map(|_| ())
        })
    }

    fn put(
        &self,
        space: String,
        key: String,
        value: String,
        expires: Option<SystemTime>,
    ) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let p = |n| self.p(n);
            let update = match self.kind {
                Kind::Mysql => {
                    "ON DUPLICATE KEY UPDATE value = VALUES(value), expires = VALUES(expires)"
                        .to_string()
                }
                Kind::Sqlite | Kind::Postgres => "ON CONFLICT (space, rkey) DO UPDATE SET \
                     value = excluded.value, expires = excluded.expires"
                    .to_string(),
            };
            let sql = format!(
                "INSERT INTO oxftpd_records (space, rkey, value, expires) VALUES ({}, {}, {}, {}) {update}",
                p(1),
                p(2),
                p(3),
                p(4)
            );
            let params = vec![
                text(&space),
                text(&key),
                Param::Text(value),
                Param::Int(expiry(expires)),
            ];
            self.one(sql, params).await.map(|_| ())
        })
    }

    fn get(&self, space: String, key: String) -> StoreFuture<'_, Option<String>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT value FROM oxftpd_records WHERE space = {} AND rkey = {} \
                 AND (expires = 0 OR expires > {})",
                self.p(1),
                self.p(2),
                self.p(3)
            );
            let now = Param::Int(millis(SystemTime::now()));
            let rows = self.one(sql, vec![text(&space), text(&key), now]).await?;
            Ok(rows.first().map(|r| cell_text(r, 0)))
        })
    }

    fn remove(&self, space: String, key: String) -> StoreFuture<'_, bool> {
        Box::pin(async move {
            let p = |n| self.p(n);
            let now = Param::Int(millis(SystemTime::now()));
            let results = self
                .run(vec![
                    Bound {
                        sql: format!(
                            "SELECT COUNT(*) FROM oxftpd_records WHERE space = {} AND rkey = {} \
                             AND (expires = 0 OR expires > {})",
                            p(1),
                            p(2),
                            p(3)
                        ),
                        params: vec![text(&space), text(&key), now],
                    },
                    Bound {
                        sql: format!(
                            "DELETE FROM oxftpd_records WHERE space = {} AND rkey = {}",
                            p(1),
                            p(2)
                        ),
                        params: vec![text(&space), text(&key)],
                    },
                ])
                .await?;
            Ok(results
                .first()
                .and_then(|rows| rows.first())
                .is_some_and(|r| cell_i64(r, 0) > 0))
        })
    }

    fn records(&self, space: String) -> StoreFuture<'_, Vec<Record>> {
        Box::pin(async move {
            let p = |n| self.p(n);
            let now = millis(SystemTime::now());
            let results = self
                .run(vec![
                    Bound {
                        sql: format!(
                            "DELETE FROM oxftpd_records WHERE space = {} AND expires <> 0 AND expires <= {}",
                            p(1),
                            p(2)
                        ),
                        params: vec![text(&space), Param::Int(now)],
                    },
                    Bound {
                        sql: format!(
                            "SELECT rkey, value, expires FROM oxftpd_records WHERE space = {}",
                            p(1)
                        ),
                        params: vec![text(&space)],
                    },
                ])
                .await?;
            let mut all: Vec<Record> = results
                .get(1)
                .into_iter()
                .flatten()
                .map(|r| Record {
                    key: cell_text(r, 0),
                    value: cell_text(r, 1),
                    expires: match cell_i64(r, 2) {
                        0 => None,
                        ms => Some(from_millis(ms)),
                    },
                })
                .collect();
            all.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(all)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> Arc<SqlStore> {
        let path = dir.path().join("counters.db");
        let store = SqlStore::sqlite(&path.display().to_string()).expect("url");
        let store = Arc::new(store);
        let s = store.clone();
        std::thread::spawn(move || s.prepare())
            .join()
            .expect("thread")
            .expect("prepare");
        store
    }

    #[tokio::test]
    async fn the_sqlite_store_behaves_as_a_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = store(&dir);
        oxftpd_server::store::check::behaves(store.as_ref()).await;
        assert!(dir.path().join("counters.db").exists());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_adds_to_sqlite_lose_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        oxftpd_server::store::check::concurrent_adds(store(&dir)).await;
    }

    #[tokio::test]
    async fn counters_survive_a_new_store_on_the_same_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = store(&dir);
        first
            .add(
                "ratio".into(),
                "alice".into(),
                vec![("files_out".into(), 3)],
                None,
            )
            .await
            .expect("add");
        drop(first);
        let second = store(&dir);
        assert_eq!(
            second
                .counters("ratio".into(), "alice".into())
                .await
                .expect("counters"),
            [("files_out".to_string(), 3)]
        );
    }
}
