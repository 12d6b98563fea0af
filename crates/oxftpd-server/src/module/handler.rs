//! Command handlers: what a table row points at, and what it is given.

use std::future::Future;
use std::pin::Pin;

use crate::module::error::CommandResult;
use crate::session::{Ctx, LoggedIn, State};

/// The future a command handler returns: `Ok` once its success reply is written, or the
/// error the session loop answers (`module::replies`).
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = CommandResult> + Send + 'a>>;

/// How a command is run, which also says whether it needs a login.
#[derive(Clone, Copy)]
pub enum Handler {
    /// The old shape of [`Handler::Conn`], given the whole session; kept only so a module
    /// written against it still builds: no row uses it (`tests/narrow_handlers.rs`).
    Any(for<'a> fn(&'a mut Ctx, Option<&'a str>) -> HandlerFuture<'a>),
    /// The old shape of [`Handler::ConnUser`], given the whole session; kept only so a module
    /// written against it still builds: no row uses it (`tests/narrow_handlers.rs`).
    Session(for<'a> fn(&'a mut Ctx, Option<&'a LoggedIn>, Option<&'a str>) -> HandlerFuture<'a>),
    /// Allowed at any time (`<Limit>` applies once logged in); given the session's
    /// [`Session`](crate::module::Session) handle, not the session.
    Conn(for<'a> fn(crate::module::Session<'a>, Option<&'a str>) -> HandlerFuture<'a>),
    /// Allowed at any time, outside `<Limit>` (QUIT, HELP, NOOP, OPTS); given the session's
    /// handle and the login when there is one.
    ConnUser(
        for<'a> fn(
            crate::module::Session<'a>,
            Option<&'a LoggedIn>,
            Option<&'a str>,
        ) -> HandlerFuture<'a>,
    ),
    /// Changes the login state (USER, PASS, AUTH, HOST, SITE's dispatch): given the whole
    /// session, because what it changes is the session itself.
    Login(for<'a> fn(&'a mut Ctx, &'a mut State, Option<&'a str>) -> HandlerFuture<'a>),
    /// The old shape of a logged-in handler, given the whole session; kept only so a module
    /// written against it still builds: no row uses it (`tests/narrow_handlers.rs`), write
    /// [`Handler::Narrow`] instead.
    User(for<'a> fn(&'a mut Ctx, &'a mut LoggedIn, Option<&'a str>) -> HandlerFuture<'a>),
    /// Needs a login, and is given only the command's narrow context
    /// ([`HandlerCtx`](crate::module::HandlerCtx)): identity, the effective configuration for
    /// its target, and a [`Session`](crate::module::Session) handle whose methods (replies, the
    /// data channel and its connection, counters, module state, events) are what it may change.
    Narrow(for<'a> fn(crate::module::HandlerCtx<'a>, Option<&'a str>) -> HandlerFuture<'a>),
}
