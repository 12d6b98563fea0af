//! The evaluator with plain values: configurations parsed from text, subjects built by hand.

use std::net::IpAddr;
use std::path::Path;

use oxftpd_config::{Config, ParseOptions, parse_str};

use super::*;

fn config(text: &str) -> Config {
    let specs = crate::modules::specs();
    match parse_str(text, Path::new("/test.conf"), &ParseOptions::new(&specs)) {
        Ok(c) => c,
        Err(e) => panic!("config does not parse: {e}"),
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn who<'a>(user: &'a str, groups: &'a [String], addr: &str) -> Subject<'a> {
    Subject {
        user: Some(user),
        groups: Some(groups),
        class: None,
        addr: ip(addr),
        host: None,
        arg: None,
    }
}

fn groups(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// The outcome of `command` on `path` for a subject.
fn at(c: &Config, path: &str, command: &str, s: &Subject<'_>) -> Outcome {
    let scope = c.main_server().scope(None).for_path(path, Some("/home/u"));
    decide(&scope, command, group_of(command), s, false)
}

#[test]
fn raw_command_beats_group_beats_all() {
    let c = config(
        "<Directory /srv>\n<Limit ALL>\nDenyAll\n</Limit>\n<Limit WRITE>\nAllowAll\n</Limit>\n\
         <Limit DELE>\nDenyAll\n</Limit>\n</Directory>\n",
    );
    let g = groups(&["users"]);
    let s = who("u", &g, "10.0.0.1");
    assert_eq!(at(&c, "/srv/f", "STOR", &s), Outcome::Allowed);
    assert_eq!(at(&c, "/srv/f", "DELE", &s), Outcome::Denied);
    assert_eq!(at(&c, "/srv/f", "RETR", &s), Outcome::Denied);
    assert_eq!(at(&c, "/other", "RETR", &s), Outcome::Allowed);
}

#[test]
fn raw_command_outward_beats_group_inward() {
    // The raw-name pass walks every context before the group pass starts.
    let c = config(
        "<Limit STOR>\nDenyAll\n</Limit>\n<Directory /srv>\n<Limit WRITE>\nAllowAll\n</Limit>\n</Directory>\n",
    );
    let g = groups(&[]);
    let s = who("u", &g, "10.0.0.1");
    assert_eq!(at(&c, "/srv/f", "STOR", &s), Outcome::Denied);
    assert_eq!(at(&c, "/srv/f", "MKD", &s), Outcome::Allowed);
}

#[test]
fn closest_directory_first_and_star_suffix() {
    let c = config(
        "<Directory /p>\n<Limit RMD XRMD>\nDenyAll\n</Limit>\n</Directory>\n\
         <Directory /p/*>\n<Limit RMD XRMD>\nAllowAll\n</Limit>\n</Directory>\n",
    );
    let g = groups(&[]);
    let s = who("u", &g, "10.0.0.1");
    assert_eq!(at(&c, "/p", "RMD", &s), Outcome::Denied);
    assert_eq!(at(&c, "/p/sub", "RMD", &s), Outcome::Allowed);
    assert_eq!(at(&c, "/p/sub", "XRMD", &s), Outcome::Allowed);
}

#[test]
fn x_variants_count_as_their_rfc_form() {
    let c = config("<Limit CWD MKD>\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    let s = who("u", &g, "10.0.0.1");
    assert_eq!(at(&c, "/", "XCWD", &s), Outcome::Denied);
    assert_eq!(at(&c, "/", "XMKD", &s), Outcome::Denied);
    assert_eq!(at(&c, "/", "XPWD", &s), Outcome::Allowed);
}

#[test]
fn all_leaves_out_data_setup_commands() {
    let c = config("<Limit ALL>\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    let s = who("u", &g, "10.0.0.1");
    for cmd in ["PASV", "EPSV", "PORT", "EPRT", "OPTS"] {
        assert_eq!(at(&c, "/", cmd, &s), Outcome::Allowed, "{cmd}");
    }
    assert_eq!(at(&c, "/", "NOOP", &s), Outcome::Denied);
}

#[test]
fn order_allow_deny_lets_an_allow_win() {
    let c = config("<Limit RETR>\nAllow from 10.1.0.0/16\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    assert_eq!(
        at(&c, "/f", "RETR", &who("u", &g, "10.1.2.3")),
        Outcome::Allowed
    );
    assert_eq!(
        at(&c, "/f", "RETR", &who("u", &g, "10.2.2.3")),
        Outcome::Denied
    );
}

#[test]
fn order_deny_allow_denies_what_is_not_allowed() {
    let c = config(
        "<Limit RETR>\nOrder deny,allow\nDeny from 10.1.1.\nAllow from 10.0.0.0/8\n</Limit>\n",
    );
    let g = groups(&[]);
    assert_eq!(
        at(&c, "/f", "RETR", &who("u", &g, "10.1.1.9")),
        Outcome::Denied
    );
    assert_eq!(
        at(&c, "/f", "RETR", &who("u", &g, "10.9.1.9")),
        Outcome::Allowed
    );
    // Nothing matches: deny,allow denies.
    assert_eq!(
        at(&c, "/f", "RETR", &who("u", &g, "192.168.1.1")),
        Outcome::Denied
    );
}

#[test]
fn deny_allow_with_denyall_denies_even_the_allowed() {
    let c = config("<Limit RETR>\nOrder deny,allow\nDenyAll\nAllow from 10.0.0.1\n</Limit>\n");
    let g = groups(&[]);
    assert_eq!(
        at(&c, "/f", "RETR", &who("u", &g, "10.0.0.1")),
        Outcome::Denied
    );
}

#[test]
fn cidr_and_ipv6_in_allow_from() {
    let c = config(
        "<Limit STOR>\nAllow from 192.168.16.0/20, 2001:db8::/32\nAllow from ::1\nDenyAll\n</Limit>\n",
    );
    let g = groups(&[]);
    for (addr, want) in [
        ("192.168.31.255", Outcome::Allowed),
        ("192.168.32.0", Outcome::Denied),
        ("2001:db8:1::5", Outcome::Allowed),
        ("2001:db9::5", Outcome::Denied),
        ("::1", Outcome::Allowed),
    ] {
        assert_eq!(at(&c, "/f", "STOR", &who("u", &g, addr)), want, "{addr}");
    }
}

#[test]
fn negated_address_refuses_the_whole_directive() {
    let c = config("<Limit STOR>\nAllow from 10.0.0.0/8,!10.0.0.7\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    assert_eq!(
        at(&c, "/f", "STOR", &who("u", &g, "10.0.0.6")),
        Outcome::Allowed
    );
    assert_eq!(
        at(&c, "/f", "STOR", &who("u", &g, "10.0.0.7")),
        Outcome::Denied
    );
}

#[test]
fn none_matches_nothing() {
    let c = config("<Limit STOR>\nAllow from none\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    assert_eq!(
        at(&c, "/f", "STOR", &who("u", &g, "10.0.0.6")),
        Outcome::Denied
    );
}

#[test]
fn user_lists_are_or_group_lists_are_and() {
    let c =
        config("<Limit DELE>\nAllowUser bob,dave\nAllowGroup staff,!interns\nDenyAll\n</Limit>\n");
    let none = groups(&[]);
    let staff = groups(&["staff"]);
    let intern = groups(&["staff", "interns"]);
    assert_eq!(
        at(&c, "/f", "DELE", &who("dave", &none, "10.0.0.1")),
        Outcome::Allowed
    );
    assert_eq!(
        at(&c, "/f", "DELE", &who("eve", &none, "10.0.0.1")),
        Outcome::Denied
    );
    assert_eq!(
        at(&c, "/f", "DELE", &who("eve", &staff, "10.0.0.1")),
        Outcome::Allowed
    );
    assert_eq!(
        at(&c, "/f", "DELE", &who("eve", &intern, "10.0.0.1")),
        Outcome::Denied
    );
}

#[test]
fn negated_user_and_regex_forms() {
    let c = config(
        "<Limit DELE>\nDenyUser !admin\n</Limit>\n<Limit RMD>\nAllowUser regex ^web\nDenyAll\n</Limit>\n",
    );
    let g = groups(&[]);
    assert_eq!(
        at(&c, "/f", "DELE", &who("admin", &g, "10.0.0.1")),
        Outcome::Allowed
    );
    assert_eq!(
        at(&c, "/f", "DELE", &who("joe", &g, "10.0.0.1")),
        Outcome::Denied
    );
    assert_eq!(
        at(&c, "/d", "RMD", &who("web1", &g, "10.0.0.1")),
        Outcome::Allowed
    );
    assert_eq!(
        at(&c, "/d", "RMD", &who("joe", &g, "10.0.0.1")),
        Outcome::Denied
    );
}

#[test]
fn ignore_hidden_hides_only_hidden_targets() {
    let c = config("<Limit CWD RETR>\nIgnoreHidden on\n</Limit>\n");
    let g = groups(&[]);
    let s = who("u", &g, "10.0.0.1");
    let scope = c.main_server().scope(None);
    assert_eq!(
        decide(&scope, "CWD", Some("DIRS"), &s, true),
        Outcome::Hidden
    );
    assert_eq!(
        decide(&scope, "CWD", Some("DIRS"), &s, false),
        Outcome::Allowed
    );
    assert_eq!(
        decide(&scope, "DELE", Some("WRITE"), &s, true),
        Outcome::Allowed
    );
}

#[test]
fn login_limits_anonymous_only_server() {
    let c = config(
        "<Limit LOGIN>\nDenyAll\n</Limit>\n<Anonymous /srv/ftp>\nUser ftp\n<Limit LOGIN>\nAllowAll\n</Limit>\n</Anonymous>\n",
    );
    let server = c.main_server();
    let g = groups(&[]);
    assert!(!login_allowed(server, None, &who("bob", &g, "10.0.0.1")));
    assert!(login_allowed(server, Some(0), &who("ftp", &g, "10.0.0.1")));
    let pre = Subject {
        user: None,
        groups: None,
        class: None,
        addr: ip("10.0.0.1"),
        host: None,
        arg: None,
    };
    assert!(connect_allowed(server, &pre));
}

#[test]
fn login_denied_by_address_disconnects_before_the_banner() {
    let c =
        config("<Limit LOGIN>\nOrder deny,allow\nDeny from 10.1.1.\nAllow from all\n</Limit>\n");
    let server = c.main_server();
    let pre = |a: &str| Subject {
        user: None,
        groups: None,
        class: None,
        addr: ip(a),
        host: None,
        arg: None,
    };
    assert!(!connect_allowed(server, &pre("10.1.1.5")));
    assert!(connect_allowed(server, &pre("10.1.2.5")));
}

#[test]
fn login_group_expression() {
    let c = config("<Limit LOGIN>\nDenyGroup !anonftp\n</Limit>\n");
    let server = c.main_server();
    let anon = groups(&["users", "anonftp"]);
    let plain = groups(&["users"]);
    assert!(login_allowed(server, None, &who("a", &anon, "10.0.0.1")));
    assert!(!login_allowed(server, None, &who("b", &plain, "10.0.0.1")));
    // Before USER, DenyGroup cannot match: the client may connect.
    let pre = Subject {
        user: None,
        groups: None,
        class: None,
        addr: ip("10.0.0.1"),
        host: None,
        arg: None,
    };
    assert!(connect_allowed(server, &pre));
}

#[test]
fn host_names_match_with_reverse_dns() {
    let c = config("<Limit STOR>\nAllow from .example.com\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    let mut s = who("u", &g, "10.0.0.1");
    assert_eq!(at(&c, "/f", "STOR", &s), Outcome::Denied);
    s.host = Some("ftp.example.com");
    assert_eq!(at(&c, "/f", "STOR", &s), Outcome::Allowed);
}

/// Groups come from the rows, SITE subcommands' from their SITE rows (as 1.3.8's cmdtables).
#[test]
fn site_subcommands_have_groups() {
    // The registry is fixed by `modules` before any lookup (as the daemon does).
    crate::modules::all();
    assert_eq!(group_of("SITE_CHMOD"), Some("WRITE"));
    assert_eq!(group_of("site_cpfr"), Some("READ"));
    assert_eq!(group_of("SITE_HELP"), None);
    assert_eq!(group_of("RNFR"), Some("WRITE"));
    assert_eq!(group_of("SIZE"), Some("READ"));
    assert_eq!(group_of("STAT"), Some("DIRS"));
    assert_eq!(group_of("NOOP"), None);
}

/// ALL leaves out the rows marked so; aliases match their verb's `<Limit>`.
#[test]
fn all_and_aliases_read_the_rows() {
    crate::modules::all();
    for verb in [
        "EPRT", "EPSV", "PASV", "PORT", "PROT", "OPTS", "USER", "PASS",
    ] {
        assert!(!in_all(verb), "{verb}");
    }
    for verb in ["NOOP", "RETR", "SITE_CHMOD", "XMKD"] {
        assert!(in_all(verb), "{verb}");
    }
    for verb in ["SYST", "TYPE", "MODE", "STRU", "QUIT"] {
        assert!(exempt(verb), "{verb}");
    }
    assert!(!exempt("NOOP"));
    let c = config("<Limit XMKD>\nDenyAll\n</Limit>\n<Limit CDUP>\nDenyAll\n</Limit>\n");
    let g = groups(&[]);
    let s = who("u", &g, "10.0.0.1");
    assert_eq!(at(&c, "/d", "MKD", &s), Outcome::Denied);
    assert_eq!(at(&c, "/d", "XCUP", &s), Outcome::Denied);
    assert_eq!(at(&c, "/d", "RMD", &s), Outcome::Allowed);
}
