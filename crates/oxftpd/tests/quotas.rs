//! mod_quotatab with mod_quotatab_file (ProFTPD 1.3.8's contrib modules, loaded with
//! `LoadModule` for ProFTPD): limit and tally tables made and read with Debian's `ftpquota`,
//! uploads refused once a limit is reached, an upload past a hard limit removed, DELE giving
//! bytes back, `SITE QUOTA`, and a tally that stays exact with 30 parallel sessions of one user.

use std::os::unix::fs::MetadataExt;
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
        // (ftpquota shows 0 bytes as "unlimited".)
        field("Uploaded bytes:").parse().unwrap_or(0.0),
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

#[tokio::test]
async fn scan_on_login_sets_the_tally_from_the_files_the_user_owns() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &["--bytes-upload=10000", "--files-upload=100", "--units=B"],
        "QuotaOptions ScanOnLogin",
    );
    // Two files of alice's (one in a subdirectory) and one of root's, made before she logs in.
    let home = s.dir().join("home/alice");
    let uid = std::fs::metadata(&home).expect("home").uid();
    std::fs::create_dir(home.join("sub")).expect("mkdir");
    for (path, len, owner) in [
        ("a.bin", 100, uid),
        ("sub/b.bin", 200, uid),
        ("r.bin", 400, 0),
    ] {
        let p = home.join(path);
        std::fs::write(&p, vec![b'x'; len]).expect("write");
        std::os::unix::fs::chown(&p, Some(owner), None).expect("chown");
    }
    let mut c = s.login("alice", "secret").await.expect("login");
    let r = c.cmd("SITE QUOTA").await.expect("SITE QUOTA");
    assert!(
        r.lines
            .contains(&"   Uploaded bytes:\t300.00/10000.00".to_string())
            && r.lines.contains(&"   Uploaded files:\t2/100".to_string()),
        "{r:?}\n{}",
        s.log()
    );
    c.quit().await.expect("QUIT");
    assert_eq!(tally(&s), (300.0, 2));
}

#[tokio::test]
async fn directory_tally_counts_mkd_and_rmd_against_the_files_limit() {
    let target = oxftpd_testkit::target!();
    let s = server(
        &target,
        &["--files-upload=2", "--units=B"],
        "QuotaDirectoryTally on",
    );
    let mut c = s.login("alice", "secret").await.expect("login");
    for d in ["d1", "d2"] {
        let r = c.cmd(&format!("MKD {d}")).await.expect("MKD");
        assert_eq!(r.code, 257, "{r:?}");
    }
    assert_eq!(tally(&s).1, 2);
    let r = c.cmd("MKD d3").await.expect("MKD d3");
    assert_eq!(
        (r.code, r.text()),
        (552, "MKD denied: quota exceeded: used 2 of 2 upload files"),
        "{r:?}"
    );
    assert!(!s.dir().join("home/alice/d3").exists());
    let r = c.cmd("RMD d1").await.expect("RMD");
    assert_eq!(r.code, 250, "{r:?}");
    assert_eq!(tally(&s).1, 1);
    let r = c.cmd("MKD d3").await.expect("MKD d3 again");
    assert_eq!(r.code, 257, "{r:?}");
    c.quit().await.expect("QUIT");
}

#[tokio::test]
async fn quota_default_gives_a_user_without_a_row_a_limit() {
    let target = oxftpd_testkit::target!();
    // alice's row limits downloads only; bob has no row: QuotaDefault's hard limit of one file.
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("bob", "secret").expect("bob");
    let d = setup.dir().to_path_buf();
    let (limits, tallies) = (d.join("limit.tab"), d.join("tally.tab"));
    ftpquota(&limits, &["--create-table", "--type=limit"]);
    ftpquota(&tallies, &["--create-table", "--type=tally"]);
    let load = if target.is_proftpd() {
        "LoadModule mod_quotatab.c\nLoadModule mod_quotatab_file.c\n"
    } else {
        ""
    };
    setup.config(&format!(
        "{load}QuotaEngine on\nQuotaLimitTable file:{}\nQuotaTallyTable file:{}\nQuotaDefault user false hard 0 0 0 1 0 0\n",
        limits.display(),
        tallies.display(),
    ));
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let mut c = s.login("bob", "secret").await.expect("login");
    c.type_i().await.expect("TYPE");
    let r = c.stor("one.bin", b"1").await.expect("STOR");
    assert_eq!(r.code, 226, "{r:?}");
    let r = c.cmd("STOR two.bin").await.expect("STOR two");
    assert_eq!(
        (r.code, r.text()),
        (552, "STOR denied: quota exceeded: used 1 of 1 upload file"),
        "{r:?}"
    );
    c.quit().await.expect("QUIT");
    // bob's tally is kept under his name in the table.
    let text = ftpquota(&tallies, &["--show-records", "--type=tally"]);
    assert!(text.contains("bob"), "{text}");
}

#[test]
fn quota_sources_and_options_are_checked() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpd's configuration errors");
    for (line, why) in [
        (
            "QuotaTallyTable sql:/only-one",
            "select-query/update-query/insert-query",
        ),
        ("QuotaLimitTable ldap:/x", "unsupported quota table source"),
        ("QuotaOptions ScanEverything", "unknown QuotaOption"),
        (
            "QuotaDefault user false medium 0 0 0 1 0 0",
            "'soft' or 'hard'",
        ),
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(&format!("QuotaEngine on\n{line}\n"));
        let out = setup.check_config().expect("run -t");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{line}");
        assert!(err.contains(why) && err.contains(":"), "{line}: {err}");
    }
    // A sql: table on a server without mod_sql stops the start, at its line.
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("QuotaEngine on\nQuotaLimitTable sql:/get-limit\nQuotaTallyTable sql:/a/b/c\n");
    let err = match TestServer::start(setup) {
        Ok(_) => panic!("started without mod_sql"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("need mod_sql"), "{err}");
}
