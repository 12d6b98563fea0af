//! `<Class>` at connect: mod_core decides the session's class (the matching is
//! `access/class.rs`).

pub use crate::access::class::*;

/// The connect phase: the session's `<Class>`, decided once from the client's address and name.
pub fn on_connect(ctx: &mut crate::session::Ctx) -> crate::module::connect::ConnectFuture<'_> {
    ctx.class = class_for(
        ctx.server.config().classes(),
        ctx.peer.ip(),
        ctx.remote_name.as_deref(),
    )
    .map(str::to_string);
    Box::pin(std::future::ready(crate::module::Connected::Continue))
}
