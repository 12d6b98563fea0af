//! OPTS (RFC 2389 section 4), CLNT, and the commands ProFTPD lists as unimplemented
//! (ACCT, REIN, SMNT).
//!
//! RFC 2389 4: "The OPTS (options) command allows a user-PI to specify the desired behavior
//! of a server-FTP process when another FTP command (the target command) is later issued."

use oxftpd_proto::listing::{FactSet, opts_mlst_reply, parse_opts_mlst};

use crate::module::HandlerFuture;
use crate::modules::mod_digest::digest::HashAlgo;
use crate::session::Ctx;

/// What the client chose with OPTS, CLNT and SITE CPFR, for the length of the session.
#[derive(Clone, Debug)]
pub struct SessionOpts {
    /// `OPTS UTF8 ON|OFF` (on by default, as ProFTPD's `UseUTF8`).
    pub utf8: bool,
    /// The facts `MLSD`/`MLST` show (`OPTS MLST`).
    pub facts: FactSet,
    /// The algorithm `HASH` uses (`OPTS HASH`).
    pub hash: HashAlgo,
    /// What the client called itself with `CLNT`.
    pub client: Option<String>,
    /// The source named by `SITE CPFR`, as a virtual path.
    pub copy_from: Option<String>,
    /// `MODE Z` and its `OPTS MODE Z` level (mod_deflate).
    pub mode_z: crate::modules::mod_deflate::stream::ModeZ,
    /// The language chosen with `LANG` (mod_lang), `None` for the default.
    pub lang: Option<String>,
}

impl Default for SessionOpts {
    fn default() -> Self {
        SessionOpts {
            utf8: true,
            facts: FactSet::ALL,
            hash: HashAlgo::Sha1,
            client: None,
            copy_from: None,
            mode_z: crate::modules::mod_deflate::stream::ModeZ::default(),
            lang: None,
        }
    }
}

/// `OPTS UTF8 ON|OFF`, `OPTS MLST facts`, `OPTS HASH [algorithm]`.
pub fn opts<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let Some(arg) = arg else {
            return crate::module::helpers::missing_argument(ctx).await;
        };
        let (word, rest) = match arg.split_once(' ') {
            Some((w, r)) => (w, Some(r.trim())),
            None => (arg, None),
        };
        match word.to_ascii_uppercase().as_str() {
            "UTF8" => match rest.map(str::to_ascii_uppercase).as_deref() {
                Some("ON") => {
                    ctx.opts.utf8 = true;
                    ctx.reply(200, "UTF8 set to on").await
                }
                Some("OFF") => {
                    ctx.opts.utf8 = false;
                    ctx.reply(200, "UTF8 set to off").await
                }
                _ => ctx.reply(501, "'OPTS UTF8' not understood").await,
            },
            "MLST" => {
                let facts = rest.unwrap_or("");
                ctx.opts.facts = parse_opts_mlst(facts);
                ctx.reply(200, opts_mlst_reply(facts)).await
            }
            "HASH" => match rest.filter(|r| !r.is_empty()) {
                None => {
                    let name = ctx.opts.hash.name();
                    ctx.reply(200, name).await
                }
                Some(name) => match HashAlgo::from_name(name) {
                    Some(algo) => {
                        ctx.opts.hash = algo;
                        ctx.reply(200, algo.name()).await
                    }
                    None => {
                        ctx.reply(501, format!("{name}: Unsupported algorithm"))
                            .await
                    }
                },
            },
            "MODE" => {
                match crate::modules::mod_xfer::mode::opts_mode(ctx, rest.unwrap_or("")).await {
                    Some(done) => done,
                    None => ctx.reply(500, format!("OPTS {word} not understood")).await,
                }
            }
            _ => ctx.reply(500, format!("OPTS {word} not understood")).await,
        }
    })
}

/// `CLNT name`: remembered, `200 OK`.
pub fn clnt<'a>(ctx: &'a mut Ctx, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        ctx.opts.client = arg.map(str::to_owned);
        ctx.reply(200, "OK").await
    })
}

/// `ACCT`: not implemented, as in ProFTPD.
pub fn acct<'a>(ctx: &'a mut Ctx, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { ctx.reply(502, "ACCT command not implemented").await })
}

/// `REIN`: not implemented, as in ProFTPD.
pub fn rein<'a>(ctx: &'a mut Ctx, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { ctx.reply(502, "REIN command not implemented").await })
}

/// `SMNT`: not implemented, as in ProFTPD.
pub fn smnt<'a>(ctx: &'a mut Ctx, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { ctx.reply(502, "SMNT command not implemented").await })
}
