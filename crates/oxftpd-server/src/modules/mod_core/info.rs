//! SYST, NOOP, FEAT, HELP, QUIT: RFC 959 section 4.1.3 and RFC 2389 (FEAT).
//!
//! RFC 2389 3.2: "the response to the FEAT command is a multi-line reply listing each
//! extension supported, one per line" — we list exactly the FEAT column of the command tables.

use oxftpd_proto::reply::codes;

use crate::messages::{Vars, display_file};
use crate::module::{CommandError, HandlerCtx, HandlerFuture, Help, Session};
use crate::modules;
use crate::session::LoggedIn;

/// `SYST`: `215 UNIX Type: L8`.
pub fn syst<'a>(mut ctx: Session<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move { Ok(ctx.reply(codes::SYSTEM_TYPE, "UNIX Type: L8").await?) })
}

/// The facts a client gave about itself with `CSID` (`Name`, `Version`, `Vendor`).
#[derive(Default)]
pub struct ClientFacts {
    /// `Name=…`.
    pub name: Option<String>,
    /// `Version=…`.
    pub version: Option<String>,
    /// `Vendor=…`.
    pub vendor: Option<String>,
}

/// Parses `Fact=value; …` as mod_core does: unknown or malformed facts are skipped.
pub fn client_facts(text: &str) -> ClientFacts {
    let mut facts = ClientFacts::default();
    for fact in text.split(';') {
        let Some((name, value)) = fact.trim_start().split_once('=') else {
            continue;
        };
        let slot = match name.to_ascii_lowercase().as_str() {
            "name" => &mut facts.name,
            "version" => &mut facts.version,
            "vendor" => &mut facts.vendor,
            _ => continue,
        };
        *slot = Some(value.to_string());
    }
    facts
}

/// `CSID facts` (draft-peterson-streamlined-ftp-command-extensions): keeps the client's facts
/// and names the server, unless `ServerIdent off`.
pub fn csid<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user: _user,
            mut session,
            ..
        } = hx;
        let ctx = &mut session;
        let facts = client_facts(arg.unwrap_or(""));
        for (name, value) in [
            ("Name", &facts.name),
            ("Version", &facts.version),
            ("Vendor", &facts.vendor),
        ] {
            if let Some(v) = value {
                tracing::debug!(peer = %ctx.peer, "client sent CSID {name} fact: '{v}'");
            }
        }
        if facts.name.is_some() || facts.version.is_some() || facts.vendor.is_some() {
            ctx.ext_mut().insert(facts);
        }
        let text = match ctx.server.settings.ident {
            crate::settings::Ident::Off => "casesensitive=1;".to_string(),
            _ => "name=ProFTPD;version=1.3.8;casesensitive=1;".to_string(),
        };
        Ok(ctx.reply(codes::COMMAND_OK, text).await?)
    })
}

/// `NOOP`.
pub fn noop<'a>(
    mut ctx: Session<'a>,
    user: Option<&'a LoggedIn>,
    _arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        // `<Limit NOOP>`: mod_core's `550 Operation not permitted`.
        if crate::access::limit::refused_here(ctx, user, "NOOP") {
            return Err(CommandError::refused(
                codes::FILE_UNAVAILABLE,
                "Operation not permitted",
            ));
        }
        Ok(ctx
            .reply(codes::COMMAND_OK, "NOOP command successful")
            .await?)
    })
}

/// `FEAT`: the FEAT line of every command and SITE row (static or computed from the
/// configuration), sorted and unique, as ProFTPD lists them.
pub fn feat<'a>(mut ctx: Session<'a>, _arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        let mut features: Vec<String> = modules::commands()
            .map(|c| &c.feat)
            .chain(modules::site_commands().map(|s| &s.feat))
            .filter_map(|f| f.line(ctx))
            .collect();
        features.sort_unstable();
        features.dedup();
        let mut lines = vec!["Features:".to_string()];
        lines.extend(features);
        lines.push("End".to_string());
        Ok(ctx
            .send(&crate::messages::multi(codes::SYSTEM_STATUS, lines))
            .await?)
    })
}

/// `HELP [command]`: the rows' HELP column (hidden rows left out, unimplemented ones marked
/// `*`).
pub fn help<'a>(
    mut ctx: Session<'a>,
    user: Option<&'a LoggedIn>,
    arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        // `<Limit HELP>`, before login too: mod_core's `501 HELP: Permission denied`.
        if crate::access::limit::refused_here(ctx, user, "HELP") {
            return Err(CommandError::refused(
                codes::SYNTAX_ERROR_ARGUMENTS,
                "HELP: Permission denied",
            ));
        }
        let admin = ctx
            .server
            .settings
            .admin
            .clone()
            .unwrap_or_else(|| "root@localhost".to_string());
        if let Some(verb) = arg {
            let verb = verb.to_ascii_uppercase();
            // The verbs ProFTPD leaves out of HELP are unknown to `HELP verb` too (observed).
            let known =
                modules::command(&verb).and_then(|spec| Some((spec.name, spec.help.syntax()?)));
            return match known {
                Some((name, syntax)) => Ok(ctx
                    .reply(codes::HELP_MESSAGE, format!("Syntax: {name} {syntax}"))
                    .await?),
                None => Err(CommandError::NotImplemented(
                    format!("Unknown command '{verb}'").into(),
                )),
            };
        }
        let mut lines =
            vec!["The following commands are recognized (* =>'s unimplemented):".to_string()];
        let names: Vec<String> = modules::commands()
            .filter_map(|c| match c.help {
                Help::Shown(_) => Some(c.name.to_string()),
                Help::Unimplemented(_) => Some(format!("{}*", c.name)),
                Help::Hidden => None,
            })
            .collect();
        for row in names.chunks(8) {
            let mut line = String::new();
            for name in row {
                line.push_str(&format!("{name:<8}"));
            }
            lines.push(line);
        }
        lines.push(format!("Direct comments to {admin}"));
        Ok(ctx
            .send(&crate::messages::multi(codes::HELP_MESSAGE, lines))
            .await?)
    })
}

/// `QUIT`: `221 Goodbye.` after the `DisplayQuit` file (`%U` and `%C` are the login's when
/// there is one), then close.
pub fn quit<'a>(
    mut ctx: Session<'a>,
    user: Option<&'a LoggedIn>,
    _arg: Option<&'a str>,
) -> HandlerFuture<'a> {
    Box::pin(async move {
        let ctx = &mut ctx;
        let path = ctx.server.cfg.core.display_quit.as_ref().map(|p| {
            let p = std::path::Path::new(p);
            // A relative name is the session's current directory's (the process's, for
            // ProFTPD); before login, the daemon's.
            match user {
                Some(u) if !p.is_absolute() => {
                    std::path::PathBuf::from(u.real_path(&u.resolve(&p.to_string_lossy())))
                }
                _ => p.to_path_buf(),
            }
        });
        let mut lines = display_file(
            ctx,
            path.as_deref(),
            &Vars {
                user: user.map(|u| u.login_name.as_str()),
                cwd: user.map(|u| u.cwd.as_str()),
                free_kb: 0,
            },
        );
        // ProFTPD sends the DisplayQuit file instead of "Goodbye.", its last line closing the reply.
        if lines.is_empty() {
            lines.push("Goodbye.".to_string());
        }
        ctx.send(&crate::messages::multi(codes::CLOSING_CONTROL, lines))
            .await?;
        Err(CommandError::Close)
    })
}

#[cfg(test)]
mod csid_tests {
    use super::client_facts;

    #[test]
    fn csid_facts_are_read_leniently() {
        let f = client_facts("Name=TestSuite; Version=None; Vendor=ProFTPD;");
        assert_eq!(f.name.as_deref(), Some("TestSuite"));
        assert_eq!(f.version.as_deref(), Some("None"));
        assert_eq!(f.vendor.as_deref(), Some("ProFTPD"));
        let f = client_facts("garbage;Other=1;;name=x");
        assert_eq!(f.name.as_deref(), Some("x"));
        assert!(f.version.is_none());
    }
}
