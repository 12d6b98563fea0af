//! `<Limit>` at the wire: Order, CIDR, IPv6 entries, raw command over group over ALL,
//! `<Directory>` inheritance, and ProFTPD's refusal texts.

use std::fs;

use oxftpd_client::Client;
use oxftpd_testkit::replies::line;
use oxftpd_testkit::{Setup, TestServer, TestUser};

fn server_with(body: &str) -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("user");
    fs::create_dir(alice.home.join("ro")).expect("ro");
    std::os::unix::fs::chown(alice.home.join("ro"), Some(alice.uid), Some(alice.gid))
        .expect("chown");
    fs::write(alice.home.join("ro/f"), b"data").expect("file");
    let body = body.replace("HOME", &alice.home.display().to_string());
    setup.config(&body);
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}")),
        alice,
    )
}

async fn alice(server: &TestServer) -> Client {
    server
        .login("alice", "secret")
        .await
        .expect("alice logs in")
}

#[tokio::test]
async fn order_allow_deny_allows_a_matching_allow_despite_denyall() {
    let (server, _) = server_with(
        "<Limit MKD>\nAllow from 127.0.0.0/8\nDenyAll\n</Limit>\n<Limit RMD>\nAllow from 10.0.0.0/8\nDenyAll\n</Limit>\n",
    );
    let mut c = alice(&server).await;
    assert_eq!(
        line(&mut c, "MKD d").await,
        "257 \"/d\" - Directory successfully created"
    );
    assert_eq!(line(&mut c, "RMD d").await, "550 d: Permission denied");
}

#[tokio::test]
async fn order_deny_allow_denies_unless_allowed() {
    let (server, _) = server_with(
        "<Limit MKD>\nOrder deny,allow\nAllow from 127.0.0.1\n</Limit>\n\
         <Limit RMD>\nOrder deny,allow\nAllow from 127.0.0.2\n</Limit>\n\
         <Limit DELE>\nOrder deny,allow\nDenyAll\nAllow from 127.0.0.1\n</Limit>\n",
    );
    let mut c = alice(&server).await;
    assert_eq!(
        line(&mut c, "MKD d").await,
        "257 \"/d\" - Directory successfully created"
    );
    assert_eq!(line(&mut c, "RMD d").await, "550 d: Permission denied");
    assert_eq!(
        line(&mut c, "DELE ro/f").await,
        "550 ro/f: Operation not permitted"
    );
}

#[tokio::test]
async fn cidr_prefixes_decide() {
    let (server, _) = server_with(
        "<Limit MKD>\nDeny from 127.0.0.0/31\n</Limit>\n<Limit DELE>\nDeny from 127.0.0.2/31\n</Limit>\n",
    );
    let mut c = alice(&server).await;
    assert_eq!(line(&mut c, "MKD d").await, "550 d: Permission denied");
    assert_eq!(
        line(&mut c, "DELE ro/f").await,
        "250 DELE command successful"
    );
}

#[tokio::test]
async fn ipv6_entries_in_allow_from() {
    let (server, _) = server_with(
        "UseIPv6 on\n<Limit MKD>\nAllow from ::1, 2001:db8::/32\nDenyAll\n</Limit>\n\
         <Limit RMD>\nAllow from 2001:db8::/32, 127.0.0.1\nDenyAll\n</Limit>\n",
    );
    let mut c = alice(&server).await;
    // An IPv4 client does not match IPv6 entries; the IPv4 entry in a mixed list does.
    assert_eq!(line(&mut c, "MKD d").await, "550 d: Permission denied");
    let e = server.setup().users()[0].home.join("e");
    fs::create_dir(&e).expect("e");
    std::os::unix::fs::chown(&e, Some(60001), Some(60001)).expect("chown");
    assert_eq!(line(&mut c, "RMD e").await, "250 RMD command successful");
}

#[tokio::test]
async fn raw_command_beats_group_beats_all_in_a_directory() {
    let (server, _) = server_with(
        "<Directory HOME/ro>\n<Limit ALL>\nDenyAll\n</Limit>\n<Limit CWD PWD>\nAllowAll\n</Limit>\n\
         <Limit READ>\nAllowAll\n</Limit>\n<Limit SIZE>\nDenyAll\n</Limit>\n</Directory>\n",
    );
    let mut c = alice(&server).await;
    c.type_i().await.expect("TYPE I");
    assert_eq!(line(&mut c, "CWD ro").await, "250 CWD command successful");
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/ro\" is the current directory"
    );
    assert_eq!(c.retr("f").await.expect("RETR allowed by READ"), b"data");
    assert_eq!(
        line(&mut c, "SIZE f").await,
        "550 f: Operation not permitted"
    );
    assert_eq!(
        line(&mut c, "DELE f").await,
        "550 f: Operation not permitted"
    );
    assert_eq!(line(&mut c, "NOOP").await, "550 Operation not permitted");
    // Outside the directory nothing is limited.
    assert_eq!(line(&mut c, "CWD /").await, "250 CWD command successful");
    assert_eq!(line(&mut c, "NOOP").await, "200 NOOP command successful");
}

#[tokio::test]
async fn limits_inherit_into_subdirectories_and_star_excludes_the_parent() {
    let (server, alice_user) = server_with(
        "<Directory HOME/ro>\n<Limit RMD XRMD>\nDenyAll\n</Limit>\n<Limit MKD>\nDenyAll\n</Limit>\n</Directory>\n\
         <Directory HOME/ro/*>\n<Limit RMD XRMD>\nAllowAll\n</Limit>\n</Directory>\n",
    );
    fs::create_dir_all(alice_user.home.join("ro/a/b")).expect("dirs");
    for d in ["ro/a", "ro/a/b"] {
        std::os::unix::fs::chown(
            alice_user.home.join(d),
            Some(alice_user.uid),
            Some(alice_user.gid),
        )
        .expect("chown");
    }
    let mut c = alice(&server).await;
    assert_eq!(
        line(&mut c, "MKD ro/a/b/c").await,
        "550 ro/a/b/c: Permission denied"
    );
    assert_eq!(
        line(&mut c, "RMD ro/a/b").await,
        "250 RMD command successful"
    );
    assert_eq!(line(&mut c, "RMD ro").await, "550 ro: Permission denied");
}

#[tokio::test]
async fn user_and_group_lists() {
    let (server, _) = server_with(
        "<Limit MKD>\nAllowUser bob,alice\nDenyAll\n</Limit>\n\
         <Limit RMD>\nAllowGroup ftpusers,!ftpusers\nDenyAll\n</Limit>\n\
         <Limit DELE>\nDenyUser !alice\n</Limit>\n",
    );
    let mut c = alice(&server).await;
    assert_eq!(
        line(&mut c, "MKD d").await,
        "257 \"/d\" - Directory successfully created"
    );
    assert_eq!(line(&mut c, "RMD d").await, "550 d: Permission denied");
    assert_eq!(
        line(&mut c, "DELE ro/f").await,
        "250 DELE command successful"
    );
}

#[tokio::test]
async fn limit_login_denies_one_user() {
    let (server, _) = server_with("<Limit LOGIN>\nDenyUser alice\n</Limit>\n");
    let mut c = server.client().await.expect("connect");
    assert_eq!(
        line(&mut c, "USER alice").await,
        "331 Password required for alice"
    );
    assert_eq!(line(&mut c, "PASS secret").await, "530 Login incorrect.");
}

#[tokio::test]
async fn data_setup_commands_are_outside_all() {
    let (server, _) =
        server_with("<Limit ALL>\nDenyAll\n</Limit>\n<Limit EPSV>\nDenyAll\n</Limit>\n");
    let mut c = alice(&server).await;
    let pasv = line(&mut c, "PASV").await;
    assert!(pasv.starts_with("227 Entering Passive Mode"), "{pasv}");
    assert_eq!(
        line(&mut c, "EPSV").await,
        "501 EPSV: Operation not permitted"
    );
    assert_eq!(line(&mut c, "PWD").await, "550 PWD: Permission denied");
}

/// 1.3.8's mod_core cmdtable puts RNFR in `WRITE` (not `DIRS`): `<Limit WRITE>` refuses it,
/// `<Limit DIRS>` does not.
#[tokio::test]
async fn rnfr_is_in_the_write_group() {
    let (server, alice_user) = server_with(
        "<Directory HOME/ro>\n<Limit WRITE>\nDenyAll\n</Limit>\n</Directory>\n\
         <Directory HOME/rw>\n<Limit DIRS>\nDenyAll\n</Limit>\n</Directory>\n",
    );
    let rw = alice_user.home.join("rw");
    fs::create_dir(&rw).expect("rw");
    fs::write(rw.join("g"), b"data").expect("file");
    for p in [rw.clone(), rw.join("g")] {
        std::os::unix::fs::chown(&p, Some(alice_user.uid), Some(alice_user.gid)).expect("chown");
    }
    let mut c = alice(&server).await;
    assert_eq!(
        line(&mut c, "RNFR ro/f").await,
        "550 ro/f: Operation not permitted"
    );
    assert_eq!(
        line(&mut c, "RNFR rw/g").await,
        "350 File or directory exists, ready for destination name"
    );
    assert_eq!(line(&mut c, "RNTO rw/h").await, "250 Rename successful");
}

/// `<Limit HELP>`, `<Limit SITE_HELP>` and `<Limit OPTS_UTF8>` refuse as mod_core and mod_site
/// do, before login too; `<Limit ALL>` leaves OPTS alone.
#[tokio::test]
async fn limits_on_help_site_help_and_opts_options() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    setup.config(
        "<Limit HELP SITE_HELP OPTS_UTF8>\n  DenyAll\n</Limit>\n<Limit ALL>\n  DenyAll\n</Limit>",
    );
    let server = TestServer::start(setup).expect("start");
    let mut c = server.client().await.expect("connect");
    assert_eq!(line(&mut c, "HELP").await, "501 HELP: Permission denied");
    assert_eq!(
        line(&mut c, "SITE HELP").await,
        "501 HELP: Permission denied"
    );
    c.login("alice", "secret").await.expect("login");
    assert_eq!(line(&mut c, "HELP").await, "501 HELP: Permission denied");
    assert_eq!(
        line(&mut c, "OPTS UTF8 ON").await,
        "550 OPTS UTF8: Permission denied"
    );
    assert_eq!(line(&mut c, "OPTS MLST type;").await, "200 MLST OPTS type;");
}
