//! ProFTPD's command phases as typed hooks a module registers.
//!
//! ProFTPD runs, for each command, the `PRE_CMD` handlers, then the `CMD` handler, then
//! `POST_CMD` (or `POST_CMD_ERR` when the command failed), then `LOG_CMD` (or `LOG_CMD_ERR`).
//! A module registers [`Hook`]s on a verb, on a `<Limit>` group, on every known command or on
//! every line the client sends (known or not); the session loop runs them in that order:
//!
//! 1. `Pre` hooks on [`On::AnyLine`], before the verb is looked up (mod_tls's `TLSRequired`);
//! 2. the verb is looked up (`500 X not understood` when no module has it);
//! 3. `Pre` hooks on [`On::AnyCommand`], [`On::Verb`] and [`On::Group`] (filters);
//! 4. the login check, `.ftpaccess` refresh and `<Limit>` (shared machinery, not a hook);
//! 5. the handler;
//! 6. `Post` or `PostErr` hooks, then `Log` or `LogErr` hooks, by the reply the command
//!    ended with (a 4xx/5xx last reply is an error, as ProFTPD's `pr_response` decides).
//!
//! Within a stage, hooks run in module-list order. A `Pre` hook may refuse the command with a
//! typed error, which the session loop answers as it answers a handler's (`module::replies`;
//! `CommandError::then_close` also ends the session); later hooks and the handler then do
//! not run, and the command's `PostErr`/`LogErr` hooks do. `Post`/`Log` hooks only observe.

use std::future::Future;
use std::pin::Pin;

use crate::module::command::{CommandGroup, CommandSpec};
use crate::module::error::CommandError;
use crate::session::{Ctx, State};

/// A phase of a command, as ProFTPD names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `PRE_CMD`: before the handler; may refuse the command.
    Pre,
    /// `POST_CMD`: after a handler that succeeded.
    Post,
    /// `POST_CMD_ERR`: after a handler (or a refusal) that failed.
    PostErr,
    /// `LOG_CMD`: logging after a command that succeeded.
    Log,
    /// `LOG_CMD_ERR`: logging after a command that failed.
    LogErr,
}

/// Which command lines a hook runs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    /// Every line the client sends, known verb or not: `Pre` before the lookup, `LogErr` after
    /// an unknown verb's `500` (and, like [`On::AnyCommand`], every phase of a known command).
    AnyLine,
    /// Every command a module implements (ProFTPD's `C_ANY`).
    AnyCommand,
    /// One verb, as the table names it (upper case).
    Verb(&'static str),
    /// Every command of a `<Limit>` group.
    Group(CommandGroup),
}

impl On {
    /// Whether a hook registered on `self` runs for `spec` (a known command).
    pub fn matches(self, spec: &CommandSpec) -> bool {
        match self {
            On::AnyLine | On::AnyCommand => true,
            On::Verb(v) => v == spec.name,
            On::Group(g) => spec.group == Some(g),
        }
    }
}

/// What a `Pre` hook decides.
pub enum Outcome {
    /// Go on with the next hook, then the command.
    Continue,
    /// Refuse the command: the session loop answers the error for the verb, and ends the
    /// session when the error says so.
    Refuse(CommandError),
    /// Go on with this argument instead of the client's (`PRE_CMD` only: mod_case's
    /// case-insensitive names, mod_rewrite's rules); later hooks, `<Limit>` and the handler
    /// see the new argument.
    Rewrite(String),
}

/// The command a hook sees.
#[derive(Clone, Copy)]
pub struct Cmd<'a> {
    /// The verb as the client sent it, upper case.
    pub verb: &'a str,
    /// Its argument, if any.
    pub arg: Option<&'a str>,
    /// Its table row; `None` only for [`On::AnyLine`] hooks on an unknown verb.
    pub spec: Option<&'static CommandSpec>,
    /// The code of the last reply the command sent (`Post`/`Log` phases; 0 before).
    pub code: u16,
}

/// The future a hook returns.
pub type HookFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A hook's function: the session, its login state and the command.
pub type HookFn = for<'a> fn(&'a mut Ctx, &'a mut State, Cmd<'a>) -> HookFuture<'a>;

/// One hook a module registers.
pub struct Hook {
    /// The phase it runs in.
    pub phase: Phase,
    /// The commands it runs for.
    pub on: On,
    /// What it does.
    pub run: HookFn,
}

impl Hook {
    /// A hook on `phase` for the commands `on` names.
    pub const fn new(phase: Phase, on: On, run: HookFn) -> Hook {
        Hook { phase, on, run }
    }
}

/// Whether a reply code ends a command in failure (`POST_CMD_ERR`, `LOG_CMD_ERR`).
pub fn is_error(code: u16) -> bool {
    code >= 400
}
