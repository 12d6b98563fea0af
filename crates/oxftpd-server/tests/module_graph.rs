//! The server crate's module graph: shared machinery names no module room, and the crate's
//! top-level modules import each other without a cycle.
//!
//! The graph is read from the sources: every `crate::…` path (in `use` lines and inline,
//! `crate::{a, b::c}` groups expanded) outside test code is an edge from the file's top-level
//! module to the path's first segment. Two rules (docs/DESIGN.md, "The module graph"):
//!
//! 1. the shared layers (`session`, `engine`, `data`, `access`, `module`, `scoreboard`) never name a
//!    module room (`modules::mod_*`): a module plugs in through the module API;
//! 2. no edge between top-level modules lies on a cycle.
//!
//! The layers, bottom up: leaves (`localtime`, `trace`, `counters`, `type_map`, …), `settings`,
//! `context`, `data`, `session`, `reverse_dns`, `module`, `access`, `messages`, `engine`,
//! `listener`, and the rooms with their registry (`modules`) on top.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The shared layers: they know no module by name.
const SHARED: &[&str] = &[
    "session",
    "engine",
    "data",
    "access",
    "module",
    "scoreboard",
];

/// One `crate::` path found in a source file.
#[derive(Debug)]
struct Use {
    /// The file, relative to `src/`.
    file: String,
    /// The path after `crate::`, segments joined by `::`.
    path: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's text without comments and without its test module (`#[cfg(test)]` at the start
/// of a line begins the test code, which comes last in this crate's files).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            Some(i) if !in_string(&line[..i]) => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Whether an odd number of unescaped quotes precede (a `//` inside a string literal).
fn in_string(before: &str) -> bool {
    let mut quotes = 0;
    let mut escaped = false;
    for c in before.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => quotes += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    quotes % 2 == 1
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Expands the path tree at the start of `s` (`a::b::{c, d::e}`) into full paths.
fn paths_at(s: &str) -> Vec<String> {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    end = i;
                    break;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        let inner = &rest[..end];
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        return parts
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .flat_map(paths_at)
            .collect();
    }
    let ident: String = s.chars().take_while(|c| is_ident(*c)).collect();
    if ident.is_empty() {
        return Vec::new();
    }
    let rest = &s[ident.len()..];
    match rest.strip_prefix("::") {
        Some(tail) => {
            let subs = paths_at(tail);
            if subs.is_empty() {
                vec![ident]
            } else {
                subs.into_iter()
                    .map(|p| {
                        if p == "self" {
                            ident.clone()
                        } else {
                            format!("{ident}::{p}")
                        }
                    })
                    .collect()
            }
        }
        None => vec![ident],
    }
}

/// Every `crate::` path in the crate's sources, test code left out.
fn uses() -> Vec<Use> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .into_owned();
        if rel.ends_with("/tests.rs") || rel.contains("/tests/") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let code = code_of(&text);
        let mut from = 0;
        while let Some(i) = code[from..].find("crate::") {
            let at = from + i;
            from = at + "crate::".len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            for path in paths_at(&code[from..]) {
                out.push(Use {
                    file: rel.clone(),
                    path,
                });
            }
        }
        // A room reached through an imported `modules` (`use crate::modules;`).
        let mut from = 0;
        while let Some(i) = code[from..].find("modules::mod_") {
            let at = from + i;
            from = at + "modules::".len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            for path in paths_at(&code[from..]) {
                out.push(Use {
                    file: rel.clone(),
                    path: format!("modules::{path}"),
                });
            }
        }
    }
    out
}

/// The top-level module a file belongs to (`lib.rs` is the crate root, `""`).
fn top_of(file: &str) -> &str {
    match file.split_once('/') {
        Some((top, _)) => top,
        None if file == "lib.rs" => "",
        None => file.strip_suffix(".rs").unwrap_or(file),
    }
}

/// Top-level modules of the crate (the root's items, such as `StartError`, are not modules).
fn top_modules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(src_dir()).expect("src") {
        let p = e.expect("entry").path();
        let name = p.file_stem().expect("name").to_string_lossy().into_owned();
        if name != "lib" {
            out.insert(name);
        }
    }
    out
}

/// Top-level edges, each with the files that make it.
fn edges(uses: &[Use]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let tops = top_modules();
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for u in uses {
        let from = top_of(&u.file);
        let to = u.path.split("::").next().unwrap_or("");
        if from.is_empty() || from == to || !tops.contains(to) {
            continue;
        }
        out.entry((from.to_string(), to.to_string()))
            .or_default()
            .insert(format!("{}: crate::{}", u.file, u.path));
    }
    out
}

/// Strongly connected components (Tarjan), as a component number per node.
fn components(
    nodes: &BTreeSet<String>,
    adj: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, usize> {
    struct T<'a> {
        adj: &'a BTreeMap<String, Vec<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        comp: BTreeMap<String, usize>,
        next: usize,
        ncomp: usize,
    }
    fn visit(t: &mut T, v: &str) {
        t.index.insert(v.to_string(), t.next);
        t.low.insert(v.to_string(), t.next);
        t.next += 1;
        t.stack.push(v.to_string());
        t.on.insert(v.to_string());
        for w in t.adj.get(v).cloned().unwrap_or_default() {
            if !t.index.contains_key(&w) {
                visit(t, &w);
                let lw = t.low[&w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if t.on.contains(&w) {
                let iw = t.index[&w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            loop {
                let w = t.stack.pop().expect("on the stack");
                t.on.remove(&w);
                t.comp.insert(w.clone(), t.ncomp);
                if w == v {
                    break;
                }
            }
            t.ncomp += 1;
        }
    }
    let mut t = T {
        adj,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        comp: BTreeMap::new(),
        next: 0,
        ncomp: 0,
    };
    for n in nodes {
        if !t.index.contains_key(n) {
            visit(&mut t, n);
        }
    }
    t.comp
}

#[test]
fn the_path_reader_expands_groups() {
    assert_eq!(
        paths_at("{a, b::{c, d::e}, f::self};"),
        vec!["a", "b::c", "b::d::e", "f"]
    );
    assert_eq!(paths_at("session::Ctx;"), vec!["session::Ctx"]);
    assert_eq!(
        code_of("use a; // crate::x\nlet s = \"//\"; crate::y\n#[cfg(test)]\ncrate::z"),
        "use a; \nlet s = \"//\"; crate::y\n"
    );
}

#[test]
fn shared_layers_name_no_module_room() {
    let uses = uses();
    let mut found: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for u in &uses {
        let layer = top_of(&u.file);
        if !SHARED.contains(&layer) {
            continue;
        }
        let mut segs = u.path.split("::");
        if segs.next() != Some("modules") {
            continue;
        }
        if let Some(room) = segs.next().filter(|r| r.starts_with("mod_")) {
            found
                .entry((layer.to_string(), room.to_string()))
                .or_default()
                .insert(format!("{}: crate::{}", u.file, u.path));
        }
    }
    let problems: Vec<String> = found
        .iter()
        .map(|((layer, room), sites)| {
            format!(
                "shared layer `{layer}` names module room `{room}` (plug it in through the module API):\n    {}",
                sites.iter().cloned().collect::<Vec<_>>().join("\n    ")
            )
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn top_level_modules_import_without_a_cycle() {
    let uses = uses();
    let edges = edges(&uses);
    let nodes = top_modules();
    let mut adj: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        adj.entry(from.clone()).or_default().push(to.clone());
    }
    let comp = components(&nodes, &adj);
    let problems: Vec<String> = edges
        .iter()
        .filter(|((from, to), _)| comp[from] == comp[to])
        .map(|((from, to), sites)| {
            format!(
                "`{from}` → `{to}` closes a cycle:\n    {}",
                sites.iter().cloned().collect::<Vec<_>>().join("\n    ")
            )
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
