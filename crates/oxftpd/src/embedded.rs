//! The embedded default: serve the current directory read-only to anonymous users on
//! 127.0.0.1:2121, in the foreground, with no configuration file.

use anyhow::{Context, Result};

use crate::privileges;

/// The port: 2121 (debug builds take `OXFTPD_TEST_EMBEDDED_PORT`, so that tests do not
/// depend on 2121 being free).
pub fn port() -> u16 {
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var("OXFTPD_TEST_EMBEDDED_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
    {
        return p;
    }
    2121
}

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
        // `User`/`Group` take names, looked up as names (a number would be a user called
        // "1500"): the names of the ids that started us, when the system has them.
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        let user = oxftpd_auth::nss::user_name_by_id(uid).ok().flatten();
        let group = oxftpd_auth::nss::group_name_by_id(gid).ok().flatten();
        (
            user.unwrap_or_else(|| uid.to_string()),
            group.unwrap_or_else(|| gid.to_string()),
        )
    };
    Ok(format!(
        "ServerName \"oxftpd\"\n\
         ServerType standalone\n\
         Port {port}\n\
         DefaultAddress 127.0.0.1\n\
         SocketBindTight on\n\
         UseIPv6 off\n\
         AuthOrder mod_auth_unix.c\n\
         RequireValidShell off\n\
         UseFtpUsers off\n\
         ControlsEngine off\n\
         <Anonymous {dir}>\n\
         \x20 User {user}\n\
         \x20 Group {group}\n\
         \x20 UserAlias anonymous {user}\n\
         \x20 UserAlias ftp {user}\n\
         \x20 <Limit WRITE>\n\
         \x20   DenyAll\n\
         \x20 </Limit>\n\
         </Anonymous>\n",
        port = port(),
        dir = quote(&dir),
        user = quote(&user),
        group = quote(&group),
    ))
}
