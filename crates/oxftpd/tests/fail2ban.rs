//! fail2ban's stock `proftpd` filter (Debian's fail2ban, `/etc/fail2ban/filter.d/proftpd.conf`,
//! unchanged) matches the failed-login lines of our `SystemLog` as it matches ProFTPD's: the
//! same texts (`USER alice (Login failed): Incorrect password`, `USER bob: no such user found
//! from …`, `Maximum login attempts (2) exceeded`) after ProFTPD's prefix. Our ident is
//! `oxftpd`, which the filter is told with its `_daemon` parameter, as the jail we ship does.

use std::process::Command;
use std::time::Duration;

use oxftpd_testkit::{Setup, TestServer, wait_until};

const FILTER: &str = "/etc/fail2ban/filter.d/proftpd.conf";

fn have_fail2ban() -> bool {
    let present = Command::new("fail2ban-regex")
        .arg("--version")
        .output()
        .is_ok()
        && std::path::Path::new(FILTER).exists();
    assert!(
        present || std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
        "fail2ban-regex (fail2ban) is required"
    );
    if !present {
        eprintln!("note: skipped, fail2ban is not installed");
    }
    present
}

async fn fail(s: &TestServer, user: &str, tries: usize) {
    let mut c = s.client().await.expect("connect");
    for _ in 0..tries {
        let _ = c.login(user, "wrong").await;
    }
}

#[tokio::test]
async fn the_stock_proftpd_filter_matches_every_failed_login() {
    if !have_fail2ban() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let log = setup.dir().join("etc/system.log");
    setup.config(&format!(
        "SystemLog {}\nMaxLoginAttempts 2\n",
        log.display()
    ));
    // ProFTPD in the foreground (-n, as the testkit runs it) logs to stderr whatever its
    // SystemLog says.
    let log = if target.is_proftpd() {
        setup.dir().join("stderr.log")
    } else {
        log
    };
    let s = TestServer::start(setup).expect("start");
    fail(&s, "alice", 1).await;
    fail(&s, "nosuch", 1).await;
    fail(&s, "alice", 2).await;
    // A good login is not a failure.
    let _ok = s.login("alice", "secret").await.expect("alice");
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        wait_until(Duration::from_secs(10), || read()
            .contains("Maximum login attempts (2) exceeded")),
        "{}\n{}",
        read(),
        s.log()
    );
    let mut runs = vec![Command::new("fail2ban-regex")];
    if s.target().is_proftpd() {
        runs[0].arg(&log).arg(FILTER);
    } else {
        runs[0].arg(&log).arg(format!("{FILTER}[_daemon=oxftpd]"));
        // The filter we ship (contrib/fail2ban), beside fail2ban's own files.
        let conf = s.dir().join("fail2ban");
        let filters = conf.join("filter.d");
        std::fs::create_dir_all(&filters).expect("filter.d");
        for f in ["proftpd.conf", "common.conf"] {
            std::os::unix::fs::symlink(format!("/etc/fail2ban/filter.d/{f}"), filters.join(f))
                .expect("symlink");
        }
        let ours = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../contrib/fail2ban/filter.d/oxftpd.conf"
        );
        std::fs::copy(ours, filters.join("oxftpd.conf")).expect("our filter");
        let mut shipped = Command::new("fail2ban-regex");
        shipped.arg("-c").arg(&conf).arg(&log).arg("oxftpd");
        runs.push(shipped);
    }
    for mut run in runs {
        let out = run.output().expect("fail2ban-regex");
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{report}{out:?}");
        // alice's wrong password three times, the unknown user once, the limit once.
        assert!(
            report.lines().any(|l| l.trim() == "Failregex: 5 total"),
            "{run:?}: {report}\n{}",
            read()
        );
    }
    let text = read();
    assert!(
        text.contains("(127.0.0.1[127.0.0.1]): USER alice (Login failed): Incorrect password"),
        "{text}"
    );
    assert!(
        text.contains(
            "(127.0.0.1[127.0.0.1]): USER nosuch: no such user found from 127.0.0.1 [127.0.0.1] to "
        ),
        "{text}"
    );
}
