//! The merge gives the answers of [`Scope::directive`]/[`Scope::directives`], level by level.

use std::path::Path;

use super::*;
use crate::tree::{ConditionKind, Conditional, Config};
use crate::{ParseOptions, parse_ftpaccess, parse_str};

/// The directive tables of the modules this crate describes (the server's list names the
/// modules it compiles in; these tests need only the tables).
static TABLES: &[&crate::ModuleSpec] = &[
    &crate::modules::mod_core::MODULE,
    &crate::modules::mod_xfer::MODULE,
    &crate::modules::mod_auth_pam::MODULE,
    &crate::modules::mod_auth_unix::MODULE,
    &crate::modules::mod_auth_file::MODULE,
    &crate::modules::mod_auth::MODULE,
    &crate::modules::mod_ls::MODULE,
    &crate::modules::mod_tls::MODULE,
    &crate::modules::mod_site::MODULE,
    &crate::modules::mod_facts::MODULE,
    &crate::modules::mod_site_misc::MODULE,
    &crate::modules::mod_copy::MODULE,
    &crate::modules::mod_digest::MODULE,
    &crate::modules::mod_log::MODULE,
    &crate::modules::mod_delay::MODULE,
    &crate::modules::mod_dso::MODULE,
    &crate::modules::mod_ident::MODULE,
    &crate::modules::mod_ifsession::MODULE,
    &crate::modules::mod_wrap::MODULE,
    &crate::modules::mod_wrap2::MODULE,
    &crate::modules::mod_case::MODULE,
    &crate::modules::mod_rewrite::MODULE,
    &crate::modules::mod_unique_id::MODULE,
    &crate::modules::mod_readme::MODULE,
    &crate::modules::mod_lang::MODULE,
    &crate::modules::mod_deflate::MODULE,
    &crate::modules::mod_ban::MODULE,
    &crate::modules::mod_quotatab::MODULE,
    &crate::modules::mod_ratio::MODULE,
    &crate::modules::mod_proxy_protocol::MODULE,
];

fn parse(text: &str) -> Config {
    match parse_str(text, Path::new("/t.conf"), &ParseOptions::new(TABLES)) {
        Ok(c) => c,
        Err(e) => panic!("config does not parse: {e:?}"),
    }
}

fn ftpaccess(text: &str) -> Block {
    parse_ftpaccess(
        text,
        Path::new("/srv/ftp/a/.ftpaccess"),
        &ParseOptions::new(TABLES),
    )
    .block
}

/// Matches `<IfUser alice>` and nothing else.
fn alice(c: &Conditional) -> bool {
    c.kind == ConditionKind::User && c.args.iter().any(|a| a == "alice")
}

const CONF: &str = "
ServerName main
<Global>
  AllowOverwrite on
  TimesGMT off
  DefaultChdir /global
  TransferLog /var/log/global.xferlog
</Global>
TimesGMT on
TimesGMT off
ServerName second
DefaultChdir /server
<Directory />
  HideUser root
</Directory>
MaxStoreFileSize 10 Mb
MaxStoreFileSize 20 Mb user bob
<IfUser alice>
  AllowOverwrite off
  AllowStoreRestart on
  AllowStoreRestart off
</IfUser>
<Directory /srv/ftp>
  AllowOverwrite off
  HideUser dir
  MaxStoreFileSize 1 Kb
</Directory>
<Directory /srv/ftp/a>
  AllowOverwrite on
  HiddenStores on
  HideUser subdir
</Directory>
<Anonymous /srv/anon>
  User ftp
  AllowOverwrite off
  TransferLog /var/log/anon.xferlog
  <Directory incoming>
    AllowOverwrite on
  </Directory>
</Anonymous>
";

fn every_name() -> impl Iterator<Item = &'static str> {
    TABLES
        .iter()
        .flat_map(|m| m.directives.iter())
        .map(|d| d.name)
}

/// The merge answers what the scope answers, for every registered directive.
fn same_as_scope(scope: &Scope<'_>) {
    let m = Merged::of(scope);
    for name in every_name() {
        assert_eq!(m.one(name), scope.directive(name), "{name}");
        let merged: Vec<&Directive> = m.all(name).collect();
        let scoped: Vec<&Directive> = scope.directives(name).collect();
        assert_eq!(merged, scoped, "{name}");
    }
}

#[test]
fn merge_matches_the_scope_at_every_level() {
    let config = parse(CONF);
    let server = config.main_server();
    let extra = ftpaccess("AllowOverwrite off\nHideUser ftpaccess\n");
    let overrides = [&extra];
    for anon in [None, Some(0)] {
        let base = server.scope(anon);
        let users = [base.clone(), base.with_session(&alice)];
        for user in &users {
            for path in [
                "/",
                "/srv/ftp",
                "/srv/ftp/a/f",
                "/srv/anon/incoming/x",
                "/elsewhere",
            ] {
                let scope = user.for_path(path, None);
                same_as_scope(&scope);
                same_as_scope(&scope.with_overrides(&overrides));
            }
        }
    }
}

#[test]
fn global_server_anonymous_directory_ftpaccess() {
    let config = parse(CONF);
    let server = config.main_server();
    let cfg = |scope: &Scope<'_>| Effective::of(scope);
    // <Global> alone, then the server over <Global>.
    assert!(cfg(&server.scope(None)).core.allow_overwrite);
    assert!(
        cfg(&server.scope(None)).ls.times_gmt,
        "the server's first TimesGMT over <Global>'s"
    );
    // Nested <Directory>: the longest match decides.
    let s = server.scope(None);
    assert!(!cfg(&s.for_path("/srv/ftp/b", None)).core.allow_overwrite);
    assert!(cfg(&s.for_path("/srv/ftp/a/f", None)).core.allow_overwrite);
    assert_eq!(
        cfg(&s.for_path("/srv/ftp/a/f", None)).xfer.hidden_stores,
        Some((".in.".to_string(), ".".to_string()))
    );
    assert_eq!(
        cfg(&s.for_path("/srv/ftp/b", None)).xfer.hidden_stores,
        None
    );
    // .ftpaccess over every <Directory>.
    let extra = ftpaccess("AllowOverwrite off\n");
    let overrides = [&extra];
    let with = s.for_path("/srv/ftp/a/f", None).with_overrides(&overrides);
    assert!(!cfg(&with).core.allow_overwrite);
    // <Anonymous> over the server, its own <Directory> over it.
    let a = server.scope(Some(0));
    assert!(!cfg(&a.for_path("/srv/anon/x", None)).core.allow_overwrite);
    assert!(
        cfg(&a.for_path("/srv/anon/incoming/x", None))
            .core
            .allow_overwrite
    );
    assert_eq!(
        cfg(&a).xfer.transfer_log.as_deref(),
        Some("/var/log/anon.xferlog")
    );
    assert_eq!(
        cfg(&s).xfer.transfer_log.as_deref(),
        Some("/var/log/global.xferlog")
    );
}

#[test]
fn if_user_sits_between_directory_and_server() {
    let config = parse(CONF);
    let server = config.main_server();
    let s = server.scope(None).with_session(&alice);
    // <IfUser> over the server and <Global> …
    assert!(
        !Effective::of(&s.for_path("/elsewhere", None))
            .core
            .allow_overwrite
    );
    // … under a <Directory>.
    assert!(
        Effective::of(&s.for_path("/srv/ftp/a/f", None))
            .core
            .allow_overwrite
    );
    // Not for another user.
    assert!(
        Effective::of(&server.scope(None).for_path("/elsewhere", None))
            .core
            .allow_overwrite
    );
}

#[test]
fn first_or_last_occurrence_in_one_context() {
    let config = parse(CONF);
    let server = config.main_server();
    let e = Effective::of(&server.scope(None));
    // `TimesGMT` keeps the first of two in one context (ProFTPD's find_config).
    let m = Merged::of(&server.scope(None));
    assert_eq!(m.arg("TimesGMT", 0).as_deref(), Some("on"));
    assert!(e.ls.times_gmt);
    // `ServerName` keeps the last (its handler assigns the server's name).
    assert_eq!(m.arg("ServerName", 0).as_deref(), Some("second"));
    // Inside <IfUser>, the last occurrence wins for every directive.
    let alice = Effective::of(&server.scope(None).with_session(&alice));
    assert!(!alice.xfer.allow_store_restart);
}

#[test]
fn lists_run_from_the_most_specific_level() {
    let config = parse(CONF);
    let server = config.main_server();
    let s = server.scope(None).for_path("/srv/ftp/a/f", None);
    let e = Effective::of(&s);
    assert_eq!(e.core.hide_user, ["subdir", "dir", "root"]);
    let chdirs: Vec<&str> = e.auth.default_chdir.iter().map(|a| a[0].as_str()).collect();
    assert_eq!(chdirs, ["/server", "/global"]);
    // Size rules: only the most specific level that has any.
    assert_eq!(
        e.xfer.max_store_file_size,
        [vec!["1".to_string(), "Kb".to_string()]]
    );
    let e = Effective::of(&server.scope(None).for_path("/elsewhere", None));
    assert_eq!(e.xfer.max_store_file_size.len(), 2);
}

#[test]
fn origin_names_the_deciding_level() {
    let config = parse(
        "<Directory /srv/ftp>\n  TLSRequired on\n</Directory>\n<Anonymous /srv/anon>\n  TLSRequired on\n</Anonymous>\n",
    );
    let server = config.main_server();
    let e = Effective::of(&server.scope(None).for_path("/srv/ftp/x", None));
    assert_eq!(
        e.tls.required_origin,
        Some(Origin::Directory("/srv/ftp".into()))
    );
    let e = Effective::of(&server.scope(Some(0)));
    assert_eq!(
        e.tls.required_origin,
        Some(Origin::Anonymous("/srv/anon".into()))
    );
    assert_eq!(Effective::of(&server.scope(None)).tls.required_origin, None);
}

#[test]
fn views_name_only_registered_directives() {
    let m = Merged::default();
    let _ = Effective::from_merged(&m);
    let asked = m.asked.borrow();
    assert!(asked.len() > 50);
    for name in asked.iter() {
        let found = crate::registry::lookup(TABLES, name);
        assert_eq!(found.map(|f| f.spec.name), Some(*name), "{name}");
    }
}

#[test]
fn limit_and_class_rules_are_typed_when_read() {
    let config = parse(
        "<Class friends>\n  From 10.0.0.1, 10.0.0.2\n  From !10.0.0.3\n  Satisfy all\n</Class>\n\
         <Limit LOGIN>\n  Order deny,allow\n  AllowUser alice\n  Allow from 10.0.0.0/8\n  DenyAll\n  IgnoreHidden on\n</Limit>\n",
    );
    let server = config.main_server();
    let rules = &server.block().limits[0].rules;
    assert!(rules.deny_first && rules.deny_all && !rules.allow_all);
    assert_eq!(rules.ignore_hidden, Some(true));
    assert_eq!(rules.allow_user, [vec!["alice".to_string()]]);
    assert_eq!(
        rules.allow,
        [vec!["from".to_string(), "10.0.0.0/8".to_string()]]
    );
    let class = server.classes()[0].rules();
    assert!(class.satisfy_all);
    assert_eq!(class.from, ["10.0.0.1", "10.0.0.2", "!10.0.0.3"]);
}
