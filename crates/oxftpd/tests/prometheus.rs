//! mod_prometheus.c (crates/oxftpd-mod-prometheus): the exporter answers with ProFTPD's
//! metric names, and the counters move with the traffic of the test. ProFTPD as Debian
//! ships it has no mod_prometheus, so these run against oxftpd only.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use oxftpd_testkit::{Setup, TestServer, free_port};

/// The metrics page, fetched with curl.
fn scrape(port: u16, auth: Option<&str>) -> (String, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-w", "\n%{http_code}", "--max-time", "10"]);
    if let Some(a) = auth {
        cmd.args(["-u", a]);
    }
    cmd.arg(format!("http://127.0.0.1:{port}/metrics"));
    let out = cmd.output().expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or((&text, ""));
    (body.to_string(), code.to_string())
}

/// The value of one sample line (`name{labels} value`), if present.
fn sample(page: &str, series: &str) -> Option<f64> {
    page.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn skip_for_proftpd() -> bool {
    oxftpd_testkit::target!().is_proftpd()
}

#[tokio::test]
async fn the_exporter_counts_connections_logins_listings_and_transfers() {
    if skip_for_proftpd() {
        return;
    }
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    setup.add_user("alice", "secret").expect("alice");
    let port = free_port().expect("port");
    let tables = setup.dir().join("prometheus");
    let log = setup.dir().join("prometheus.log");
    setup.config(&format!(
        "<IfModule mod_prometheus.c>\n  PrometheusEngine on\n  PrometheusExporter 127.0.0.1:{port}\n  PrometheusTables {}\n  PrometheusLog {}\n</IfModule>\nAllowOverwrite on\n",
        tables.display(),
        log.display()
    ));
    let s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    // The tables directory is made as mod_prometheus makes it.
    let empty = std::fs::metadata(tables.join("empty")).expect("PrometheusTables/empty");
    assert_eq!(empty.permissions().mode() & 0o7777, 0o111);

    let mut bad = s.client().await.expect("connect");
    bad.cmd_expect("USER alice", 331).await.expect("USER");
    bad.cmd_expect("PASS wrong", 530).await.expect("PASS");
    bad.quit().await.expect("QUIT");

    let mut c = s.login("alice", "secret").await.expect("login");
    c.type_i().await.expect("TYPE I");
    c.stor("up.bin", b"hello").await.expect("STOR");
    assert_eq!(c.retr("up.bin").await.expect("RETR"), b"hello");
    c.list(None).await.expect("LIST");
    let r = c.cmd("RETR missing.bin").await.expect("RETR missing");
    assert_eq!(r.code, 550);

    let (page, code) = scrape(port, None);
    assert_eq!(code, "200", "{page}");
    let ftp = "{protocol=\"ftp\"}";
    assert_eq!(
        sample(&page, &format!("proftpd_login_total{ftp}")),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, &format!("proftpd_login_count{ftp}")),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "proftpd_login_error_total{protocol=\"ftp\",reason=\"bad_password\"}"
        ),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "proftpd_connection_count{protocol=\"ftp\",server=\"testkit\"}"
        ),
        Some(1.0),
        "{page}"
    );
    assert!(
        sample(
            &page,
            "proftpd_connection_total{protocol=\"ftp\",server=\"testkit\"}"
        )
        .is_some_and(|n| n >= 2.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, &format!("proftpd_file_upload_total{ftp}")),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, &format!("proftpd_file_download_total{ftp}")),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, &format!("proftpd_file_download_bytes_sum{ftp}")),
        Some(5.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, &format!("proftpd_directory_list_total{ftp}")),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(&page, &format!("proftpd_file_download_count{ftp}")),
        Some(0.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "proftpd_command_total{command=\"RETR\",reply=\"5xx\"}"
        ),
        Some(1.0),
        "{page}"
    );
    assert_eq!(
        sample(
            &page,
            "proftpd_command_total{command=\"STOR\",reply=\"2xx\"}"
        ),
        Some(1.0),
        "{page}"
    );
    assert!(
        page.contains("proftpd_build_info{proftpd_version=\"1.3.8\""),
        "{page}"
    );
    c.quit().await.expect("QUIT");
    let text = std::fs::read_to_string(&log).expect("PrometheusLog");
    assert!(text.contains("mod_prometheus/0.2["), "{text}");
    assert!(
        text.contains(&format!("exporter listening on 127.0.0.1:{port}")),
        "{text}"
    );
}

#[tokio::test]
async fn a_user_and_password_guard_the_exporter() {
    if skip_for_proftpd() {
        return;
    }
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let port = free_port().expect("port");
    let tables = setup.dir().join("prometheus");
    setup.config(&format!(
        "PrometheusEngine on\nPrometheusExporter 127.0.0.1:{port} prom s3cret\nPrometheusTables {}\n",
        tables.display()
    ));
    let _s = TestServer::start(setup).unwrap_or_else(|e| panic!("start: {e}"));
    assert_eq!(scrape(port, None).1, "401");
    assert_eq!(scrape(port, Some("prom:wrong")).1, "401");
    let (page, code) = scrape(port, Some("prom:s3cret"));
    assert_eq!(code, "200");
    assert!(page.contains("# TYPE proftpd_connection counter"), "{page}");
}

#[test]
fn an_unknown_option_is_a_config_error_with_file_and_line() {
    if skip_for_proftpd() {
        return;
    }
    let mut setup = Setup::new(&oxftpd_testkit::target!()).expect("setup");
    let port = free_port().expect("port");
    setup.config(&format!(
        "PrometheusEngine on\nPrometheusExporter 127.0.0.1:{port}\nPrometheusOptions Foo\n"
    ));
    let out = setup.check_config().expect("run -t");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("PrometheusOptions: : unknown PrometheusOption 'Foo'"),
        "{err}"
    );
}
