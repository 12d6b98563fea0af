//! What the SQL tests share: the schema and rows (the same on SQLite, PostgreSQL and
//! MariaDB), a ProFTPD-style mod_sql configuration, and the checks every backend passes.

#![allow(dead_code)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use oxftpd_testkit::{Setup, TestServer};

/// The uid/gid of the SQL user whose row is complete.
pub const UID: u32 = 5001;
/// Its group.
pub const GID: u32 = 5001;
/// What `SQLDefaultUID`/`SQLDefaultGID` give a row below `SQLMinID`.
pub const DEFAULT_ID: u32 = 5002;

/// A database the test can run statements in (through the backend's own client).
pub trait Sql {
    /// Runs statements; panics with the client's message on failure.
    fn exec(&self, sql: &str);
    /// Runs one SELECT; rows as lines, columns separated by `|`.
    fn query(&self, sql: &str) -> String;
}

/// The schema: ProFTPD's documented `users` columns, a groups table, and a transfer log.
pub const SCHEMA: &str = "CREATE TABLE users (userid VARCHAR(64) PRIMARY KEY, passwd VARCHAR(255), uid INTEGER, gid INTEGER, homedir VARCHAR(255), shell VARCHAR(255));
CREATE TABLE ftpgroups (groupname VARCHAR(64), gid INTEGER, members VARCHAR(255));
CREATE TABLE xfers (userid VARCHAR(64), path VARCHAR(255), bytes INTEGER, cmd VARCHAR(16));";

/// A SHA-512 crypt(3) hash of `password` (openssl passwd -6).
pub fn crypt_hash(password: &str) -> String {
    let out = Command::new("openssl")
        .args(["passwd", "-6", password])
        .output()
        .expect("openssl passwd");
    assert!(out.status.success(), "openssl passwd failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Makes the home directories and fills the tables.
pub fn populate(db: &dyn Sql, setup: &Setup) -> PathBuf {
    let home = setup.dir().join("home");
    for (name, uid) in [
        ("sqluser", UID),
        ("plain", UID),
        ("obrien", UID),
        ("lowuid", DEFAULT_ID),
    ] {
        let d = home.join(name);
        std::fs::create_dir_all(&d).expect("home");
        std::os::unix::fs::chown(&d, Some(uid), Some(GID)).expect("chown home");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    db.exec(SCHEMA);
    let h = |n: &str| home.join(n).display().to_string();
    db.exec(&format!(
        "INSERT INTO users VALUES ('sqluser', '{}', {UID}, {GID}, '{}', '/bin/sh');
INSERT INTO users VALUES ('plain', 'plainpw', {UID}, {GID}, '{}', '/bin/sh');
INSERT INTO users VALUES ('o''brien', 'quoted', {UID}, {GID}, '{}', '/bin/sh');
INSERT INTO users VALUES ('lowuid', 'lowpw', 10, 10, '{}', '/bin/sh');
INSERT INTO users VALUES ('nopass', '', {UID}, {GID}, '{}', '/bin/sh');
INSERT INTO ftpgroups VALUES ('ftpusers', {GID}, 'sqluser,plain');
INSERT INTO ftpgroups VALUES ('extra', 5010, 'nobody,sqluser');",
        crypt_hash("secret"),
        h("sqluser"),
        h("plain"),
        h("obrien"),
        h("lowuid"),
        h("plain"),
    ));
    home
}

/// mod_sql's part of the configuration, as ProFTPD's documentation writes it.
pub fn config(backend_module: &str, backend: &str, connect: &str, log: &Path) -> String {
    format!(
        "LoadModule mod_sql.c
LoadModule {backend_module}
<IfModule mod_sql.c>
  SQLBackend {backend}
  SQLEngine on
  SQLConnectInfo {connect}
  SQLAuthTypes Crypt Plaintext
  SQLAuthenticate users groups
  SQLUserInfo users userid passwd uid gid homedir shell
  SQLGroupInfo ftpgroups groupname gid members
  SQLMinID 1000
  SQLDefaultUID {DEFAULT_ID}
  SQLDefaultGID {GID}
  SQLNamedQuery upload INSERT \"'%u', '%f', %b, '%m'\" xfers
  SQLNamedQuery failed INSERT \"'%u', '%f', 0, 'ERR_%m'\" xfers
  SQLLog STOR,APPE,RETR upload
  SQLLog ERR_RETR failed
  SQLLogFile {}
</IfModule>
AllowOverwrite on
",
        log.display()
    )
}

/// Starts the daemon with `body`, users from SQL only.
pub fn start(mut setup: Setup, body: &str) -> TestServer {
    setup.auth_order("mod_sql.c");
    setup.config(body);
    TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"))
}

/// Logins good and bad, with ProFTPD's reply texts.
pub async fn logins(s: &TestServer) {
    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER sqluser", 331).await.expect("USER");
    let r = c
        .cmd("PASS secret")
        .await
        .unwrap_or_else(|e| panic!("PASS: {e}\n{}", s.log()));
    assert_eq!(r.code, 230, "crypt password: {r:?}\n{}", s.log());
    assert!(r.text().contains("User sqluser logged in"), "{r:?}");
    c.quit().await.expect("QUIT");

    let c = s
        .login("plain", "plainpw")
        .await
        .expect("Plaintext listed: login");
    c.quit().await.expect("QUIT");

    for (user, pass) in [
        ("sqluser", "wrong"),
        ("plain", "wrong"),
        ("nobody-here", "secret"),
        // Empty is not listed: an empty stored password lets nobody in.
        ("nopass", ""),
        ("nopass", "anything"),
    ] {
        let mut c = s.client().await.expect("connect");
        c.cmd_expect(&format!("USER {user}"), 331)
            .await
            .expect("USER");
        let r = c.cmd(&format!("PASS {pass}")).await.expect("PASS");
        assert_eq!(r.code, 530, "{user}/{pass}: {r:?}");
        assert!(r.text().contains("Login incorrect."), "{r:?}");
    }
}

/// An upload lands as the row's uid/gid and `SQLLog` writes its row.
pub async fn upload_is_owned_and_logged(s: &TestServer, db: &dyn Sql, home: &Path) {
    let mut c = s.login("sqluser", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("up.bin", b"hello").await.expect("STOR");
    assert_eq!(c.retr("up.bin").await.expect("RETR"), b"hello");
    let r = c.cmd("RETR missing.bin").await.expect("RETR missing");
    assert_eq!(r.code, 550, "{r:?}");
    // A path is data too: quotes and semicolons in a file name reach the table as written.
    let hostile = "a'); DELETE FROM users; --.txt";
    c.stor(hostile, b"abc").await.expect("STOR hostile name");
    c.quit().await.expect("QUIT");
    let meta = std::fs::metadata(home.join("sqluser/up.bin")).expect("uploaded file");
    assert_eq!((meta.uid(), meta.gid()), (UID, GID));
    let mut rows = String::new();
    for _ in 0..50 {
        rows = db.query("SELECT userid, path, bytes, cmd FROM xfers");
        if rows.lines().count() >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let rows: Vec<Vec<String>> = rows
        .lines()
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let find = |cmd: &str, name: &str| {
        rows.iter()
            .find(|r| r.len() == 4 && r[3] == cmd && r[1].ends_with(name))
            .unwrap_or_else(|| panic!("no SQLLog row for {cmd} {name}: {rows:?}"))
            .clone()
    };
    assert_eq!(find("STOR", "up.bin")[..1], ["sqluser".to_string()]);
    assert_eq!(find("STOR", "up.bin")[2], "5");
    assert_eq!(find("RETR", "up.bin")[2], "5");
    // ProFTPD's %f of a download that never started is "-".
    assert_eq!(find("ERR_RETR", "-")[1], "-");
    // %f is the file's path on the server (the home directory, outside the jail).
    assert_eq!(
        find("RETR", "up.bin")[1],
        home.join("sqluser/up.bin").display().to_string()
    );
    assert_eq!(find("STOR", hostile)[2], "3");
    assert_eq!(db.query("SELECT COUNT(*) FROM users").trim(), "5");

    // A row below SQLMinID gets SQLDefaultUID.
    let mut c = s.login("lowuid", "lowpw").await.expect("lowuid login");
    c.type_i().await.expect("TYPE I");
    c.stor("low.bin", b"x").await.expect("STOR");
    c.quit().await.expect("QUIT");
    let meta = std::fs::metadata(home.join("lowuid/low.bin")).expect("low.bin");
    assert_eq!(meta.uid(), DEFAULT_ID);
}

/// Quotes in the user name are data, never SQL.
pub async fn no_injection(s: &TestServer, db: &dyn Sql) {
    let before = db.query("SELECT COUNT(*) FROM users");
    for user in [
        "x' OR '1'='1",
        "sqluser' --",
        "x'; DELETE FROM users; --",
        "%u",
    ] {
        let mut c = s.client().await.expect("connect");
        c.cmd_expect(&format!("USER {user}"), 331)
            .await
            .expect("USER");
        let r = c.cmd("PASS secret").await.expect("PASS");
        assert_eq!(r.code, 530, "{user}: {r:?}");
    }
    // A real name with a quote logs in: it was bound, not spliced.
    let c = s.login("o'brien", "quoted").await.expect("o'brien logs in");
    c.quit().await.expect("QUIT");
    assert_eq!(db.query("SELECT COUNT(*) FROM users"), before);
}

/// curl and python3's ftplib log in with a SQL user.
pub fn real_clients(s: &TestServer) {
    let url = format!("ftp://127.0.0.1:{}/", s.port());
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "--user", "sqluser:secret", &url])
        .output()
        .expect("curl");
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "--user", "sqluser:nope", &url])
        .output()
        .expect("curl");
    assert_eq!(
        out.status.code(),
        Some(67),
        "curl with a bad password: login denied"
    );
    let script = format!(
        "import ftplib\nf = ftplib.FTP()\nf.connect('127.0.0.1', {}, timeout=20)\nprint(f.login('plain', 'plainpw'))\nprint(f.pwd())\nf.quit()\n",
        s.port()
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ftplib: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("230"), "{text}");
}

/// A SQLite file, written and read with python3's sqlite3 module.
pub struct Sqlite(pub PathBuf);

impl Sqlite {
    fn run(&self, sql: &str, fetch: bool) -> String {
        let script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nif sys.argv[3] == '1':\n    for r in c.execute(sys.argv[2]).fetchall():\n        print('|'.join('' if v is None else str(v) for v in r))\nelse:\n    c.executescript(sys.argv[2])\nc.commit()\n";
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(&self.0)
            .arg(sql)
            .arg(if fetch { "1" } else { "0" })
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "sqlite: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Sql for Sqlite {
    fn exec(&self, sql: &str) {
        self.run(sql, false);
    }
    fn query(&self, sql: &str) -> String {
        self.run(sql, true)
    }
}

/// The database as sites keep it: a root-only file (0600) in a root-owned directory (0755);
/// mod_sql opens it with the daemon's root credentials, as ProFTPD does.
pub fn database(setup: &Setup) -> Sqlite {
    let dir = setup.dir().join("db");
    std::fs::create_dir(&dir).expect("db dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let db = Sqlite(dir.join("users.db"));
    db.exec("PRAGMA user_version = 1;");
    std::fs::set_permissions(&db.0, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    db
}

/// mod_ban on the counter store of mod_sql's database (`CounterStore sql`): one failed login
/// bans the user at that address for ten minutes.
pub const BAN_IN_SQL: &str = "CounterStore sql
BanEngine on
MaxLoginAttempts 1
BanOnEvent MaxLoginAttemptsFromUser 1/00:10:00 00:10:00 \"Banned in SQL\"
";

/// A ban added by one daemon is a row of `oxftpd_records` in the database, and holds after a
/// restart (oxftpd only: ProFTPD keeps bans in shared memory).
pub async fn bans_live_in_the_database(s: &mut TestServer, db: &dyn Sql) {
    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER sqluser", 331).await.expect("USER");
    // The failed PASS reaches MaxLoginAttempts: the ban is added and the session ends.
    let _ = c.cmd("PASS wrong").await;
    // One live ban of user@host, in the bans' space (the key holds tabs, which each client
    // prints its own way: only its end is compared).
    // The session may end before the row is written: wait for it, within a deadline.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = db.query(
            "SELECT COUNT(*) FROM oxftpd_records WHERE space = 'ban' \
             AND POSITION('user@host' IN rkey) = 1 AND POSITION('sqluser@127.0.0.1' IN rkey) > 0 \
             AND expires > 0",
        );
        if rows.trim() == "1" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no ban row: {}",
            db.query("SELECT * FROM oxftpd_records")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    s.restart().expect("restart");
    // The banned user gets 530 with the rule's message at PASS, even with the right password.
    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER sqluser", 331).await.expect("USER");
    let r = c.cmd("PASS secret").await.expect("PASS");
    assert_eq!((r.code, r.text()), (530, "Banned in SQL"), "{}", s.log());
}

/// mod_quotatab_sql's tables as ProFTPD's documentation lays them out (types every backend
/// takes), a hard 1024-byte upload limit for sqluser, and none for plain (QuotaDefault).
pub const QUOTA_SCHEMA: &str = "CREATE TABLE quotalimits (name VARCHAR(32) NOT NULL, quota_type VARCHAR(8) NOT NULL, per_session VARCHAR(8) NOT NULL, limit_type VARCHAR(8) NOT NULL, bytes_in_avail DOUBLE PRECISION NOT NULL, bytes_out_avail DOUBLE PRECISION NOT NULL, bytes_xfer_avail DOUBLE PRECISION NOT NULL, files_in_avail INTEGER NOT NULL, files_out_avail INTEGER NOT NULL, files_xfer_avail INTEGER NOT NULL);
CREATE TABLE quotatallies (name VARCHAR(32) NOT NULL, quota_type VARCHAR(8) NOT NULL, bytes_in_used DOUBLE PRECISION NOT NULL, bytes_out_used DOUBLE PRECISION NOT NULL, bytes_xfer_used DOUBLE PRECISION NOT NULL, files_in_used INTEGER NOT NULL, files_out_used INTEGER NOT NULL, files_xfer_used INTEGER NOT NULL);
INSERT INTO quotalimits VALUES ('sqluser', 'user', 'false', 'hard', 1024, 0, 0, 0, 0, 0)";

/// The mod_quotatab_sql part of the configuration: ProFTPD's documented named queries
/// (quoted `'%{0}'` as ProFTPD needs them; oxftpd binds them as parameters).
pub const QUOTA_CONFIG: &str = r#"LoadModule mod_quotatab.c
LoadModule mod_quotatab_sql.c
<IfModule mod_quotatab_sql.c>
  SQLNamedQuery get-quota-limit SELECT "name, quota_type, per_session, limit_type, bytes_in_avail, bytes_out_avail, bytes_xfer_avail, files_in_avail, files_out_avail, files_xfer_avail FROM quotalimits WHERE name = '%{0}' AND quota_type = '%{1}'"
  SQLNamedQuery get-quota-tally SELECT "name, quota_type, bytes_in_used, bytes_out_used, bytes_xfer_used, files_in_used, files_out_used, files_xfer_used FROM quotatallies WHERE name = '%{0}' AND quota_type = '%{1}'"
  SQLNamedQuery update-quota-tally UPDATE "bytes_in_used = bytes_in_used + %{0}, bytes_out_used = bytes_out_used + %{1}, bytes_xfer_used = bytes_xfer_used + %{2}, files_in_used = files_in_used + %{3}, files_out_used = files_out_used + %{4}, files_xfer_used = files_xfer_used + %{5} WHERE name = '%{6}' AND quota_type = '%{7}'" quotatallies
  SQLNamedQuery insert-quota-tally INSERT "%{0}, %{1}, %{2}, %{3}, %{4}, %{5}, %{6}, %{7}" quotatallies
  QuotaEngine on
  QuotaLimitTable sql:/get-quota-limit
  QuotaTallyTable sql:/get-quota-tally/update-quota-tally/insert-quota-tally
  QuotaDefault user false soft 10000000 0 0 0 0 0
</IfModule>
"#;

/// A user's (bytes uploaded, files uploaded) in the tally table, `None` without a row.
fn sql_tally(db: &dyn Sql, user: &str) -> Option<(f64, i64)> {
    let rows = db.query(&format!(
        "SELECT bytes_in_used, files_in_used FROM quotatallies WHERE name = '{user}' AND quota_type = 'user'"
    ));
    let line = rows.lines().next()?;
    let (b, f) = line.split_once('|')?;
    Some((b.trim().parse().ok()?, f.trim().parse().ok()?))
}

/// Quotas in SQL tables: the tally row made at login, counted by an in-database UPDATE (so ten
/// parallel sessions of one user keep it exact), a hard limit stopping an upload with 552 and
/// the file removed, DELE giving bytes back, `QuotaDefault` for a user without a row.
pub async fn quota_tables_in_sql(s: &TestServer, db: &dyn Sql, home: &Path) {
    let mut c = s.login("sqluser", "secret").await.expect("login");
    c.type_i().await.expect("TYPE");
    assert_eq!(sql_tally(db, "sqluser"), Some((0.0, 0)), "{}", s.log());
    let r = c.stor("a.bin", &[b'a'; 600]).await.expect("STOR a");
    assert_eq!(r.lines, ["226 Transfer complete"]);
    // Unlimited figures (files here) are not counted, as ProFTPD.
    assert_eq!(sql_tally(db, "sqluser"), Some((600.0, 0)));
    let r = c
        .transfer_out("STOR b.bin", &mut &[b'b'; 600][..])
        .await
        .expect("STOR b")
        .completion;
    assert_eq!(r.code, 552, "{r:?}");
    assert_eq!(
        r.lines.last().map(String::as_str),
        Some("552 STOR: notice: quota reached: 'b.bin' removed"),
        "{r:?}"
    );
    assert!(!home.join("sqluser/b.bin").exists());
    assert_eq!(sql_tally(db, "sqluser"), Some((600.0, 0)));
    let r = c.cmd("SITE QUOTA").await.expect("SITE QUOTA");
    assert!(
        r.lines
            .contains(&"   Uploaded bytes:\t600.00/1024.00".to_string()),
        "{r:?}"
    );
    c.dele("a.bin").await.expect("DELE");
    assert_eq!(sql_tally(db, "sqluser"), Some((0.0, 0)));
    c.quit().await.expect("QUIT");

    // plain has no row: QuotaDefault's soft limit, its tally made under its name, exact with
    // ten parallel sessions (the UPDATE adds inside the database).
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let mut tasks = Vec::new();
            for i in 0..10 {
                let addr = s.addr();
                tasks.push(tokio::task::spawn_local(async move {
                    let mut c = oxftpd_client::Client::connect(addr).await.expect("connect");
                    c.login("plain", "plainpw").await.expect("login");
                    c.type_i().await.expect("TYPE");
                    for j in 0..3 {
                        let r = c
                            .stor(&format!("p{i}-{j}.bin"), &[b'p'; 100])
                            .await
                            .expect("STOR");
                        assert_eq!(r.code, 226, "{r:?}");
                    }
                    c.quit().await.expect("QUIT");
                }));
            }
            for t in tasks {
                t.await.expect("session");
            }
        })
        .await;
    assert_eq!(sql_tally(db, "plain"), Some((3000.0, 0)), "{}", s.log());
}
