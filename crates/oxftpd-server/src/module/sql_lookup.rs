//! mod_sql's `sql_lookup` as other modules reach it (mod_sftp_sql's keys from a database):
//! mod_sql puts a [`SqlLookups`] in each loaded configuration's module state, and a module
//! that needs the rows of a `SQLNamedQuery` finds it there by type, so neither module crate
//! names the other.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::session::Ctx;

/// The rows of a lookup: every column as text (`None` for NULL).
pub type Rows = Vec<Vec<Option<String>>>;

/// A lookup under way (the statement is bound already; nothing borrows the session).
pub type LookupFuture = Pin<Box<dyn Future<Output = Result<Rows, String>> + Send>>;

/// Runs named SELECT queries for other modules.
pub trait SqlLookup: Send + Sync {
    /// Binds the `SQLNamedQuery` `name` of the session's server (a `SELECT`), with `%{0}`,
    /// `%u` and `%U` as `arg` and the session's other variables as mod_sql knows them,
    /// and returns the statement to run. An error when mod_sql is off on the server, or the
    /// query is unknown or not a `SELECT`.
    fn lookup(&self, ctx: &Ctx, name: &str, arg: &str) -> LookupFuture;
}

/// The lookup of a loaded configuration, in `Generation::modules`.
#[derive(Clone)]
pub struct SqlLookups(pub Arc<dyn SqlLookup>);
