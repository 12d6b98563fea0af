//! mod_quotatab_sql.c: `QuotaLimitTable sql:/select` and
//! `QuotaTallyTable sql:/select/update/insert`, each part the name of a `SQLNamedQuery` of the
//! server's mod_sql, run with ProFTPD's positional variables: `%{0}` the name and `%{1}` the
//! quota type for the SELECTs; for the UPDATE the six deltas (`%{0}`–`%{5}`), the name and the
//! type (`%{6}`, `%{7}`); for the INSERT the name, the type and the six figures. Every value is
//! a bound parameter (quoted `'%{0}'` as written for ProFTPD becomes one placeholder), and the
//! UPDATE adds inside the database (`x = x + %{0}`), so parallel sessions lose no update.

use std::sync::{Arc, OnceLock};

use oxftpd_config::{Directive, Server};
use oxftpd_server::StartError;
use oxftpd_server::module::quota::{
    Delta, Figures, Kind, Limit, QuotaFuture, QuotaTable, TableRole,
};

use crate::backend::{Db, Row};
use crate::query::{Param, Var, bind_typed};
use crate::settings::SqlSettings;

/// The named queries of one table, resolved at start.
struct Queries {
    select: String,
    update: Option<String>,
    insert: Option<String>,
}

/// One `sql:` table of one server.
pub struct SqlQuotaTable {
    db: OnceLock<Arc<Db>>,
    settings: Arc<SqlSettings>,
    queries: Queries,
}

/// The table a server's `QuotaLimitTable`/`QuotaTallyTable` line names, for `sql:` lines.
pub fn offer(
    server: &Server,
    at: &Directive,
    role: TableRole,
    scheme: &str,
    info: &str,
) -> Result<Option<Arc<dyn QuotaTable>>, StartError> {
    if scheme != "sql" {
        return Ok(None);
    }
    let Some(settings) = crate::settings_for(server)? else {
        return Err(StartError::at(
            at,
            "sql: quota tables need mod_sql on this server (SQLConnectInfo)".into(),
        ));
    };
    let names: Vec<&str> = info.split('/').filter(|p| !p.is_empty()).collect();
    let want = match role {
        TableRole::Limit => 1,
        TableRole::Tally => 3,
    };
    if names.len() != want {
        return Err(StartError::at(
            at,
            format!("badly formatted source info '{info}'"),
        ));
    }
    for n in &names {
        if !settings.queries.contains_key(*n) {
            return Err(StartError::at(
                at,
                format!("unable to resolve SQLNamedQuery name '{n}'"),
            ));
        }
    }
    let queries = Queries {
        select: names[0].to_string(),
        update: names.get(1).map(|s| s.to_string()),
        insert: names.get(2).map(|s| s.to_string()),
    };
    Ok(Some(Arc::new(SqlQuotaTable {
        db: OnceLock::new(),
        settings: Arc::new(settings),
        queries,
    })))
}

/// A value as ProFTPD's positional variables carry it.
#[derive(Clone)]
enum Value {
    Text(String),
    Real(f64),
    Int(i64),
}

impl SqlQuotaTable {
    /// The database pool (made by [`QuotaTable::prepare`]).
    fn db(&self) -> Result<&Arc<Db>, String> {
        self.db
            .get()
            .ok_or_else(|| "the quota table's database is not open".to_string())
    }

    /// The statement of the named query `name` with `values` as `%{0}`, `%{1}`, ….
    fn statement(&self, name: &str, values: &[Value]) -> Result<crate::query::Bound, String> {
        let q = self
            .settings
            .queries
            .get(name)
            .ok_or_else(|| format!("no SQLNamedQuery '{name}'"))?;
        let at = |v: Var<'_>| match v {
            Var::Long(n) => n.parse::<usize>().ok().and_then(|i| values.get(i)),
            Var::Short(_) => None,
        };
        let text = |v: Var<'_>| {
            at(v).map(|v| match v {
                Value::Text(s) => s.clone(),
                Value::Real(x) => format!("{x:.6}"),
                Value::Int(n) => n.to_string(),
            })
        };
        let typed = |v: Var<'_>| {
            at(v).map(|v| match v {
                Value::Text(s) => Param::Text(s.clone()),
                Value::Real(x) => Param::Float(*x),
                Value::Int(n) => Param::Int(*n),
            })
        };
        Ok(bind_typed(&q.statement(), self.db()?.kind(), &text, &typed))
    }

    async fn select(&self, name: &str, who: &str, kind: Kind) -> Result<Vec<Row>, String> {
        let stmt = self.statement(
            name,
            &[
                Value::Text(who.to_string()),
                Value::Text(kind.word().into()),
            ],
        )?;
        self.db()?.fetch(stmt).await.map_err(|e| {
            let e = format!("error processing NamedQuery '{name}': {e}");
            crate::log::line(Some(&self.settings), &e);
            e
        })
    }
}

/// Whether a row's name and type are the ones asked for (the name is not compared for `all`,
/// nor when the row's is empty, as 1.3.8).
fn is_for(row: &Row, who: &str, kind: Kind) -> bool {
    let text = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
    Kind::from_word(&text(1)) == Some(kind) && {
        let name = text(0);
        kind == Kind::All || name.is_empty() || name == who
    }
}

fn real(row: &Row, i: usize) -> f64 {
    row.get(i)
        .cloned()
        .flatten()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

fn count(row: &Row, i: usize) -> u32 {
    row.get(i)
        .cloned()
        .flatten()
        .and_then(|v| {
            let v = v.trim();
            v.parse::<u32>()
                .ok()
                .or_else(|| v.parse::<f64>().ok().map(|f| f.max(0.0) as u32))
        })
        .unwrap_or(0)
}

fn figures(row: &Row, at: usize) -> Figures {
    Figures {
        bytes_in: real(row, at),
        bytes_out: real(row, at + 1),
        bytes_xfer: real(row, at + 2),
        files_in: count(row, at + 3),
        files_out: count(row, at + 4),
        files_xfer: count(row, at + 5),
    }
}

impl QuotaTable for SqlQuotaTable {
    fn prepare(&self) -> Result<(), String> {
        if self.db.get().is_none() {
            // mod_sql's runtime is made here, on the privileged pool, if no login made it.
            crate::backend::runtime().ok_or("the SQL runtime is not running")?;
            let db = crate::pool_for(&self.settings).map_err(|e| e.to_string())?;
            let _ = self.db.set(db);
        }
        Ok(())
    }

    fn limit<'a>(&'a self, name: &'a str, kind: Kind) -> QuotaFuture<'a, Option<Limit>> {
        Box::pin(async move {
            let rows = self.select(&self.queries.select, name, kind).await?;
            let Some(row) = rows
                .into_iter()
                .find(|r| r.len() >= 10 && is_for(r, name, kind))
            else {
                return Ok(None);
            };
            let word = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            Ok(Some(Limit {
                name: word(0),
                kind,
                per_session: word(2).trim().eq_ignore_ascii_case("true"),
                hard: word(3).trim().eq_ignore_ascii_case("hard"),
                avail: figures(&row, 4),
            }))
        })
    }

    fn tally<'a>(&'a self, name: &'a str, kind: Kind) -> QuotaFuture<'a, Option<Figures>> {
        Box::pin(async move {
            let rows = self.select(&self.queries.select, name, kind).await?;
            Ok(rows
                .iter()
                .find(|r| r.len() >= 8 && is_for(r, name, kind))
                .map(|r| figures(r, 2)))
        })
    }

    fn create<'a>(&'a self, name: &'a str, kind: Kind, f: Figures) -> QuotaFuture<'a, ()> {
        Box::pin(async move {
            let Some(insert) = &self.queries.insert else {
                return Err("no INSERT query".into());
            };
            let stmt = self.statement(
                insert,
                &[
                    Value::Text(name.to_string()),
                    Value::Text(kind.word().into()),
                    Value::Real(f.bytes_in),
                    Value::Real(f.bytes_out),
                    Value::Real(f.bytes_xfer),
                    Value::Int(i64::from(f.files_in)),
                    Value::Int(i64::from(f.files_out)),
                    Value::Int(i64::from(f.files_xfer)),
                ],
            )?;
            self.db()?.execute(stmt).await.map(|_| ()).map_err(|e| {
                let e = format!("error executing NamedQuery '{insert}': {e}");
                crate::log::line(Some(&self.settings), &e);
                e
            })
        })
    }

    fn add<'a>(&'a self, name: &'a str, kind: Kind, d: Delta) -> QuotaFuture<'a, Figures> {
        Box::pin(async move {
            let Some(update) = &self.queries.update else {
                return Err("no UPDATE query".into());
            };
            if d != Delta::default() {
                let stmt = self.statement(
                    update,
                    &[
                        Value::Real(d.bytes_in),
                        Value::Real(d.bytes_out),
                        Value::Real(d.bytes_xfer),
                        Value::Int(d.files_in),
                        Value::Int(d.files_out),
                        Value::Int(d.files_xfer),
                        Value::Text(name.to_string()),
                        Value::Text(kind.word().into()),
                    ],
                )?;
                let changed = self.db()?.execute(stmt).await.map_err(|e| {
                    let e = format!("error executing NamedQuery '{update}': {e}");
                    crate::log::line(Some(&self.settings), &e);
                    e
                })?;
                if changed == 0 {
                    // The row went away (or was never made): made again with this change.
                    let f = Figures::default().plus(&d);
                    self.create(name, kind, f).await?;
                    return Ok(f);
                }
            }
            match self.tally(name, kind).await? {
                Some(f) => Ok(f),
                None => {
                    self.create(name, kind, Figures::default()).await?;
                    Ok(Figures::default())
                }
            }
        })
    }
}
