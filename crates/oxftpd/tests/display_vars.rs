//! Display-file variables for session counters, free space, `%{…}` names and classes
//! (ProFTPD's doc/howto/DisplayFiles.html), shown by DisplayChdir, DisplayLogin, DisplayQuit.

use std::fs;
use std::path::Path;

use oxftpd_client::Client;
use oxftpd_testkit::{Setup, TestServer};

async fn lines(c: &mut Client, command: &str) -> Vec<String> {
    c.cmd(command)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .lines
}

/// A server where alice's `d1/.msg` holds `message`, shown by `DisplayChdir`; alice's home
/// holds `f`, 12000 bytes.
fn chdir_server(message: &str, extra: &str) -> (TestServer, std::path::PathBuf) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    fs::create_dir_all(alice.home.join("d1")).expect("d1");
    fs::write(alice.home.join("f"), vec![b'x'; 12_000]).expect("f");
    fs::write(alice.home.join("d1/.msg"), message).expect(".msg");
    setup.config(&format!("DisplayChdir .msg\n{extra}"));
    (TestServer::start(setup).expect("start"), alice.home)
}

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn session_counters_follow_transfers() {
    let (server, _) = chdir_server(
        "i=%i o=%o t=%t K=%K k=%k\nbytes %{total_bytes_in} %{total_bytes_out} %{total_bytes_xfer}\nfiles %{total_files_in} %{total_files_out} %{total_files_xfer}\n",
        "",
    );
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(
        lines(&mut c, "CWD /d1").await,
        owned(&[
            "250-i=0 o=0 t=0 K=0 k=0B",
            " bytes 0 0 0",
            " files 0 0 0",
            "250 CWD command successful",
        ])
    );
    c.type_i().await.expect("TYPE I");
    assert_eq!(c.retr("/f").await.expect("RETR").len(), 12_000);
    assert_eq!(
        lines(&mut c, "CWD /d1").await,
        owned(&[
            "250-i=0 o=1 t=1 K=11 k=11kB",
            " bytes 0 12000 12000",
            " files 0 1 1",
            "250 CWD command successful",
        ])
    );
    c.stor("/g", &[b'y'; 5_000]).await.expect("STOR");
    // A failed download counts nothing.
    assert_eq!(c.cmd("RETR /missing").await.expect("RETR").code, 550);
    assert_eq!(
        lines(&mut c, "CWD /d1").await,
        owned(&[
            "250-i=1 o=1 t=2 K=16 k=16kB",
            " bytes 5000 12000 17000",
            " files 1 1 2",
            "250 CWD command successful",
        ])
    );
}

#[tokio::test]
async fn small_totals_are_shown_in_bytes() {
    let (server, home) = chdir_server("K=%K k=%k t=%t\n", "");
    fs::write(home.join("small"), vec![b's'; 9_000]).expect("small");
    let mut c = server.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.retr("/small").await.expect("RETR");
    assert_eq!(
        lines(&mut c, "CWD /d1").await,
        owned(&["250-K=8 k=9000B t=1", "250 CWD command successful"])
    );
}

/// KiB free for unprivileged users on the file system holding `path`.
fn statvfs_kb(path: &Path) -> u64 {
    let st = rustix::fs::statvfs(path).expect("statvfs");
    st.f_bavail * st.f_frsize / 1024
}

/// ProFTPD's `%f` layout for `kb`, written independently of the server's code.
fn with_units(kb: u64) -> String {
    let units = ["KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let (mut size, mut i) = (kb, 0);
    while size > 1024 && i < 7 {
        size /= 1024;
        i += 1;
    }
    if size < 10 {
        format!("0{size}{}", units[i])
    } else {
        format!("{size}{}", units[i])
    }
}

#[tokio::test]
async fn free_space_of_the_display_files_file_system() {
    let (server, home) = chdir_server("free %F KB, %f\n", "");
    let mut c = server.login("alice", "secret").await.expect("login");
    let shown = lines(&mut c, "CWD /d1").await;
    let after = statvfs_kb(&home);
    assert_eq!(shown.len(), 2, "{shown:?}");
    let rest = shown[0].strip_prefix("250-free ").expect("prefix");
    let (kb, units) = rest.split_once(" KB, ").expect("layout");
    let kb: u64 = kb.parse().expect("a number");
    // Other processes write to the same disk meanwhile: allow 256 MiB of drift.
    assert!(kb > 0 && kb.abs_diff(after) < 256 * 1024, "{kb} vs {after}");
    assert_eq!(units, with_units(kb));
}

fn year_now() -> String {
    let out = std::process::Command::new("date")
        .arg("+%Y")
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn names_classes_and_stray_percent_signs() {
    let (server, _) = chdir_server(
        "%{env:OXFTPD_SURELY_UNSET_VAR}|%{no_such_name}|%{time:%Y}|%{time:[%%]}\n%%U|100%|%q|%{unclosed\n%x %y %z %M\n",
        "",
    );
    let mut c = server.login("alice", "secret").await.expect("login");
    let year = year_now();
    assert_eq!(
        lines(&mut c, "CWD /d1").await,
        vec![
            format!("250-(none)|(none)|{year}|[%]"),
            " %alice|100%|%q|%{unclosed".to_string(),
            " (unknown) 0 0 0".to_string(),
            "250 CWD command successful".to_string(),
        ]
    );
}

#[tokio::test]
async fn class_name_count_and_limit() {
    let (server, _) = chdir_server(
        "%x %y %z %M\n",
        "<Class loopback>\n  From 127.0.0.1\n</Class>\nMaxClientsPerClass loopback 7\nMaxClients 9\n",
    );
    let mut c = server.login("alice", "secret").await.expect("login");
    assert_eq!(
        lines(&mut c, "CWD /d1").await,
        owned(&["250-loopback 1 7 9", "250 CWD command successful"])
    );
}

#[tokio::test]
async fn display_login_and_quit_show_the_counters() {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    fs::write(alice.home.join("f"), vec![b'x'; 3_000]).expect("f");
    let login = setup.dir().join("login.msg");
    let quit = setup.dir().join("quit.msg");
    fs::write(&login, "Welcome %U: %t files so far\n").expect("login.msg");
    fs::write(&quit, "Bye: %i up, %o down, %{total_bytes_xfer} bytes\n").expect("quit.msg");
    setup.config(&format!(
        "DisplayLogin {}\nDisplayQuit {}\n",
        login.display(),
        quit.display()
    ));
    let server = TestServer::start(setup).expect("start");
    let mut c = server.client().await.expect("connect");
    let reply = c.login("alice", "secret").await.expect("login");
    assert_eq!(
        reply.lines,
        owned(&[
            "230-Welcome alice: 0 files so far",
            "230 User alice logged in"
        ])
    );
    c.type_i().await.expect("TYPE I");
    c.retr("/f").await.expect("RETR");
    c.stor("/g", b"12345").await.expect("STOR");
    assert_eq!(
        lines(&mut c, "QUIT").await,
        owned(&["221 Bye: 1 up, 1 down, 3005 bytes"])
    );
}
