//! Real clients against the subject: curl, python3's ftplib and lftp, comparing bytes on both
//! ends. A missing tool skips its test, unless `OXFTPD_REQUIRE_CLIENTS=1` (CI), where it fails.

mod wire;

use std::path::Path;
use std::process::{Command, Output};

use oxftpd_testkit::tools::{have, run_ok as run};
use wire::{get, put, random_bytes};

/// The config every interop server gets: resumed uploads need `AllowStoreRestart`.
const CONFIG: &str = "AllowStoreRestart on";

fn curl(args: &[&str]) -> Output {
    run(Command::new("curl")
        .args(["-sS", "--max-time", "30"])
        .args(args))
}

#[test]
fn curl_download_upload_resume_active_epsv() {
    if !have("curl") {
        return;
    }
    let (s, alice) = wire::server(CONFIG);
    let body = random_bytes(300_000, 11);
    put(&alice, "data.bin", &body);
    let base = format!("ftp://alice:secret@127.0.0.1:{}/", s.port());
    let tmp = tempfile::tempdir().expect("tempdir");

    let list = String::from_utf8(curl(&[&base]).stdout).expect("list");
    assert!(list.lines().any(|l| l.ends_with(" data.bin")), "{list}");

    for mode in [
        &["--disable-epsv"][..],
        &["--ftp-pasv"],
        &["-P", "-"],
        &["-P", "-", "--disable-eprt"],
    ] {
        let out = tmp.path().join("down.bin");
        let _ = std::fs::remove_file(&out);
        let url = format!("{base}data.bin");
        let mut args: Vec<&str> = mode.to_vec();
        let o = out.display().to_string();
        args.extend(["-o", &o, &url]);
        curl(&args);
        assert!(get(&out) == Some(body.clone()), "download with {mode:?}");
    }

    // Resumed download: half of the file is there already.
    let out = tmp.path().join("half.bin");
    std::fs::write(&out, &body[..100_000]).expect("half");
    curl(&[
        "-C",
        "-",
        "-o",
        &out.display().to_string(),
        &format!("{base}data.bin"),
    ]);
    assert!(get(&out) == Some(body.clone()), "resumed download");

    // Upload, and a resumed upload (SIZE then APPE).
    let src = tmp.path().join("up.bin");
    std::fs::write(&src, &body).expect("src");
    curl(&["-T", &src.display().to_string(), &format!("{base}up.bin")]);
    assert!(get(&alice.home.join("up.bin")) == Some(body.clone()));
    put(&alice, "resume.bin", &body[..123_456]);
    curl(&[
        "-C",
        "-",
        "-T",
        &src.display().to_string(),
        &format!("{base}resume.bin"),
    ]);
    assert!(
        get(&alice.home.join("resume.bin")) == Some(body.clone()),
        "resumed upload"
    );
}

#[test]
fn curl_over_ipv6() {
    if !have("curl") || std::net::TcpListener::bind("[::1]:0").is_err() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    let port = setup.port();
    let d = setup.dir().display().to_string();
    setup.config(&format!(
        "UseIPv6 on\n<VirtualHost ::1>\n  Port {port}\n  AuthUserFile {d}/etc/passwd\n  \
         AuthGroupFile {d}/etc/group\n  AuthOrder mod_auth_file.c\n  DefaultRoot ~\n  \
         RequireValidShell off\n  AllowOverwrite on\n</VirtualHost>\n"
    ));
    let _s = oxftpd_testkit::TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    let body = random_bytes(50_000, 12);
    put(&alice, "six.bin", &body);
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("six.bin");
    let url = format!("ftp://alice:secret@[::1]:{port}/six.bin");
    curl(&["-o", &out.display().to_string(), &url]);
    assert!(get(&out) == Some(body.clone()), "EPSV over IPv6");
    std::fs::remove_file(&out).expect("rm");
    curl(&["-P", "-", "-o", &out.display().to_string(), &url]);
    assert!(get(&out) == Some(body), "EPRT over IPv6");
}

const FTPLIB_SCRIPT: &str = r#"
import ftplib, sys, io, time
port, home, abor = int(sys.argv[1]), sys.argv[2], sys.argv[3] == 'abor' 
f = ftplib.FTP()
f.connect('127.0.0.1', port, timeout=20)
f.login('alice', 'secret')
f.voidcmd('TYPE I')
body = open(home + '/data.bin', 'rb').read()
# Download, passive and active.
for passive in (True, False):
    f.set_pasv(passive)
    got = io.BytesIO(); f.retrbinary('RETR data.bin', got.write)
    assert got.getvalue() == body, 'download passive=%s' % passive
f.set_pasv(True)
# REST: download from an offset.
got = io.BytesIO(); f.retrbinary('RETR data.bin', got.write, rest=1000)
assert got.getvalue() == body[1000:], 'REST download'
# Upload and resumed upload.
f.storbinary('STOR up.bin', io.BytesIO(body))
assert open(home + '/up.bin', 'rb').read() == body, 'upload'
f.storbinary('STOR part.bin', io.BytesIO(body[:5000]))
f.storbinary('STOR part.bin', io.BytesIO(body[5000:]), rest=5000)
assert open(home + '/part.bin', 'rb').read() == body, 'resumed upload'
# ABOR during a download (urgent data).
if abor:
    conn = f.transfercmd('RETR big.bin')
    conn.recv(4096)
    time.sleep(0.3)
    resp = f.abort()
    assert resp == '426 Transfer aborted. Data connection closed.', resp
    # RFC 959: a 226 for the ABOR itself follows the 426.
    assert f.voidresp() == '226 Abort successful'
    conn.close()
    assert f.voidcmd('NOOP') == '200 NOOP command successful'

# EPSV
r = f.sendcmd('EPSV')
assert r.startswith('229'), r
print('ok')
f.quit()
"#;

#[test]
fn python_ftplib_transfers_rest_and_abor() {
    if !have("python3") {
        return;
    }
    let (s, alice) = wire::server(CONFIG);
    put(&alice, "data.bin", &random_bytes(200_000, 13));
    put(&alice, "big.bin", &random_bytes(64 << 20, 14));
    // ProFTPD run by the harness does not answer the urgent ABOR (run by hand it does, with
    // this same 426): not yet understood, so that step runs against oxftpd only.
    let abor = if s.target().is_oxftpd() {
        "abor"
    } else {
        "no-abor"
    };
    let out = run(Command::new("timeout")
        .args(["60", "python3", "-c", FTPLIB_SCRIPT])
        .args([
            &s.port().to_string(),
            &alice.home.display().to_string(),
            abor,
        ]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

/// Writes a tree of 200 files in 4 directories.
fn make_tree(root: &Path, seed: u64) {
    for d in 0..4 {
        let dir = root.join(format!("dir{d}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        for f in 0..50 {
            let n = d * 50 + f;
            std::fs::write(
                dir.join(format!("f{f}.bin")),
                random_bytes(1000 + n as usize * 37, seed + n as u64),
            )
            .expect("write");
        }
    }
}

/// Whether two trees hold the same files with the same bytes.
fn same_tree(a: &Path, b: &Path) -> bool {
    let mut n = 0;
    for d in 0..4 {
        for f in 0..50 {
            let rel = format!("dir{d}/f{f}.bin");
            if get(&a.join(&rel)).is_none() || get(&a.join(&rel)) != get(&b.join(&rel)) {
                eprintln!("differs: {rel}");
                return false;
            }
            n += 1;
        }
    }
    n == 200
}

fn lftp(port: u16, script: &str) -> Output {
    run(Command::new("timeout").args([
        "120",
        "lftp",
        "-u",
        "alice,secret",
        "-e",
        &format!("set net:max-retries 1; set net:timeout 10; set xfer:clobber on; {script}; quit"),
        &format!("ftp://127.0.0.1:{port}"),
    ]))
}

#[test]
fn lftp_mirror_both_ways_and_continue() {
    if !have("lftp") {
        return;
    }
    let (s, alice) = wire::server(CONFIG);
    let tmp = tempfile::tempdir().expect("tempdir");
    let local = tmp.path().join("local");
    make_tree(&local, 100);
    // Upload: mirror -R.
    lftp(s.port(), &format!("mirror -R {} tree", local.display()));
    assert!(same_tree(&local, &alice.home.join("tree")), "mirror -R");
    // Download: mirror.
    let back = tmp.path().join("back");
    lftp(s.port(), &format!("mirror tree {}", back.display()));
    assert!(same_tree(&local, &back), "mirror");
    // Interrupted download: half a file and missing files, then --continue.
    std::fs::remove_dir_all(back.join("dir3")).expect("rm");
    let f = back.join("dir2/f7.bin");
    let whole = get(&f).expect("f7");
    std::fs::write(&f, &whole[..whole.len() / 2]).expect("truncate");
    lftp(
        s.port(),
        &format!("mirror --continue tree {}", back.display()),
    );
    assert!(same_tree(&local, &back), "mirror --continue");
}
