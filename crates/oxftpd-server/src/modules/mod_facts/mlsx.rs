//! MLSD and MLST: RFC 3659 section 7, with ProFTPD's mod_facts facts.
//!
//! RFC 3659 7.1: "MLST … provides data about exactly the object named on its command line,
//! and no others. MLSD, on the other hand, will list the contents of a directory if a
//! directory is named". 7.5.5 defines `perm`. The facts shown follow `OPTS MLST`.

use oxftpd_proto::listing::{Facts, Kind as ListKind, write_mlsd_line, write_mlsx_facts};
use oxftpd_proto::reply::codes;
use oxftpd_storage::{Kind, Metadata};

use crate::data::transfer_io;
use crate::messages::multi;
use crate::module::{CommandError, HandlerCtx, HandlerFuture};
use crate::modules::mod_ls::listing::{ListError, Names, proto_kind};
use crate::session::{Ctx, LoggedIn, TransferType};

/// Flush the MLSD buffer at this size.
const FLUSH_AT: usize = 32 * 1024;

const R: u32 = 4;
const W: u32 = 2;
const X: u32 = 1;

/// Whether the session's identity has `bit` (4 read, 2 write, 1 search) on an object, by its
/// mode, owner and group as the kernel decides for a non-root process.
pub fn may(user: &LoggedIn, meta: &Metadata, bit: u32) -> bool {
    let id = &user.identity;
    if id.uid == 0 {
        return bit != X || meta.mode & 0o111 != 0 || meta.kind == Kind::Dir;
    }
    let shift = if meta.uid == id.uid {
        6
    } else if meta.gid == id.gid || id.groups.contains(&meta.gid) {
        3
    } else {
        0
    };
    (meta.mode >> shift) & bit != 0
}

/// The `perm` fact (RFC 3659 7.5.5) for an object in the session's view.
pub fn perm(user: &LoggedIn, meta: &Metadata) -> String {
    perm_fact(user, meta).to_string()
}

/// The `perm` fact's value without allocating: one of the few letter combinations.
fn perm_fact(user: &LoggedIn, meta: &Metadata) -> &'static str {
    let (r, w) = (may(user, meta, R), may(user, meta, W));
    if meta.kind == Kind::Dir {
        match (r, w, may(user, meta, X)) {
            (false, false, false) => "f",
            (false, false, true) => "fe",
            (false, true, false) => "fcdmp",
            (false, true, true) => "fcdmpe",
            (true, false, false) => "fl",
            (true, false, true) => "fle",
            (true, true, false) => "flcdmp",
            (true, true, true) => "flcdmpe",
        }
    } else {
        match (r, w) {
            (false, false) => "adf",
            (false, true) => "adfw",
            (true, false) => "adfr",
            (true, true) => "adfrw",
        }
    }
}

/// How mod_facts shows a symbolic link: the link's own attributes (mode, size, times, owner)
/// with the identity (`unique`) of what it points to, typed as a link (`ShowSymlinks on`) or
/// as its target, and permitted as a file by the target's permissions.
struct LinkShown {
    meta: Metadata,
    kind: ListKind,
    perm: &'static str,
    /// `FactsOptions UseSlink`: the target, for `type=OS.unix=slink:TARGET`.
    slink: Option<String>,
}

/// The virtual path a link at `vpath` points to (relative targets taken from the link's
/// directory), `None` when it cannot be read.
async fn link_target(user: &LoggedIn, vpath: &str) -> Option<String> {
    let target = user.fs.read_link(vpath).await.ok()?;
    let dir = oxftpd_proto::path::parent(vpath);
    Some(user.resolve_from(dir, &target))
}

/// `vpath` with its final links followed (a few levels, as far as they resolve): the path
/// MLST names for a link when `ShowSymlinks` is on, as mod_facts' `dir_best_path`.
async fn followed(user: &LoggedIn, vpath: &str) -> String {
    let mut path = vpath.to_string();
    for _ in 0..8 {
        match user.fs.symlink_metadata(&path).await {
            Ok(m) if m.kind == Kind::Symlink => match link_target(user, &path).await {
                Some(next) => path = next,
                None => break,
            },
            _ => break,
        }
    }
    path
}

/// The facts of the link at `vpath` (its `lstat` is `lmeta`); `None` when what it points to
/// cannot be looked up, which mod_facts leaves out of MLSD and refuses for MLST.
async fn link_shown(
    ctx: &Ctx,
    user: &LoggedIn,
    vpath: &str,
    lmeta: &Metadata,
    show: bool,
) -> Option<LinkShown> {
    let target = user.fs.metadata(vpath).await.ok()?;
    let facts = &ctx.server.cfg.facts;
    let kind = match (show, target.kind) {
        (true, _) => ListKind::Symlink,
        (false, Kind::Dir) => ListKind::Dir,
        (false, _) => ListKind::File,
    };
    let slink = if show && facts.use_slink {
        let raw = user.fs.read_link(vpath).await.ok()?;
        Some(crate::modules::mod_ls::listing::adjusted_target(
            user, vpath, &raw,
        ))
    } else {
        None
    };
    let as_file = Metadata {
        kind: Kind::File,
        ..target.clone()
    };
    Some(LinkShown {
        // The link's own attributes with its type bits (what `Facts::mode` takes), so a link
        // shown as the directory it points to keeps its size fact.
        meta: Metadata {
            dev: target.dev,
            ino: target.ino,
            mode: lmeta.mode | 0o120000,
            ..lmeta.clone()
        },
        kind,
        perm: perm_fact(user, &as_file),
        slink,
    })
}

/// The facts a session shows: its `OPTS MLST` choice, less the names under
/// `FactsOptions NoNames`.
fn shown_facts(ctx: &Ctx) -> oxftpd_proto::listing::FactSet {
    use oxftpd_proto::listing::FactSet;
    if ctx.server.cfg.facts.no_names {
        crate::modules::mod_core::opts::facts(ctx)
            .without(FactSet::UNIX_OWNERNAME | FactSet::UNIX_GROUPNAME)
    } else {
        crate::modules::mod_core::opts::facts(ctx)
    }
}

fn facts<'a>(
    name: &'a str,
    kind: ListKind,
    meta: &Metadata,
    owner: Option<&'a str>,
    group: Option<&'a str>,
) -> Facts<'a> {
    Facts {
        name,
        kind,
        mode: meta.mode,
        nlink: meta.nlink,
        uid: meta.uid,
        gid: meta.gid,
        owner,
        group,
        size: meta.size,
        mtime: meta.mtime,
        link_target: None,
        dev: meta.dev,
        ino: meta.ino,
    }
}

fn write_line(
    user: &LoggedIn,
    names: &mut Names<'_>,
    name: &str,
    kind: ListKind,
    meta: &Metadata,
    ctx_facts: oxftpd_proto::listing::FactSet,
    out: &mut Vec<u8>,
) {
    write_shown(
        names,
        name,
        kind,
        meta,
        perm_fact(user, meta),
        None,
        ctx_facts,
        out,
    );
}

#[allow(clippy::too_many_arguments)]
fn write_shown(
    names: &mut Names<'_>,
    name: &str,
    kind: ListKind,
    meta: &Metadata,
    perm: &str,
    slink: Option<&str>,
    ctx_facts: oxftpd_proto::listing::FactSet,
    out: &mut Vec<u8>,
) {
    let meta = names.shown(meta, false).into_owned();
    let meta = &meta;
    let (owner, group) = names.both(meta.uid, meta.gid);
    let f = Facts {
        link_target: slink,
        ..facts(name, kind, meta, owner, group)
    };
    write_mlsd_line(&f, ctx_facts, perm, out);
}

/// The FEAT line for MLST: the facts offered, `*` on those the session shows (`FactsDefault`,
/// then `OPTS MLST`); none under `FactsAdvertise off`.
pub fn feat(ctx: &Ctx) -> Option<String> {
    use oxftpd_proto::listing::FactSet;
    let facts = &ctx.server.cfg.facts;
    let offered = if facts.no_names {
        FactSet::ALL.without(FactSet::UNIX_OWNERNAME | FactSet::UNIX_GROUPNAME)
    } else {
        FactSet::ALL
    };
    facts
        .advertise
        .then(|| crate::modules::mod_core::opts::facts(ctx).feat_line_of(offered))
}

/// `MLST [path]`: the facts of one object over the control connection.
pub fn mlst<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let shown = arg.unwrap_or(user.cwd.as_str()).to_string();
        let vpath = user.resolve(&shown);
        let cannot = || {
            CommandError::refused(
                codes::FILE_UNAVAILABLE,
                format!("'{shown}' cannot be listed"),
            )
        };
        let lmeta = user
            .fs
            .symlink_metadata(&vpath)
            .await
            .map_err(|_| cannot())?;
        // A hidden object (HideFiles, HideUser…) gets an empty list, as mod_facts answers.
        if vpath != "/" && crate::access::hiding::path_hidden(ctx, user, &vpath, &lmeta) {
            return Ok(ctx
                .send(&multi(
                    codes::FILE_ACTION_OK,
                    vec![
                        format!("Start of list for {shown}"),
                        "End of list".to_string(),
                    ],
                ))
                .await?);
        }
        let (meta, kind, perm, slink, path) = if lmeta.kind == Kind::Symlink {
            // MLST shows links as links only under a written `ShowSymlinks on`.
            let show = ctx.server.cfg.ls.show_symlinks_written == Some(true);
            let link = link_shown(ctx, user, &vpath, &lmeta, show)
                .await
                .ok_or_else(cannot)?;
            // ShowSymlinks on names the object the link leads to; UseSlink and off, the link.
            let path = if show && link.slink.is_none() {
                followed(user, &vpath).await
            } else {
                vpath.clone()
            };
            (link.meta, link.kind, link.perm, link.slink, path)
        } else {
            let perm = perm_fact(user, &lmeta);
            (
                lmeta.clone(),
                proto_kind(lmeta.kind),
                perm,
                None,
                vpath.clone(),
            )
        };
        // The object's own context, as mod_facts looks `DirFake*` up for MLST.
        let mut names = Names::for_dir(ctx, user, &vpath);
        let meta = names.shown(&meta, false).into_owned();
        let owner = names.user(meta.uid).map(str::to_owned);
        let group = names.group(meta.gid).map(str::to_owned);
        let f = Facts {
            link_target: slink.as_deref(),
            ..facts(&path, kind, &meta, owner.as_deref(), group.as_deref())
        };
        let mut out = Vec::new();
        write_mlsx_facts(&f, shown_facts(ctx), perm, &mut out);
        let line = String::from_utf8_lossy(&out).into_owned();
        Ok(ctx
            .send(&multi(
                codes::FILE_ACTION_OK,
                vec![
                    format!("Start of list for {shown}"),
                    line,
                    "End of list".to_string(),
                ],
            ))
            .await?)
    })
}

/// `MLSD [path]`: the facts of a directory's entries over the data connection.
pub fn mlsd<'a>(hx: HandlerCtx<'a>, arg: Option<&'a str>) -> HandlerFuture<'a> {
    Box::pin(async move {
        let HandlerCtx {
            user, mut session, ..
        } = hx;
        let ctx = &mut session;
        let shown = arg.unwrap_or(".");
        let vpath = user.resolve(shown);
        let parent = user.resolve_from(&vpath, "..");
        // The directory is opened (and its first batch read) while its attributes and its
        // parent's are looked up.
        let (meta, dir, pmeta) = tokio::join!(
            user.fs.metadata(&vpath),
            user.fs.read_dir(&vpath),
            user.fs.metadata(&parent)
        );
        let meta = match meta {
            Ok(m) if m.kind == Kind::Dir => m,
            Ok(_) => {
                return Err(CommandError::refused(
                    codes::FILE_UNAVAILABLE,
                    format!("'{shown}' is not a directory"),
                ));
            }
            Err(e) => return Err(CommandError::storage(shown, e)),
        };
        let mut dir = match dir {
            Ok(d) => d,
            Err(e) => return Err(CommandError::storage(shown, e)),
        };
        let stream = ctx.open_data().await?;
        let mode = match ctx.transfer_type {
            TransferType::Ascii => "ASCII",
            TransferType::Binary => "BINARY",
        };
        ctx.reply(
            codes::OPENING_DATA,
            format!("Opening {mode} mode data connection for MLSD"),
        )
        .await?;
        let stream =
            crate::modules::mod_tls::data::protect(ctx, stream, crate::data::stream::Flow::Send)
                .await?;
        transfer_io::cork(transfer_io::DataSocket::socket(&stream));
        let mut stream = crate::modules::mod_deflate::stream::Sink::new(
            stream,
            crate::modules::mod_deflate::stream::mode_z(ctx),
        );
        let stall = ctx.server.settings.timeouts.stalled;
        let selected = shown_facts(ctx);
        let mut out = Vec::with_capacity(FLUSH_AT + 1024);
        let result: Result<(), ListError> = async {
            let mut names = Names::for_dir(ctx, user, &vpath);
            write_line(
                user,
                &mut names,
                ".",
                ListKind::CurrentDir,
                &meta,
                selected,
                &mut out,
            );
            if let Ok(pmeta) = pmeta {
                write_line(
                    user,
                    &mut names,
                    "..",
                    ListKind::ParentDir,
                    &pmeta,
                    selected,
                    &mut out,
                );
            }
            let may_hide = crate::access::hiding::may_hide(names.ctx(), user);
            while let Some(batch) = dir.next().await? {
                for entry in batch.iter() {
                    let Some(m) = entry.meta else { continue };
                    if may_hide
                        && crate::access::hiding::hide_entry(
                            names.ctx(),
                            user,
                            &vpath,
                            entry.name,
                            m,
                        )
                    {
                        continue;
                    }
                    if m.kind == Kind::Symlink {
                        let path = user.resolve_from(&vpath, entry.name);
                        // A link whose target cannot be looked up is left out, as mod_facts.
                        let show = names.ctx().server.cfg.ls.show_symlinks;
                        let Some(link) = link_shown(names.ctx(), user, &path, m, show).await else {
                            continue;
                        };
                        write_shown(
                            &mut names,
                            entry.name,
                            link.kind,
                            &link.meta,
                            link.perm,
                            link.slink.as_deref(),
                            selected,
                            &mut out,
                        );
                    } else {
                        write_line(
                            user,
                            &mut names,
                            entry.name,
                            proto_kind(m.kind),
                            m,
                            selected,
                            &mut out,
                        );
                    }
                    if out.len() >= FLUSH_AT {
                        transfer_io::write_chunk(&mut stream, &out, stall).await?;
                        out.clear();
                    }
                }
            }
            if !out.is_empty() {
                transfer_io::write_chunk(&mut stream, &out, stall).await?;
            }
            Ok(())
        }
        .await;
        crate::modules::mod_ls::listing::end_listing(ctx, stream, result, shown).await
    })
}
