//! One row of a module's SITE table: a SITE subcommand (`SITE CHMOD`), which `<Limit>`
//! names as `SITE_CHMOD`.

use crate::module::class::CommandClass;
use crate::module::command::{CommandGroup, Feat};
use crate::module::handler::HandlerFuture;
use crate::session::{Ctx, LoggedIn};

/// How a SITE subcommand is run.
#[derive(Clone, Copy)]
pub enum SiteHandler {
    /// The old shape of [`SiteHandler::Conn`], given the whole session; kept only so a module
    /// written against it still builds: no row uses it.
    Any(for<'a> fn(&'a mut Ctx, &'a str) -> HandlerFuture<'a>),
    /// Allowed at any time, outside `<Limit>` (`SITE HELP`); given the session's handle and
    /// what follows the subcommand.
    Conn(for<'a> fn(crate::module::Session<'a>, &'a str) -> HandlerFuture<'a>),
    /// The old shape of a logged-in SITE handler, given the whole session; kept only so a
    /// module written against it still builds: no row uses it, write [`SiteHandler::Narrow`].
    User(for<'a> fn(&'a mut Ctx, &'a mut LoggedIn, &'a str, &'a str) -> HandlerFuture<'a>),
    /// Needs a login and passes `<Limit>`; gets the command's narrow context
    /// ([`HandlerCtx`](crate::module::HandlerCtx), its target the SITE argument's path), the
    /// whole SITE argument and what follows the subcommand.
    Narrow(for<'a> fn(crate::module::HandlerCtx<'a>, &'a str, &'a str) -> HandlerFuture<'a>),
}

/// What `SITE HELP` says about a subcommand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteHelp {
    /// Listed by name after the lines; `SITE HELP name` shows this syntax (mod_site's own).
    Listed(&'static str),
    /// This line, before the listed names; unknown to `SITE HELP name` (mod_site_misc,
    /// mod_copy).
    Line(&'static str),
    /// Not mentioned.
    Hidden,
}

/// One SITE subcommand.
#[derive(Clone, Copy)]
pub struct SiteSpec {
    /// The subcommand, upper case (`CHMOD`).
    pub name: &'static str,
    /// The group its `<Limit>` check names (the group its 1.3.8 handler passes to
    /// `dir_check`).
    pub group: Option<CommandGroup>,
    /// Its command class (SITE's, `CL_MISC`).
    pub class: CommandClass,
    /// What `SITE HELP` says.
    pub help: SiteHelp,
    /// Its FEAT line.
    pub feat: Feat,
    /// Whether the module's engine is on; when not, the subcommand is not understood.
    pub enabled: fn(&Ctx) -> bool,
    /// The handler.
    pub handler: SiteHandler,
}

fn always(_: &Ctx) -> bool {
    true
}

impl SiteSpec {
    crate::module::command::row_setters!();

    /// A row: no group, class `MISC`, not in `SITE HELP`, no FEAT line, always enabled.
    pub const fn new(name: &'static str, handler: SiteHandler) -> Self {
        SiteSpec {
            name,
            group: None,
            class: CommandClass::MISC,
            help: SiteHelp::Hidden,
            feat: Feat::None,
            enabled: always,
            handler,
        }
    }

    /// Sets what `SITE HELP` says.
    pub const fn help(mut self, help: SiteHelp) -> Self {
        self.help = help;
        self
    }

    /// Understood only while `enabled` holds (`SiteMiscEngine`, `CopyEngine`).
    pub const fn enabled_when(mut self, enabled: fn(&Ctx) -> bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// The name `<Limit>` gives it: `SITE_CHMOD`.
    pub fn limit_name(&self) -> String {
        format!("SITE_{}", self.name)
    }
}
