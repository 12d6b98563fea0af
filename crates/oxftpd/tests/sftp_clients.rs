//! mod_sftp with clients other than OpenSSH: curl's `sftp://` and `scp://` (libssh2) and
//! Python's paramiko (Debian's `python3-paramiko`, run with `/usr/bin/python3`).

mod sftp_support;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::process::Command;

use oxftpd_testkit::fixtures::random_bytes;
use oxftpd_testkit::tools::{have, path_arg};
use sftp_support::{have_clients, shown, start};

#[test]
fn curl_sftp_and_scp_download_and_upload_with_a_password() {
    if !have_clients() || !have("curl") {
        return;
    }
    let s = start("", |_, alice| {
        fs::write(alice.home.join("get.bin"), random_bytes(40_000, 1)).expect("file");
    });
    let here = s.local("client");
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "20",
                "--insecure",
                "--user",
                "alice:secret",
            ])
            .args(args)
            .current_dir(&here)
            .output()
            .expect("curl")
    };
    let base = format!("sftp://127.0.0.1:{}/~/", s.port);
    let out = curl(&["-o", "got.bin", &format!("{base}get.bin")]);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(
        fs::read(here.join("got.bin")).expect("download"),
        random_bytes(40_000, 1)
    );
    let list = curl(&[&base]);
    assert!(list.status.success(), "{}", shown(&list));
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("get.bin"),
        "{}",
        shown(&list)
    );
    fs::write(here.join("put.bin"), random_bytes(30_000, 2)).expect("local");
    let out = curl(&["-T", "put.bin", &format!("{base}put.bin")]);
    assert!(out.status.success(), "{}", shown(&out));
    let up = s.alice.home.join("put.bin");
    assert_eq!(fs::read(&up).expect("upload"), random_bytes(30_000, 2));
    assert_eq!(fs::metadata(&up).expect("stat").uid(), s.alice.uid);

    let out = curl(&[
        "-o",
        "scp.bin",
        &format!("scp://127.0.0.1:{}/~/get.bin", s.port),
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    assert_eq!(
        fs::read(here.join("scp.bin")).expect("scp download"),
        random_bytes(40_000, 1)
    );
}

const PARAMIKO: &str = r#"
import sys, paramiko
port, key, local = int(sys.argv[1]), sys.argv[2], sys.argv[3]
t = paramiko.Transport(("127.0.0.1", port))
t.connect(username="alice", password="secret")
sftp = paramiko.SFTPClient.from_transport(t)
sftp.put(local, "pm.bin")
st = sftp.stat("pm.bin")
print("size", st.st_size)
sftp.mkdir("pmdir")
sftp.rename("pm.bin", "pmdir/pm.bin")
print("list", ",".join(sorted(sftp.listdir("pmdir"))))
sftp.get("pmdir/pm.bin", local + ".back")
import hashlib
from paramiko.message import Message
from paramiko.sftp import CMD_EXTENDED
f = sftp.open("pmdir/pm.bin", "r")
num = sftp.request_number
sftp.request_number += 1
m = Message()
m.add_int(num)
m.add_string("check-file-handle")
m.add_string(f.handle)
m.add_string("crc32,sha256,md5")
m.add_int64(0)
m.add_int64(0)
m.add_int(0)
sftp._expecting[num] = type(None)
sftp._send_packet(CMD_EXTENDED, m)
_, reply = sftp._read_response(num)
alg = reply.get_text()
want = hashlib.sha256(open(local, "rb").read()).digest()
print("check-file", alg, reply.get_remainder() == want)
f.close()
try:
    sftp.open("../../../etc/passwd").read()
    print("escape read")
except IOError:
    print("escape refused")
t.close()
bad = paramiko.Transport(("127.0.0.1", port))
try:
    bad.connect(username="alice", password="wrong")
    print("wrong password accepted")
except paramiko.AuthenticationException:
    print("wrong password refused")
bad.close()
"#;

#[test]
fn paramiko_logs_in_uploads_lists_renames_and_downloads() {
    if !have_clients() {
        return;
    }
    if !sftp_support::have_paramiko() {
        return;
    }
    let s = start("", |_, _| {});
    let here = s.local("client");
    let local = here.join("pm.bin");
    fs::write(&local, random_bytes(90_000, 4)).expect("local");
    let out = Command::new("/usr/bin/python3")
        .args(["-c", PARAMIKO, &s.port.to_string(), path_arg(&s.key)])
        .arg(path_arg(&local))
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", shown(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "size 90000",
        "list pm.bin",
        "escape refused",
        "check-file sha256 True",
        "wrong password refused",
    ] {
        assert!(stdout.contains(want), "{want}: {}", shown(&out));
    }
    assert_eq!(
        fs::read(s.alice.home.join("pmdir/pm.bin")).expect("upload"),
        random_bytes(90_000, 4)
    );
    assert_eq!(
        fs::read(here.join("pm.bin.back")).expect("download"),
        random_bytes(90_000, 4)
    );
}
