//! `.ftpaccess` files (`AllowOverride`, on by default as in ProFTPD): each directory's file
//! applies to that directory and everything below it, as the innermost configuration level.
//!
//! Files are read through the session's jailed filesystem under its credentials, parsed with
//! [`oxftpd_config::parse_ftpaccess`] and kept per session, keyed by directory, until their
//! mtime or size changes. Refused lines are logged with file and line and left out; the rest
//! of the file applies, as ProFTPD does.

use oxftpd_config::ParseOptions;
use tracing::warn;

pub use crate::session::ftpaccess::Cache;
use crate::session::ftpaccess::{Entry, MAX_ENTRIES};
use crate::session::{Ctx, LoggedIn};

/// The file name ProFTPD reads in each directory.
pub const FILE_NAME: &str = ".ftpaccess";

/// Brings the cache up to date for the virtual path `vpath` and its ancestor directories.
pub async fn refresh(ctx: &Ctx, user: &mut LoggedIn, vpath: &str) {
    let mut dirs = vec!["/".to_string()];
    let mut acc = String::new();
    for part in vpath.split('/').filter(|p| !p.is_empty()) {
        acc.push('/');
        acc.push_str(part);
        dirs.push(acc.clone());
    }
    for vdir in dirs {
        let real = user.real_path(&vdir);
        if !allowed(ctx, user, &real) {
            user.ftpaccess.forget(&real);
            continue;
        }
        let file = user.resolve_from(&vdir, FILE_NAME);
        let Ok(meta) = user.fs.metadata(&file).await else {
            user.ftpaccess.forget(&real);
            continue;
        };
        if !meta.is_file() {
            user.ftpaccess.forget(&real);
            continue;
        }
        if user
            .ftpaccess
            .entries
            .get(&real)
            .is_some_and(|e| e.mtime == meta.mtime && e.size == meta.size)
        {
            continue;
        }
        let Some((bytes, meta)) = crate::session_files::read_small(&user.fs, &file).await else {
            user.ftpaccess.forget(&real);
            continue;
        };
        let real_file = user.real_path(&file);
        let text = String::from_utf8_lossy(&bytes);
        let specs = crate::module::registry::registry()
            .modules()
            .iter()
            .map(|m| m.spec)
            .collect::<Vec<_>>();
        let parsed = oxftpd_config::parse_ftpaccess(
            &text,
            std::path::Path::new(&real_file),
            &ParseOptions::new(&specs),
        );
        for problem in &parsed.problems {
            warn!("warning: {problem}");
        }
        if user.ftpaccess.entries.len() >= MAX_ENTRIES {
            user.ftpaccess.entries.clear();
        }
        user.ftpaccess.version += 1;
        user.ftpaccess.entries.insert(
            real,
            Entry {
                mtime: meta.mtime,
                size: meta.size,
                block: parsed.block,
            },
        );
    }
}

/// Whether `AllowOverride` lets `.ftpaccess` files in the real directory `real` count, from
/// the configuration alone (with the session's `<IfUser>`/`<IfGroup>`/`<IfClass>` blocks, the
/// way ProFTPD 1.3.8 makes it per user); ProFTPD's default is on.
fn allowed(ctx: &Ctx, user: &LoggedIn, real: &str) -> bool {
    crate::access::directories::config_cfg_for(ctx, user, real)
        .core
        .allow_override
}

#[cfg(test)]
mod tests {
    use crate::session::ftpaccess::covers;

    #[test]
    fn a_directory_covers_itself_and_below() {
        assert!(covers("/srv/a", "/srv/a"));
        assert!(covers("/srv/a", "/srv/a/b/c"));
        assert!(!covers("/srv/a", "/srv/ab"));
        assert!(!covers("/srv/a/b", "/srv/a"));
        assert!(covers("/", "/anything"));
    }
}
