//! mod_sftp_sql: `SFTPAuthorizedUserKeys sql:/NAME` takes a user's public keys from the rows
//! of a `SQLNamedQuery`, in a SQLite file the test writes (python3's sqlite3 module): the
//! bare base64 key ProFTPD's docs store, an RFC 4716 block, and an OpenSSH line, with
//! `%{0}` bound as the user's name. A key in no row is refused.

mod sftp_support;

use std::path::Path;
use std::process::Command;

use oxftpd_testkit::tools::{path_arg, run_ok};
use sftp_support::{Auth, have_clients, keygen, shown};

/// Writes `rows` (name, key) into a new table `sftpuserkeys` of the SQLite file `db`.
fn write_keys(db: &Path, rows: &[(&str, String)]) {
    let mut script = String::from(
        "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n\
         c.execute('CREATE TABLE sftpuserkeys (name TEXT NOT NULL, key TEXT NOT NULL)')\n",
    );
    for (i, _) in rows.iter().enumerate() {
        script.push_str(&format!(
            "c.execute('INSERT INTO sftpuserkeys VALUES (?, ?)', (sys.argv[{}], sys.argv[{}]))\n",
            2 + 2 * i,
            3 + 2 * i
        ));
    }
    script.push_str("c.commit()\n");
    let mut cmd = Command::new("python3");
    cmd.args(["-c", &script, path_arg(db)]);
    for (name, key) in rows {
        cmd.args([*name, key.as_str()]);
    }
    run_ok(&mut cmd);
}

fn public_part(key: &Path) -> String {
    std::fs::read_to_string(format!("{}.pub", key.display())).expect("public key")
}

#[test]
fn keys_come_from_the_named_query() {
    if !have_clients() {
        return;
    }
    let target = oxftpd_testkit::target!();
    let mut keys = Vec::new();
    let s = sftp_support::start_with(&target, |setup, _| {
        let d = setup.dir().to_path_buf();
        for name in ["bare", "rfc4716", "openssh", "stranger"] {
            let k = d.join(format!("key_{name}"));
            keygen(&k, "ed25519", &[]);
            keys.push(k);
        }
        let bare = public_part(&keys[0])
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let rfc4716 = run_ok(Command::new("ssh-keygen").args([
            "-e",
            "-f",
            &format!("{}.pub", keys[1].display()),
        ]))
        .stdout;
        let rows = vec![
            ("alice", bare),
            ("alice", String::from_utf8_lossy(&rfc4716).into_owned()),
            ("alice", public_part(&keys[2])),
            ("mallory", public_part(&keys[3])),
        ];
        let db = d.join("keys.db");
        write_keys(&db, &rows);
        format!(
            "SQLEngine log\nSQLBackend sqlite3\nSQLConnectInfo {}\nSQLLogFile {}/sql.log\n\
             SQLNamedQuery get-user-keys SELECT \"key FROM sftpuserkeys WHERE name = '%{{0}}'\"\n\
             SFTPAuthorizedUserKeys sql:/get-user-keys",
            db.display(),
            d.display()
        )
    });
    let here = s.local("client");
    // An OpenSSH line in a row is oxftpd's addition (ProFTPD 1.3.8 reads RFC 4716 and the
    // bare key only).
    let served = if target.is_proftpd() { 2 } else { 3 };
    for key in &keys[..served] {
        let out = s.sftp(Auth::Key(key), "pwd\n", &here);
        assert!(
            out.status.success(),
            "{}: {}\n{}",
            key.display(),
            shown(&out),
            s.server.log()
        );
    }
    // mallory's row does not serve alice, and the file store is not configured.
    for key in [&keys[3], &s.key] {
        let out = s.sftp(Auth::Key(key), "pwd\n", &here);
        assert!(!out.status.success(), "{}: {}", key.display(), shown(&out));
    }
}
