//! File names are bytes: names on disk that are not UTF-8 (`caf\xe9.txt` written by a Latin-1
//! system, `\xe4\xfc.bin`) are listed as their own bytes (never U+FFFD), and can be retrieved,
//! renamed and deleted by those bytes; a client that sends such a name creates exactly that
//! name. Python's ftplib speaks Latin-1 here, so every byte goes on the wire as it is (no
//! name holds 0xFF, which is Telnet's IAC on the control connection).

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

use oxftpd_testkit::{Setup, TestServer};

const SCRIPT: &str = r#"
import ftplib, io, sys
f = ftplib.FTP(encoding="latin-1")
f.connect("127.0.0.1", int(sys.argv[1]), timeout=20)
f.login("alice", "secret")
def hexs(s): return s.encode("latin-1").hex()
print("nlst", ",".join(sorted(hexs(n) for n in f.nlst())))
lines = []
f.retrlines("LIST", lines.append)
print("list", ",".join(sorted(hexs(l.split(" ")[-1]) for l in lines)))
buf = io.BytesIO()
f.retrbinary("RETR caf\xe9.txt", buf.write)
print("retr", buf.getvalue().hex())
print("stor", f.storbinary("STOR new\xe9.bin", io.BytesIO(b"new bytes")))
print("dele", f.delete("\xe4\xfc.bin"))
print("mkd", f.mkd("d\xe9"))
print("rnfr", f.sendcmd("RNFR new\xe9.bin"))
print("rnto", f.sendcmd("RNTO d\xe9/moved\xe9.bin"))
try:
    f.sendcmd("SIZE gone\xe9.txt")
except ftplib.error_perm as e:
    print("size", hexs(str(e)))
f.quit()
"#;

fn have_python() -> bool {
    let ok = Command::new("python3").arg("-V").output().is_ok();
    assert!(
        ok || std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
        "python3 is required"
    );
    ok
}

fn name(bytes: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn names_that_are_not_utf8_are_listed_retrieved_stored_and_deleted_as_bytes() {
    if !have_python() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let alice = setup.add_user("alice", "secret").expect("alice");
    setup.config("AllowOverwrite on\n");
    let home = alice.home.clone();
    for (n, body) in [
        (&b"caf\xe9.txt"[..], &b"latin-1 name"[..]),
        (&b"\xe4\xfc.bin"[..], &b"x"[..]),
        (&b"plain.txt"[..], &b"p"[..]),
    ] {
        let p = home.join(name(n));
        std::fs::write(&p, body).expect("file");
        std::os::unix::fs::chown(&p, Some(alice.uid), Some(alice.gid)).expect("chown");
    }
    let s = TestServer::start(setup).expect("start");
    let out = Command::new("python3")
        .args(["-c", SCRIPT, &s.port().to_string()])
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        s.log()
    );
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k} ")))
            .unwrap_or_else(|| panic!("no {k}: {text}"))
            .to_string()
    };
    let listed = [hex(b"\xe4\xfc.bin"), hex(b"caf\xe9.txt"), hex(b"plain.txt")];
    let mut want = listed.to_vec();
    want.sort();
    assert_eq!(field("nlst"), want.join(","), "NLST: the bytes on disk");
    assert_eq!(field("list"), want.join(","), "LIST: the bytes on disk");
    assert_eq!(field("retr"), hex(b"latin-1 name"));
    assert!(field("stor").starts_with("226"), "{text}");
    assert!(field("dele").starts_with("250"), "{text}");
    assert!(field("rnfr").starts_with("350"), "{text}");
    assert!(field("rnto").starts_with("250"), "{text}");
    // The reply names the file by its bytes too.
    let size = field("size");
    assert!(size.contains(&hex(b"gone\xe9.txt")), "{size}");
    assert!(!home.join(name(b"\xe4\xfc.bin")).exists(), "deleted");
    assert!(home.join(name(b"d\xe9")).is_dir(), "MKD made the raw name");
    assert_eq!(
        std::fs::read(home.join(name(b"d\xe9/moved\xe9.bin"))).expect("stored and renamed"),
        b"new bytes"
    );
    // No name with U+FFFD (or an escape character's UTF-8) was made.
    for e in std::fs::read_dir(&home).expect("home") {
        let n = e.expect("entry").file_name();
        let b = n.as_bytes();
        assert!(
            !b.windows(3).any(|w| w == "\u{FFFD}".as_bytes()) && !b.contains(&0xF4),
            "{n:?}"
        );
    }
}
