//! mod_ifsession through `Scope::with_session`: matching conditionals take part in lookups.

mod common;
use common::*;

use oxftpd_config::{ConditionKind, Conditional};

const CONF: &str = "\
AllowOverwrite off
Umask 022
<Directory /srv/locked>
  AllowOverwrite off
</Directory>
<IfUser alice>
  AllowOverwrite on
  Umask 077
  <Directory /srv/alice>
    HideNoAccess on
  </Directory>
  <IfGroup staff>
    Umask 002
  </IfGroup>
</IfUser>
<IfUser bob>
  AllowOverwrite on
</IfUser>
";

fn user_is<'a>(name: &'a str, groups: &'a [&'a str]) -> impl Fn(&Conditional) -> bool + 'a {
    move |c: &Conditional| match c.kind {
        ConditionKind::User => c.args.iter().any(|a| a == name),
        ConditionKind::Group => c.args.iter().any(|a| groups.contains(&a.as_str())),
        ConditionKind::Class => false,
    }
}

fn value<'a>(scope: &oxftpd_config::Scope<'a>, name: &str) -> Option<&'a str> {
    scope.directive(name).and_then(|d| d.arg(0))
}

#[test]
fn matching_conditional_overrides_the_server_level() {
    let c = ok(CONF);
    let server = c.main_server();
    let plain = server.scope(None);
    assert_eq!(value(&plain, "AllowOverwrite"), Some("off"));
    let alice = server.scope(None).with_session(&user_is("alice", &[]));
    assert_eq!(value(&alice, "AllowOverwrite"), Some("on"));
    assert_eq!(value(&alice, "Umask"), Some("077"));
    assert_eq!(alice.matched_conditionals().len(), 1);
    let carol = server.scope(None).with_session(&user_is("carol", &[]));
    assert_eq!(value(&carol, "AllowOverwrite"), Some("off"));
}

#[test]
fn nested_conditionals_apply_only_inside_a_match() {
    let c = ok(CONF);
    let server = c.main_server();
    let staff_alice = server
        .scope(None)
        .with_session(&user_is("alice", &["staff"]));
    assert_eq!(value(&staff_alice, "Umask"), Some("002"));
    let staff_bob = server.scope(None).with_session(&user_is("bob", &["staff"]));
    assert_eq!(value(&staff_bob, "Umask"), Some("022"));
}

#[test]
fn directories_stay_more_specific_and_conditional_directories_join() {
    let c = ok(CONF);
    let server = c.main_server();
    let alice = server.scope(None).with_session(&user_is("alice", &[]));
    let locked = alice.for_path("/srv/locked/x", None);
    assert_eq!(value(&locked, "AllowOverwrite"), Some("off"));
    let own = alice.for_path("/srv/alice/x", None);
    assert_eq!(value(&own, "HideNoAccess"), Some("on"));
    let bob = server.scope(None).with_session(&user_is("bob", &[]));
    assert_eq!(
        value(&bob.for_path("/srv/alice/x", None), "HideNoAccess"),
        None
    );
}
