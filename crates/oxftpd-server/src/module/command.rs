//! One row of a module's command table: everything the server knows about a verb.

use crate::module::handler::Handler;

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
