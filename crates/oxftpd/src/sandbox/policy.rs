//! Which paths the daemon may reach once sandboxed, from its configuration.
//!
//! - **served** (read and write): every `DefaultRoot`, `<Anonymous>` root and `<Directory>`
//!   tree, cut before the first `~`, `%u` or glob component; for `~`, the home directories of
//!   `/etc/passwd` and of every `AuthUserFile`;
//! - **written** (read and write, the file's directory): files the daemon creates or rewrites
//!   (logs, `ScoreboardFile`, `PidFile`, `ControlsSocket`, an SQLite database, ban and delay
//!   tables), plus `/var/log` (wtmp), `/dev` and `/run`;
//! - **read** (read and execute): every other absolute path the configuration names, the
//!   configuration files themselves (a reload re-reads them), the system's `/etc`, `/usr`,
//!   `/lib*`, `/bin`, `/sbin`, `/proc`, `/sys` and `/var/lib`, and the daemon's own binary
//!   (an upgrade re-executes it).
//!
//! When some login could see the whole filesystem (a server without `DefaultRoot`, or homes
//! that come from SQL or LDAP and cannot be listed beforehand) there is nothing to confine:
//! [`Policy::unconfined`] says why, and Landlock is not applied.

use std::path::{Path, PathBuf};

use oxftpd_config::{Config, Merged};

/// Directories every process needs to read (libraries, NSS, PAM, time zones, /proc).
const SYSTEM_READ: &[&str] = &[
    "/etc", "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/proc", "/sys", "/var/lib",
];

/// Directories the daemon writes outside its configuration: wtmp/lastlog, /dev/null and
/// /dev/log, runtime files.
const SYSTEM_WRITE: &[&str] = &["/var/log", "/dev", "/run"];

/// Directives naming a file the daemon creates or rewrites (beside every `…Log`).
const WRITTEN_FILES: &[&str] = &[
    "ScoreboardFile",
    "ScoreboardMutex",
    "PidFile",
    "ControlsSocket",
    "SQLConnectInfo",
    "SQLLogFile",
    "BanTable",
    "DelayTable",
    "TLSSessionCache",
];

/// What the sandbox leaves reachable.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Trees read and written (served roots, log directories, …).
    pub write: Vec<PathBuf>,
    /// Trees and files read (and executed).
    pub read: Vec<PathBuf>,
    /// Why nothing can be confined, when so.
    pub unconfined: Option<String>,
}

impl Policy {
    /// The policy for `config`, read from `binary` (the daemon's executable).
    pub fn of(config: &Config, binary: Option<&Path>) -> Policy {
        let mut p = Policy::default();
        let homes_listable = !config
            .servers()
            .iter()
            .any(|s| s.mentions_anywhere(&["SQLAuthenticate", "SQLConnectInfo", "LDAPServer"]));
        let mut want_homes = false;
        for server in config.servers() {
            let m = Merged::of(&server.scope(None));
            let roots = m.all_args("DefaultRoot");
            // A DefaultRoot with a group expression jails only those groups.
            if !roots.iter().any(|a| a.len() == 1) {
                p.unconfined.get_or_insert_with(|| {
                    format!(
                        "the server at {}:{} has no DefaultRoot for every user, so a login may see the whole filesystem",
                        server.file().display(),
                        server.line()
                    )
                });
            }
            // CreateHome makes homes (and their parents) at login, where no rule can name
            // them beforehand: a rule binds a directory that exists, not a path.
            if m.flag("CreateHome") == Some(true) {
                p.unconfined.get_or_insert_with(|| {
                    "CreateHome on: homes made at login cannot be named beforehand".to_string()
                });
            }
            for a in &roots {
                if let Some(root) = a.first() {
                    want_homes |= p.serve(root);
                }
            }
        }
        for named in config.named_paths() {
            let d = named.directive;
            let path = &named.path;
            if d == "<Anonymous>" || d == "<Directory>" || d == "DefaultRoot" {
                want_homes |= p.serve(path);
            } else if d.ends_with("Log") || d.ends_with("LogFile") || WRITTEN_FILES.contains(&d) {
                if let Some(dir) = fixed_prefix(path).and_then(|f| parent_dir(&f)) {
                    p.write.push(dir);
                }
            } else if let Some(f) = fixed_prefix(path) {
                if d == "AuthUserFile" {
                    p.homes_from(&f);
                }
                // A named file may name others beside it (a wrap table's included lists, a
                // certificate chain): its directory is read.
                if !f.is_dir()
                    && let Some(dir) = f.parent().filter(|d| *d != Path::new("/"))
                {
                    p.read.push(dir.to_path_buf());
                }
                p.read.push(f);
            }
        }
        if want_homes {
            if homes_listable {
                p.homes_from(Path::new("/etc/passwd"));
            } else {
                p.unconfined.get_or_insert_with(|| {
                    "DefaultRoot ~ with homes from SQL or LDAP: the homes cannot be listed before login"
                        .to_string()
                });
            }
        }
        if p.write.iter().any(|w| w == Path::new("/")) {
            p.unconfined
                .get_or_insert_with(|| "a root of / serves the whole filesystem".to_string());
        }
        p.read.extend(config.files());
        p.read.extend(SYSTEM_READ.iter().map(PathBuf::from));
        p.write.extend(SYSTEM_WRITE.iter().map(PathBuf::from));
        if let Some(dir) = binary.and_then(Path::parent) {
            p.read.push(dir.to_path_buf());
        }
        p.read.sort();
        p.read.dedup();
        p.write.sort();
        p.write.dedup();
        p
    }

    /// Adds a served root; true when it is a `~` path (the homes are needed).
    fn serve(&mut self, root: &str) -> bool {
        if root.starts_with('~') {
            return true;
        }
        if let Some(f) = fixed_prefix(root) {
            self.write.push(f);
        }
        false
    }

    /// Adds every home directory of a passwd-format file.
    fn homes_from(&mut self, file: &Path) {
        let Ok(text) = std::fs::read_to_string(file) else {
            return;
        };
        for line in text.lines() {
            let home = line.split(':').nth(5).unwrap_or("");
            // "/" as a home (daemons, nobody) serves nothing to a jailed login.
            if home.starts_with('/') && home != "/" {
                let home = PathBuf::from(home);
                // A home made at first login (pam_mkhomedir) does not exist yet: its parent
                // is where it will be.
                match home.parent() {
                    Some(parent) if !home.exists() && parent != Path::new("/") => {
                        self.write.push(parent.to_path_buf());
                    }
                    _ => self.write.push(home),
                }
            }
        }
    }
}

/// The part of `path` before its first component holding `~`, `%` or a glob character.
fn fixed_prefix(path: &str) -> Option<PathBuf> {
    if !path.starts_with('/') {
        return None;
    }
    let mut out = PathBuf::from("/");
    for c in path.split('/').filter(|c| !c.is_empty()) {
        if c.contains(['~', '%', '*', '?', '[']) {
            break;
        }
        out.push(c);
    }
    Some(out)
}

fn parent_dir(file: &Path) -> Option<PathBuf> {
    if file.is_dir() {
        return Some(file.to_path_buf());
    }
    file.parent().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        crate::modules::install();
        let config =
            oxftpd_server::parse_config_str(text, Path::new("/etc/x/proftpd.conf"), &[]).unwrap();
        Policy::of(&config, Some(Path::new("/usr/sbin/oxftpd")))
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            fixed_prefix("/srv/ftp/%u/x"),
            Some(PathBuf::from("/srv/ftp"))
        );
        assert_eq!(
            fixed_prefix("/home/*/incoming"),
            Some(PathBuf::from("/home"))
        );
        assert_eq!(fixed_prefix("~/x"), None);
    }

    #[test]
    fn served_written_and_read() {
        let p = policy(
            "DefaultRoot /srv/ftp/%u\nTransferLog /var/log/ftp/xfer.log\nAuthUserFile /etc/x/passwd\n\
             ScoreboardFile /var/run/oxftpd/sb\n<Directory /data/*/in>\n</Directory>\n",
        );
        assert_eq!(p.unconfined, None);
        assert!(p.write.contains(&PathBuf::from("/srv/ftp")));
        assert!(p.write.contains(&PathBuf::from("/var/log/ftp")));
        assert!(p.write.contains(&PathBuf::from("/var/run/oxftpd")));
        assert!(p.write.contains(&PathBuf::from("/data")));
        assert!(p.read.contains(&PathBuf::from("/etc/x/passwd")));
        assert!(p.read.contains(&PathBuf::from("/etc/x/proftpd.conf")));
        assert!(p.read.contains(&PathBuf::from("/usr/sbin")));
        assert!(!p.write.contains(&PathBuf::from("/tmp")));
    }

    #[test]
    fn unconfined_without_default_root() {
        assert!(policy("ServerName x\n").unconfined.is_some());
        assert!(policy("DefaultRoot / \n").unconfined.is_some());
        assert!(policy("DefaultRoot ~ wheel\n").unconfined.is_some());
        assert!(
            policy("DefaultRoot ~\nSQLConnectInfo db@localhost u p\n")
                .unconfined
                .is_some()
        );
        assert_eq!(policy("DefaultRoot ~\n").unconfined, None);
    }
}
