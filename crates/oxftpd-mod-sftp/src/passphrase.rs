//! `SFTPPassPhraseProvider`: the program that tells the passphrase of an encrypted host key.
//! As mod_sftp runs it: `PROGRAM servername:port keyfile`, the passphrase is the first line
//! it prints; it runs as the daemon (root) when the configuration is loaded, and is stopped
//! when it takes longer than [`LIMIT`].

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The longest a provider may take.
pub const LIMIT: Duration = Duration::from_secs(10);

/// Runs `program` for the key at `path` of the server `server` (`name:port`) and returns the
/// passphrase it printed.
pub fn ask(program: &str, server: &str, path: &str) -> Result<String, String> {
    let mut child = Command::new(program)
        .arg(server)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("unable to run SFTPPassPhraseProvider '{program}': {e}"))?;
    // Its output is read on a thread of its own, so a provider that never ends costs LIMIT.
    let stdout = child.stdout.take();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        if let Some(stdout) = stdout {
            let _ = stdout.take(64 * 1024).read_to_string(&mut out);
        }
        let _ = tx.send(out);
    });
    let Ok(out) = rx.recv_timeout(LIMIT) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "SFTPPassPhraseProvider '{program}' gave no passphrase within {} seconds",
            LIMIT.as_secs()
        ));
    };
    let status = child
        .wait()
        .map_err(|e| format!("SFTPPassPhraseProvider '{program}': {e}"))?;
    if !status.success() {
        return Err(format!(
            "SFTPPassPhraseProvider '{program}' failed ({status})"
        ));
    }
    Ok(out.lines().next().unwrap_or_default().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_printed_is_the_passphrase() {
        let dir = std::env::temp_dir().join(format!("oxftpd-pp-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let prog = dir.join("provider.sh");
        let _ = std::fs::write(&prog, "#!/bin/sh\necho \"secret for $1 $2\"\necho second\n");
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o700));
        let got = ask(&prog.to_string_lossy(), "host:2222", "/k");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(got, Ok("secret for host:2222 /k".to_string()));
        assert!(ask("/nonexistent/provider", "h:1", "/k").is_err());
    }
}
