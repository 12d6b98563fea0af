//! The ProFTPD FAQ's chapter 5 configurations, with the FAQ's text adjusted only for paths,
//! ports and addresses, each checked for every behaviour the FAQ describes.

use std::fs;

use oxftpd_testkit::fixtures::{append, mkdir};
use oxftpd_testkit::replies::line;
use oxftpd_testkit::{Setup, TestServer};

fn start(setup: Setup) -> TestServer {
    TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"))
}

async fn login_line(server: &TestServer, user: &str, pass: &str) -> String {
    let mut c = server.client().await.expect("connect");
    line(&mut c, &format!("USER {user}")).await;
    line(&mut c, &format!("PASS {pass}")).await
}

/// FAQ 5.3: a secure upload directory: clients may STOR into `incoming/` but not read it.
#[tokio::test]
async fn secure_upload_incoming() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let up = setup.add_user("uploads", "s3cret").expect("user");
    let root = up.home.clone();
    mkdir(&root.join("pub/incoming"), up.uid, up.gid, 0o755);
    fs::write(root.join("pub/readme"), b"hello\n").expect("readme");
    setup.config(&format!(
        "<Anonymous {root}>\n\
         \x20 User uploads\n\
         \x20 Group ftpusers\n\
         \x20 UserAlias ftp uploads\n\
         \x20 AuthAliasOnly on\n\
         \x20 RequireValidShell off\n\
         \x20 <Directory pub/incoming/>\n\
         \x20    <Limit STOR CWD>\n\
         \x20       AllowAll\n\
         \x20    </Limit>\n\
         \x20    <Limit READ RMD DELE MKD>\n\
         \x20       DenyAll\n\
         \x20    </Limit>\n\
         \x20 </Directory>\n\
         </Anonymous>\n",
        root = root.display()
    ));
    let server = start(setup);
    // The real name may only log in through its alias.
    assert_eq!(
        login_line(&server, "uploads", "s3cret").await,
        "530 Login incorrect."
    );
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER ftp").await,
        "331 Anonymous login ok, send your complete email address as your password"
    );
    assert_eq!(
        line(&mut c, "PASS me@example.com").await,
        "230 Anonymous access granted, restrictions apply"
    );
    c.type_i().await.expect("TYPE I");
    assert_eq!(
        c.retr("pub/readme").await.expect("read outside incoming"),
        b"hello\n"
    );
    assert_eq!(
        line(&mut c, "CWD pub/incoming").await,
        "250 CWD command successful"
    );
    let stored = c.stor("drop.bin", b"payload").await.expect("STOR");
    assert_eq!(stored.first_line(), "226 Transfer complete");
    assert_eq!(
        fs::read(root.join("pub/incoming/drop.bin")).expect("uploaded file"),
        b"payload"
    );
    let pasv = line(&mut c, "PASV").await;
    assert!(pasv.starts_with("227 "), "{pasv}");
    assert_eq!(
        line(&mut c, "RETR drop.bin").await,
        "550 drop.bin: Operation not permitted"
    );
    assert_eq!(
        line(&mut c, "SIZE drop.bin").await,
        "550 drop.bin: Operation not permitted"
    );
    assert_eq!(
        line(&mut c, "DELE drop.bin").await,
        "550 drop.bin: Operation not permitted"
    );
    assert_eq!(line(&mut c, "MKD sub").await, "550 sub: Permission denied");
    assert!(root.join("pub/incoming/drop.bin").exists());
    assert!(!root.join("pub/incoming/sub").exists());
}

/// FAQ 5.10/5.11: `<Limit LOGIN>` DenyAll at the top, AllowAll in `<Anonymous>`: only
/// anonymous logins, and the client is not disconnected before it can try.
#[tokio::test]
async fn limit_login_anonymous_only() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("user");
    let anon = setup.dir().join("private");
    mkdir(&anon, 0, 0, 0o755);
    fs::write(anon.join("welcome.txt"), b"hi\n").expect("file");
    append(
        &setup,
        "passwd",
        &format!("private:*:60200:60200::{}:/bin/false", anon.display()),
    );
    append(&setup, "group", "private:x:60200:");
    setup.config(&format!(
        "<Limit LOGIN>\nDenyAll\n</Limit>\n\
         <Anonymous {anon}>\nUser private\nGroup private\n<Limit LOGIN>\nAllowAll\n</Limit>\n</Anonymous>\n",
        anon = anon.display()
    ));
    let server = start(setup);
    assert_eq!(
        login_line(&server, "alice", "secret").await,
        "530 Login incorrect."
    );
    let mut c = server
        .client()
        .await
        .expect("connect: not refused before the banner");
    assert_eq!(
        line(&mut c, "USER private").await,
        "331 Anonymous login ok, send your complete email address as your password"
    );
    assert_eq!(
        line(&mut c, "PASS x@y.z").await,
        "230 Anonymous access granted, restrictions apply"
    );
    assert_eq!(
        c.nlst(None).await.expect("NLST"),
        vec!["welcome.txt".to_string()]
    );
}

/// FAQ 5.11: `Deny from` the client's network with `Order deny,allow`: disconnected without
/// a welcome message.
#[tokio::test]
async fn limit_login_deny_from_disconnects_without_banner() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.config("<Limit LOGIN>\nOrder deny,allow\nDeny from 127.0.0.\nAllow from all\n</Limit>\n");
    // The harness waits for a 220; this server never greets 127.0.0.1, so start by hand.
    let addr = setup.addr();
    let server = TestServer::start(setup);
    match server {
        Err(_) => {
            // Never greeted: what the FAQ describes. Confirm no banner on a fresh connection.
            assert_eq!(oxftpd_testkit::first_line(addr), None);
        }
        Ok(s) => panic!(
            "the server greeted a denied client: {:?}",
            oxftpd_testkit::first_line(s.addr())
        ),
    }
}

/// FAQ 5.1: a guest account: any e-mail address as password, read-only everywhere.
#[tokio::test]
async fn guest_account_read_only() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let home = setup.dir().join("guest");
    mkdir(&home.join("docs"), 60300, 60300, 0o777);
    fs::write(home.join("docs/a.txt"), b"A\n").expect("file");
    append(
        &setup,
        "passwd",
        &format!("private:*:60300:60300::{}:/bin/false", home.display()),
    );
    append(&setup, "group", "private:x:60300:");
    setup.config(
        "<Anonymous ~private>\nAnonRequirePassword off\nUser private\nGroup private\n\
         RequireValidShell off\n<Directory *>\n<Limit WRITE>\nDenyAll\n</Limit>\n</Directory>\n</Anonymous>\n",
    );
    let server = start(setup);
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER private").await,
        "331 Anonymous login ok, send your complete email address as your password"
    );
    assert_eq!(
        line(&mut c, "PASS guest@example.com").await,
        "230 Anonymous access granted, restrictions apply"
    );
    assert_eq!(line(&mut c, "CWD docs").await, "250 CWD command successful");
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("a.txt").await.expect("read"), b"A\n");
    assert_eq!(line(&mut c, "MKD new").await, "550 new: Permission denied");
    assert_eq!(
        line(&mut c, "DELE a.txt").await,
        "550 a.txt: Operation not permitted"
    );
    assert!(home.join("docs/a.txt").exists());
}

/// FAQ 5.6-5.8: `HideGroup staff` on a directory hides it from listings; with `IgnoreHidden`
/// commands act as if it did not exist; the anonymous user's primary group is not hidden.
#[tokio::test]
async fn hide_group_and_ignore_hidden() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let anon = setup.dir().join("ftproot");
    mkdir(&anon.join("pub"), 0, 0, 0o755);
    mkdir(&anon.join("private"), 60099, 60400, 0o775);
    append(
        &setup,
        "passwd",
        &format!("ftp:*:60099:60099::{}:/bin/false", anon.display()),
    );
    append(&setup, "group", "ftpanon:x:60099:");
    append(&setup, "group", "staff:x:60400:");
    setup.config(
        "<Anonymous ~ftp>\nUser ftp\nGroup ftpanon\nUserAlias anonymous ftp\n\
         <Directory private>\nHideGroup staff\n</Directory>\n\
         <Limit CWD>\nIgnoreHidden on\n</Limit>\n</Anonymous>\n",
    );
    let server = start(setup);
    let mut c = server.client().await.expect("connect");
    line(&mut c, "USER anonymous").await;
    assert_eq!(
        line(&mut c, "PASS a@b.c").await,
        "230 Anonymous access granted, restrictions apply"
    );
    let names = c.nlst(None).await.expect("NLST");
    assert_eq!(names, vec!["pub".to_string()]);
    assert_eq!(
        line(&mut c, "CWD private").await,
        "550 private: No such file or directory"
    );
    assert_eq!(line(&mut c, "CWD pub").await, "250 CWD command successful");
}
