//! Context resolution: which blocks apply to a server, an anonymous login and a path.

use globset::{GlobBuilder, GlobMatcher};

use crate::parser::normalise;
use crate::tree::{
    Anonymous, Block, ConditionKind, Conditional, Directive, DirectoryBlock, Limit, Server,
};

/// One level of a scope's chain, most specific first.
#[derive(Debug, Clone, Copy)]
pub enum ContextRef<'a> {
    /// A matching `<Directory>` block.
    Directory(&'a DirectoryBlock),
    /// The `<Anonymous>` block of the login.
    Anonymous(&'a Anonymous),
    /// The server's own top level.
    Server(&'a Server),
    /// The `<Global>` contents applied to the server.
    Global(&'a Server),
    /// A matching `<IfUser>`/`<IfGroup>`/`<IfClass>` block (see [`Scope::with_session`]).
    Conditional(&'a Conditional),
    /// A `.ftpaccess` file's contents (see [`Scope::with_overrides`]).
    Override(&'a Block),
}

impl<'a> ContextRef<'a> {
    /// The level's directives, limits and conditionals.
    pub fn block(&self) -> &'a Block {
        match *self {
            ContextRef::Directory(d) => &d.block,
            ContextRef::Anonymous(a) => &a.block,
            ContextRef::Server(s) => &s.block,
            ContextRef::Global(s) => &s.global,
            ContextRef::Conditional(c) => &c.block,
            ContextRef::Override(b) => b,
        }
    }
}

/// The `<Limit>` blocks of one level of a scope.
#[derive(Debug, Clone, Copy)]
pub struct LimitLevel<'a> {
    /// The level they belong to.
    pub context: ContextRef<'a>,
    /// Its `<Limit>` blocks in file order (for one command, the evaluator takes the last that names it).
    pub limits: &'a [Limit],
}

/// The chain of contexts that applies to a server, an anonymous login and possibly a path.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    server: &'a Server,
    anon: Option<&'a Anonymous>,
    dirs: Vec<&'a DirectoryBlock>,
    /// Conditionals that match the session, innermost-last in file order.
    conds: Vec<&'a Conditional>,
    /// `.ftpaccess` contents, most specific first.
    overrides: Vec<&'a Block>,
}

impl Server {
    /// The server context, or the `index`th `<Anonymous>` block's context (server context when out of range).
    pub fn scope(&self, anon: Option<usize>) -> Scope<'_> {
        Scope {
            server: self,
            anon: anon.and_then(|i| self.anonymous.get(i)),
            dirs: Vec::new(),
            conds: Vec::new(),
            overrides: Vec::new(),
        }
    }
}

impl<'a> Scope<'a> {
    /// The server this scope belongs to.
    pub fn server(&self) -> &'a Server {
        self.server
    }

    /// The `<Anonymous>` block, when the scope is an anonymous login.
    pub fn anonymous(&self) -> Option<&'a Anonymous> {
        self.anon
    }

    /// The matching `<Directory>` blocks, most specific first.
    pub fn matched_directories(&self) -> &[&'a DirectoryBlock] {
        &self.dirs
    }

    /// Narrows to the `<Directory>` chain matching an absolute real path; `home` resolves `~`
    /// (a `~user` pattern needs [`Scope::for_path_with`]).
    pub fn for_path(&self, path: &str, home: Option<&str>) -> Scope<'a> {
        self.for_path_with(path, &|user: Option<&str>| match user {
            None => home.map(str::to_string),
            Some(_) => None,
        })
    }

    /// Like [`Scope::for_path`], with `resolve(None)` giving the user's home and
    /// `resolve(Some(name))` another user's home.
    pub fn for_path_with(
        &self,
        path: &str,
        resolve: &dyn Fn(Option<&str>) -> Option<String>,
    ) -> Scope<'a> {
        let base: &'a [DirectoryBlock] = match self.anon {
            Some(a) => &a.directories,
            None => &self.server.directories,
        };
        // `<Directory>` blocks of matching conditionals join the server's own (not an anonymous login's).
        let from_conds = self
            .conds
            .iter()
            .filter(|_| self.anon.is_none())
            .flat_map(|c| c.directories.iter());
        let path = normalise(path);
        let mut hits: Vec<(usize, usize, &'a DirectoryBlock)> = base
            .iter()
            .chain(from_conds)
            .enumerate()
            .filter_map(|(i, d)| {
                let pat = resolve_tilde(&d.pattern, resolve)?;
                dir_matches(&pat, &path).then_some((pat.len(), i, d))
            })
            .collect();
        // Longest pattern first; among equal lengths the later block wins.
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        Scope {
            server: self.server,
            anon: self.anon,
            dirs: hits.into_iter().map(|h| h.2).collect(),
            conds: self.conds.clone(),
            overrides: self.overrides.clone(),
        }
    }

    /// Applies mod_ifsession for a logged-in session: every `<IfUser>`/`<IfGroup>`/`<IfClass>`
    /// block (nested ones only inside a matching one) for which `matches` is true then takes
    /// part in lookups, between the anonymous level and the server level: `<IfGroup>` before
    /// `<IfUser>` before `<IfClass>`, later blocks first. Call before [`Scope::for_path`].
    pub fn with_session(&self, matches: &dyn Fn(&Conditional) -> bool) -> Scope<'a> {
        fn collect<'a>(
            list: &'a [Conditional],
            matches: &dyn Fn(&Conditional) -> bool,
            out: &mut Vec<&'a Conditional>,
        ) {
            for c in list {
                if matches(c) {
                    out.push(c);
                    collect(&c.block.conditionals, matches, out);
                }
            }
        }
        let mut conds = Vec::new();
        collect(&self.server.global.conditionals, matches, &mut conds);
        collect(&self.server.block.conditionals, matches, &mut conds);
        // mod_ifsession applies <IfClass> at connect, then <IfUser>, then <IfGroup>: later wins.
        conds.sort_by_key(|c| match c.kind {
            ConditionKind::Class => 0,
            ConditionKind::User => 1,
            ConditionKind::Group => 2,
        });
        Scope {
            server: self.server,
            anon: self.anon,
            dirs: self.dirs.clone(),
            conds,
            overrides: self.overrides.clone(),
        }
    }

    /// Adds `.ftpaccess` contents (most specific first) as the innermost levels, ahead of
    /// every `<Directory>` block: pass the files of the path's directory and its parents.
    pub fn with_overrides(&self, blocks: &[&'a Block]) -> Scope<'a> {
        let mut s = self.clone();
        s.overrides = blocks.to_vec();
        s
    }

    /// The conditional blocks in force (see [`Scope::with_session`]), in file order.
    pub fn matched_conditionals(&self) -> &[&'a Conditional] {
        &self.conds
    }

    /// The chain, most specific first: `.ftpaccess` files, directories, anonymous, server, global.
    pub fn levels(&self) -> Vec<ContextRef<'a>> {
        let mut v: Vec<ContextRef<'a>> = self
            .overrides
            .iter()
            .map(|b| ContextRef::Override(b))
            .collect();
        v.extend(self.dirs.iter().map(|d| ContextRef::Directory(d)));
        if let Some(a) = self.anon {
            v.push(ContextRef::Anonymous(a));
        }
        v.extend(self.conds.iter().rev().map(|c| ContextRef::Conditional(c)));
        v.push(ContextRef::Server(self.server));
        v.push(ContextRef::Global(self.server));
        v
    }

    /// The effective directive: from the most specific level that sets it.
    pub fn directive(&self, name: &str) -> Option<&'a Directive> {
        self.levels()
            .into_iter()
            .find_map(|l| l.block().directive(name))
    }

    /// Every occurrence, most specific level first (file order within a level).
    pub fn directives(&self, name: &str) -> impl Iterator<Item = &'a Directive> + use<'a> {
        let name = name.to_string();
        self.levels().into_iter().flat_map(move |l| {
            let n = name.clone();
            l.block()
                .directives
                .iter()
                .filter(move |d| d.name.eq_ignore_ascii_case(&n))
        })
    }

    /// The `<Limit>` blocks of each level, most specific first (levels without any are skipped).
    pub fn limits(&self) -> impl Iterator<Item = LimitLevel<'a>> + use<'a> {
        self.levels()
            .into_iter()
            .map(|context| LimitLevel {
                context,
                limits: &context.block().limits,
            })
            .filter(|l| !l.limits.is_empty())
    }

    /// `<IfUser>`/`<IfGroup>`/`<IfClass>` blocks of each level, most specific first.
    pub fn conditionals(
        &self,
    ) -> impl Iterator<Item = (ContextRef<'a>, &'a Conditional)> + use<'a> {
        self.levels().into_iter().flat_map(|context| {
            context
                .block()
                .conditionals
                .iter()
                .map(move |c| (context, c))
        })
    }
}

/// Replaces a leading `~` or `~user` using `resolve`; `None` when it cannot be resolved yet.
fn resolve_tilde(
    pattern: &str,
    resolve: &dyn Fn(Option<&str>) -> Option<String>,
) -> Option<String> {
    let Some(rest) = pattern.strip_prefix('~') else {
        return Some(pattern.to_string());
    };
    let (user, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let home = resolve(if user.is_empty() { None } else { Some(user) })?;
    Some(normalise(&format!("{home}{tail}")))
}

fn glob(pattern: &str) -> Option<GlobMatcher> {
    let escaped = pattern.replace('{', "[{]").replace('}', "[}]");
    GlobBuilder::new(&escaped)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Whether a `<Directory>` pattern covers `path`: the directory itself and everything
/// below it; a pattern ending in `/*` covers only what is below.
pub(crate) fn dir_matches(pattern: &str, path: &str) -> bool {
    if pattern == "/" {
        return path.starts_with('/');
    }
    if !pattern.contains(['*', '?', '[']) {
        return path == pattern
            || path
                .strip_prefix(pattern)
                .is_some_and(|rest| rest.starts_with('/'));
    }
    let below = format!("{pattern}/*");
    glob(pattern).is_some_and(|g| g.is_match(path))
        || glob(&below).is_some_and(|g| g.is_match(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_pattern_covers_itself_and_below() {
        assert!(dir_matches("/srv/ftp", "/srv/ftp"));
        assert!(dir_matches("/srv/ftp", "/srv/ftp/a/b"));
        assert!(!dir_matches("/srv/ftp", "/srv/ftpx"));
        assert!(!dir_matches("/srv/ftp", "/srv"));
    }

    #[test]
    fn star_suffix_covers_only_below() {
        assert!(!dir_matches("/srv/ftp/*", "/srv/ftp"));
        assert!(dir_matches("/srv/ftp/*", "/srv/ftp/a"));
        assert!(dir_matches("/srv/ftp/*", "/srv/ftp/a/b"));
    }

    #[test]
    fn glob_in_middle_component() {
        assert!(dir_matches("/home/*/public", "/home/alice/public"));
        assert!(dir_matches("/home/*/public", "/home/alice/public/x"));
        assert!(!dir_matches("/home/*/public", "/home/alice/private"));
    }

    #[test]
    fn root_covers_all() {
        assert!(dir_matches("/", "/"));
        assert!(dir_matches("/", "/etc"));
    }

    #[test]
    fn tilde_resolution() {
        let r = |u: Option<&str>| match u {
            None => Some("/home/me".to_string()),
            Some("bob") => Some("/home/bob/".to_string()),
            Some(_) => None,
        };
        assert_eq!(resolve_tilde("~", &r).as_deref(), Some("/home/me"));
        assert_eq!(resolve_tilde("~/up", &r).as_deref(), Some("/home/me/up"));
        assert_eq!(resolve_tilde("~bob/x", &r).as_deref(), Some("/home/bob/x"));
        assert_eq!(resolve_tilde("~eve", &r), None);
        assert_eq!(resolve_tilde("/abs", &r).as_deref(), Some("/abs"));
    }
}
