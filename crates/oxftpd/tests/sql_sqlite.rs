//! mod_sql with mod_sql_sqlite.c: users, groups and SQLLog in a SQLite file the test makes
//! (python3's sqlite3 module writes and reads it). The same config runs against Debian's
//! ProFTPD with proftpd-mod-sqlite.

mod sql_support;

use std::path::Path;

use oxftpd_testkit::Setup;
use sql_support::{Sql, database};

fn conf(db: &Path, log: &Path) -> String {
    sql_support::config(
        "mod_sql_sqlite.c",
        "sqlite3",
        &db.display().to_string(),
        log,
    )
}

#[tokio::test]
async fn sqlite_users_log_in_own_their_files_and_are_logged() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let db = database(&setup);
    let home = sql_support::populate(&db, &setup);
    let log = setup.dir().join("sql.log");
    let body = conf(&db.0, &log);
    let s = sql_support::start(setup, &body);
    sql_support::logins(&s).await;
    sql_support::upload_is_owned_and_logged(&s, &db, &home).await;
    sql_support::no_injection(&s, &db).await;
    sql_support::real_clients(&s);
}

#[tokio::test]
async fn a_missing_database_refuses_logins_and_a_bad_config_is_an_error() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpd's log line and config checks");
    let setup = Setup::new(&target).expect("setup");
    let missing = setup.dir().join("db/none.db");
    let log = setup.dir().join("sql.log");
    let body = conf(&missing, &log);
    let s = sql_support::start(setup, &body);
    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER sqluser", 331).await.expect("USER");
    let r = c.cmd("PASS secret").await.expect("PASS");
    assert_eq!(r.code, 530, "{r:?}");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("database unavailable"), "SQLLogFile: {text}");

    let mut setup = Setup::new(&target).expect("setup");
    setup.config("SQLRatioStats on\n");
    let out = setup.check_config().expect("-t");
    let err =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("SQLRatioStats") && err.contains("mod_ratio"),
        "{err}"
    );
}

#[tokio::test]
async fn sqlite_quota_tables_count_limit_and_default() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let db = database(&setup);
    let home = sql_support::populate(&db, &setup);
    db.exec(sql_support::QUOTA_SCHEMA);
    let log = setup.dir().join("sql.log");
    let body = conf(&db.0, &log) + sql_support::QUOTA_CONFIG;
    let s = sql_support::start(setup, &body);
    sql_support::quota_tables_in_sql(&s, &db, &home).await;
}
