//! An SFTP download shows its progress as an FTP one does: Debian's `ftpwho -v` reads the
//! percent done and the rate from the scoreboard, and `oxftpctl who --json` has the size, the
//! bytes done and the rate, all updated about once a second while the transfer runs; and
//! ProFTPD's `ftpdctl kick user` ends the SFTP session mid-transfer.

mod sftp_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use oxftpd_testkit::fixtures::random_bytes;
use serde_json::Value;
use sftp_support::{have_clients, have_paramiko, start_with};

/// Reads `big.bin` in 32 KiB requests, 60 ms apart (4 MiB: about 8 s), then prints `done`.
const SLOW_READER: &str = r#"
import sys, time, paramiko
t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
t.connect(username="alice", password="secret")
sftp = paramiko.SFTPClient.from_transport(t)
f = sftp.open("big.bin", "r")
n = 0
while True:
    b = f.read(32768)
    if not b:
        break
    n += len(b)
    time.sleep(0.06)
print("done", n)
"#;

/// The `(NN%)` of the first entry in `ftpwho -v`'s output that has one, and the `KB/s:` line
/// after it.
fn ftpwho_progress(who: &str) -> Option<(u32, f64)> {
    let mut lines = who.lines().skip_while(|l| !l.contains("%)"));
    let entry = lines.next()?;
    let percent = entry
        .rsplit_once('(')?
        .1
        .split_once("%)")?
        .0
        .trim()
        .parse()
        .ok()?;
    let rate = lines
        .next()?
        .trim()
        .strip_prefix("KB/s:")?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r > 0.0)?;
    (percent > 0).then_some((percent, rate))
}

#[test]
fn a_running_sftp_download_shows_its_progress_in_ftpwho_and_oxftpctl() {
    if !have_clients() || !have_paramiko() {
        return;
    }
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(
        target,
        "ProFTPD 1.3.8's ftpwho showed 'no users connected' throughout a running SFTP download"
    );
    let mut sock = None;
    let s = start_with(&target, |setup, alice| {
        let big = alice.home.join("big.bin");
        std::fs::write(&big, random_bytes(4 << 20, 7)).expect("file");
        std::os::unix::fs::chown(&big, Some(alice.uid), Some(alice.gid)).expect("chown");
        let path = setup.dir().join("run/ctrls.sock");
        setup.config(&format!(
            "<IfModule mod_dso.c>\n  LoadModule mod_ctrls_admin.c\n</IfModule>\n\
             ControlsEngine on\nControlsSocket {}\nControlsACLs all allow user *\n\
             AdminControlsACLs all allow user *\n",
            path.display()
        ));
        sock = Some(path);
        String::new()
    });
    let board = s.server.dir().join("run/oxftpd.scoreboard");
    let mut reader = Command::new("/usr/bin/python3")
        .args(["-c", SLOW_READER, &s.port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    let deadline = Instant::now() + Duration::from_secs(20);
    let (percent, rate) = loop {
        let out = Command::new("ftpwho")
            .args(["-v", "-f"])
            .arg(&board)
            .output()
            .expect("ftpwho");
        let who = String::from_utf8_lossy(&out.stdout).into_owned();
        if let Some(p) = ftpwho_progress(&who) {
            break p;
        }
        if Instant::now() > deadline || reader.try_wait().ok().flatten().is_some() {
            let _ = reader.kill();
            let out = reader.wait_with_output().expect("reader");
            panic!(
                "no progress in ftpwho: {who}\nreader: {}{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                s.server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(percent < 100, "{percent}");
    assert!(rate > 0.0, "{rate}");
    {
        let sock = sock.expect("socket");
        let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
            .args(["who", "-s"])
            .arg(&sock)
            .arg("--json")
            .output()
            .expect("oxftpctl");
        let json: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(json[0]["protocol"], "sftp", "{json}");
        let t = &json[0]["transfer"];
        assert_eq!(t["direction"], "download", "{json}");
        assert_eq!(t["size"], 4 << 20, "{json}");
        let done = t["done"].as_u64().expect("done");
        assert!(done > 0 && done < 4 << 20, "{json}");
        assert!(t["rate"].as_u64().is_some_and(|r| r > 0), "{json}");
    }
    // Kicked mid-transfer: the session ends, the reader fails well before its 8 s.
    let sock = s.server.dir().join("run/ctrls.sock");
    let out = Command::new("ftpdctl")
        .arg("-s")
        .arg(&sock)
        .args(["kick", "user", "alice"])
        .output()
        .expect("ftpdctl");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("kicked user 'alice'"),
        "{out:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while reader.try_wait().ok().flatten().is_none() {
        assert!(Instant::now() < deadline, "the kicked session goes on");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = reader.wait_with_output().expect("reader");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("done"),
        "the download finished although kicked"
    );
}
