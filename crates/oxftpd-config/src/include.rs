//! Expands an Include argument into files: a file, a directory, or a glob.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

/// The outcome of expanding an Include path.
#[derive(Debug, PartialEq, Eq)]
pub enum Expanded {
    /// Files to read in order, plus notes to report as warnings.
    Files(Vec<PathBuf>, Vec<String>),
    /// Nothing to read; ProFTPD only warns in this case.
    Warning(String),
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// A matcher for one path component, with ProFTPD's fnmatch flavour
/// (`*` does not cross `/`, a leading `.` must be matched literally).
pub(crate) fn component_matcher(pattern: &str) -> Option<GlobMatcher> {
    let escaped = pattern.replace('{', "[{]").replace('}', "[}]");
    GlobBuilder::new(&escaped)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(v)
}

/// Expands an absolute Include path: a directory gives every regular file in it
/// (byte order), a glob in any component gives the sorted matches.
pub fn expand(path: &Path) -> Expanded {
    let text = path.to_string_lossy();
    if !has_glob(&text) {
        return match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => match sorted_entries(path) {
                Ok(entries) => files_only(entries.into_iter().map(|(_, p)| p).collect()),
                Err(e) => Expanded::Warning(format!(
                    "unable to read directory '{}': {e}",
                    path.display()
                )),
            },
            Ok(_) => Expanded::Files(vec![path.to_path_buf()], Vec::new()),
            Err(e) => Expanded::Warning(format!("unable to include '{}': {e}", path.display())),
        };
    }
    let mut current: Vec<PathBuf> = vec![PathBuf::from("/")];
    for comp in path.components() {
        let Component::Normal(c) = comp else { continue };
        let c = c.to_string_lossy();
        if !has_glob(&c) {
            current = current.into_iter().map(|p| p.join(&*c)).collect();
            continue;
        }
        let Some(m) = component_matcher(&c) else {
            return Expanded::Warning(format!("invalid wildcard pattern '{c}'"));
        };
        let mut next = Vec::new();
        for dir in &current {
            if let Ok(entries) = sorted_entries(dir) {
                for (name, p) in entries {
                    if name.starts_with('.') && !c.starts_with('.') {
                        continue;
                    }
                    if m.is_match(&name) {
                        next.push(p);
                    }
                }
            }
        }
        current = next;
    }
    current.retain(|p| p.exists());
    if current.is_empty() {
        return Expanded::Warning(format!(
            "no matches found for wildcard '{}'",
            path.display()
        ));
    }
    files_only(current)
}

fn files_only(paths: Vec<PathBuf>) -> Expanded {
    let mut notes = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            notes.push(format!("skipping directory '{}'", p.display()));
        } else {
            files.push(p);
        }
    }
    Expanded::Files(files, notes)
}
