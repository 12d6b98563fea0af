//! mod_quotatab with mod_quotatab_file (ProFTPD 1.3.8's contrib modules, loaded with
//! `LoadModule` for ProFTPD): limit and tally tables made and read with Debian's `ftpquota`,
//! uploads refused once a limit is reached, an upload past a hard limit removed, DELE giving
//! bytes back, `SITE QUOTA`, and a tally that stays exact with 30 parallel sessions of one user.

use std::path::Path;
use std::process::Command;

use oxftpd_testkit::{Setup, Target, TestServer};

/// Runs `ftpquota` with `args` on the table `path`; its output.
fn ftpquota(path: &Path, args: &[&str]) -> String {
    let out = Command::new("ftpquota")
        .args(args)
        .arg(format!("--table-path={}", path.display()))
        .output()
        .expect("ftpquota (Debian's proftpd-core)");
    assert!(
        out.status.success(),
        "ftpquota {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A server with alice/secret and mod_quotatab on tables that give alice `limit` (ftpquota's
/// options for her user row).
fn server(target: &Target, limit: &[&str], extra: &str) -> TestServer {
    let mut setup = Setup::new(target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let d = setup.dir().to_path_buf();
    let (limits, tallies) = (d.join("limit.tab"), d.join("tally.tab"));
    ftpquota(&limits, &["--create-table", "--type=limit"]);
    ftpquota(&tallies, &["--create-table", "--type=tally"]);
    let mut add = vec![
        "--add-record",
        "--type=limit",
        "--name=alice",
        "--quota-type=user",
    ];
    add.extend_from_slice(limit);
    ftpquota(&limits, &add);
    let load = if target.is_proftpd() {
        "LoadModule mod_quotatab.c\nLoadModule mod_quotatab_file.c\n"
    } else {
        ""
    };
    setup.config(&format!(
        "{load}QuotaEngine on\nQuotaLimitTable file:{}\nQuotaTallyTable file:{}\nQuotaLog {}\nQuotaLock {}\nAllowOverwrite on\nServerAdmin ftpadmin@example.com\n{extra}\n",
        limits.display(),
        tallies.display(),
        d.join("quota.log").display(),
        d.join("quota.lock").display()
    ));
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// alice's tally as `ftpquota --show-records` prints it: (bytes uploaded, files uploaded).
fn tally(s: &TestServer) -> (f64, u32) {
    let text = ftpquota(
        &s.dir().join("tally.tab"),
        &["--show-records", "--type=tally", "--units=B"],
    );
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no '{label}' in {text}"))
    };
    (
        field("Uploaded bytes:").parse().expect("bytes"),
        field("Uploaded files:").parse().expect("files"),
    )
}

#[tokio::test]
async fn a_hard_byte_limit_refuses_uploads_and_removes_the_one_that_passes_it() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &["--bytes-upload=1024", "--units=B", "--limit-type=hard"],
        "",
    );
    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE");
    let r = c.stor("a.bin", &[b'a'; 600]).await.expect("STOR a");
    assert_eq!(r.lines, ["226 Transfer complete"]);
    // 600 more would pass the hard limit: the upload stops at it (552, as ProFTPD's quota
    // refuses the write), the file is removed and the tally is unchanged.
    let r = c
        .transfer_out("STOR b.bin", &mut &[b'b'; 600][..])
        .await
        .expect("STOR b")
        .completion;
    assert_eq!(
        r.lines.first().map(String::as_str),
        Some("552-Transfer aborted. Disk quota exceeded"),
        "{r:?}"
    );
    assert_eq!(
        r.lines.last().map(String::as_str),
        Some("552 STOR: notice: quota reached: 'b.bin' removed"),
        "{r:?}"
    );
    // (ProFTPD writes the 600 bytes before refusing them, and says so in a line between:
    // "used 1200.00 of 1024.00 upload bytes"; oxftpd stops at the limit, DIFFERENCES.md.)
    assert!(!s.dir().join("home/alice/b.bin").exists());
    // Unlimited figures (files here) are not counted, as ProFTPD.
    assert_eq!(tally(&s), (600.0, 0));
    // Exactly at the limit: kept, with a notice; the next upload is refused.
    let r = c.stor("c.bin", &[b'c'; 424]).await.expect("STOR c");
    assert_eq!(
        r.lines,
        [
            "226-Transfer complete",
            "226 STOR: notice: quota reached: used 1024.00 of 1024.00 upload bytes"
        ]
    );
    let r = c.cmd("STOR d.bin").await.expect("STOR d");
    assert_eq!(
        (r.code, r.text()),
        (
            552,
            "STOR denied: quota exceeded: used 1024.00 of 1024.00 upload bytes"
        )
    );
    // SITE QUOTA shows it all.
    let r = c.cmd("SITE QUOTA").await.expect("SITE QUOTA");
    assert_eq!(
        r.lines,
        [
            "200-The current quota for this session are [current/limit]:",
            " Name: alice",
            " Quota Type: User",
            " Per Session: False",
            " Limit Type: Hard",
            "   Uploaded bytes:\t1024.00/1024.00",
            "   Downloaded bytes:\tunlimited",
            "   Transferred bytes:\tunlimited",
            "   Uploaded files:\tunlimited",
            "   Downloaded files:\tunlimited",
            "   Transferred files:\tunlimited",
            "200 Please contact ftpadmin@example.com if these entries are inaccurate"
        ]
    );
    // DELE gives the bytes and the file back.
    c.dele("a.bin").await.expect("DELE");
    assert_eq!(tally(&s), (424.0, 0));
    let r = c.stor("d.bin", &[b'd'; 100]).await.expect("STOR d");
    assert_eq!(r.code, 226, "{r:?}");
    c.quit().await.expect("QUIT");
}

#[tokio::test]
async fn thirty_parallel_sessions_of_one_user_keep_an_exact_tally() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &[
            "--bytes-upload=100000000",
            "--files-upload=1000",
            "--units=B",
        ],
        "MaxClientsPerUser 40",
    );
    // The client is not Send: the 30 sessions run concurrently on this thread.
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let mut tasks = Vec::new();
            for i in 0..30 {
                let addr = s.addr();
                tasks.push(tokio::task::spawn_local(async move {
                    let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
                    c.login("alice", "secret").await.expect("login");
                    c.type_i().await.expect("TYPE");
                    for j in 0..3 {
                        let r = c
                            .stor(&format!("f{i}-{j}.bin"), &[b'x'; 1000])
                            .await
                            .expect("STOR");
                        assert_eq!(r.code, 226, "{r:?}");
                    }
                    c.quit().await.expect("QUIT");
                }));
            }
            for t in tasks {
                t.await.expect("session");
            }
        })
        .await;
    assert_eq!(tally(&s), (90_000.0, 90), "{}", s.log());
    assert!(s.dir().join("quota.lock").exists(), "QuotaLock");
}

#[test]
fn sql_quota_tables_are_refused_with_a_reason() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpd has no mod_quotatab_sql yet");
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("QuotaEngine on\nQuotaLimitTable sql:/get-quota-limit\n");
    let out = setup.check_config().expect("run -t");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mod_quotatab_sql"), "{err}");
}
