//! `mod_auth_pam.c` through a PAM service file the test writes to
//! `/etc/pam.d/oxftpd-test-<random>` (removed afterwards), with a system user made by
//! `useradd`. Root only (useradd, /etc/pam.d); returns early otherwise.

use oxftpd_testkit::{Setup, TestServer};

mod pam_fixture;

use pam_fixture::{PamService, SystemUser, root};

/// Starts the subject with `pam` as the PAM stack and `order` as AuthOrder; returns the
/// server and the user (password "pamsecret").
fn server(pam: &str, order: &str) -> (TestServer, SystemUser, PamService) {
    let target = oxftpd_testkit::target!();
    let mut setup = Setup::new(&target).expect("setup");
    let user = SystemUser::new(&setup.dir().join("home/pamuser"), "pamsecret");
    let service = PamService::new(pam);
    setup.auth_order(order);
    setup.config(&format!(
        "AuthPAM on\nAuthPAMConfig {}\nAuthPAMOptions NoTTY",
        service.name
    ));
    (TestServer::start(setup).expect("start"), user, service)
}

const PAM_UNIX: &str =
    "auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\n";
const PAM_DENY: &str =
    "auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n";
const PAM_PERMIT: &str =
    "auth required pam_permit.so\naccount required pam_permit.so\nsession required pam_permit.so\n";

async fn pass_code(server: &TestServer, user: &str, password: &str) -> (u16, String) {
    let mut c = server.client().await.expect("connect");
    let r = c.cmd(&format!("USER {user}")).await.expect("USER");
    assert_eq!(r.code, 331);
    let r = c.cmd(&format!("PASS {password}")).await.expect("PASS");
    (r.code, r.first_line().to_string())
}

#[tokio::test]
async fn pam_unix_checks_the_system_password() {
    if !root() {
        return;
    }
    let (server, user, _svc) = server(PAM_UNIX, "mod_auth_pam.c* mod_auth_unix.c");
    let (code, line) = pass_code(&server, &user.name, "pamsecret").await;
    assert_eq!(code, 230, "{line}\n{}", server.log());
    let (code, line) = pass_code(&server, &user.name, "wrong").await;
    assert_eq!((code, line.as_str()), (530, "530 Login incorrect."));
}

#[tokio::test]
async fn authoritative_pam_deny_refuses_a_right_password() {
    if !root() {
        return;
    }
    let (server, user, _svc) = server(PAM_DENY, "mod_auth_pam.c* mod_auth_unix.c");
    let (code, line) = pass_code(&server, &user.name, "pamsecret").await;
    assert_eq!((code, line.as_str()), (530, "530 Login incorrect."));
}

#[tokio::test]
async fn non_authoritative_pam_deny_falls_through_to_unix() {
    if !root() {
        return;
    }
    let (server, user, _svc) = server(PAM_DENY, "mod_auth_pam.c mod_auth_unix.c");
    let (code, line) = pass_code(&server, &user.name, "pamsecret").await;
    assert_eq!(code, 230, "{line}\n{}", server.log());
    let (code, _) = pass_code(&server, &user.name, "wrong").await;
    assert_eq!(code, 530);
}

#[tokio::test]
async fn authoritative_pam_permit_decides_alone() {
    if !root() {
        return;
    }
    let (server, user, _svc) = server(PAM_PERMIT, "mod_auth_pam.c* mod_auth_unix.c");
    let (code, line) = pass_code(&server, &user.name, "anything at all").await;
    assert_eq!(code, 230, "{line}\n{}", server.log());
}
