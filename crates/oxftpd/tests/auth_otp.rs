//! mod_auth_otp with its table in SQLite (mod_sql's named queries, as ProFTPD's documentation
//! writes them): HOTP logins that move the counter on, TOTP with HMAC-SHA256, users without a
//! row, `*` in `AuthOrder`, the `331` text, a name that tries SQL injection, and configuration
//! errors. The codes are computed by python3's `hmac` (RFC 4226/6238), not by oxftpd. The same
//! configurations run against Debian's ProFTPD with its mod_auth_otp and proftpd-mod-sqlite.

mod sql_support;

use std::path::Path;
use std::process::Command;

use oxftpd_testkit::{Setup, TestServer};
use sql_support::{Sql, Sqlite, database};

/// The Base32 secret of `otpuser` ("12345678901234567890", RFC 4226's test key).
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// The six-digit code for `counter` (HOTP) or for now (TOTP with `digest`), by python3.
fn code(digest: &str, counter: Option<u64>) -> String {
    let moving = match counter {
        Some(c) => c.to_string(),
        None => "int(time.time()) // 30".to_string(),
    };
    let script = format!(
        "import base64, hashlib, hmac, struct, time
key = base64.b32decode('{SECRET}')
h = hmac.new(key, struct.pack('>Q', {moving}), hashlib.{digest}).digest()
o = h[-1] & 15
print('%06d' % ((struct.unpack('>I', h[o:o + 4])[0] & 0x7fffffff) % 1000000))"
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn table(db: &Sqlite, counter: u64) {
    db.exec(&format!(
        "CREATE TABLE auth_otp (user TEXT PRIMARY KEY, secret TEXT, counter INTEGER);
INSERT INTO auth_otp VALUES ('otpuser', '{SECRET}', {counter});"
    ));
}

/// mod_auth_otp's and mod_sql's part of the configuration (Debian's mod_auth_otp.so needs
/// mod_sftp.so loaded before it, for its keyboard-interactive driver).
fn config(db: &Path, log: &Path, algorithm: &str, extra: &str) -> String {
    format!(
        "LoadModule mod_sql.c
LoadModule mod_sql_sqlite.c
LoadModule mod_sftp.c
LoadModule mod_auth_otp.c
<IfModule mod_sql.c>
  SQLEngine log
  SQLBackend sqlite3
  SQLConnectInfo {db}
  SQLNamedQuery get-user-otp SELECT \"secret, counter FROM auth_otp WHERE user = '%{{0}}'\"
  SQLNamedQuery update-user-otp UPDATE \"counter = %{{1}} WHERE user = '%{{0}}'\" auth_otp
</IfModule>
<IfModule mod_auth_otp.c>
  AuthOTPEngine on
  AuthOTPLog {log}
  AuthOTPAlgorithm {algorithm}
  AuthOTPTable sql:/get-user-otp/update-user-otp
{extra}
</IfModule>
",
        db = db.display(),
        log = log.display()
    )
}

fn start(mut setup: Setup, order: &str, body: &str) -> TestServer {
    setup.auth_order(order);
    setup.config(body);
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

async fn pass(s: &TestServer, user: &str, password: &str) -> oxftpd_client::Reply {
    let mut c = s.client().await.expect("connect");
    c.cmd(&format!("USER {user}")).await.expect("USER");
    c.cmd(&format!("PASS {password}")).await.expect("PASS")
}

#[tokio::test]
async fn hotp_codes_log_in_and_move_the_counter_on() {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let user = setup.add_user("otpuser", "filepw").expect("user");
    setup.add_user("fileonly", "onlypw").expect("user");
    let db = database(&setup);
    table(&db, 777);
    let log = setup.dir().join("otp.log");
    let body = config(&db.0, &log, "hotp", "");
    let s = start(setup, "mod_auth_otp.c mod_auth_file.c", &body);
    let otp_log = || std::fs::read_to_string(&log).unwrap_or_default();

    let mut c = s.client().await.expect("connect");
    let r = c.cmd("USER otpuser").await.expect("USER");
    assert_eq!(r.code, 331);
    assert_eq!(r.text(), "One-time password required for otpuser");
    let r = c
        .cmd(&format!("PASS {}", code("sha1", Some(777))))
        .await
        .expect("PASS");
    assert_eq!(r.code, 230, "{r:?}\n{}\n{}", otp_log(), s.log());
    // The account is AuthUserFile's.
    c.type_i().await.expect("TYPE I");
    c.stor("otp.bin", b"o").await.expect("STOR");
    c.quit().await.expect("QUIT");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(user.home.join("otp.bin"))
            .expect("stored")
            .uid(),
        user.uid
    );
    assert_eq!(
        db.query("SELECT counter FROM auth_otp WHERE user = 'otpuser'")
            .trim(),
        "778"
    );
    assert!(otp_log().contains("SUCCESS: user 'otpuser' provided valid OTP code"));

    // The next codes in turn, each moving the counter on.
    for n in [778u64, 779] {
        let r = pass(&s, "otpuser", &code("sha1", Some(n))).await;
        assert_eq!(r.code, 230, "counter {n}: {r:?}");
    }
    assert_eq!(
        db.query("SELECT counter FROM auth_otp WHERE user = 'otpuser'")
            .trim(),
        "780"
    );
    // A code far from the counter, and an empty one: refused, counter unchanged.
    assert_eq!(
        pass(&s, "otpuser", &code("sha1", Some(900))).await.code,
        530
    );
    assert_eq!(pass(&s, "otpuser", "").await.code, 530);
    assert_eq!(
        db.query("SELECT counter FROM auth_otp WHERE user = 'otpuser'")
            .trim(),
        "780"
    );
    assert!(otp_log().contains("FAILED: user 'otpuser' provided invalid OTP code"));
    // Not authoritative: the file's password still works, and so do users without a row.
    assert_eq!(pass(&s, "otpuser", "filepw").await.code, 230);
    assert_eq!(pass(&s, "fileonly", "onlypw").await.code, 230);
    assert!(otp_log().contains("user 'fileonly' has no OTP info in AuthOTPTable"));
    // A name that tries to widen the query finds nobody, and changes nothing.
    for name in ["x' OR '1'='1", "otpuser' --", "%{0}"] {
        let r = pass(&s, name, &code("sha1", Some(780))).await;
        assert_eq!(r.code, 530, "{name}: {r:?}");
    }
    assert_eq!(
        db.query("SELECT user, counter FROM auth_otp").trim(),
        "otpuser|780"
    );
}

#[tokio::test]
async fn authoritative_totp_sha256_and_the_standard_response() {
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("otpuser", "filepw").expect("user");
    setup.add_user("fileonly", "onlypw").expect("user");
    let db = database(&setup);
    table(&db, 0);
    let log = setup.dir().join("otp.log");
    let body = config(
        &db.0,
        &log,
        "totp-sha256",
        "  AuthOTPOptions FTPStandardResponse RequireTableEntry",
    );
    let s = start(setup, "mod_auth_otp.c* mod_auth_file.c", &body);

    let mut c = s.client().await.expect("connect");
    let r = c.cmd("USER otpuser").await.expect("USER");
    assert_eq!(r.code, 331);
    assert_eq!(r.text(), "Password required for otpuser");
    let r = c
        .cmd(&format!("PASS {}", code("sha256", None)))
        .await
        .expect("PASS");
    assert_eq!(
        r.code,
        230,
        "{r:?}\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    c.quit().await.expect("QUIT");
    // TOTP leaves the counter alone.
    assert_eq!(db.query("SELECT counter FROM auth_otp").trim(), "0");
    // Authoritative: a password instead of a code, or a user without a row, gets no further.
    assert_eq!(pass(&s, "otpuser", "filepw").await.code, 530);
    assert_eq!(pass(&s, "fileonly", "onlypw").await.code, 530);
    // A SHA-1 code is not a SHA-256 one.
    let sha1 = code("sha1", None);
    if sha1 != code("sha256", None) {
        assert_eq!(pass(&s, "otpuser", &sha1).await.code, 530);
    }
}

#[test]
fn bad_otp_directives_are_configuration_errors() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpd's own configuration errors");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("otp.db");
    let log = dir.path().join("otp.log");
    for (body, words) in [
        (
            config(&db, &log, "md5", ""),
            "expected supported OTP algorithm",
        ),
        (
            config(
                &db,
                &log,
                "hotp",
                "  AuthOTPOptions DisplayVerificationCode",
            ),
            "keyboard-interactive",
        ),
        (
            "AuthOTPEngine on\nAuthOTPTable file:/x\n".to_string(),
            "badly formatted",
        ),
        ("AuthOTPEngine on\n".to_string(), "needs an AuthOTPTable"),
        (
            "AuthOTPEngine on\nAuthOTPTable sql:/a/b\n".to_string(),
            "needs mod_sql",
        ),
        (
            config(&db, &log, "hotp", "").replace("sql:/get-user-otp/", "sql:/nope/"),
            "no SQLNamedQuery 'nope'",
        ),
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(&body);
        let out = setup.check_config().expect("oxftpd -t");
        let err = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{body}: accepted\n{err}");
        assert!(err.contains(words), "{words}: {err}");
        assert!(err.contains(".conf:"), "no file:line in {err}");
    }
}
