//! The AuthOrder chain: order and authoritative semantics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use oxftpd_auth::{
    AuthChain, AuthError, AuthOrderError, AuthProvider, DEFAULT_AUTH_ORDER, Flow, Identity,
    from_auth_order, from_auth_order_with,
};

/// A provider that knows one user with one password, and counts calls.
struct Fake {
    module: &'static str,
    user: &'static str,
    password: &'static str,
    uid: u32,
    calls: Arc<AtomicUsize>,
}

impl Fake {
    fn new(module: &'static str, user: &'static str, password: &'static str, uid: u32) -> Self {
        Fake {
            module,
            user,
            password,
            uid,
            calls: Arc::default(),
        }
    }

    fn id(&self) -> Identity {
        Identity {
            name: self.user.into(),
            uid: self.uid,
            gid: self.uid,
            groups: vec![self.uid],
            group_names: vec![],
            home: format!("/home/{}", self.user).into(),
            shell: "/bin/sh".into(),
            pam_session: None,
        }
    }
}

impl AuthProvider for Fake {
    fn module(&self) -> &'static str {
        self.module
    }
    fn authenticate(&self, user: &str, password: &str) -> Flow<Identity> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if user != self.user {
            Flow::Continue
        } else if password != self.password {
            Flow::Break(Err(AuthError::BadPassword))
        } else {
            Flow::Break(Ok(self.id()))
        }
    }
    fn lookup(&self, user: &str) -> Flow<Identity> {
        if user == self.user {
            Flow::Break(Ok(self.id()))
        } else {
            Flow::Continue
        }
    }
    fn user_name(&self, uid: u32) -> Option<String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        (uid == self.uid).then(|| self.user.to_string())
    }
    fn group_name(&self, gid: u32) -> Option<String> {
        (gid == self.uid).then(|| format!("g{}", self.user))
    }
    fn group_id(&self, name: &str) -> Option<u32> {
        (name == format!("g{}", self.user)).then_some(self.uid)
    }
    fn user_id(&self, name: &str) -> Option<u32> {
        (name == self.user).then_some(self.uid)
    }
}

fn chain(a: Fake, a_auth: bool, b: Fake, b_auth: bool) -> AuthChain {
    AuthChain::new(vec![(Box::new(a), a_auth), (Box::new(b), b_auth)])
}

#[test]
fn first_provider_that_knows_the_user_decides() {
    // Both know "sam"; the first one's password is what counts.
    let c = chain(
        Fake::new("a.c", "sam", "one", 10),
        false,
        Fake::new("b.c", "sam", "two", 20),
        false,
    );
    assert_eq!(c.authenticate("sam", "one").unwrap().uid, 10);
    assert_eq!(c.authenticate("sam", "two"), Err(AuthError::BadPassword));
    assert_eq!(c.lookup("sam").unwrap().uid, 10);
}

#[test]
fn unknown_users_fall_through() {
    let b = Fake::new("b.c", "tom", "pw", 30);
    let b_calls = Arc::clone(&b.calls);
    let c = chain(Fake::new("a.c", "sam", "one", 10), false, b, false);
    assert_eq!(c.authenticate("tom", "pw").unwrap().uid, 30);
    assert_eq!(c.authenticate("nobody", "pw"), Err(AuthError::NoSuchUser));
    assert_eq!(c.lookup("nobody"), Err(AuthError::NoSuchUser));
    // A refusal by the first provider never reaches the second.
    let before = b_calls.load(Ordering::SeqCst);
    assert_eq!(c.authenticate("sam", "bad"), Err(AuthError::BadPassword));
    assert_eq!(b_calls.load(Ordering::SeqCst), before);
}

#[test]
fn authoritative_provider_ends_the_chain() {
    let b = Fake::new("b.c", "tom", "pw", 30);
    let b_calls = Arc::clone(&b.calls);
    let c = chain(Fake::new("a.c", "sam", "one", 10), true, b, false);
    assert_eq!(c.authenticate("tom", "pw"), Err(AuthError::NoSuchUser));
    assert_eq!(c.lookup("tom"), Err(AuthError::NoSuchUser));
    assert_eq!(b_calls.load(Ordering::SeqCst), 0);
    assert_eq!(c.authenticate("sam", "one").unwrap().uid, 10);
    assert_eq!(c.user_id("tom"), None);
    assert_eq!(c.user_id("sam"), Some(10));
    assert_eq!(c.modules(), vec![("a.c", true), ("b.c", false)]);
    // Authoritative last: same as not.
    let c = chain(
        Fake::new("a.c", "sam", "one", 10),
        false,
        Fake::new("b.c", "tom", "pw", 30),
        true,
    );
    assert_eq!(c.authenticate("tom", "pw").unwrap().uid, 30);
}

#[test]
fn names_across_the_chain_are_cached() {
    let a = Fake::new("a.c", "sam", "one", 10);
    let a_calls = Arc::clone(&a.calls);
    let c = chain(a, false, Fake::new("b.c", "tom", "pw", 30), false);
    assert_eq!(c.user_name(30).as_deref(), Some("tom"));
    assert_eq!(c.user_name(10).as_deref(), Some("sam"));
    assert_eq!(c.group_name(30).as_deref(), Some("gtom"));
    assert_eq!(c.group_id("gsam"), Some(10));
    assert_eq!(c.user_name(99), None);
    let calls = a_calls.load(Ordering::SeqCst);
    for _ in 0..100 {
        assert_eq!(c.user_name(30).as_deref(), Some("tom"));
        assert_eq!(c.user_name(99), None);
    }
    assert_eq!(a_calls.load(Ordering::SeqCst), calls);
}

#[test]
fn auth_order_names() {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let c = from_auth_order(&names(&["mod_auth_unix.c*", "mod_auth_file.c"]), None, None).unwrap();
    assert_eq!(
        c.modules(),
        vec![("mod_auth_unix.c", true), ("mod_auth_file.c", false)]
    );
    let c = from_auth_order(&[], None, None).unwrap();
    assert_eq!(
        c.modules(),
        DEFAULT_AUTH_ORDER
            .iter()
            .map(|m| (*m, false))
            .collect::<Vec<_>>()
    );
    assert_eq!(DEFAULT_AUTH_ORDER, &["mod_auth_file.c", "mod_auth_unix.c"]);
    assert!(matches!(
        from_auth_order(&names(&["mod_auth_file.c", "mod_auth.c"]), None, None),
        Err(AuthOrderError::UnknownModule(m)) if m == "mod_auth.c"
    ));
    assert!(from_auth_order(&names(&["mod_sql.c*"]), None, None).is_err());
}

#[test]
fn real_chain_file_then_unix() {
    // A file user and a system user through the default order.
    let dir = tempfile::tempdir().unwrap();
    let passwd = dir.path().join("ftpd.passwd");
    std::fs::write(
        &passwd,
        "root:$1$abcdefgh$y6iHhJNbuC0xpbk0w9pm80:5000:5000::/srv/ftp:/bin/false\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&passwd, std::fs::Permissions::from_mode(0o600)).unwrap();
    let c = from_auth_order(&[], Some(&passwd), None).unwrap();
    // The file shadows the system's root.
    assert_eq!(c.authenticate("root", "correct horse").unwrap().uid, 5000);
    assert_eq!(c.user_name(5000).as_deref(), Some("root"));
    // Unix-only users still resolve through NSS.
    assert_eq!(c.group_name(0).as_deref(), Some("root"));
    // ProFTPD's startup rules are fatal here too.
    std::fs::set_permissions(&passwd, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(
        from_auth_order(&[], Some(&passwd), None),
        Err(AuthOrderError::File(_))
    ));
    assert!(from_auth_order_with(&[], Some(&passwd), None, true).is_ok());
    assert!(matches!(
        from_auth_order(&[], Some(&dir.path().join("missing")), None),
        Err(AuthOrderError::File(_))
    ));
    std::fs::set_permissions(&passwd, std::fs::Permissions::from_mode(0o600)).unwrap();
    let only_unix = from_auth_order(&["mod_auth_unix.c".to_string()], Some(&passwd), None).unwrap();
    assert_eq!(only_unix.lookup("root").unwrap().uid, 0);
}

/// A provider that only checks passwords (mod_radius without RadiusUserInfo): it vouches.
struct Voucher(&'static str);

impl AuthProvider for Voucher {
    fn module(&self) -> &'static str {
        "v.c"
    }
    fn authenticate(&self, _user: &str, password: &str) -> Flow<Identity> {
        if password == self.0 {
            Flow::Vouch
        } else {
            Flow::Break(Err(AuthError::BadPassword))
        }
    }
    fn lookup(&self, _user: &str) -> Flow<Identity> {
        Flow::Vouch
    }
    fn user_name(&self, _uid: u32) -> Option<String> {
        None
    }
    fn group_name(&self, _gid: u32) -> Option<String> {
        None
    }
    fn group_id(&self, _name: &str) -> Option<u32> {
        None
    }
    fn user_id(&self, _name: &str) -> Option<u32> {
        None
    }
}

#[test]
fn a_vouched_password_takes_the_account_from_the_look_up() {
    let b = Fake::new("b.c", "sam", "file-password", 40);
    let b_calls = Arc::clone(&b.calls);
    let c = AuthChain::new(vec![
        (Box::new(Voucher("radius")), false),
        (Box::new(b), false),
    ]);
    // The voucher's password, the file's account; the file's password is never asked.
    assert_eq!(c.authenticate("sam", "radius").unwrap().uid, 40);
    assert_eq!(b_calls.load(Ordering::SeqCst), 0);
    assert_eq!(
        c.authenticate("sam", "file-password"),
        Err(AuthError::BadPassword)
    );
    // Vouched for, but nobody has the account.
    assert_eq!(
        c.authenticate("ghost", "radius"),
        Err(AuthError::NoSuchUser)
    );
    // In a look-up a voucher is passed by.
    assert_eq!(c.lookup("sam").unwrap().uid, 40);
}
