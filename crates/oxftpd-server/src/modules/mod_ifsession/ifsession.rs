//! `<IfUser>`, `<IfGroup>`, `<IfClass>`: the conditions and the scopes they make are part of
//! the effective configuration (`access/conditions.rs`).

pub use crate::access::conditions::*;
