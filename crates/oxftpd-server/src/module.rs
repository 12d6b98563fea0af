//! Modules as ProFTPD has them: a name, a table of directives and a table of commands.
//!
//! FEAT, HELP, the `<Limit>` groups of a command and `oxftpd -l` are all read from these tables.

use std::future::Future;
use std::pin::Pin;

use oxftpd_config::ModuleSpec;

use crate::session::{Ctx, LoggedIn, SessionResult, State};

/// A command group as `<Limit>` names it (doc/howto/Limit.html).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandGroup {
    /// `DIRS`: directory navigation and listing.
    Dirs,
    /// `READ`: reading file contents.
    Read,
    /// `WRITE`: creating, changing or removing files and directories.
    Write,
    /// `LOGIN`: the login itself.
    Login,
}

impl CommandGroup {
    /// The name `<Limit>` uses for this group.
    pub fn name(self) -> &'static str {
        match self {
            CommandGroup::Dirs => "DIRS",
            CommandGroup::Read => "READ",
            CommandGroup::Write => "WRITE",
            CommandGroup::Login => "LOGIN",
        }
    }
}

/// The future a command handler returns.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = SessionResult> + Send + 'a>>;

/// How a command is run, which also says whether it needs a login.
#[derive(Clone, Copy)]
pub enum Handler {
    /// Allowed at any time; sees only the connection.
    Any(for<'a> fn(&'a mut Ctx, Option<&'a str>) -> HandlerFuture<'a>),
    /// Allowed at any time, outside `<Limit>` (QUIT); sees the login when there is one.
    Session(for<'a> fn(&'a mut Ctx, Option<&'a LoggedIn>, Option<&'a str>) -> HandlerFuture<'a>),
    /// Changes the login state (USER, PASS, REIN).
    Login(for<'a> fn(&'a mut Ctx, &'a mut State, Option<&'a str>) -> HandlerFuture<'a>),
    /// Needs a logged-in session: gets its identity and filesystem.
    User(for<'a> fn(&'a mut Ctx, &'a mut LoggedIn, Option<&'a str>) -> HandlerFuture<'a>),
}

/// One row of a module's command table.
pub struct CommandSpec {
    /// The verb, upper case.
    pub name: &'static str,
    /// The `<Limit>` groups the command belongs to (besides its own name and `ALL`).
    pub groups: &'static [CommandGroup],
    /// The line this command adds to FEAT, if any.
    pub feat: Option<&'static str>,
    /// Argument syntax shown by `HELP verb`.
    pub help: &'static str,
    /// The handler.
    pub handler: Handler,
}

impl CommandSpec {
    /// Whether the command may only be used after login.
    pub fn needs_login(&self) -> bool {
        matches!(self.handler, Handler::User(_))
    }

    /// Whether `<Limit name>` names this command (its own name, one of its groups, or `ALL`).
    pub fn in_limit(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(self.name)
            || (name.eq_ignore_ascii_case("ALL") && !self.groups.contains(&CommandGroup::Login))
            || self
                .groups
                .iter()
                .any(|g| name.eq_ignore_ascii_case(g.name()))
    }
}

/// A module: its ProFTPD name and directives (from `oxftpd-config`) and its commands.
pub struct Module {
    /// The configuration surface, shared with the config parser.
    pub spec: &'static ModuleSpec,
    /// The commands this module handles.
    pub commands: &'static [CommandSpec],
}

impl Module {
    /// The ProFTPD module name, e.g. `mod_core.c`.
    pub fn name(&self) -> &'static str {
        self.spec.name
    }
}

/// Wraps an `async fn` body into a [`HandlerFuture`].
#[macro_export]
macro_rules! handler {
    ($body:expr) => {
        Box::pin($body)
    };
}
