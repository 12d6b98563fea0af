//! Where a session starts: `DefaultChdir` with ProFTPD's user variables and its fall-back,
//! and `USER` again after login. (The test kit jails every user with `DefaultRoot ~`; the
//! paths below are the jail's.)

mod common;

use common::*;

/// `DefaultChdir ~/%u` and `%u[N]` take the login name (or its Nth letter).
#[tokio::test]
async fn default_chdir_takes_user_variables() {
    let (server, alice) = server_with("DefaultChdir ~/%u[0]/%u");
    dir(&alice, "a");
    dir(&alice, "a/alice");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/a/alice\" is the current directory"
    );
}

/// A `DefaultChdir` that cannot be entered leaves a jailed session at its root, as mod_auth
/// falls back (an unjailed one goes to its home directory).
#[tokio::test]
async fn a_missing_default_chdir_falls_back() {
    let (server, _alice) = server_with("DefaultChdir ~/nowhere");
    let mut c = login(&server).await;
    assert_eq!(
        line(&mut c, "PWD").await,
        "257 \"/\" is the current directory"
    );
}

/// `USER` for the name already logged in answers 230; another name is refused; `PASS` after
/// login is out of sequence.
#[tokio::test]
async fn user_again_after_login() {
    let (server, _alice) = server_with("");
    let mut c = login(&server).await;
    assert_eq!(line(&mut c, "USER alice").await, "230 User alice logged in");
    assert_eq!(
        line(&mut c, "USER bob").await,
        "501 Reauthentication not supported"
    );
    assert_eq!(
        line(&mut c, "PASS secret").await,
        "503 You are already logged in"
    );
}

/// The server's own `AuthAliasOnly on`: only a `UserAlias` name logs in, not the real one.
#[tokio::test]
async fn auth_alias_only_at_server_level() {
    let (server, _alice) = server_with("UserAlias ally alice\nAuthAliasOnly on");
    assert!(
        server.login("ally", "secret").await.is_ok(),
        "the alias logs in"
    );
    let refused = server.login("alice", "secret").await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("530 Login incorrect.")),
        "{:?}",
        refused.err()
    );
}
