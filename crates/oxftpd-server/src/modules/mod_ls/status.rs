//! STAT: RFC 959 section 4.1.3.
//!
//! RFC 959: "STATUS (STAT) … If the command is issued during a transfer … If an argument
//! is given … the command is analogous to the "list" command, except that data shall be
//! transferred over the control connection. … If no argument is given, the server should
//! return general status information about the server FTP process."

use oxftpd_proto::reply::codes;
use oxftpd_storage::Kind;

use crate::messages::multi;
use crate::module::{CommandError, CommandResult, HandlerCtx, HandlerFuture, Session};
use crate::modules::mod_ls::listing::{Names, clock, split_options, write_entry};
use crate::session::{Ctx, LoggedIn, TransferType};

/// The most entries `STAT dir` shows over the control connection.
const MAX_ENTRIES: usize = 10_000;

/// `STAT [path]`.
pub fn stat<'a>(mut hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        match arg {
            None => session_status(&mut hx.session, hx.user).await,
            Some(arg) => path_status(&mut hx.session, hx.user, arg).await,
        }
    })
}

async fn session_status(ctx: &mut Session<'_>, user: &LoggedIn) -> CommandResult {
    let ip = ctx.peer.ip();
    let kind = match ctx.transfer_type {
        TransferType::Ascii => "ASCII",
        TransferType::Binary => "BINARY",
    };
    let lines = vec![
        format!("Status of '{}'", ctx.server.settings.name),
        format!("Connected from {ip} ({ip})"),
        format!("Logged in as {}", user.login_name),
        format!("TYPE: {kind}, STRUcture: File, Mode: Stream"),
        "No data connection".to_string(),
        "End of status".to_string(),
    ];
    Ok(ctx.send(&multi(codes::SYSTEM_STATUS, lines)).await?)
}

/// An entry as STAT shows it: a link with its target (`ShowSymlinks on`), or as the object it
/// points to (`off`, when that can be looked up).
async fn as_shown(
    ctx: &Ctx,
    user: &LoggedIn,
    vpath: &str,
    meta: oxftpd_storage::Metadata,
) -> (oxftpd_storage::Metadata, Option<String>) {
    if meta.kind != Kind::Symlink {
        return (meta, None);
    }
    if ctx.server.cfg.ls.show_symlinks {
        return (meta, user.fs.read_link(vpath).await.ok());
    }
    match user.fs.metadata(vpath).await {
        Ok(target) => (target, None),
        Err(_) => (meta, None),
    }
}

fn line_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

async fn path_status(ctx: &mut Session<'_>, user: &LoggedIn, arg: &str) -> CommandResult {
    let (_, path) = split_options(Some(arg));
    let shown = path.unwrap_or(".");
    let vpath = user.resolve(shown);
    let meta = match user.fs.symlink_metadata(&vpath).await {
        Ok(m) => m,
        Err(e) => return Err(CommandError::storage(shown, e)),
    };
    let clock = clock(ctx);
    // A directory's owner and group `DirFake*` are its own; a file's are not faked (ProFTPD).
    let listed = (meta.kind == Kind::Dir).then(|| vpath.clone());
    let mut names = Names::for_list(ctx, user, listed.as_deref());
    let mut buf = Vec::new();
    if meta.kind != Kind::Dir {
        // A hidden name shows an empty status, as mod_ls answers STAT for it.
        if crate::access::hiding::path_hidden(ctx, user, &vpath, &meta) {
            let lines = vec![format!("Status of {shown}:"), "End of status".to_string()];
            return Ok(ctx.send(&multi(codes::FILE_STATUS, lines)).await?);
        }
        let (meta, link) = as_shown(ctx, user, &vpath, meta).await;
        names.entry(user, oxftpd_proto::path::parent(&vpath), &vpath);
        write_entry(&mut names, shown, &meta, link.as_deref(), &clock, &mut buf);
        let lines = vec![
            format!("Status of {shown}:"),
            line_of(&buf),
            "End of status".to_string(),
        ];
        return Ok(ctx.send(&multi(codes::FILE_STATUS, lines)).await?);
    }
    let mut entries: Vec<(String, String)> = Vec::new();
    for dot in [".", ".."] {
        if let Ok(m) = user.fs.metadata(&user.resolve_from(&vpath, dot)).await {
            buf.clear();
            names.entry(user, &vpath, dot);
            write_entry(&mut names, dot, &m, None, &clock, &mut buf);
            entries.push((dot.to_string(), line_of(&buf)));
        }
    }
    let mut dir = match user.fs.read_dir(&vpath).await {
        Ok(d) => d,
        Err(e) => return Err(CommandError::storage(shown, e)),
    };
    let mut batch = Vec::new();
    loop {
        batch.clear();
        let more = match dir.next_batch(&mut batch).await {
            Ok(more) => more,
            Err(e) => return Err(CommandError::storage(shown, e)),
        };
        for entry in &batch {
            let Some(m) = &entry.meta else { continue };
            if crate::access::hiding::hide_entry(names.ctx(), user, &vpath, &entry.name, m) {
                continue;
            }
            if entries.len() >= MAX_ENTRIES {
                break;
            }
            let (m, link) = as_shown(
                names.ctx(),
                user,
                &user.resolve_from(&vpath, &entry.name),
                m.clone(),
            )
            .await;
            buf.clear();
            names.entry(user, &vpath, &entry.name);
            write_entry(
                &mut names,
                &entry.name,
                &m,
                link.as_deref(),
                &clock,
                &mut buf,
            );
            entries.push((entry.name.clone(), line_of(&buf)));
        }
        if !more || entries.len() >= MAX_ENTRIES {
            break;
        }
    }
    let skip = 2.min(entries.len());
    entries[skip..].sort_by(|a, b| a.0.cmp(&b.0));
    let mut lines = vec![format!("Status of {shown}:")];
    lines.extend(entries.into_iter().map(|(_, l)| l));
    lines.push("End of status".to_string());
    Ok(ctx.send(&multi(codes::DIRECTORY_STATUS, lines)).await?)
}
