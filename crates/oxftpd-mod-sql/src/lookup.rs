//! mod_sql's `sql_lookup` for other modules ([`oxftpd_server::module::sql_lookup`]): a named
//! `SELECT` of the session's server, bound with the lookup's argument as `%{0}` (and `%u`,
//! `%U`) and the session's variables, run on mod_sql's pool.

use std::sync::Arc;

use oxftpd_server::module::sql_lookup::{LookupFuture, SqlLookup};
use oxftpd_server::session::Ctx;

use crate::query::{self, Var};
use crate::settings::QueryKind;

/// mod_sql's lookup service.
pub struct Lookup;

impl SqlLookup for Lookup {
    fn lookup(&self, ctx: &Ctx, name: &str, arg: &str) -> LookupFuture {
        let bound = (|| {
            let s = crate::log::settings_of(ctx)
                .ok_or_else(|| "mod_sql is not configured on this server".to_string())?;
            let q = s
                .queries
                .get(name)
                .ok_or_else(|| format!("no SQLNamedQuery '{name}'"))?;
            if q.kind != QueryKind::Select {
                return Err(format!("SQLNamedQuery '{name}' is not a SELECT"));
            }
            let vars = |v: Var<'_>| match v {
                Var::Long("0") | Var::Short('u') | Var::Short('U') => Some(arg.to_string()),
                other => crate::log::session_value(ctx, other),
            };
            let stmt = query::bind(&q.statement(), s.kind, &vars);
            Ok::<_, String>((s, stmt))
        })();
        let shared = ctx.shared.clone();
        let name = name.to_string();
        Box::pin(async move {
            let (s, stmt) = bound?;
            if !crate::backend::runtime_ready() {
                // Made on the daemon's privileged pool, as for logins (see backend::runtime).
                let _ = shared
                    .pool
                    .run(&shared.daemon_cred, || {
                        crate::backend::runtime();
                    })
                    .await;
            }
            let db = crate::pool_for(&s).map_err(|e| e.to_string())?;
            let rows = db
                .fetch(stmt)
                .await
                .map_err(|e| format!("SQLNamedQuery '{name}': {e}"))?;
            crate::log::line(
                Some(&s),
                &format!("SQLNamedQuery '{name}' returned {} row(s)", rows.len()),
            );
            Ok(rows)
        })
    }
}

/// The service as the server's module state keeps it.
pub fn service() -> oxftpd_server::module::sql_lookup::SqlLookups {
    oxftpd_server::module::sql_lookup::SqlLookups(Arc::new(Lookup))
}
