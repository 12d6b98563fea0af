//! mod_sql.c for oxftpd: users and groups from SQL databases, and statements run after
//! commands (`SQLLog`), with the backends mod_sql_sqlite.c, mod_sql_postgres.c and
//! mod_sql_mysql.c, and mod_sql_passwd.c's password digests.
//!
//! One crate, five ProFTPD module names (so `<IfModule>`, `LoadModule` and `-l` see each):
//! [`MODULE`] holds the directives, the `AuthOrder` provider ([`provider::SqlProvider`]),
//! the `SQLLog`/`SQLShowInfo` hooks and the events; the backends are names only (sqlx
//! speaks to all three); [`PASSWD`] holds mod_sql_passwd's directives.
//!
//! Statements never carry a value in their text: ProFTPD's `%`-variables are bound as
//! parameters ([`query`]). Connections are pooled per database on a runtime of the module's
//! own ([`backend`]); every statement has a deadline.

pub mod authtypes;
pub mod backend;
pub mod connect;
pub mod directives;
pub mod log;
pub mod passwd;
pub mod provider;
pub mod query;
pub mod settings;
pub mod store;

use std::sync::Arc;

use oxftpd_config::{ModuleSpec, Server};
use oxftpd_server::StartError;
use oxftpd_server::module::Module;
use oxftpd_server::module::hooks::{Hook, On, Phase};

use crate::settings::SqlSettings;

/// The name and version in front of the module's log lines.
pub const VERSION: &str = "mod_sql/4.5";

/// mod_sql.c.
pub static MODULE: Module = Module {
    spec: &directives::SPEC,
    hooks: &[
        Hook::new(Phase::Pre, On::AnyCommand, log::command_began),
        Hook::new(Phase::Pre, On::Verb("USER"), log::note_user),
        Hook::new(Phase::Pre, On::Verb("RETR"), log::transfer_began),
        Hook::new(Phase::Pre, On::Verb("STOR"), log::transfer_began),
        Hook::new(Phase::Pre, On::Verb("APPE"), log::transfer_began),
        Hook::new(Phase::Pre, On::Verb("STOU"), log::transfer_began),
        Hook::new(Phase::Post, On::AnyCommand, log::show_info),
        Hook::new(Phase::PostErr, On::AnyCommand, log::show_info),
        Hook::new(Phase::Log, On::AnyCommand, log::logged),
        Hook::new(Phase::LogErr, On::AnyCommand, log::logged),
    ],
    events: Some(log::on_event),
    open: Some(log::open),
    auth: Some(auth),
    store: Some(store::offer),
    ..Module::DEFAULT
};

static SQLITE_SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sql_sqlite.c",
    directives: &[],
};
static POSTGRES_SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sql_postgres.c",
    directives: &[],
};
static MYSQL_SPEC: ModuleSpec = ModuleSpec {
    name: "mod_sql_mysql.c",
    directives: &[],
};

/// mod_sql_sqlite.c (`SQLBackend sqlite3`).
pub static SQLITE: Module = Module {
    spec: &SQLITE_SPEC,
    ..Module::DEFAULT
};
/// mod_sql_postgres.c (`SQLBackend postgres`).
pub static POSTGRES: Module = Module {
    spec: &POSTGRES_SPEC,
    ..Module::DEFAULT
};
/// mod_sql_mysql.c (`SQLBackend mysql`, MySQL and MariaDB).
pub static MYSQL: Module = Module {
    spec: &MYSQL_SPEC,
    ..Module::DEFAULT
};
/// mod_sql_passwd.c.
pub static PASSWD: Module = Module {
    spec: &passwd::SPEC,
    ..Module::DEFAULT
};

/// Every module of this crate, for the binary's list.
pub static MODULES: [&Module; 5] = [&MODULE, &SQLITE, &POSTGRES, &MYSQL, &PASSWD];

/// mod_sql's settings for one server, with a configuration error at its directive.
pub fn settings_for(server: &Server) -> Result<Option<SqlSettings>, StartError> {
    SqlSettings::from_server(server).map_err(|(at, msg)| match at {
        Some(d) => StartError::at(&d, msg),
        None => StartError::Message(format!("mod_sql: {msg}")),
    })
}

/// The pool of a server's database (made on first use; `SQLKeepAlive` starts with it).
pub fn pool_for(s: &SqlSettings) -> Result<Arc<backend::Db>, backend::DbError> {
    backend::db(&s.url, s.kind, s.connect.policy, s.keepalive.clone())
}

/// The `AuthOrder` provider of a server: none unless `SQLEngine` is on (or `auth`) with
/// `SQLAuthenticate` covering users.
fn auth(server: &Server) -> Result<Option<Box<dyn oxftpd_auth::AuthProvider>>, StartError> {
    let Some(s) = settings_for(server)? else {
        return Ok(None);
    };
    if !s.auth_on || !s.mask.users {
        return Ok(None);
    }
    Ok(Some(Box::new(provider::SqlProvider::new(Arc::new(s)))))
}
