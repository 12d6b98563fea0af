//! `prepare`: writes the data set the workloads read. Idempotent: finished parts are kept.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{PermissionsExt, fchown};
use std::path::Path;

use anyhow::{Context, Result};

use crate::hash;
use crate::layout::{self, DIR_1M, DIR_10K, DIR_100, Dir};

/// What to create.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Skip the 1 GiB file and the 10k/1M directories (smoke runs).
    pub small: bool,
    /// Skip the 1,000,000-entry directory.
    pub no_huge: bool,
    /// Owner given to everything created.
    pub owner: Option<(u32, u32)>,
}

/// Creates (or completes) the data set under `dir`.
pub fn prepare(dir: &Path, plan: &Plan) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    chown(dir, plan.owner)?;
    file_with(
        dir,
        layout::SMALL_FILE,
        &hash::content(layout::SMALL_SEED, layout::SMALL_SIZE),
        plan.owner,
    )?;
    file_with(
        dir,
        layout::SMOKE_FILE,
        &hash::content(layout::SMOKE_SEED, layout::SMOKE_SIZE),
        plan.owner,
    )?;
    directory(dir, DIR_100, plan.owner)?;
    if !plan.small {
        big_file(dir, plan.owner)?;
        directory(dir, DIR_10K, plan.owner)?;
        if !plan.no_huge {
            directory(dir, DIR_1M, plan.owner)?;
        }
    }
    Ok(())
}

fn chown(path: &Path, owner: Option<(u32, u32)>) -> Result<()> {
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .with_context(|| format!("chown {}", path.display()))?;
    }
    Ok(())
}

/// Writes a small file unless it already has exactly these bytes.
fn file_with(dir: &Path, name: &str, bytes: &[u8], owner: Option<(u32, u32)>) -> Result<()> {
    let path = dir.join(name);
    if fs::read(&path).ok().as_deref() != Some(bytes) {
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    chown(&path, owner)
}

/// The 1 GiB file: one 4 MiB chunk repeated; kept when its size is already right.
fn big_file(dir: &Path, owner: Option<(u32, u32)>) -> Result<()> {
    let path = dir.join(layout::BIG_FILE);
    if fs::metadata(&path).map(|m| m.len()).ok() == Some(layout::BIG_SIZE) {
        return chown(&path, owner);
    }
    eprintln!("prepare: writing {} (1 GiB)", path.display());
    let chunk = hash::content(layout::BIG_SEED, 4 << 20);
    let mut f = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut left = layout::BIG_SIZE;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        f.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    chown(&path, owner)
}

/// A directory of empty files; a marker beside it records completion, so an interrupted
/// run resumes by creating only the missing names.
fn directory(dir: &Path, d: Dir, owner: Option<(u32, u32)>) -> Result<()> {
    let path = dir.join(d.name);
    let marker = dir.join(format!(".prepared-{}", d.name));
    if marker.exists() {
        return Ok(());
    }
    fs::create_dir_all(&path)?;
    chown(&path, owner)?;
    if d.entries >= 100_000 {
        eprintln!(
            "prepare: creating {} entries in {} (resumable)",
            d.entries,
            path.display()
        );
    }
    for i in 0..d.entries {
        let p = path.join(layout::entry_name(i));
        match OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => {
                if let Some((uid, gid)) = owner {
                    fchown(&f, Some(uid), Some(gid))?;
                }
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", p.display())),
        }
    }
    fs::write(&marker, b"")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_plan_is_complete_and_idempotent() {
        let tmp = std::env::temp_dir().join(format!("oxftpd-bench-prepare-{}", std::process::id()));
        let plan = Plan {
            small: true,
            no_huge: true,
            owner: None,
        };
        prepare(&tmp, &plan).expect("first prepare");
        fs::remove_file(tmp.join(DIR_100.name).join(layout::entry_name(42))).expect("remove one");
        fs::remove_file(tmp.join(format!(".prepared-{}", DIR_100.name))).expect("remove marker");
        prepare(&tmp, &plan).expect("second prepare");
        assert_eq!(
            fs::read_dir(tmp.join(DIR_100.name)).expect("dir").count(),
            100
        );
        assert_eq!(
            fs::read(tmp.join(layout::SMALL_FILE)).expect("4k").len(),
            4096
        );
        assert_eq!(
            fs::read(tmp.join(layout::SMOKE_FILE)).expect("1m"),
            hash::content(layout::SMOKE_SEED, layout::SMOKE_SIZE)
        );
        assert!(!tmp.join(layout::BIG_FILE).exists());
        fs::remove_dir_all(&tmp).expect("cleanup");
    }
}
