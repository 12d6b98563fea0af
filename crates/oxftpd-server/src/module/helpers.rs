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
