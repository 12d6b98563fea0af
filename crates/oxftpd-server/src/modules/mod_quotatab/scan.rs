//! `QuotaOptions ScanOnLogin`: at login, the files under the login directory that the user
//! (or, for a group limit, the group) owns are counted, and the tally's bytes and files in are
//! set to what was found (as one delta, so other sessions' updates are kept), as 1.3.8 does.

use oxftpd_storage::Kind as FileKind;

use super::table::{Delta, Kind};
use super::{Quota, count, log};
use crate::session::{Ctx, LoggedIn};

/// At most this many entries are looked at, so a huge tree cannot hold a login for long.
const MAX_ENTRIES: usize = 1_000_000;

/// What a scan found.
#[derive(Debug, Default, Clone, Copy)]
struct Found {
    bytes: f64,
    files: i64,
    seen: usize,
}

/// Scans the session's current directory and corrects the tally.
pub async fn on_login(ctx: &mut Ctx, user: &LoggedIn, kind: Kind) {
    let directories = ctx.server.cfg.quota.directory_tally;
    let owner = match kind {
        Kind::Group => Owner::Gid(user.identity.gid),
        _ => Owner::Uid(user.identity.uid),
    };
    log(
        ctx,
        &format!(
            "ScanOnLogin enabled, scanning current directory '{}' for files owned by '{}'",
            user.cwd, user.identity.name
        ),
    );
    let started = std::time::Instant::now();
    let mut found = Found::default();
    let mut dirs = vec![user.cwd.clone()];
    while let Some(dir) = dirs.pop() {
        let Ok(mut listing) = user.fs.read_dir(&dir).await else {
            continue;
        };
        let mut entries = Vec::new();
        while let Ok(true) = listing.next_batch(&mut entries).await {}
        for e in entries {
            found.seen += 1;
            if found.seen > MAX_ENTRIES {
                break;
            }
            let Some(meta) = e.meta else { continue };
            let path = format!("{}/{}", dir.trim_end_matches('/'), e.name);
            let owned = owner.owns(meta.uid, meta.gid);
            match meta.kind {
                FileKind::File if owned => {
                    found.bytes += meta.size as f64;
                    found.files += 1;
                }
                FileKind::Dir => {
                    if directories && owned {
                        found.bytes += meta.size as f64;
                        found.files += 1;
                    }
                    dirs.push(path);
                }
                _ => {}
            }
        }
    }
    let Some(q) = ctx.ext.get::<Quota>() else {
        return;
    };
    let d = Delta {
        bytes_in: found.bytes - q.tally.bytes_in,
        files_in: found.files - i64::from(q.tally.files_in),
        ..Delta::default()
    };
    log(
        ctx,
        &format!(
            "found {:.2} bytes in {} {} in {} secs; updating tally ({:.2} bytes, {} {} difference)",
            found.bytes,
            found.files,
            if found.files == 1 { "file" } else { "files" },
            started.elapsed().as_secs(),
            d.bytes_in,
            d.files_in,
            if d.files_in == 1 { "file" } else { "files" },
        ),
    );
    count(ctx, d).await;
}

/// Whose files are counted.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Uid(u32),
    Gid(u32),
}

impl Owner {
    fn owns(self, uid: u32, gid: u32) -> bool {
        match self {
            Owner::Uid(u) => u == uid,
            Owner::Gid(g) => g == gid,
        }
    }
}
