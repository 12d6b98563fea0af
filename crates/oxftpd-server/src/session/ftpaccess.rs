//! A session's parsed `.ftpaccess` files (`access/ftpaccess.rs` reads them).

use std::collections::HashMap;

use oxftpd_config::Block;

/// Directories remembered per session (the cache is emptied when it would grow past this).
pub(crate) const MAX_ENTRIES: usize = 256;

/// One directory's `.ftpaccess` as last seen.
pub(crate) struct Entry {
    pub(crate) mtime: i64,
    pub(crate) size: u64,
    pub(crate) block: Block,
}

/// A session's parsed `.ftpaccess` files, keyed by the real path of their directory.
#[derive(Default)]
pub struct Cache {
    pub(crate) entries: HashMap<String, Entry>,
    /// Bumped whenever a file is read again, added or dropped (typed settings made before are stale).
    pub(crate) version: u64,
}

impl Cache {
    /// The files that apply to the real path `real`, most specific (deepest) first.
    pub fn blocks_for(&self, real: &str) -> Vec<&Block> {
        let mut hits: Vec<(&String, &Entry)> = self
            .entries
            .iter()
            .filter(|(dir, _)| covers(dir, real))
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.0.len()));
        hits.into_iter().map(|(_, e)| &e.block).collect()
    }

    /// Whether any remembered file sets the directive `name`.
    pub fn mentions(&self, name: &str) -> bool {
        self.entries
            .values()
            .any(|e| e.block.directive(name).is_some())
    }

    /// Whether any remembered file could hide a directory entry.
    pub fn hides(&self) -> bool {
        self.entries
            .values()
            .any(|e| oxftpd_config::modules::mod_core::block_hides(&e.block))
    }

    /// Changes whenever the set of files or their contents change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Forgets the file of the real directory `real`, if remembered.
    pub(crate) fn forget(&mut self, real: &str) {
        if self.entries.remove(real).is_some() {
            self.version += 1;
        }
    }
}

/// Whether the directory `dir` is `path` or one of its ancestors (both real paths).
pub(crate) fn covers(dir: &str, path: &str) -> bool {
    dir == "/"
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}
