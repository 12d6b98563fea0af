//! Every filesystem path a configuration names, with the directive (or section) naming it:
//! what a kernel sandbox must leave reachable.

use std::path::{Path, PathBuf};

use crate::tree::{Block, Config, DirectoryBlock};

/// One absolute path the configuration names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPath {
    /// The directive naming it, or `<Anonymous>`/`<Directory>` for a section's path.
    pub directive: &'static str,
    /// The path as written (it may hold `~`, `%u` or glob characters).
    pub path: String,
}

impl Config {
    /// Every argument that is an absolute path (or a `~` path), every `<Anonymous>` root and
    /// every `<Directory>` path, in every context of every server.
    pub fn named_paths(&self) -> Vec<NamedPath> {
        let mut out = Vec::new();
        for s in &self.servers {
            block(&s.block, &mut out);
            block(&s.global, &mut out);
            dirs(&s.directories, &mut out);
            for a in &s.anonymous {
                out.push(NamedPath {
                    directive: "<Anonymous>",
                    path: a.root.clone(),
                });
                block(&a.block, &mut out);
                dirs(&a.directories, &mut out);
            }
        }
        out.sort_by(|a, b| (a.directive, &a.path).cmp(&(b.directive, &b.path)));
        out.dedup();
        out
    }

    /// The configuration files read (the main file and every `Include`d one).
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = Vec::new();
        let mut add = |p: &Path| {
            if !out.iter().any(|o| o == p) {
                out.push(p.to_path_buf());
            }
        };
        for s in &self.servers {
            add(&s.file);
            for d in s.block.directives.iter().chain(&s.global.directives) {
                add(&d.file);
            }
            for a in &s.anonymous {
                add(&a.file);
            }
        }
        out
    }
}

fn block(b: &Block, out: &mut Vec<NamedPath>) {
    let directives = b
        .directives
        .iter()
        .chain(b.limits.iter().flat_map(|l| &l.directives));
    for d in directives {
        for a in &d.args {
            // `file:/path` (SFTPAuthorizedUserKeys, …) names a file too.
            let a = a.strip_prefix("file:").unwrap_or(a);
            if a.starts_with('/') || a.starts_with('~') {
                out.push(NamedPath {
                    directive: d.name,
                    path: a.to_string(),
                });
            }
        }
    }
    for c in &b.conditionals {
        block(&c.block, out);
        dirs(&c.directories, out);
    }
}

fn dirs(ds: &[DirectoryBlock], out: &mut Vec<NamedPath>) {
    for d in ds {
        out.push(NamedPath {
            directive: "<Directory>",
            path: d.written.clone(),
        });
        block(&d.block, out);
    }
}
