//! Command handlers, one file per family; the module tables in `modules/` point here.

pub mod auth;
pub mod data;
pub mod digest;
pub mod dirs;
pub mod facts;
pub mod files;
pub mod host;
pub mod info;
pub mod lang;
pub mod listing;
pub mod mlsx;
pub mod mode;
pub mod opts;
pub mod params;
pub mod rename;
pub mod site;
pub mod status;
pub mod tls;
pub mod transfer;

use crate::session::{Ctx, SessionResult};

/// `501 Invalid number of parameters`, ProFTPD's reply to a missing argument.
pub async fn missing_argument(ctx: &mut Ctx) -> SessionResult {
    ctx.reply(501, "Invalid number of parameters").await
}
