//! OPTS (RFC 2389 section 4), CLNT, and the commands ProFTPD lists as unimplemented
//! (ACCT, REIN, SMNT).
//!
//! RFC 2389 4: "The OPTS (options) command allows a user-PI to specify the desired behavior
//! of a server-FTP process when another FTP command (the target command) is later issued."

use oxftpd_proto::listing::{FactSet, opts_mlst_reply, parse_opts_mlst};
use oxftpd_proto::reply::codes;

use crate::module::{CommandError, HandlerFuture, Session};
use crate::modules::mod_digest::digest::HashAlgo;
use crate::session::{Ctx, LoggedIn};

/// What the client chose with `OPTS UTF8`, `OPTS MLST` and `CLNT`, for the length of the
/// session (what other modules keep is theirs: `MODE Z` mod_deflate's, `OPTS HASH`
/// mod_digest's, `SITE CPFR` mod_copy's, `LANG` mod_lang's).
#[derive(Clone, Debug)]
pub struct SessionOpts {
    /// `OPTS UTF8 ON|OFF` (on by default, as ProFTPD's `UseUTF8`).
    pub utf8: bool,
    /// The facts `MLSD`/`MLST` show (`OPTS MLST`).
    pub facts: FactSet,
    /// What the client called itself with `CLNT`.
    pub client: Option<String>,
}

static DEFAULT: std::sync::LazyLock<SessionOpts> = std::sync::LazyLock::new(SessionOpts::default);

/// The options the session set (its defaults until it sets one), kept in its module state.
pub fn of(ctx: &Ctx) -> &SessionOpts {
    ctx.ext.get::<SessionOpts>().unwrap_or(&DEFAULT)
}

/// The session's options, to change (first made with the facts of `FactsDefault`).
pub fn of_mut<'s>(ctx: &'s mut Session<'_>) -> &'s mut SessionOpts {
    let facts = ctx.server.cfg.facts.default;
    let ext = ctx.ext_mut();
    if ext.get::<SessionOpts>().is_none() {
        ext.insert(SessionOpts {
            facts,
            ..SessionOpts::default()
        });
    }
    ext.get_or_default()
}

/// The MLSx facts the session shows: its `OPTS MLST` choice, else `FactsDefault`.
pub fn facts(ctx: &Ctx) -> FactSet {
    ctx.ext
        .get::<SessionOpts>()
        .map_or(ctx.server.cfg.facts.default, |o| o.facts)
}

impl Default for SessionOpts {
    fn default() -> Self {
        SessionOpts {
            utf8: true,
            facts: FactSet::ALL,
            client: None,
        }
    }
}

/// The most parameters OPTS takes.
const MAX_PARAMS: usize = 8;

/// `OPTS UTF8 ON|OFF`, `OPTS MLST facts`, `OPTS HASH [algorithm]`.
pub fn opts<'a>(
    mut ctx: Session<'a>,
    user: Option<&'a LoggedIn>,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        let Some(arg) = arg else {
            return Err(CommandError::MissingArgument);
        };
        // At most eight parameters (mod_core, Bug#3870).
        if arg.split_whitespace().count() > MAX_PARAMS {
            return Err(CommandError::refused(
                codes::FILE_UNAVAILABLE,
                "OPTS: Invalid argument",
            ));
        }
        let (word, rest) = match arg.split_once(' ') {
            Some((w, r)) => (w, Some(r.trim())),
            None => (arg, None),
        };
        // Each option is a command of its own for `<Limit>` (`<Limit OPTS_UTF8>`), as ProFTPD
        // dispatches `OPTS X` to `OPTS_X`.
        let sub = format!("OPTS_{}", word.to_ascii_uppercase());
        if crate::access::limit::refused_here(ctx, user, &sub) {
            return Err(CommandError::refused(
                codes::FILE_UNAVAILABLE,
                format!("OPTS {}: Permission denied", word.to_ascii_uppercase()),
            ));
        }
        match word.to_ascii_uppercase().as_str() {
            "UTF8" => match rest.map(str::to_ascii_uppercase).as_deref() {
                Some("ON") => {
                    of_mut(ctx).utf8 = true;
                    Ok(ctx.reply(codes::COMMAND_OK, "UTF8 set to on").await?)
                }
                Some("OFF") => {
                    of_mut(ctx).utf8 = false;
                    Ok(ctx.reply(codes::COMMAND_OK, "UTF8 set to off").await?)
                }
                _ => Err(CommandError::bad_argument(
                    codes::SYNTAX_ERROR_ARGUMENTS,
                    "'OPTS UTF8' not understood",
                )),
            },
            "MLST" => {
                let facts = rest.unwrap_or("");
                of_mut(ctx).facts = parse_opts_mlst(facts);
                Ok(ctx.reply(codes::COMMAND_OK, opts_mlst_reply(facts)).await?)
            }
            "HASH" => match rest.filter(|r| !r.is_empty()) {
                None => {
                    let name = crate::modules::mod_digest::digest::algo(ctx).name();
                    Ok(ctx.reply(codes::COMMAND_OK, name).await?)
                }
                Some(name) => match HashAlgo::from_name(name) {
                    Some(algo) => {
                        ctx.ext_mut().insert(algo);
                        Ok(ctx.reply(codes::COMMAND_OK, algo.name()).await?)
                    }
                    None => Err(CommandError::bad_argument(
                        codes::SYNTAX_ERROR_ARGUMENTS,
                        format!("{name}: Unsupported algorithm"),
                    )),
                },
            },
            "MODE" => {
                match crate::modules::mod_xfer::mode::opts_mode(ctx, rest.unwrap_or("")).await {
                    Some(done) => done,
                    None => Err(CommandError::bad_argument(
                        codes::SYNTAX_ERROR,
                        format!("OPTS {word} not understood"),
                    )),
                }
            }
            _ => Err(CommandError::bad_argument(
                codes::SYNTAX_ERROR,
                format!("OPTS {} not understood", word.to_ascii_uppercase()),
            )),
        }
    })
}

/// `CLNT name`: remembered, `200 OK`.
pub fn clnt<'a>(mut ctx: Session<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        of_mut(ctx).client = arg.map(str::to_owned);
        Ok(ctx.reply(codes::COMMAND_OK, "OK").await?)
    })
}

/// `ACCT`: not implemented, as in ProFTPD.
pub fn acct<'a>(_ctx: Session<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        Err(CommandError::NotImplemented(
            "ACCT command not implemented".into(),
        ))
    })
}

/// `REIN`: not implemented, as in ProFTPD.
pub fn rein<'a>(_ctx: Session<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        Err(CommandError::NotImplemented(
            "REIN command not implemented".into(),
        ))
    })
}

/// `SMNT`: not implemented, as in ProFTPD.
pub fn smnt<'a>(_ctx: Session<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        Err(CommandError::NotImplemented(
            "SMNT command not implemented".into(),
        ))
    })
}
