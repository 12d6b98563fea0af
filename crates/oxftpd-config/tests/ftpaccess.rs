//! `.ftpaccess` files, duplicate `<Directory>` sections, and which `<Directory>` blocks an
//! `<Anonymous>` login sees.

mod common;
use common::*;

use std::path::Path;

use oxftpd_config::{ContextRef, parse_ftpaccess};

const FILE: &str = "/home/u/pub/.ftpaccess";

fn problems(text: &str) -> Vec<String> {
    parse_ftpaccess(text, Path::new(FILE), &opts())
        .problems
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn ftpaccess_keeps_allowed_directives_and_limits() {
    let f = parse_ftpaccess(
        "HideFiles ^secret\nUmask 077\n<Limit STOR>\n  DenyUser bob\n</Limit>\n",
        Path::new(FILE),
        &opts(),
    );
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    assert_eq!(
        f.block.directive("HideFiles").and_then(|d| d.arg(0)),
        Some("^secret")
    );
    assert_eq!(
        f.block.directive("Umask").and_then(|d| d.arg(0)),
        Some("077")
    );
    assert_eq!(f.block.limits.len(), 1);
    assert_eq!(f.block.limits[0].commands, vec!["STOR".to_string()]);
    assert_eq!(f.block.limits[0].directives[0].name, "DenyUser");
}

#[test]
fn ftpaccess_refuses_other_directives_but_keeps_the_rest() {
    let text = "ServerName x\nHideFiles ^a\nHideUser bob\nInclude /etc/x.conf\n\
                <Directory /x>\nUmask 022\n</Directory>\nAllowOverwrite maybe\nBogus 1\n";
    let f = parse_ftpaccess(text, Path::new(FILE), &opts());
    // Only HideFiles survives: the <Directory> section is skipped whole.
    let names: Vec<&str> = f.block.directives.iter().map(|d| d.name).collect();
    assert_eq!(names, vec!["HideFiles"]);
    let p = problems(text);
    assert_eq!(p.len(), 6, "{p:?}");
    assert!(
        p[0].starts_with(&format!(
            "{FILE}:1: ServerName: not allowed in .ftpaccess context"
        )),
        "{}",
        p[0]
    );
    assert!(
        p[1].starts_with(&format!("{FILE}:3: HideUser: not allowed in .ftpaccess")),
        "{}",
        p[1]
    );
    assert!(
        p[2].starts_with(&format!("{FILE}:4: Include: not allowed in .ftpaccess")),
        "{}",
        p[2]
    );
    assert_eq!(
        p[3],
        format!("{FILE}:5: <Directory>: not allowed in .ftpaccess context")
    );
    assert!(
        p[4].starts_with(&format!("{FILE}:8: AllowOverwrite:")),
        "{}",
        p[4]
    );
    assert!(
        p[5].starts_with(&format!("{FILE}:9: Bogus: unknown configuration directive")),
        "{}",
        p[5]
    );
}

#[test]
fn ftpaccess_unclosed_limit_still_applies() {
    let f = parse_ftpaccess("<Limit CWD>\nDenyAll\n", Path::new(FILE), &opts());
    assert_eq!(f.block.limits.len(), 1);
    assert_eq!(f.block.limits[0].directives[0].name, "DenyAll");
}

#[test]
fn overrides_are_the_innermost_levels() {
    let c = ok("<Directory /home/u/pub>\nHideFiles ^dir\nUmask 022\n</Directory>\n");
    let f = parse_ftpaccess("HideFiles ^file\n", Path::new(FILE), &opts());
    let scope = c
        .main_server()
        .scope(None)
        .for_path("/home/u/pub/x", None)
        .with_overrides(&[&f.block]);
    assert_eq!(arg0(scope.directive("HideFiles")), Some("^file"));
    assert_eq!(arg0(scope.directive("Umask")), Some("022"));
    assert!(matches!(scope.levels()[0], ContextRef::Override(_)));
    let plain = c.main_server().scope(None).for_path("/home/u/pub/x", None);
    assert_eq!(arg0(plain.directive("HideFiles")), Some("^dir"));
}

#[test]
fn second_directory_for_the_same_path_is_an_error() {
    let e = errs(
        "<Directory /srv/x>\nAllowOverwrite on\n</Directory>\n<Directory /srv/x>\nAllowOverwrite off\n</Directory>\n",
    );
    assert_eq!(
        e,
        vec![
            "/etc/test.conf:4: <Directory>: <Directory> section already configured for '/srv/x'"
                .to_string()
        ]
    );
    let e = errs(
        "<VirtualHost 127.0.0.2>\n<Directory ~>\nUmask 022\n</Directory>\n<Directory ~>\n</Directory>\n</VirtualHost>\n",
    );
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with(
        "/etc/test.conf:5: <Directory>: <Directory> section already configured for '~'"
    ));
}

#[test]
fn duplicates_proftpd_accepts() {
    // An empty first block, another spelling, or inside <Anonymous>/<Global>: ProFTPD takes them.
    ok("<Directory /srv/x>\n</Directory>\n<Directory /srv/x>\nUmask 022\n</Directory>\n");
    ok(
        "<Directory /srv/x>\nUmask 022\n</Directory>\n<Directory /srv/x/>\nUmask 022\n</Directory>\n",
    );
    ok(
        "<Anonymous /srv/a>\n<Directory /srv/x>\nUmask 022\n</Directory>\n<Directory /srv/x>\nUmask 022\n</Directory>\n</Anonymous>\n",
    );
    ok(
        "<Global>\n<Directory /srv/x>\nUmask 022\n</Directory>\n<Directory /srv/x>\nUmask 022\n</Directory>\n</Global>\n",
    );
}

#[test]
fn anonymous_login_does_not_see_server_directories() {
    // ProFTPD 1.3.8: a server-level <Directory> inside the anonymous root does not apply.
    let c = ok(
        "<Directory /srv/anon/sub>\nUmask 077\n</Directory>\n<Anonymous /srv/anon>\n</Anonymous>\n",
    );
    let anon = c
        .main_server()
        .scope(Some(0))
        .for_path("/srv/anon/sub", None);
    assert!(anon.matched_directories().is_empty());
    assert_eq!(anon.directive("Umask"), None);
    let real = c.main_server().scope(None).for_path("/srv/anon/sub", None);
    assert_eq!(arg0(real.directive("Umask")), Some("077"));
}
