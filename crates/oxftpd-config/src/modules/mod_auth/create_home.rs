//! `CreateHome on|off [mode] [skel path] [dirmode mode] [uid id|~] [gid id|~] [homegid id]
//! [NoRootPrivs]`: make a user's missing home directory at login, as ProFTPD's mkhome does.

use std::path::PathBuf;

/// A `CreateHome on` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateHome {
    /// Mode of the home directory itself (default 0700), not subject to `Umask`.
    pub mode: u32,
    /// Mode of the parent directories it makes (default 0711).
    pub dir_mode: u32,
    /// A skeleton directory copied into a new home (`skel`).
    pub skel: Option<PathBuf>,
    /// Owner of the parent directories (default root); `None` (`uid ~`): the user.
    pub dir_uid: Option<u32>,
    /// Group of the parent directories (default root); `None` (`gid ~`): the user's group.
    pub dir_gid: Option<u32>,
    /// Group of the home directory itself instead of the user's (`homegid`).
    pub home_gid: Option<u32>,
    /// `NoRootPrivs`: make the directories as the user, not as root.
    pub no_root_privs: bool,
}

impl Default for CreateHome {
    fn default() -> Self {
        CreateHome {
            mode: 0o700,
            dir_mode: 0o711,
            skel: None,
            dir_uid: Some(0),
            dir_gid: Some(0),
            home_gid: None,
            no_root_privs: false,
        }
    }
}

fn octal(s: &str) -> Result<u32, String> {
    u32::from_str_radix(s, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("bad mode parameter: '{s}'"))
}

fn id_or_user(s: &str, what: &str) -> Result<Option<u32>, String> {
    if s == "~" {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| format!("bad {what} parameter: '{s}'"))
}

/// Parses the directive's arguments; `Ok(None)` for `CreateHome off`. The `skel` directory is
/// checked as ProFTPD checks it: a full path to a directory that is not world-writable.
pub fn parse(args: &[String]) -> Result<Option<CreateHome>, String> {
    let first = args.first().map(String::as_str).unwrap_or("");
    match crate::check::parse_flag(first) {
        None => return Err("expected Boolean parameter".to_string()),
        Some(false) => return Ok(None),
        Some(true) => {}
    }
    let mut ch = CreateHome::default();
    let mut rest = &args[1..];
    if let Some(m) = rest.first()
        && !m.eq_ignore_ascii_case("dirmode")
        && !m.eq_ignore_ascii_case("skel")
    {
        ch.mode = octal(m)?;
        rest = &rest[1..];
    }
    let mut words = rest.iter();
    while let Some(w) = words.next() {
        let mut value = || {
            words
                .next()
                .map(String::as_str)
                .ok_or_else(|| format!("{w} needs a value"))
        };
        match w.to_ascii_lowercase().as_str() {
            "skel" => {
                let p = value()?;
                if !p.starts_with('/') {
                    return Err(format!("skel path '{p}' is not a full path"));
                }
                let meta =
                    std::fs::metadata(p).map_err(|e| format!("unable to stat '{p}': {e}"))?;
                if !meta.is_dir() {
                    return Err(format!("'{p}' is not a directory"));
                }
                if std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o002 != 0 {
                    return Err(format!("'{p}' is world-writable"));
                }
                ch.skel = Some(PathBuf::from(p));
            }
            "dirmode" => ch.dir_mode = octal(value()?)?,
            "uid" => ch.dir_uid = id_or_user(value()?, "UID")?,
            "gid" => ch.dir_gid = id_or_user(value()?, "GID")?,
            "homegid" => {
                let v = value()?;
                ch.home_gid = Some(v.parse().map_err(|_| format!("bad GID parameter: '{v}'"))?);
            }
            "norootprivs" => ch.no_root_privs = true,
            _ => return Err(format!("unknown parameter: '{w}'")),
        }
    }
    Ok(Some(ch))
}

/// The load-time check of `CreateHome`.
pub fn check(args: &[String]) -> Result<(), String> {
    parse(args).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Option<CreateHome>, String> {
        parse(&s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn defaults_and_options() {
        assert_eq!(p("off"), Ok(None));
        assert_eq!(p("on"), Ok(Some(CreateHome::default())));
        let ch = p("on 711 dirmode 755 uid ~ gid 7 homegid 9 NoRootPrivs")
            .expect("valid")
            .expect("on");
        assert_eq!(
            (ch.mode, ch.dir_mode, ch.dir_uid, ch.dir_gid, ch.home_gid),
            (0o711, 0o755, None, Some(7), Some(9))
        );
        assert!(ch.no_root_privs);
        assert!(p("on 7x9").unwrap_err().contains("bad mode parameter"));
        assert!(
            p("on skel relative")
                .unwrap_err()
                .contains("not a full path")
        );
        assert!(p("on bogus").is_err());
        assert!(p("maybe").is_err());
    }
}
