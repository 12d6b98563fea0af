//! The session's `<Class>`: the seam `<Limit>` (`AllowClass`/`DenyClass`) reads.
//!
//! `<Class>` matching itself (`From`, `Satisfy`) belongs to the classes work; until it lands
//! here no session has a class, which is what ProFTPD does without `<Class>` blocks.

use crate::session::Ctx;

/// The name of the `<Class>` the session's client belongs to, if any.
pub fn class_of(_ctx: &Ctx) -> Option<&str> {
    None
}
