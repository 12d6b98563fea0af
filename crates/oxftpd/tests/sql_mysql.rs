//! mod_sql with mod_sql_mysql.c against a throw-away MariaDB server the test starts
//! (`mariadb-install-db` and `mariadbd` from Debian's mariadb-server, a data directory and a
//! socket in the temp dir, a free loopback port), stopped at the end. The server is stopped
//! mid-run: logins get `530` (oxftpd) and work again once it is back.

mod sql_support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oxftpd_testkit::{Setup, free_port};
use sql_support::Sql;

fn tool(names: &[&str]) -> Option<PathBuf> {
    names
        .iter()
        .flat_map(|n| {
            [
                PathBuf::from("/usr/sbin").join(n),
                PathBuf::from("/usr/bin").join(n),
            ]
        })
        .find(|p| p.exists())
}

struct Server {
    daemon: PathBuf,
    client: PathBuf,
    data: PathBuf,
    sock: PathBuf,
    port: u16,
    child: Mutex<Option<Child>>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Option<Server> {
        let (Some(install), Some(daemon), Some(client)) = (
            tool(&["mariadb-install-db", "mysql_install_db"]),
            tool(&["mariadbd", "mysqld"]),
            tool(&["mariadb", "mysql"]),
        ) else {
            assert!(
                std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
                "MariaDB (mariadb-install-db, mariadbd, mariadb) is not installed"
            );
            eprintln!("note: skipped: MariaDB's server is not installed");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("oxftpd-mariadb-")
            .tempdir()
            .expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("mkdir");
        let out = Command::new(&install)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=mysql",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ])
            .output()
            .expect("mariadb-install-db");
        assert!(
            out.status.success(),
            "mariadb-install-db: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let s = Server {
            daemon,
            client,
            sock: data.join("mysqld.sock"),
            data,
            port: free_port().expect("port"),
            child: Mutex::new(None),
            _dir: dir,
        };
        s.run();
        s.sql(None, "CREATE DATABASE ftpdb; CREATE USER 'ftpd'@'127.0.0.1' IDENTIFIED BY 'db-pw.1'; GRANT ALL ON ftpdb.* TO 'ftpd'@'127.0.0.1';");
        Some(s)
    }

    /// Starts mariadbd and waits until it answers on its socket.
    fn run(&self) {
        let child = Command::new(&self.daemon)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", self.data.display()))
            .arg(format!("--socket={}", self.sock.display()))
            .arg(format!("--port={}", self.port))
            .arg(format!("--pid-file={}", self.data.join("pid").display()))
            .args(["--bind-address=127.0.0.1", "--user=mysql", "--skip-log-bin"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.err_log()).map_or(Stdio::null(), Stdio::from))
            .spawn()
            .expect("mariadbd");
        *self.child.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new(&self.client)
                .arg(format!("--socket={}", self.sock.display()))
                .args(["-u", "root", "-e", "SELECT 1"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "mariadbd did not come up within 60 s: {}",
                std::fs::read_to_string(self.err_log()).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn err_log(&self) -> PathBuf {
        self._dir.path().join("mariadbd.err")
    }

    /// Stops mariadbd and waits for it to exit.
    fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(60);
            while child.try_wait().ok().flatten().is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn sql(&self, db: Option<&str>, sql: &str) -> String {
        let mut c = Command::new(&self.client);
        c.arg(format!("--socket={}", self.sock.display()))
            .args(["-u", "root", "-N", "-B", "-e", sql]);
        if let Some(db) = db {
            c.arg(db);
        }
        let out = c.output().expect("mariadb");
        assert!(
            out.status.success(),
            "mariadb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).replace('\t', "|")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Maria<'a>(&'a Server);

impl Sql for Maria<'_> {
    fn exec(&self, sql: &str) {
        self.0.sql(Some("ftpdb"), sql);
    }
    fn query(&self, sql: &str) -> String {
        self.0.sql(Some("ftpdb"), sql)
    }
}

#[tokio::test]
async fn mariadb_users_logins_sqllog_and_an_outage() {
    let Some(server) = Server::start() else {
        return;
    };
    let db = Maria(&server);
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = sql_support::populate(&db, &setup);
    let log = setup.dir().join("sql.log");
    let connect = format!("ftpdb@127.0.0.1:{} ftpd db-pw.1", server.port);
    let body = sql_support::config("mod_sql_mysql.c", "mysql", &connect, &log);
    let s = sql_support::start(setup, &body);
    sql_support::logins(&s).await;
    sql_support::upload_is_owned_and_logged(&s, &db, &home).await;
    sql_support::no_injection(&s, &db).await;
    sql_support::real_clients(&s);

    server.stop();
    let started = Instant::now();
    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER sqluser", 331).await.expect("USER");
    match c.cmd("PASS secret").await {
        Ok(r) => assert_eq!(r.code, 530, "{r:?}"),
        // ProFTPD ends the session on an "unrecoverable backend error" without a reply.
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
    server.run();
    let c = s
        .login("sqluser", "secret")
        .await
        .expect("login after the restart");
    c.quit().await.expect("QUIT");
}

#[tokio::test]
async fn mariadb_holds_the_counter_store() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "CounterStore: counters in mod_sql's database");
    let Some(server) = Server::start() else {
        return;
    };
    let db = Maria(&server);
    let setup = Setup::new(&target).expect("setup");
    sql_support::populate(&db, &setup);
    let log = setup.dir().join("sql.log");
    let connect = format!("ftpdb@127.0.0.1:{} ftpd db-pw.1", server.port);
    let body =
        sql_support::config("mod_sql_mysql.c", "mysql", &connect, &log) + sql_support::BAN_IN_SQL;
    let mut s = sql_support::start(setup, &body);
    sql_support::bans_live_in_the_database(&mut s, &db).await;
}
