//! An FTP path (absolute, from the session's root) as an object key under the root's prefix:
//! `.` and `..` are resolved and never climb above the root; empty parts are dropped.

use object_store::path::{Path, PathPart};

use crate::ObjectError;

/// The parts of `ftp_path` after resolving `.` and `..` (the root is no parts).
pub fn parts(ftp_path: &str) -> Result<Vec<String>, ObjectError> {
    let mut out: Vec<String> = Vec::new();
    for part in ftp_path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p if p.contains('\0') => return Err(ObjectError::BadPath(ftp_path.to_string())),
            p => out.push(p.to_string()),
        }
    }
    Ok(out)
}

/// The key of `parts` under `prefix`.
pub fn key(prefix: &Path, parts: &[String]) -> Path {
    let mut all: Vec<PathPart<'static>> = prefix
        .parts()
        .map(|p| p.as_ref().to_string().into())
        .collect();
    all.extend(parts.iter().map(|p| PathPart::from(p.clone())));
    Path::from_iter(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_never_climb_above_the_root() {
        assert_eq!(parts("/a/./b/../c").expect("ok"), ["a", "c"]);
        assert_eq!(parts("/../../x").expect("ok"), ["x"]);
        assert!(parts("/").expect("ok").is_empty());
        assert!(parts("/a\0b").is_err());
        let prefix = Path::from("site/ftp");
        assert_eq!(
            key(&prefix, &parts("/in/f.txt").expect("ok")).as_ref(),
            "site/ftp/in/f.txt"
        );
    }
}
