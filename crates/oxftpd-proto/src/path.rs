//! Virtual path arithmetic: `/`-rooted client paths, folded as text (no filesystem).

/// Why a path argument was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The path holds a NUL byte.
    #[error("NUL byte in path")]
    Nul,
}

/// Resolves `arg` against the virtual working directory `cwd` into a normalised absolute
/// path: `/`-rooted, `.` and empty components dropped, `..` removing the previous component
/// and never climbing above `/`, no trailing `/` (except the root itself).
///
/// `~` has no meaning here: the server expands it before calling this. `cwd` is taken as
/// absolute even without its leading `/`.
pub fn resolve(cwd: &str, arg: &str) -> Result<String, PathError> {
    if arg.contains('\0') || cwd.contains('\0') {
        return Err(PathError::Nul);
    }
    let mut out = String::with_capacity(cwd.len() + arg.len() + 1);
    if !arg.starts_with('/') {
        push_components(&mut out, cwd);
    }
    push_components(&mut out, arg);
    if out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

/// Folds the components of `path` onto `out` (which holds `/a/b` form or is empty).
fn push_components(out: &mut String, path: &str) {
    for comp in path.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                let cut = out.rfind('/').unwrap_or(0);
                out.truncate(cut);
            }
            name => {
                out.push('/');
                out.push_str(name);
            }
        }
    }
}

/// The last component of a normalised path (`""` for `/`).
pub fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// The parent of a normalised path (`/` for `/` and for top-level names).
pub fn parent(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &trimmed[..i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(cwd: &str, arg: &str) -> String {
        resolve(cwd, arg).unwrap()
    }

    #[test]
    fn relative_and_absolute() {
        assert_eq!(r("/", "a"), "/a");
        assert_eq!(r("/home/alice", "docs/x.txt"), "/home/alice/docs/x.txt");
        assert_eq!(r("/home/alice", "/etc/passwd"), "/etc/passwd");
        assert_eq!(r("/home/alice", ""), "/home/alice");
        assert_eq!(r("home", "x"), "/home/x");
    }

    #[test]
    fn folds_dots_and_slashes() {
        assert_eq!(r("/a/b", "."), "/a/b");
        assert_eq!(r("/a/b", ".."), "/a");
        assert_eq!(r("/a/b", "../../.."), "/");
        assert_eq!(r("/", "../../etc/passwd"), "/etc/passwd");
        assert_eq!(r("/a", "b//c/./d/../e/"), "/a/b/c/e");
        assert_eq!(r("/a", "//"), "/");
        assert_eq!(r("//a//b//", "."), "/a/b");
        assert_eq!(r("/a", "..."), "/a/...");
        assert_eq!(r("/a", " lead/two  sp "), "/a/ lead/two  sp ");
        assert_eq!(r("/a", "~"), "/a/~");
    }

    #[test]
    fn rejects_nul() {
        assert_eq!(resolve("/", "a\0b"), Err(PathError::Nul));
        assert_eq!(resolve("/\0", "a"), Err(PathError::Nul));
    }

    #[test]
    fn name_and_parent() {
        assert_eq!(file_name("/a/b.txt"), "b.txt");
        assert_eq!(file_name("/a/"), "a");
        assert_eq!(file_name("/"), "");
        assert_eq!(file_name("x"), "x");
        assert_eq!(parent("/a/b.txt"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(parent("/"), "/");
        assert_eq!(parent("/a/b/"), "/a");
    }
}

/// `path` with ProFTPD's user variables replaced (`DefaultRoot`, `DefaultChdir`): `%u[N]` by
/// the `N`th character of `user`, then `%u` by `user`. An index that does not parse or lies
/// past the name leaves the whole path as written, as ProFTPD leaves it.
pub fn subst_user_var(path: &str, user: &str) -> String {
    let chars: Vec<char> = user.chars().collect();
    let mut out = String::with_capacity(path.len() + user.len());
    let mut rest = path;
    while let Some(at) = rest.find("%u[") {
        let after = &rest[at + 3..];
        let Some(close) = after.find(']') else { break };
        let Some(c) = after[..close]
            .parse::<usize>()
            .ok()
            .and_then(|i| chars.get(i))
        else {
            return path.to_string();
        };
        out.push_str(&rest[..at]);
        out.push(*c);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.replace("%u", user)
}

#[cfg(test)]
mod subst_tests {
    use super::subst_user_var;

    #[test]
    fn user_variables() {
        assert_eq!(subst_user_var("~/%u", "bob"), "~/bob");
        assert_eq!(
            subst_user_var("/h/%u[0]/%u[0]%u[1]/%u/x", "proftpd"),
            "/h/p/pr/proftpd/x"
        );
        assert_eq!(subst_user_var("/plain", "bob"), "/plain");
        // An index past the name is left alone, as ProFTPD leaves it.
        assert_eq!(subst_user_var("/h/%u[9]/%u", "bob"), "/h/%u[9]/%u");
    }
}
