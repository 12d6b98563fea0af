//! A virtual path with its symbolic links resolved, as mod_sftp answers `REALPATH` and as
//! `RMDIR` follows a link to the directory it names. Links are read inside the session's
//! jail: an absolute target is a path from the session's root, as the kernel resolves it
//! there (`RESOLVE_IN_ROOT`), and `..` never climbs above the root.

use oxftpd_storage::{Fs, Kind};

/// Most links followed before giving up (as the kernel's `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// `path` (absolute, virtual) with `.`, `..` and empty parts folded.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// `vpath` with every symbolic link along it resolved; the parts from the first that does
/// not exist on are kept as they are. A loop of links leaves the path where it stood.
pub async fn resolve(fs: &Fs, vpath: &str) -> String {
    let mut todo: Vec<String> = normalize(vpath)
        .split('/')
        .filter(|p| !p.is_empty())
        .rev()
        .map(str::to_string)
        .collect();
    let mut done: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(part) = todo.pop() {
        if part == ".." {
            done.pop();
            continue;
        }
        if part == "." {
            continue;
        }
        let here = format!("/{}", {
            let mut v = done.clone();
            v.push(part.clone());
            v.join("/")
        });
        let meta = match fs.symlink_metadata(&here).await {
            Ok(m) => m,
            Err(_) => {
                done.push(part);
                done.extend(todo.drain(..).rev());
                break;
            }
        };
        if meta.kind != Kind::Symlink || links >= MAX_LINKS {
            done.push(part);
            continue;
        }
        links += 1;
        let Ok(target) = fs.read_link(&here).await else {
            done.push(part);
            continue;
        };
        if target.starts_with('/') {
            done.clear();
        }
        todo.extend(
            target
                .split('/')
                .filter(|p| !p.is_empty())
                .rev()
                .map(str::to_string),
        );
    }
    normalize(&format!("/{}", done.join("/")))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn dots_fold_and_never_climb_above_the_root() {
        assert_eq!(normalize("/a/./b/../c//"), "/a/c");
        assert_eq!(normalize("/../../x"), "/x");
        assert_eq!(normalize(""), "/");
    }
}
