//! Sessions at the wire: login, the basic commands, data connections, the jail, and a
//! large binary round trip. Reply texts are ProFTPD 1.3.8's; oxftpd must match them.

use std::os::unix::fs::MetadataExt;

use oxftpd_client::{Client, DataMode, Reply};
use oxftpd_testkit::fixtures::random_bytes;
use oxftpd_testkit::{Setup, TestServer, TestUser};

/// A server with user alice/secret and AllowOverwrite on.
fn alice_server() -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    setup.config("AllowOverwrite on");
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}")),
        alice,
    )
}

async fn alice_client(server: &TestServer) -> Client {
    server
        .login("alice", "secret")
        .await
        .expect("alice logs in")
}

async fn cmd(c: &mut Client, line: &str) -> Reply {
    c.cmd(line).await.unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// The first line of the reply, code included.
async fn line(c: &mut Client, command: &str) -> String {
    cmd(c, command).await.first_line().to_string()
}

#[tokio::test]
async fn banner_names_the_server() {
    let (server, _) = alice_server();
    let c = server.client().await.expect("connect");
    assert_eq!(
        c.banner().lines,
        vec!["220 ProFTPD Server (testkit) [127.0.0.1]"]
    );
}

#[tokio::test]
async fn login_with_the_right_password() {
    let (server, _) = alice_server();
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER alice").await,
        "331 Password required for alice"
    );
    assert_eq!(
        line(&mut c, "PASS secret").await,
        "230 User alice logged in"
    );
}

#[tokio::test]
async fn login_with_a_wrong_password_is_refused() {
    let (server, _) = alice_server();
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER alice").await,
        "331 Password required for alice"
    );
    assert_eq!(line(&mut c, "PASS wrong").await, "530 Login incorrect.");
    assert_eq!(cmd(&mut c, "PWD").await.code, 530);
}

#[tokio::test]
async fn login_as_an_unknown_user_is_refused() {
    let (server, _) = alice_server();
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER mallory").await,
        "331 Password required for mallory"
    );
    assert_eq!(line(&mut c, "PASS secret").await, "530 Login incorrect.");
}

#[tokio::test]
async fn anonymous_login_through_user_alias() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let anon = setup.anonymous().expect("anonymous area");
    std::fs::write(anon.join("welcome.txt"), b"hello\n").expect("write file");
    let server = TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}"));
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER anonymous").await,
        "331 Anonymous login ok, send your complete email address as your password"
    );
    assert_eq!(
        line(&mut c, "PASS someone@example.com").await,
        "230 Anonymous access granted, restrictions apply"
    );
    assert_eq!(c.pwd().await.expect("PWD"), "/");
    assert_eq!(c.nlst(None).await.expect("NLST"), vec!["welcome.txt"]);
    // The default TYPE is ASCII: LF goes out as CRLF.
    assert_eq!(c.retr("welcome.txt").await.expect("RETR"), b"hello\r\n");
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("welcome.txt").await.expect("RETR"), b"hello\n");
    let t = c
        .transfer_out("STOR up.txt", &mut &b"x"[..])
        .await
        .expect("STOR");
    assert_eq!(
        t.completion.first_line(),
        "550 up.txt: Operation not permitted"
    );
    assert!(!anon.join("up.txt").exists());
}

#[tokio::test]
async fn syst_feat_noop_and_quit() {
    let (server, _) = alice_server();
    let mut c = alice_client(&server).await;
    assert_eq!(line(&mut c, "SYST").await, "215 UNIX Type: L8");
    let feat = cmd(&mut c, "FEAT").await;
    assert_eq!(feat.code, 211);
    assert_eq!(
        feat.lines.first().map(String::as_str),
        Some("211-Features:")
    );
    assert_eq!(feat.lines.last().map(String::as_str), Some("211 End"));
    for f in [
        " EPRT",
        " EPSV",
        " MDTM",
        " REST STREAM",
        " SIZE",
        " TVFS",
        " UTF8",
    ] {
        assert!(
            feat.lines.iter().any(|l| l == f),
            "FEAT lacks {f:?}: {feat}"
        );
    }
    assert_eq!(line(&mut c, "NOOP").await, "200 NOOP command successful");
    assert_eq!(c.quit().await.expect("QUIT").first_line(), "221 Goodbye.");
}

#[tokio::test]
async fn pwd_cwd_and_cdup() {
    let (server, alice) = alice_server();
    let mut c = alice_client(&server).await;
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/\" is the current directory"
    );
    assert_eq!(
        line(&mut c, "MKD d1").await,
        "257 \"/d1\" - Directory successfully created"
    );
    assert!(alice.home.join("d1").is_dir());
    assert_eq!(line(&mut c, "CWD d1").await, "250 CWD command successful");
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/d1\" is the current directory"
    );
    assert_eq!(line(&mut c, "CDUP").await, "250 CDUP command successful");
    assert_eq!(c.pwd().await.expect("PWD"), "/");
    assert_eq!(
        line(&mut c, "CWD nope").await,
        "550 nope: No such file or directory"
    );
    assert_eq!(c.pwd().await.expect("PWD"), "/");
}

#[tokio::test]
async fn type_a_and_i() {
    let (server, _) = alice_server();
    let mut c = alice_client(&server).await;
    assert_eq!(line(&mut c, "TYPE A").await, "200 Type set to A");
    assert_eq!(line(&mut c, "TYPE I").await, "200 Type set to I");
    assert_eq!(
        line(&mut c, "TYPE X").await,
        "504 TYPE not implemented for 'X' parameter"
    );
}

#[tokio::test]
async fn pasv_and_epsv_replies() {
    let (server, _) = alice_server();
    let mut c = alice_client(&server).await;
    let pasv = cmd(&mut c, "PASV").await;
    assert_eq!(pasv.code, 227);
    assert!(pasv.text().starts_with("Entering Passive Mode ("), "{pasv}");
    let addr = oxftpd_client::parse_pasv(&pasv).expect("PASV address");
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
    let epsv = cmd(&mut c, "EPSV").await;
    assert_eq!(epsv.code, 229);
    assert!(
        epsv.text()
            .starts_with("Entering Extended Passive Mode (|||"),
        "{epsv}"
    );
    assert!(
        oxftpd_client::parse_epsv(&epsv).is_some_and(|p| p != 0),
        "{epsv}"
    );
}

#[tokio::test]
async fn transfers_in_every_data_mode() {
    let (server, alice) = alice_server();
    std::fs::write(alice.home.join("f.txt"), b"data\n").expect("write file");
    let mut c = alice_client(&server).await;
    c.type_i().await.expect("TYPE I");
    for mode in [
        DataMode::Passive,
        DataMode::ExtendedPassive,
        DataMode::Active,
        DataMode::ExtendedActive,
    ] {
        c.set_data_mode(mode);
        let t = c
            .transfer_in("RETR f.txt")
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let pre = t.preliminary.as_ref().map(|r| r.first_line().to_string());
        assert_eq!(
            pre.as_deref(),
            Some("150 Opening BINARY mode data connection for f.txt (5 bytes)"),
            "{mode:?}"
        );
        assert_eq!(
            t.completion.first_line(),
            "226 Transfer complete",
            "{mode:?}"
        );
        assert_eq!(t.data, b"data\n", "{mode:?}");
    }
}

#[tokio::test]
async fn mkd_rmd_dele_and_size() {
    let (server, alice) = alice_server();
    let mut c = alice_client(&server).await;
    assert_eq!(
        line(&mut c, "MKD d1").await,
        "257 \"/d1\" - Directory successfully created"
    );
    assert_eq!(line(&mut c, "MKD d1").await, "550 d1: File exists");
    assert_eq!(line(&mut c, "RMD d1").await, "250 RMD command successful");
    assert!(!alice.home.join("d1").exists());
    assert_eq!(
        line(&mut c, "RMD d1").await,
        "550 d1: No such file or directory"
    );
    c.type_i().await.expect("TYPE I");
    c.stor("f.bin", &[7u8; 1234]).await.expect("STOR");
    assert_eq!(line(&mut c, "SIZE f.bin").await, "213 1234");
    assert_eq!(
        line(&mut c, "DELE f.bin").await,
        "250 DELE command successful"
    );
    assert!(!alice.home.join("f.bin").exists());
    assert_eq!(
        line(&mut c, "SIZE f.bin").await,
        "550 f.bin: No such file or directory"
    );
    assert_eq!(
        line(&mut c, "DELE f.bin").await,
        "550 f.bin: No such file or directory"
    );
}

#[tokio::test]
async fn cwd_above_the_root_stays_at_root() {
    let (server, _) = alice_server();
    let mut c = alice_client(&server).await;
    assert_eq!(
        line(&mut c, "CWD ../..").await,
        "250 CWD command successful"
    );
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/\" is the current directory"
    );
    assert_eq!(
        line(&mut c, "CWD /../../..").await,
        "250 CWD command successful"
    );
    assert_eq!(c.pwd().await.expect("PWD"), "/");
}

#[tokio::test]
async fn retr_above_the_root_is_refused() {
    let (server, _) = alice_server();
    let mut c = alice_client(&server).await;
    let t = c.transfer_in("RETR ../../etc/passwd").await.expect("RETR");
    assert!(t.preliminary.is_none(), "{:?}", t.preliminary);
    assert_eq!(
        t.completion.first_line(),
        "550 ../../etc/passwd: No such file or directory"
    );
    assert!(t.data.is_empty());
}

#[tokio::test]
async fn a_symlink_to_etc_does_not_leave_the_root() {
    let (server, alice) = alice_server();
    std::os::unix::fs::symlink("/etc", alice.home.join("etc")).expect("symlink");
    let mut c = alice_client(&server).await;
    let cwd = cmd(&mut c, "CWD etc").await;
    // The errno text depends on how the jail resolves the link (ProFTPD's chroot says
    // ENOENT for the CWD and ELOOP for the RETR), so only the code and the path are fixed.
    assert_eq!(cwd.code, 550, "{cwd}");
    assert!(cwd.text().starts_with("etc: "), "{cwd}");
    assert_eq!(c.pwd().await.expect("PWD"), "/");
    let t = c.transfer_in("RETR etc/passwd").await.expect("RETR");
    assert!(t.preliminary.is_none(), "{:?}", t.preliminary);
    assert_eq!(t.completion.code, 550, "{}", t.completion);
    assert!(
        t.completion.text().starts_with("etc/passwd: "),
        "{}",
        t.completion
    );
    assert!(t.data.is_empty());
}

#[tokio::test]
async fn one_mebibyte_round_trip_is_byte_identical() {
    let (server, alice) = alice_server();
    let data = random_bytes(1 << 20, 0x0123_4567_89ab_cdef);
    let mut c = alice_client(&server).await;
    c.type_i().await.expect("TYPE I");
    let up = c
        .transfer_out("STOR big.bin", &mut &data[..])
        .await
        .expect("STOR");
    assert_eq!(
        up.preliminary.as_ref().map(Reply::first_line),
        Some("150 Opening BINARY mode data connection for big.bin")
    );
    assert_eq!(up.completion.first_line(), "226 Transfer complete");
    assert_eq!(up.bytes, 1 << 20);

    let on_disk = alice.home.join("big.bin");
    assert!(
        std::fs::read(&on_disk).expect("read upload") == data,
        "file on disk differs"
    );
    if rustix::process::geteuid().is_root() {
        let meta = std::fs::metadata(&on_disk).expect("stat upload");
        assert_eq!((meta.uid(), meta.gid()), (alice.uid, alice.gid));
    }
    assert_eq!(c.size("big.bin").await.expect("SIZE"), 1 << 20);
    let down = c.retr("big.bin").await.expect("RETR");
    assert!(down == data, "downloaded bytes differ");
}

#[tokio::test]
async fn list_and_nlst_show_an_upload() {
    let (server, _) = alice_server();
    let mut c = alice_client(&server).await;
    c.type_i().await.expect("TYPE I");
    c.stor("up.bin", &[1u8; 4321]).await.expect("STOR");
    c.mkd("sub").await.expect("MKD");
    let list = c.list(None).await.expect("LIST");
    let entry = list
        .lines()
        .find(|l| l.ends_with(" up.bin"))
        .unwrap_or_else(|| panic!("no up.bin in {list:?}"));
    let fields: Vec<&str> = entry.split_whitespace().collect();
    assert_eq!(fields.first().map(|m| &m[..1]), Some("-"), "{entry}");
    assert_eq!(fields.get(2), Some(&"alice"), "owner in {entry}");
    assert_eq!(fields.get(4), Some(&"4321"), "size in {entry}");
    assert!(
        list.lines()
            .any(|l| l.starts_with('d') && l.ends_with(" sub")),
        "{list}"
    );
    let mut names = c.nlst(None).await.expect("NLST");
    names.sort();
    assert_eq!(names, vec!["sub", "up.bin"]);
}
