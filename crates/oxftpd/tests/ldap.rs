//! mod_ldap against a slapd the test starts (Debian's `slapd`, see `ldap_support`): logins by
//! bind and by `userPassword`, identities and groups from the directory, filters that a user
//! name cannot change, TLS (ldaps:// and StartTLS), several servers, and a directory that goes
//! away and comes back. The same configurations run against Debian's ProFTPD with
//! proftpd-mod-ldap.

mod ldap_support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;
use std::time::{Duration, Instant};

use ldap_support::{ALICE_UID, BOB_UID, GID, Slapd};
use oxftpd_testkit::Setup;

#[tokio::test]
async fn ldap_users_log_in_by_bind_with_their_ids_and_groups() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = ldap_support::homes(setup.dir());
    let Some(slapd) = Slapd::start(&home) else {
        return;
    };
    let log = setup.dir().join("ldap.log");
    let body = ldap_support::config(&slapd.url(), &log, "  LDAPAuthBinds on");
    let s = ldap_support::start(setup, &body);

    let mut c = s.client().await.expect("connect");
    c.cmd_expect("USER alice", 331).await.expect("USER");
    let r = c.cmd("PASS alicepw").await.expect("PASS");
    assert_eq!(r.code, 230, "{r:?}\n{}\n{}", s.log(), slapd.log());
    assert!(r.text().contains("User alice logged in"), "{r:?}");
    c.type_i().await.expect("TYPE I");
    c.stor("up.bin", b"hello").await.expect("STOR");
    // EXTRA_GID is a supplementary group from memberUid: alice may write there.
    c.stor("extra/x.bin", b"x")
        .await
        .expect("STOR into the memberUid group's dir");
    c.quit().await.expect("QUIT");
    let meta = std::fs::metadata(home.join("alice/up.bin")).expect("uploaded");
    assert_eq!((meta.uid(), meta.gid()), (ALICE_UID, GID));

    // bob's userPassword is a {CRYPT} hash: slapd checks it on bind.
    let mut c = s.login("bob", "bobpw").await.expect("bob by bind");
    c.type_i().await.expect("TYPE I");
    c.stor("b.bin", b"b").await.expect("STOR");
    // bob is not in the extra group.
    let r = c.cmd("STOR ../alice/extra/no.bin").await.expect("STOR");
    assert!(r.code >= 500, "{r:?}");
    c.quit().await.expect("QUIT");
    assert_eq!(
        std::fs::metadata(home.join("bob/b.bin"))
            .expect("b.bin")
            .uid(),
        BOB_UID
    );

    for (user, pass) in [
        ("alice", "wrong"),
        ("alice", ""),
        ("bob", "alicepw"),
        ("nobody-here", "x"),
        // An entry without posixAccount is not a user for the default filter.
        ("carol", "carolpw"),
    ] {
        let code = ldap_support::pass_code(&s, user, pass).await;
        assert_eq!(code, 530, "{user}/{pass}");
    }
    // Filter metacharacters in a name are data: none of these finds alice (or anyone).
    for user in [
        "*",
        "al*",
        "alice)(uid=*",
        "*)(|(uid=*",
        "alice\\",
        "(uid=alice)",
    ] {
        let code = ldap_support::pass_code(&s, user, "alicepw").await;
        assert_eq!(code, 530, "{user}");
    }

    // curl and python3's ftplib.
    let url = format!("ftp://127.0.0.1:{}/", s.port());
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "--user", "alice:alicepw", &url])
        .output()
        .expect("curl");
    assert!(out.status.success(), "curl: {out:?}");
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("up.bin"), "{listing}");
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20", "--user", "alice:nope", &url])
        .output()
        .expect("curl");
    assert_eq!(out.status.code(), Some(67), "curl with a bad password");
    let script = format!(
        "import ftplib\nf = ftplib.FTP()\nf.connect('127.0.0.1', {}, timeout=20)\nprint(f.login('bob', 'bobpw'))\nprint(f.pwd())\nf.quit()\n",
        s.port()
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .expect("python3");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("230"),
        "ftplib: {out:?}"
    );
}

#[tokio::test]
async fn auth_binds_off_compares_user_password_schemes() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = ldap_support::homes(setup.dir());
    let Some(slapd) = Slapd::start(&home) else {
        return;
    };
    let log = setup.dir().join("ldap.log");
    let body = ldap_support::config(
        &slapd.url(),
        &log,
        "  LDAPAuthBinds off\n  LDAPDefaultAuthScheme clear",
    );
    let s = ldap_support::start(setup, &body);
    // alice: no {scheme}, compared as LDAPDefaultAuthScheme clear; bob: {CRYPT}; dave: {CLEAR}.
    for (user, pass, code) in [
        ("alice", "alicepw", 230),
        ("alice", "alicepw2", 530),
        ("bob", "bobpw", 230),
        ("bob", "bobpw ", 530),
        ("dave", "davepw", 230),
        ("dave", "", 530),
    ] {
        assert_eq!(
            ldap_support::pass_code(&s, user, pass).await,
            code,
            "{user}/{pass}\n{}",
            s.log()
        );
    }
}

#[tokio::test]
async fn defaults_generated_homes_and_attribute_names() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = ldap_support::homes(setup.dir());
    let Some(slapd) = Slapd::start(&home) else {
        return;
    };
    let log = setup.dir().join("ldap.log");
    // carol has no posixAccount: a filter of our own finds her, the defaults give her ids, and
    // her home is generated. Everyone gets the forced gid.
    let body = format!(
        "<IfModule !mod_ldap.c>
LoadModule mod_ldap.c
</IfModule>
LDAPServer {}
LDAPBindDN \"{}\" {}
LDAPUsers ou=people,{} \"(&(uid=%u)(objectclass=inetOrgPerson))\"
LDAPDefaultUID 7000
LDAPDefaultGID 7001
LDAPForceDefaultGID on
LDAPGenerateHomedir on
LDAPGenerateHomedirPrefix {}
LDAPLog {}
AllowOverwrite on
",
        slapd.url(),
        ldap_support::BIND_DN,
        ldap_support::BIND_PW,
        ldap_support::SUFFIX,
        home.display(),
        log.display()
    );
    let s = ldap_support::start(setup, &body);
    let mut c = s.login("carol", "carolpw").await.expect("carol");
    c.type_i().await.expect("TYPE I");
    c.stor("c.bin", b"c").await.expect("STOR");
    c.quit().await.expect("QUIT");
    let meta = std::fs::metadata(home.join("carol/c.bin")).expect("c.bin in the generated home");
    assert_eq!((meta.uid(), meta.gid()), (7000, 7001));
    // alice keeps her uidNumber and homeDirectory; her gid is forced.
    let mut c = s.login("alice", "alicepw").await.expect("alice");
    c.type_i().await.expect("TYPE I");
    c.stor("f.bin", b"f").await.expect("STOR");
    c.quit().await.expect("QUIT");
    let meta = std::fs::metadata(home.join("alice/f.bin")).expect("f.bin");
    assert_eq!((meta.uid(), meta.gid()), (ALICE_UID, 7001));
}

#[tokio::test]
async fn ldaps_starttls_and_a_certificate_that_does_not_verify() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    // The homes outlive each server's setup: three servers use them in turn.
    let base = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let home = ldap_support::homes(base.path());
    let Some(slapd) = Slapd::start(&home) else {
        return;
    };
    let ca = slapd.certs.ca.display().to_string();
    let log = setup.dir().join("ldap.log");
    let target = setup.target().clone();

    let body = ldap_support::config(&format!("{} ssl-ca:{ca}", slapd.tls_url()), &log, "");
    let mut setup = setup;
    if target.is_proftpd() {
        // ProFTPD 1.3.8 applies ssl-ca: to StartTLS only; for ldaps:// libldap reads its own
        // setting. oxftpd applies ssl-ca: to both.
        setup.env("LDAPTLS_CACERT", &ca);
    }
    let s = ldap_support::start(setup, &body);
    assert_eq!(
        ldap_support::pass_code(&s, "alice", "alicepw").await,
        230,
        "ldaps://\n{}\n{}",
        s.log(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    drop(s);

    let setup = Setup::new(&target).expect("setup");
    let log = setup.dir().join("ldap.log");
    let body = ldap_support::config(
        &format!("{} ssl-ca:{ca}", slapd.url()),
        &log,
        "  LDAPUseTLS on",
    );
    let s = ldap_support::start(setup, &body);
    assert_eq!(
        ldap_support::pass_code(&s, "bob", "bobpw").await,
        230,
        "StartTLS\n{}\n{}",
        s.log(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    drop(s);

    // A CA that did not sign slapd's certificate: no connection, no login, no plain-text retry.
    let setup = Setup::new(&target).expect("setup");
    let other = oxftpd_testkit::tls::Pki::new(setup.dir(), "another CA");
    let log = setup.dir().join("ldap.log");
    let body = ldap_support::config(
        &format!("{} ssl-ca:{}", slapd.url(), other.ca.display()),
        &log,
        "  LDAPUseTLS on",
    );
    let s = ldap_support::start(setup, &body);
    assert_eq!(ldap_support::pass_code(&s, "alice", "alicepw").await, 530);
}

#[tokio::test]
async fn a_directory_that_goes_away_refuses_logins_and_service_comes_back() {
    let setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let home = ldap_support::homes(setup.dir());
    let Some(mut slapd) = Slapd::start(&home) else {
        return;
    };
    let is_oxftpd = setup.target().is_oxftpd();
    let log = setup.dir().join("ldap.log");
    // The first server is a port nobody listens on: the second one answers.
    let dead = oxftpd_testkit::free_port().expect("port");
    let servers = format!("ldap://127.0.0.1:{dead}/??sub {}", slapd.url());
    let body = ldap_support::config(
        &servers,
        &log,
        "  LDAPConnectTimeout 3\n  LDAPQueryTimeout 3",
    );
    let s = ldap_support::start(setup, &body);
    // A session that is logged in keeps working while the directory is away.
    let mut kept = s.login("alice", "alicepw").await.expect("login");

    slapd.stop();
    let t = Instant::now();
    assert_eq!(ldap_support::pass_code(&s, "alice", "alicepw").await, 530);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    if is_oxftpd {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(text.contains("directory unavailable"), "LDAPLog: {text}");
    }
    kept.type_i().await.expect("TYPE I");
    kept.stor("while-away.bin", b"w")
        .await
        .expect("STOR while the directory is away");

    slapd.run();
    assert_eq!(
        ldap_support::pass_code(&s, "alice", "alicepw").await,
        230,
        "after the directory came back\n{}",
        s.log()
    );
    kept.quit().await.expect("QUIT");
}

#[tokio::test]
async fn what_oxftpd_refuses_in_the_configuration() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "oxftpd's configuration errors");
    for (line, says) in [
        ("LDAPProtocolVersion 2", "LDAPv3 only"),
        ("LDAPUseSASL DIGEST-MD5", "SASL"),
        (
            "LDAPDefaultQuota \"false,soft,0,0,0,0,0,0\"",
            "mod_quotatab_ldap",
        ),
        (
            "LDAPServer http://h/",
            "valid schemes are 'ldap' or 'ldaps'",
        ),
        ("LDAPServer ldap://h/dc=x", "base DN may not be specified"),
        ("LDAPServer h ssl-ciphers:DEFAULT", "rustls"),
        ("LDAPUsers on", "base DN"),
        (
            "LDAPUsers dc=x \"(uid=%u\"",
            "not a valid LDAP search filter",
        ),
        ("LDAPAttr ftpQuota q", "mod_quotatab_ldap"),
        ("LDAPAttr mail m", "unknown attribute name"),
        ("LDAPSearchScope deep", "base, onelevel, subtree"),
        (
            "LDAPUsers dc=x\nLDAPForceGeneratedHomedir on",
            "needs LDAPGenerateHomedir",
        ),
    ] {
        let mut setup = Setup::new(&target).expect("setup");
        setup.config(&format!("{line}\n"));
        let out = setup.check_config().expect("-t");
        let err = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{line}: {err}");
        assert!(err.contains(says), "{line}: {err}");
    }
}
