//! A single-valued directive repeated in one context: which occurrence takes effect
//! (ProFTPD 1.3.8's rule: the first, except for directives whose handler sets a server field
//! or a process-wide value, and inside `<IfUser>`/`<IfGroup>`/`<IfClass>`, where the last does),
//! and the warning that says so.

mod common;

use common::ALL;
use common::{arg0, ok, parse};
use oxftpd_config::{Duplicate, registry};

/// The warnings of a configuration that parses, rendered.
fn warnings(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(c) => c.warnings().iter().map(|w| w.to_string()).collect(),
        Err(e) => panic!("unexpected errors:\n{e}"),
    }
}

#[test]
fn the_first_of_a_repeated_directive_takes_effect() {
    let c = ok("TimeoutIdle 2\nAllowOverwrite on\nTimeoutIdle 30\nAllowOverwrite off\n");
    let s = c.main_server();
    assert_eq!(arg0(s.directive("TimeoutIdle")), Some("2"));
    assert_eq!(arg0(s.directive("AllowOverwrite")), Some("on"));
    assert_eq!(s.directives("TimeoutIdle").count(), 1);
}

#[test]
fn the_ignored_occurrence_is_named_in_a_warning() {
    assert_eq!(
        warnings("TransferLog none\nTransferLog /var/log/xferlog\n"),
        vec![
            "/etc/test.conf:2: TransferLog: already set at /etc/test.conf:1: ignored, \
             the first occurrence in a context takes effect"
        ]
    );
}

#[test]
fn directives_that_set_a_server_value_keep_the_last() {
    let c = ok("ServerName one\nMaxInstances 1\nServerName two\nMaxInstances 10\n");
    let s = c.main_server();
    assert_eq!(arg0(s.directive("ServerName")), Some("two"));
    assert_eq!(arg0(s.directive("MaxInstances")), Some("10"));
    assert_eq!(
        warnings("PidFile /run/a.pid\nPidFile /run/b.pid\n"),
        vec![
            "/etc/test.conf:2: PidFile: overrides the one at /etc/test.conf:1: \
             the last occurrence takes effect"
        ]
    );
}

#[test]
fn the_registry_marks_only_value_setting_directives_last_wins() {
    let mut last: Vec<&str> = ALL
        .iter()
        .flat_map(|m| m.directives.iter())
        .filter(|d| !d.multi && d.duplicate == Duplicate::Last)
        .map(|d| d.name)
        .collect();
    last.sort_unstable();
    assert_eq!(
        last,
        vec![
            // mod_ctrls and mod_ctrls_admin keep their settings in static variables.
            "AdminControlsEngine",
            "ControlsAuthFreshness",
            "ControlsEngine",
            "ControlsInterval",
            "ControlsLog",
            "ControlsMaxClients",
            "ControlsSocket",
            "ControlsSocketACL",
            "ControlsSocketOwner",
            "CounterStore",
            "DefaultAddress",
            "MaxConnectionRate",
            "MaxInstances",
            "ModulePath",
            "PidFile",
            "SandboxLandlock",
            "SandboxSeccomp",
            "Satisfy",
            "ScoreboardFile",
            "ScoreboardMutex",
            "ServerAdmin",
            "ServerName",
            "ServerType",
            "SocketBindTight",
            "SyslogFacility",
            "TraceLog",
            "UseIPv6",
            "UseReverseDNS",
        ]
    );
    let port = registry::lookup(&ALL, "Port").map(|f| f.spec.duplicate);
    assert_eq!(port, Some(Duplicate::First));
}

#[test]
fn inside_a_conditional_the_last_takes_effect() {
    let c = ok("<IfUser bob>\nAccessGrantMsg \"A\"\nAccessGrantMsg \"B\"\n</IfUser>\n");
    let scope = c.main_server().scope(None);
    let conds: Vec<_> = scope.conditionals().map(|(_, c)| c).collect();
    assert_eq!(conds.len(), 1);
    assert_eq!(arg0(conds[0].block.directive("AccessGrantMsg")), Some("B"));
    assert_eq!(conds[0].block.directives("AccessGrantMsg").count(), 1);
}

#[test]
fn each_context_keeps_its_own_occurrence() {
    let c = ok(
        "Umask 022\n<Anonymous /srv/ftp>\nUmask 077\nUmask 027\n</Anonymous>\n\
                <Directory /srv>\nUmask 002\n</Directory>\n",
    );
    let s = c.main_server();
    assert_eq!(arg0(s.directive("Umask")), Some("022"));
    assert_eq!(arg0(s.anonymous()[0].directive("Umask")), Some("077"));
    assert_eq!(
        arg0(s.directories()[0].block.directive("Umask")),
        Some("002")
    );
    assert_eq!(
        warnings("Umask 022\n<Directory /srv>\nUmask 002\n</Directory>\n").len(),
        0
    );
}

#[test]
fn transparent_sections_share_the_enclosing_context() {
    let c = ok("<IfModule mod_xfer.c>\nAllowOverwrite off\n</IfModule>\nAllowOverwrite on\n");
    assert_eq!(
        arg0(c.main_server().directive("AllowOverwrite")),
        Some("off")
    );
}

#[test]
fn multi_directives_keep_every_occurrence() {
    let c = ok("DefaultRoot ~/a\nDefaultRoot ~/b\n");
    assert_eq!(c.main_server().directives("DefaultRoot").count(), 2);
    assert!(warnings("DefaultRoot ~/a\nDefaultRoot ~/b\n").is_empty());
}

#[test]
fn a_repeat_in_a_limit_keeps_the_first() {
    let c = ok("<Limit STOR>\nOrder allow,deny\nOrder deny,allow\nDenyAll\n</Limit>\n");
    let l = &c.main_server().block().limits[0];
    let names: Vec<&str> = l.directives.iter().map(|d| d.name).collect();
    assert_eq!(names, vec!["Order", "DenyAll"]);
    assert_eq!(l.directives[0].args, vec!["allow,deny"]);
}
