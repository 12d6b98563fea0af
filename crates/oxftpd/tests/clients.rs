//! Real FTP clients against the subject: curl and python3's ftplib each log in, list,
//! download and upload. A missing tool skips the test, unless `OXFTPD_REQUIRE_CLIENTS=1`
//! (set by CI), where it fails.

use std::path::Path;
use std::process::{Command, Output};

use oxftpd_testkit::tools::{have, run_ok as run};
use oxftpd_testkit::{Setup, TestServer, TestUser};

/// Bytes that survive only a binary transfer: every byte value, CR and LF included.
fn payload() -> Vec<u8> {
    (0..64 * 1024).map(|i| (i * 7 % 256) as u8).collect()
}

/// A server with alice/secret, AllowOverwrite on, and `fetch.bin` in her home.
fn server_with_file() -> (TestServer, TestUser) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("test setup");
    let alice = setup.add_user("alice", "secret").expect("add alice");
    setup.config("AllowOverwrite on");
    std::fs::write(alice.home.join("fetch.bin"), payload()).expect("write fetch.bin");
    (
        TestServer::start(setup).unwrap_or_else(|e| panic!("start the daemon: {e}")),
        alice,
    )
}

fn curl(args: &[&str]) -> Output {
    run(Command::new("curl")
        .args(["-sS", "--max-time", "20"])
        .args(args))
}

#[test]
fn curl_lists_downloads_and_uploads() {
    if !have("curl") {
        return;
    }
    let (server, alice) = server_with_file();
    let base = format!("ftp://alice:secret@127.0.0.1:{}/", server.port());

    let list = String::from_utf8(curl(&[&base]).stdout).expect("LIST is text");
    let entry = list
        .lines()
        .find(|l| l.ends_with(" fetch.bin"))
        .unwrap_or_else(|| panic!("{list:?}"));
    assert_eq!(entry.split_whitespace().nth(4), Some("65536"), "{entry}");

    let names = String::from_utf8(curl(&["--list-only", &base]).stdout).expect("NLST is text");
    assert_eq!(
        names
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .collect::<Vec<_>>(),
        vec!["fetch.bin"]
    );

    let out = server.dir().join("curl-download.bin");
    curl(&["-o", path(&out), &format!("{base}fetch.bin")]);
    assert!(
        std::fs::read(&out).expect("read download") == payload(),
        "download differs"
    );

    let up = server.dir().join("curl-upload.bin");
    let data: Vec<u8> = payload().into_iter().rev().collect();
    std::fs::write(&up, &data).expect("write upload source");
    curl(&["-T", path(&up), &format!("{base}uploaded.bin")]);
    assert!(
        std::fs::read(alice.home.join("uploaded.bin")).expect("read upload") == data,
        "upload differs"
    );
}

/// Logs in, lists, downloads and uploads with ftplib; prints what it saw.
const FTPLIB_SCRIPT: &str = r#"
import ftplib, sys
port, user, password, download, upload = sys.argv[1:6]
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(port), timeout=20)
print("WELCOME " + ftp.getwelcome())
print("LOGIN " + ftp.login(user, password))
print("NLST " + ",".join(sorted(ftp.nlst())))
lines = []
ftp.dir(lines.append)
for line in lines:
    print("DIR " + line)
with open(download, "wb") as f:
    print("RETR " + ftp.retrbinary("RETR fetch.bin", f.write))
with open(upload, "rb") as f:
    print("STOR " + ftp.storbinary("STOR uploaded.bin", f))
print("QUIT " + ftp.quit())
"#;

#[test]
fn python_ftplib_lists_downloads_and_uploads() {
    if !have("python3") {
        return;
    }
    let (server, alice) = server_with_file();
    let download = server.dir().join("py-download.bin");
    let upload = server.dir().join("py-upload.bin");
    let data: Vec<u8> = payload().into_iter().map(|b| b ^ 0x5a).collect();
    std::fs::write(&upload, &data).expect("write upload source");
    let port = server.port().to_string();
    let out = run(Command::new("python3")
        .args(["-c", FTPLIB_SCRIPT, &port, "alice", "secret"])
        .args([path(&download), path(&upload)]));
    let stdout = String::from_utf8(out.stdout).expect("script output is text");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(&"WELCOME 220 ProFTPD Server (testkit) [127.0.0.1]"),
        "{stdout}"
    );
    assert!(
        lines.contains(&"LOGIN 230 User alice logged in"),
        "{stdout}"
    );
    assert!(lines.contains(&"NLST fetch.bin"), "{stdout}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("DIR -") && l.ends_with(" fetch.bin")),
        "{stdout}"
    );
    assert!(lines.contains(&"RETR 226 Transfer complete"), "{stdout}");
    assert!(lines.contains(&"STOR 226 Transfer complete"), "{stdout}");
    assert!(lines.contains(&"QUIT 221 Goodbye."), "{stdout}");
    assert!(
        std::fs::read(&download).expect("read download") == payload(),
        "download differs"
    );
    assert!(
        std::fs::read(alice.home.join("uploaded.bin")).expect("read upload") == data,
        "upload differs"
    );
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}
