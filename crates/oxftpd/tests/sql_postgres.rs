//! mod_sql with mod_sql_postgres.c against a throw-away PostgreSQL cluster the test starts
//! (`initdb` and `pg_ctl` from Debian's postgresql package, run as the `postgres` user, on a
//! free loopback port and a socket in the temp dir), stopped at the end. The database is
//! stopped mid-run: logins get `530` with a log line, and work again once it is back.

mod sql_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use oxftpd_testkit::{Setup, free_port};
use sql_support::Sql;

/// The newest `initdb`/`pg_ctl`/`psql` directory Debian installed.
fn pg_bin() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    sock: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

fn as_postgres(cmd: &Path) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(cmd);
    c
}

fn checked(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let Some(bin) = pg_bin() else {
            assert!(
                std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
                "PostgreSQL (initdb, pg_ctl) is not installed"
            );
            eprintln!("note: skipped: PostgreSQL's initdb/pg_ctl are not installed");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("oxftpd-pg-")
            .tempdir()
            .expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let data = dir.path().join("data");
        let sock = dir.path().join("sock");
        for d in [&data, &sock] {
            std::fs::create_dir(d).expect("mkdir");
            let uid = users_id("postgres");
            std::os::unix::fs::chown(d, Some(uid.0), Some(uid.1)).expect("chown");
        }
        checked(
            as_postgres(&bin.join("initdb"))
                .args(["-D"])
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                ])
                .output()
                .expect("initdb"),
            "initdb",
        );
        let c = Cluster {
            bin,
            data,
            sock,
            port: free_port().expect("port"),
            _dir: dir,
        };
        c.pg_ctl("start");
        c.exec_in(
            "postgres",
            "CREATE ROLE ftpd LOGIN PASSWORD 'db-pw.1'; CREATE DATABASE ftpdb OWNER ftpd;",
        );
        Some(c)
    }

    fn pg_ctl(&self, what: &str) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.sock.display()
        );
        let mut c = as_postgres(&self.bin.join("pg_ctl"));
        c.arg("-D")
            .arg(&self.data)
            .args(["-w", "-t", "60", "-o", &opts, "-l"])
            .arg(self.data.join("log"));
        if what == "stop" {
            c.args(["-m", "fast"]);
        }
        checked(
            c.arg(what).output().expect("pg_ctl"),
            &format!("pg_ctl {what}"),
        );
    }

    fn psql(&self, db: &str, sql: &str) -> String {
        checked(
            as_postgres(&self.bin.join("psql"))
                .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
                .arg(&self.sock)
                .args([
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "postgres",
                    "-d",
                    db,
                    "-c",
                    sql,
                ])
                .output()
                .expect("psql"),
            "psql",
        )
    }

    fn exec_in(&self, db: &str, sql: &str) {
        for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            self.psql(db, stmt);
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .output();
    }
}

/// (uid, gid) of a system user.
fn users_id(name: &str) -> (u32, u32) {
    let id = |flag: &str| {
        let out = Command::new("id").args([flag, name]).output().expect("id");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("id number")
    };
    (id("-u"), id("-g"))
}

struct Pg<'a>(&'a Cluster);

impl Sql for Pg<'_> {
    fn exec(&self, sql: &str) {
        // As the owner of the tables (ftpd), so mod_sql's role may read and write them.
        for stmt in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
            self.0.psql("ftpdb", &format!("SET ROLE ftpd; {stmt}"));
        }
    }
    fn query(&self, sql: &str) -> String {
        self.0.psql("ftpdb", sql)
    }
}

#[tokio::test]
async fn postgres_users_logins_sqllog_and_an_outage() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let db = Pg(&cluster);
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = sql_support::populate(&db, &setup);
    let log = setup.dir().join("sql.log");
    // (ProFTPD's backend splices the password into a conninfo string: no quotes or spaces.)
    let connect = format!("ftpdb@127.0.0.1:{} ftpd db-pw.1", cluster.port);
    let body = sql_support::config("mod_sql_postgres.c", "postgres", &connect, &log);
    let s = sql_support::start(setup, &body);
    sql_support::logins(&s).await;
    sql_support::upload_is_owned_and_logged(&s, &db, &home).await;
    sql_support::no_injection(&s, &db).await;
    sql_support::real_clients(&s);

    // The database goes away: a refusal, promptly, and a log line.
    cluster.pg_ctl("stop");
    let started = std::time::Instant::now();
    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER sqluser", 331).await.expect("USER");
    match c.cmd("PASS secret").await {
        Ok(r) => assert_eq!(r.code, 530, "{r:?}"),
        // ProFTPD ends the session on an "unrecoverable backend error" without a reply;
        // oxftpd answers 530 (crates/oxftpd/tests/DIFFERENCES.md).
        Err(e) => assert!(s.target().is_proftpd(), "PASS with the database down: {e}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "refusal took {:?}",
        started.elapsed()
    );
    if s.target().is_oxftpd() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(text.contains("database unavailable"), "SQLLogFile: {text}");
    }
    // It comes back: so do logins.
    cluster.pg_ctl("start");
    let c = s
        .login("sqluser", "secret")
        .await
        .expect("login after the restart");
    c.quit().await.expect("QUIT");
}

#[tokio::test]
async fn postgres_holds_the_counter_store() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "CounterStore: counters in mod_sql's database");
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let db = Pg(&cluster);
    let setup = Setup::new(&target).expect("setup");
    sql_support::populate(&db, &setup);
    let log = setup.dir().join("sql.log");
    let connect = format!("ftpdb@127.0.0.1:{} ftpd db-pw.1", cluster.port);
    let body = sql_support::config("mod_sql_postgres.c", "postgres", &connect, &log)
        + sql_support::BAN_IN_SQL;
    let mut s = sql_support::start(setup, &body);
    sql_support::bans_live_in_the_database(&mut s, &db).await;
}

#[tokio::test]
async fn postgres_quota_tables_count_limit_and_default() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let db = Pg(&cluster);
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = sql_support::populate(&db, &setup);
    db.exec(sql_support::QUOTA_SCHEMA);
    let log = setup.dir().join("sql.log");
    let connect = format!("ftpdb@127.0.0.1:{} ftpd db-pw.1", cluster.port);
    let body = sql_support::config("mod_sql_postgres.c", "postgres", &connect, &log)
        + sql_support::QUOTA_CONFIG;
    let s = sql_support::start(setup, &body);
    sql_support::quota_tables_in_sql(&s, &db, &home).await;
}
