//! `SocketOptions` (mod_core): the server's side of a control connection gets the configured
//! TCP keepalive timings, as `ss` (iproute2) shows them.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

/// `ss`'s line for the server's end of the control connection whose client port is `client`.
fn server_socket(port: u16, client: u16) -> String {
    let out = Command::new("ss")
        .args(["-tnomH", "state", "established"])
        .arg(format!("( sport = :{port} and dport = :{client} )"))
        .output()
        .expect("run ss (iproute2)");
    String::from_utf8_lossy(&out.stdout).replace('\n', " ")
}

#[tokio::test]
async fn control_connections_get_the_configured_options() {
    let (server, _alice) = server_with("SocketOptions sndbuf 65536 keepalive 600:3:30\n");
    let mut c = login(&server).await;
    assert_eq!(line(&mut c, "NOOP").await, "200 NOOP command successful");
    let client = c.local_addr().port();
    // Once the last reply is acknowledged (no retransmit timer left), the first keepalive
    // probe is due within the configured 600 seconds of idleness.
    let mut ss = String::new();
    let shown = oxftpd_testkit::wait_until(Duration::from_secs(5), || {
        ss = server_socket(server.port(), client);
        ss.contains("timer:(keepalive,9min") || ss.contains("timer:(keepalive,10min")
    });
    assert!(shown, "{ss}");
}

#[tokio::test]
async fn keepalive_off_leaves_no_keepalive_timer() {
    let (server, _alice) = server_with("SocketOptions keepalive off\n");
    let mut c = login(&server).await;
    assert_eq!(line(&mut c, "NOOP").await, "200 NOOP command successful");
    let client = c.local_addr().port();
    let mut ss = String::new();
    let idle = oxftpd_testkit::wait_until(Duration::from_secs(5), || {
        ss = server_socket(server.port(), client);
        !ss.is_empty() && !ss.contains("timer:(on")
    });
    assert!(idle && !ss.contains("keepalive"), "{ss}");
}
