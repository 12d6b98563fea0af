//! `CreateHome`: a user's missing home directory is made at login, before the session enters
//! it, as ProFTPD's mkhome does: each missing parent with the configured mode and owner (root
//! by default), the home itself with its mode and the user as owner, then the skeleton copied
//! in. Failures along the way are logged and the login goes on (as ProFTPD).

use std::fs::DirBuilder;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt, chown, lchown};
use std::path::{Path, PathBuf};

use oxftpd_auth::Identity;
use oxftpd_config::modules::mod_auth::create_home::CreateHome;
use oxftpd_storage::{Credentials, FsPool};
use tracing::{debug, warn};

/// Makes `identity`'s home directory when it is missing, under root's credentials (or the
/// user's with `NoRootPrivs`). The mkdir modes are exact: the pool's threads run with umask 0.
pub async fn create(pool: &FsPool, ch: &CreateHome, identity: &Identity) {
    let cred = if ch.no_root_privs {
        Credentials::new(identity.uid, identity.gid, identity.groups.clone(), 0)
    } else {
        Credentials::new(0, 0, vec![0u32], 0)
    };
    let ch = ch.clone();
    let home = identity.home.clone();
    let (uid, gid) = (identity.uid, identity.gid);
    let user = identity.name.clone();
    if let Err(e) = pool
        .run(&cred, move || create_path(&ch, &home, &user, uid, gid))
        .await
    {
        warn!(user = %identity.name, "CreateHome: cannot run as the configured user: {e}");
    }
}

fn create_path(ch: &CreateHome, home: &Path, user: &str, uid: u32, gid: u32) {
    if home.exists() || !home.is_absolute() {
        return;
    }
    let home_gid = ch.home_gid.unwrap_or(gid);
    let dir_uid = ch.dir_uid.unwrap_or(uid);
    let dir_gid = ch.dir_gid.unwrap_or(home_gid);
    debug!(
        "creating home directory '{}' for user '{user}'",
        home.display()
    );
    // Every directory is made root's and given away only once everything below it is in
    // place, deepest first: root's threads have no CAP_DAC_OVERRIDE to write into a
    // directory that already is the user's.
    let mut made = Vec::new();
    let mut current = PathBuf::from("/");
    let parts: Vec<_> = home.components().skip(1).collect();
    for (i, part) in parts.iter().enumerate() {
        current.push(part);
        let (owner, mode) = if i + 1 == parts.len() {
            ((uid, home_gid), ch.mode)
        } else {
            ((dir_uid, dir_gid), ch.dir_mode)
        };
        match create_dir(&current, mode) {
            Made::Now => made.push((current.clone(), owner)),
            Made::Before => {}
            Made::Failed => break,
        }
    }
    if let (Some(skel), Some((last, _))) = (&ch.skel, made.last())
        && last == home
    {
        copy_dir(skel, home, uid, gid);
    }
    for (dir, (uid, gid)) in made.iter().rev() {
        if let Err(e) = chown(dir, Some(*uid), Some(*gid)) {
            warn!(
                "CreateHome: error setting ownership of '{}': {e}",
                dir.display()
            );
        }
    }
}

/// What [`create_dir`] did.
enum Made {
    Now,
    Before,
    Failed,
}

/// One directory: left alone when it exists, else made (root's) with `mode`.
fn create_dir(dir: &Path, mode: u32) -> Made {
    if dir.exists() {
        return Made::Before;
    }
    if let Err(e) = DirBuilder::new().mode(mode).create(dir) {
        warn!("CreateHome: error creating '{}': {e}", dir.display());
        return Made::Failed;
    }
    // Set again: the kernel leaves setgid and sticky bits out of mkdir's mode.
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode));
    Made::Now
}

/// Copies the skeleton `src` into `dst`: directories, regular files (without setuid and
/// setgid bits) and symbolic links (a target inside `src` pointed into `dst`), all given to
/// the user.
fn copy_dir(src: &Path, dst: &Path, uid: u32, gid: u32) {
    let entries = match std::fs::read_dir(src) {
        Ok(e) => e,
        Err(e) => {
            warn!(
                "CreateHome: error copying '{}' skel files: {e}",
                src.display()
            );
            return;
        }
    };
    for entry in entries.flatten() {
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let Ok(meta) = std::fs::symlink_metadata(&from) else {
            continue;
        };
        let kind = meta.file_type();
        if kind.is_dir() {
            // Filled first, then given to the user (see `create_path`).
            if let Made::Now = create_dir(&to, meta.permissions().mode() & 0o7777) {
                copy_dir(&from, &to, uid, gid);
                let _ = chown(&to, Some(uid), Some(gid));
            }
        } else if kind.is_file() {
            let mode = meta.permissions().mode() & 0o7777 & !0o6000;
            if let Err(e) = std::fs::copy(&from, &to) {
                warn!("CreateHome: error copying '{}': {e}", from.display());
                continue;
            }
            let _ = std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode));
            let _ = chown(&to, Some(uid), Some(gid));
        } else if kind.is_symlink() {
            let Ok(target) = std::fs::read_link(&from) else {
                continue;
            };
            let target = match target.strip_prefix(src) {
                Ok(inside) => dst.join(inside),
                Err(_) => target,
            };
            if std::os::unix::fs::symlink(&target, &to).is_ok() {
                let _ = lchown(&to, Some(uid), Some(gid));
            }
        }
    }
}
