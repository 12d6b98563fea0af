//! Quota tables as mod_quotatab reads them: whom a limit is for ([`Kind`]), the figures of
//! a limit or tally ([`Figures`], [`Limit`], [`Delta`]), and the tables other modules offer
//! ([`QuotaTable`]: mod_quotatab_sql's `sql:` tables) through [`QuotaTableFn`], besides
//! mod_quotatab's own `file:` tables.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use oxftpd_config::{Directive, Server};

use crate::StartError;

/// Whom a quota is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Everyone (`all`).
    All = 10,
    /// A user.
    User = 20,
    /// A group.
    Group = 30,
    /// A `<Class>`.
    Class = 40,
}

impl Kind {
    /// The kind numbered `n` in ProFTPD's tables.
    pub fn of(n: u32) -> Option<Kind> {
        [Kind::All, Kind::User, Kind::Group, Kind::Class]
            .into_iter()
            .find(|k| *k as u32 == n)
    }

    /// As SITE QUOTA names it.
    pub fn title(self) -> &'static str {
        match self {
            Kind::All => "All",
            Kind::User => "User",
            Kind::Group => "Group",
            Kind::Class => "Class",
        }
    }
}

/// Bytes and files, in, out and both ways.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    /// Bytes uploaded.
    pub bytes_in: f64,
    /// Bytes downloaded.
    pub bytes_out: f64,
    /// Bytes both ways.
    pub bytes_xfer: f64,
    /// Files uploaded.
    pub files_in: u32,
    /// Files downloaded.
    pub files_out: u32,
    /// Files both ways.
    pub files_xfer: u32,
}

/// A row of the limit table.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// The user, group or class (empty for `all`).
    pub name: String,
    /// Whom it is for.
    pub kind: Kind,
    /// Counted per session only (the tally table is neither read nor written).
    pub per_session: bool,
    /// A hard limit (an upload past it is removed) rather than a soft one.
    pub hard: bool,
    /// What may be used; 0 (or less, for bytes) is unlimited.
    pub avail: Figures,
}

/// Changes to a tally.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Delta {
    /// Bytes uploaded.
    pub bytes_in: f64,
    /// Bytes downloaded.
    pub bytes_out: f64,
    /// Bytes both ways.
    pub bytes_xfer: f64,
    /// Files uploaded.
    pub files_in: i64,
    /// Files downloaded.
    pub files_out: i64,
    /// Files both ways.
    pub files_xfer: i64,
}

impl Figures {
    /// These figures changed by `d` (never below zero).
    pub fn plus(self, d: &Delta) -> Figures {
        let files = |v: u32, d: i64| u32::try_from((i64::from(v) + d).max(0)).unwrap_or(u32::MAX);
        Figures {
            bytes_in: (self.bytes_in + d.bytes_in).max(0.0),
            bytes_out: (self.bytes_out + d.bytes_out).max(0.0),
            bytes_xfer: (self.bytes_xfer + d.bytes_xfer).max(0.0),
            files_in: files(self.files_in, d.files_in),
            files_out: files(self.files_out, d.files_out),
            files_xfer: files(self.files_xfer, d.files_xfer),
        }
    }
}

impl Kind {
    /// As ProFTPD's SQL tables write it (`user`, `group`, `class`, `all`).
    pub fn word(self) -> &'static str {
        match self {
            Kind::All => "all",
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Class => "class",
        }
    }

    /// The kind a SQL table's `quota_type` names (any case).
    pub fn from_word(w: &str) -> Option<Kind> {
        [Kind::All, Kind::User, Kind::Group, Kind::Class]
            .into_iter()
            .find(|k| k.word().eq_ignore_ascii_case(w.trim()))
    }
}

/// The future of a [`QuotaTable`] call.
pub type QuotaFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// A limit or tally table kept by another module (mod_quotatab_sql's `sql:` tables).
pub trait QuotaTable: Send + Sync {
    /// Makes ready what the table needs (a database pool), once; run on the daemon's
    /// privileged pool before a login's first look-up.
    fn prepare(&self) -> Result<(), String> {
        Ok(())
    }
    /// The limit row for `name` (empty for `all`) and `kind`, if the table has one.
    fn limit<'a>(&'a self, name: &'a str, kind: Kind) -> QuotaFuture<'a, Option<Limit>>;
    /// The tally of `name`/`kind`, if the table has a row for it.
    fn tally<'a>(&'a self, name: &'a str, kind: Kind) -> QuotaFuture<'a, Option<Figures>>;
    /// Makes the tally row of `name`/`kind` with `figures`.
    fn create<'a>(&'a self, name: &'a str, kind: Kind, figures: Figures) -> QuotaFuture<'a, ()>;
    /// Adds `d` to the tally of `name`/`kind` in one statement of the table's own (so
    /// concurrent sessions never lose an update) and returns the figures read after it.
    fn add<'a>(&'a self, name: &'a str, kind: Kind, d: Delta) -> QuotaFuture<'a, Figures>;
}

/// Which table a `QuotaLimitTable`/`QuotaTallyTable` line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableRole {
    /// `QuotaLimitTable`.
    Limit,
    /// `QuotaTallyTable`.
    Tally,
}

/// A table source another module may offer: `server`'s `QuotaLimitTable` or
/// `QuotaTallyTable` line (`at`) reading `scheme:info`. `Ok(None)` when the scheme is not the
/// module's; a bad `info` is an error at the directive.
pub type QuotaTableFn = fn(
    server: &Server,
    at: &Directive,
    role: TableRole,
    scheme: &str,
    info: &str,
) -> Result<Option<Arc<dyn QuotaTable>>, StartError>;
