//! The embedded default: serve the current directory read-only to anonymous users on
//! 127.0.0.1:2121, in the foreground, with no configuration file.

use anyhow::{Context, Result};

use crate::privileges;

/// Quotes a configuration argument.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The configuration text of the embedded default for the current directory.
pub fn config() -> Result<String> {
    let dir = std::env::current_dir().context("current directory")?;
    let dir = dir
        .to_str()
        .context("the current directory's name is not UTF-8")?
        .to_string();
    // Root never serves anonymous sessions as itself; `nobody` is listed in Debian's
    // /etc/ftpusers, hence `UseFtpUsers off` below.
    let (user, group) = if privileges::is_root() {
        ("nobody".to_string(), "nogroup".to_string())
    } else {
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        (uid.to_string(), gid.to_string())
    };
    Ok(format!(
        "ServerName \"oxftpd\"\n\
         ServerType standalone\n\
         Port 2121\n\
         DefaultAddress 127.0.0.1\n\
         SocketBindTight on\n\
         UseIPv6 off\n\
         AuthOrder mod_auth_unix.c\n\
         RequireValidShell off\n\
         UseFtpUsers off\n\
         <Anonymous {dir}>\n\
         \x20 User {user}\n\
         \x20 Group {group}\n\
         \x20 UserAlias anonymous {user}\n\
         \x20 UserAlias ftp {user}\n\
         \x20 <Limit WRITE>\n\
         \x20   DenyAll\n\
         \x20 </Limit>\n\
         </Anonymous>\n",
        dir = quote(&dir),
        user = quote(&user),
        group = quote(&group),
    ))
}
