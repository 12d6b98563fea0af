//! Small helpers shared by command handlers: argument checks.

use crate::module::error::{CommandError, CommandResult};
use crate::session::{Ctx, LoggedIn};

/// Runs a command on a path: [`CommandError::MissingArgument`] without an argument, else
/// `body` with the argument as the client sent it and the virtual path it names.
pub async fn with_path(
    ctx: &mut Ctx,
    user: &mut LoggedIn,
    arg: Option<&str>,
    body: impl AsyncFnOnce(&mut Ctx, &mut LoggedIn, &str, String) -> CommandResult,
) -> CommandResult {
    let Some(arg) = arg else {
        return Err(CommandError::MissingArgument);
    };
    let target = user.resolve(arg);
    body(ctx, user, arg, target).await
}

/// The two words of a `SITE NAME source destination` argument (the destination may hold
/// blanks after the first); `'SITE NAME' not understood` when one is missing.
pub fn two_paths<'a>(site: &str, rest: &'a str) -> Result<(&'a str, &'a str), CommandError> {
    rest.split_once(' ')
        .map(|(s, d)| (s, d.trim_start()))
        .filter(|(_, d)| !d.is_empty())
        .ok_or_else(|| not_understood(site))
}

/// The argument of `SITE NAME argument`, which must not be empty; else
/// `'SITE NAME' not understood`.
pub fn site_arg<'a>(site: &str, rest: &'a str) -> Result<&'a str, CommandError> {
    if rest.is_empty() {
        Err(not_understood(site))
    } else {
        Ok(rest)
    }
}

/// `500 'SITE NAME' not understood`, ProFTPD's answer to a SITE command missing its arguments.
fn not_understood(site: &str) -> CommandError {
    verb_not_understood(&format!("SITE {site}"))
}

/// `500 'VERB' not understood`: ProFTPD's answer to a verb missing the argument it needs
/// (mod_xfer's RETR, STOR and APPE; the SITE commands).
pub fn verb_not_understood(verb: &str) -> CommandError {
    CommandError::bad_argument(
        oxftpd_proto::reply::codes::SYNTAX_ERROR,
        format!("'{verb}' not understood"),
    )
}
