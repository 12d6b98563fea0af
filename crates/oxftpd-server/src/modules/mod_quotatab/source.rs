//! Where a server's limits and tallies are: mod_quotatab_file's `file:` tables ([`super::table`])
//! or another module's (`sql:`, offered through `Module::quota`), opened once per loaded
//! configuration, and the look-ups a login makes in them, in 1.3.8's order.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;

use oxftpd_config::modules::mod_quotatab::{DefaultLimit, Source, View};
use oxftpd_config::{Config, Merged, Server};

use super::table::{self, Delta, Figures, Kind, Limit, TallyTable};
use crate::StartError;
use crate::module::quota::{QuotaTable, TableRole};
use crate::session::Ctx;

/// A server's limit table.
#[derive(Clone)]
pub enum Limits {
    /// A `file:` table, read whole at each login.
    File(Arc<File>),
    /// Another module's table, asked per name.
    Other(Arc<dyn QuotaTable>),
}

/// A server's tally table.
#[derive(Clone)]
pub enum Tallies {
    /// A `file:` table.
    File(Arc<TallyTable>),
    /// Another module's table.
    Other(Arc<dyn QuotaTable>),
    /// `store:`: the counter store ([`super::store_tally`]).
    Store,
}

/// The tables and logs of a loaded configuration, opened as root.
#[derive(Default)]
pub struct Tables {
    /// Per server (by index): its limit and tally tables.
    pub servers: HashMap<usize, (Limits, Tallies)>,
    /// `QuotaLog` files, by path.
    pub logs: HashMap<String, Arc<File>>,
}

/// Another module's table for `server`'s directive `name` (`scheme:info`).
fn other(
    server: &Server,
    m: &Merged<'_>,
    name: &'static str,
    role: TableRole,
    scheme: &str,
    info: &str,
) -> Result<Arc<dyn QuotaTable>, StartError> {
    let Some(at) = m.one(name) else {
        return Err(StartError::Message(format!("mod_quotatab: no {name}")));
    };
    for module in crate::module::registry::registry().modules() {
        if let Some(offer) = module.quota
            && let Some(t) = offer(server, at, role, scheme, info)?
        {
            return Ok(t);
        }
    }
    Err(StartError::at(
        at,
        format!("{scheme}: quota tables need mod_quotatab_{scheme}.c, which this build lacks"),
    ))
}

/// The `QuotaLock` file (made when missing).
fn lock_file(view: &View) -> Option<File> {
    let path = view.lock.as_deref()?;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| tracing::warn!("mod_quotatab: QuotaLock {path}: {e}"))
        .ok()
}

/// Opens every server's tables and `QuotaLog` (as root) when it has `QuotaEngine on`. A file
/// table that cannot be opened switches quotas off for that server's sessions, with a warning
/// (as ProFTPD's sessions go on without quotas); a bad `sql:` table is a configuration error.
pub fn open(
    config: &Config,
    state: &mut crate::module::state::ModuleState,
) -> Result<(), StartError> {
    let mut tables = Tables::default();
    let mut files: HashMap<String, Arc<File>> = HashMap::new();
    let mut tally_files: HashMap<String, Arc<TallyTable>> = HashMap::new();
    for (index, server) in config.servers().iter().enumerate() {
        let m = Merged::of(&server.scope(None));
        let view = View::read(&m);
        if !view.engine {
            continue;
        }
        if let Some(path) = view.log.clone() {
            match crate::module::log::open(std::path::Path::new(&path)) {
                Ok(f) => {
                    tables.logs.insert(path, Arc::new(f));
                }
                Err(e) => tracing::warn!("mod_quotatab: QuotaLog {path}: {e}"),
            }
        }
        let limits = match &view.limit_table {
            None | Some(Source::Store) => None,
            Some(Source::File(path)) => match files.get(path) {
                Some(f) => Some(Limits::File(f.clone())),
                None => match File::open(path) {
                    Ok(f) => {
                        let f = Arc::new(f);
                        files.insert(path.clone(), f.clone());
                        Some(Limits::File(f))
                    }
                    Err(e) => {
                        tracing::warn!("mod_quotatab: QuotaLimitTable {path}: {e}");
                        None
                    }
                },
            },
            Some(Source::Other { scheme, info }) => Some(Limits::Other(other(
                server,
                &m,
                "QuotaLimitTable",
                TableRole::Limit,
                scheme,
                info,
            )?)),
        };
        let tallies = match &view.tally_table {
            None => None,
            Some(Source::Store) => Some(Tallies::Store),
            Some(Source::File(path)) => match tally_files.get(path) {
                Some(t) => Some(Tallies::File(t.clone())),
                None => match OpenOptions::new().read(true).write(true).open(path) {
                    Ok(f) => {
                        let t = Arc::new(TallyTable::new(f, lock_file(&view)));
                        tally_files.insert(path.clone(), t.clone());
                        Some(Tallies::File(t))
                    }
                    Err(e) => {
                        tracing::warn!("mod_quotatab: QuotaTallyTable {path}: {e}");
                        None
                    }
                },
            },
            Some(Source::Other { scheme, info }) => Some(Tallies::Other(other(
                server,
                &m,
                "QuotaTallyTable",
                TableRole::Tally,
                scheme,
                info,
            )?)),
        };
        if let (Some(l), Some(t)) = (limits, tallies) {
            tables.servers.insert(index, (l, t));
        }
    }
    state.insert(tables);
    Ok(())
}

/// Runs a blocking table operation on the daemon's pool.
async fn blocking<T: Send + 'static>(
    ctx: &Ctx,
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, String> {
    match ctx.shared.pool.run(&ctx.shared.daemon_cred, f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Prepares (once, on the daemon's privileged pool) the other modules' tables of a login.
pub async fn prepare(ctx: &Ctx, limits: &Limits, tallies: &Tallies) -> Result<(), String> {
    for t in [limits.other(), tallies.other()].into_iter().flatten() {
        blocking(ctx, move || t.prepare().map_err(std::io::Error::other)).await?;
    }
    Ok(())
}

impl Limits {
    fn other(&self) -> Option<Arc<dyn QuotaTable>> {
        match self {
            Limits::Other(t) => Some(t.clone()),
            Limits::File(_) => None,
        }
    }
}

/// A limit table as one login reads it: a file's rows read once, or questions to a module.
pub struct Lookup {
    table: Limits,
    rows: Option<Vec<Limit>>,
}

impl Lookup {
    /// Starts the look-ups of one login.
    pub fn new(table: Limits) -> Lookup {
        Lookup { table, rows: None }
    }

    /// The row for `name` (ignored for `all`) and `kind`.
    pub async fn find(
        &mut self,
        ctx: &Ctx,
        name: &str,
        kind: Kind,
    ) -> Result<Option<Limit>, String> {
        match &self.table {
            Limits::Other(t) => t.limit(name, kind).await,
            Limits::File(f) => {
                if self.rows.is_none() {
                    let f = f.clone();
                    self.rows = Some(blocking(ctx, move || table::read_limits(&f)).await?);
                }
                Ok(self.rows.as_ref().and_then(|rows| {
                    rows.iter()
                        .find(|r| r.kind == kind && (kind == Kind::All || r.name == name))
                        .cloned()
                }))
            }
        }
    }
}

/// The `QuotaDefault` row for `kind`, named `name`.
pub fn default_for(defaults: &[DefaultLimit], name: &str, kind: Kind) -> Option<Limit> {
    let d = defaults.iter().find(|d| d.kind == kind.word())?;
    Some(Limit {
        name: name.to_string(),
        kind,
        per_session: d.per_session,
        hard: d.hard,
        avail: Figures {
            bytes_in: d.bytes[0],
            bytes_out: d.bytes[1],
            bytes_xfer: d.bytes[2],
            files_in: d.files[0],
            files_out: d.files[1],
            files_xfer: d.files[2],
        },
    })
}

impl Tallies {
    fn other(&self) -> Option<Arc<dyn QuotaTable>> {
        match self {
            Tallies::Other(t) => Some(t.clone()),
            Tallies::File(_) | Tallies::Store => None,
        }
    }

    /// The tally of `name`/`kind`, its row made (at zero) when missing.
    pub async fn get(&self, ctx: &Ctx, name: &str, kind: Kind) -> Result<Figures, String> {
        match self {
            Tallies::File(t) => {
                let (t, name) = (t.clone(), name.to_string());
                blocking(ctx, move || t.get(&name, kind)).await
            }
            Tallies::Store => {
                let store = crate::module::store::of(ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                super::store_tally::add(store.as_ref(), kind, name, &Delta::default())
                    .await
                    .map_err(|e| e.to_string())
            }
            Tallies::Other(t) => match t.tally(name, kind).await? {
                Some(f) => Ok(f),
                None => {
                    t.create(name, kind, Figures::default()).await?;
                    Ok(Figures::default())
                }
            },
        }
    }

    /// Adds `d` to the tally of `name`/`kind` and returns the figures after it.
    pub async fn add(
        &self,
        ctx: &Ctx,
        name: &str,
        kind: Kind,
        d: Delta,
    ) -> Result<Figures, String> {
        match self {
            Tallies::File(t) => {
                let (t, name) = (t.clone(), name.to_string());
                blocking(ctx, move || t.add(&name, kind, &d)).await
            }
            Tallies::Other(t) => t.add(name, kind, d).await,
            Tallies::Store => {
                let store = crate::module::store::of(ctx)
                    .await
                    .map_err(|e| e.to_string())?;
                super::store_tally::add(store.as_ref(), kind, name, &d)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}
