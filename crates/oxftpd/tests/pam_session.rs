//! mod_auth_pam's session stage is held for the FTP session's life: `pam_open_session` at
//! login, `pam_close_session` when the session ends (QUIT or a dropped connection). A
//! `pam_exec` session module appends `$PAM_TYPE $PAM_USER uid` to a file the test reads.
//! Root only (useradd, /etc/pam.d); returns early otherwise. Against ProFTPD only the open
//! is checked (see DIFFERENCES.md).

mod pam_fixture;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, TestServer};
use pam_fixture::{PamService, SystemUser, root};

/// The lines of `path` once `want` of them are there (bounded wait), else what is there.
async fn lines_when(path: &Path, want: usize) -> Vec<String> {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.len() >= want || start.elapsed() > Duration::from_secs(10) {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_pam_session_is_open_while_the_ftp_session_lasts() {
    if !root() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let user = SystemUser::new(&setup.dir().join("home/pamuser"), "pamsecret");
    // pam_exec's script and its log sit where the daemon's sandbox lets it and its children
    // (PAM helpers) execute and write: a directory the configuration names (here PidFile's).
    let log = setup.dir().join("run/pam-session.log");
    let script = setup.dir().join("run/pam-session.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$PAM_TYPE $PAM_USER $(id -u)\" >> {}\n",
            log.display()
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let service = PamService::new(&format!(
        "auth required pam_permit.so\naccount required pam_permit.so\n\
         session required pam_exec.so {}\n",
        script.display()
    ));
    setup.auth_order("mod_auth_pam.c* mod_auth_unix.c");
    setup.config(&format!(
        "AuthPAM on\nAuthPAMConfig {}\nAuthPAMOptions NoTTY",
        service.name
    ));
    let server = TestServer::start(setup).expect("start");
    let name = &user.name;

    // Login opens the session; it stays open while the client works.
    let mut c = server.login(name, "pamsecret").await.expect("login");
    let open = lines_when(&log, 1).await;
    assert_eq!(open, [format!("open_session {name} 0")], "{}", server.log());
    assert_eq!(c.noop().await.expect("NOOP").code, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(lines_when(&log, 1).await.len(), 1, "closed too early");

    oxftpd_testkit::deliberately_differs!(
        target,
        "ProFTPD 1.3.8 opens the session at login as root too (checked above), but closes it \
         inside the user's chroot without root, where pam_exec's program cannot run (observed: \
         no close_session line)"
    );
    // QUIT closes it, as root.
    assert_eq!(c.quit().await.expect("QUIT").code, 221);
    assert_eq!(
        lines_when(&log, 2).await,
        [
            format!("open_session {name} 0"),
            format!("close_session {name} 0")
        ],
        "{}",
        server.log()
    );

    // A connection dropped without QUIT closes it too.
    let c = server.login(name, "pamsecret").await.expect("login again");
    assert_eq!(lines_when(&log, 3).await.len(), 3);
    drop(c);
    assert_eq!(
        lines_when(&log, 4).await[2..],
        [
            format!("open_session {name} 0"),
            format!("close_session {name} 0")
        ],
        "{}",
        server.log()
    );
}
