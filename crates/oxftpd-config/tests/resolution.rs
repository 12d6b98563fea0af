//! Context resolution: Global, VirtualHost, Anonymous, Directory, Limit, conditionals.

mod common;
use common::*;

use oxftpd_config::{ConditionKind, ContextRef};

const SERVERS: &str = "\
ServerName main
AllowOverwrite off
TimeoutIdle 100
<Global>
  TimeoutIdle 200
  TimeoutLogin 30
  DefaultRoot ~ staff
  <Directory /srv/shared>
    HideNoAccess on
  </Directory>
</Global>
DefaultRoot /jail
<VirtualHost 10.0.0.1 10.0.0.2>
  ServerName vhost
  <Anonymous ~ftp>
    User ftp
    TimeoutIdle 50
    <Directory incoming>
      AllowOverwrite on
    </Directory>
    <Limit WRITE>
      DenyAll
    </Limit>
  </Anonymous>
</VirtualHost>
";

#[test]
fn servers_in_file_order_with_addresses() {
    let c = ok(SERVERS);
    assert_eq!(c.servers().len(), 2);
    assert!(c.servers()[0].is_main());
    assert!(c.servers()[0].addresses().is_empty());
    assert!(!c.servers()[1].is_main());
    assert_eq!(c.servers()[1].addresses(), &["10.0.0.1", "10.0.0.2"]);
    assert_eq!(c.servers()[1].line(), 13);
}

#[test]
fn main_server_directives_do_not_reach_vhosts_but_global_reaches_both() {
    let c = ok(SERVERS);
    let (main, vhost) = (&c.servers()[0], &c.servers()[1]);
    assert_eq!(arg0(main.directive("ServerName")), Some("main"));
    assert_eq!(arg0(vhost.directive("ServerName")), Some("vhost"));
    // Main-server only.
    assert_eq!(arg0(main.directive("AllowOverwrite")), Some("off"));
    assert!(vhost.directive("AllowOverwrite").is_none());
    // Own value beats Global's; Global fills in what the server lacks.
    assert_eq!(arg0(main.directive("TimeoutIdle")), Some("100"));
    assert_eq!(arg0(vhost.directive("TimeoutIdle")), Some("200"));
    assert_eq!(arg0(main.directive("TimeoutLogin")), Some("30"));
    assert_eq!(arg0(vhost.directive("TimeoutLogin")), Some("30"));
    // Multi-valued: own first, then Global.
    let roots: Vec<&str> = main
        .directives("DefaultRoot")
        .map(|d| d.args[0].as_str())
        .collect();
    assert_eq!(roots, vec!["/jail", "~"]);
    let roots: Vec<&str> = vhost
        .directives("DefaultRoot")
        .map(|d| d.args[0].as_str())
        .collect();
    assert_eq!(roots, vec!["~"]);
    // <Directory> from <Global> reaches both.
    assert_eq!(main.directories().len(), 1);
    assert_eq!(vhost.directories()[0].pattern, "/srv/shared");
}

#[test]
fn anonymous_inherits_from_its_server_and_global() {
    let c = ok(SERVERS);
    let vhost = &c.servers()[1];
    assert_eq!(vhost.anonymous().len(), 1);
    let anon = &vhost.anonymous()[0];
    assert_eq!(anon.root(), "~ftp");
    assert_eq!(anon.line(), 15);
    let scope = vhost.scope(Some(0));
    assert_eq!(arg0(scope.directive("User")), Some("ftp"));
    assert_eq!(arg0(scope.directive("TimeoutIdle")), Some("50"));
    assert_eq!(arg0(scope.directive("ServerName")), Some("vhost"));
    assert_eq!(arg0(scope.directive("TimeoutLogin")), Some("30"));
    // Server scope does not see the anonymous block's settings.
    assert!(vhost.scope(None).directive("User").is_none());
    // Out-of-range index falls back to the server scope.
    assert!(vhost.scope(Some(9)).anonymous().is_none());
}

#[test]
fn relative_directory_inside_anonymous_is_under_its_root() {
    let c = ok(SERVERS);
    let anon = &c.servers()[1].anonymous()[0];
    assert_eq!(anon.directories()[0].written, "incoming");
    assert_eq!(anon.directories()[0].pattern, "~ftp/incoming");
    let resolve = |u: Option<&str>| (u == Some("ftp")).then(|| "/srv/ftp".to_string());
    let scope = c.servers()[1].scope(Some(0));
    let inside = scope.for_path_with("/srv/ftp/incoming/file", &resolve);
    assert_eq!(arg0(inside.directive("AllowOverwrite")), Some("on"));
    let outside = scope.for_path_with("/srv/ftp/pub", &resolve);
    assert!(outside.directive("AllowOverwrite").is_none());
    // Anonymous-level limits are in the chain after the directory levels.
    let levels: Vec<usize> = inside.limits().map(|l| l.limits.len()).collect();
    assert_eq!(levels, vec![1]);
    assert!(matches!(
        inside.limits().next().unwrap().context,
        ContextRef::Anonymous(_)
    ));
    // Unresolvable ~user: the block does not match yet.
    let none = |_: Option<&str>| None;
    assert!(
        scope
            .for_path_with("/srv/ftp/incoming", &none)
            .matched_directories()
            .is_empty()
    );
}

const DIRS: &str = "\
<Directory /srv>
  Umask 022
  AllowOverwrite off
  <Limit WRITE>
    DenyAll
  </Limit>
</Directory>
<Directory /srv/ftp/*>
  AllowOverwrite on
</Directory>
<Directory /srv/ftp/upload/>
  HiddenStores on
  <Limit STOR>
    AllowAll
  </Limit>
</Directory>
<Directory ~/public>
  DisplayChdir .pubmsg
</Directory>
<Directory /home/*/www>
  AllowStoreRestart on
</Directory>
<Limit LOGIN>
  AllowAll
</Limit>
<Limit LOGIN>
  DenyAll
</Limit>
";

#[test]
fn star_suffix_covers_below_but_not_the_directory_itself() {
    let c = ok(DIRS);
    let s = c.servers()[0].scope(None);
    let at = s.for_path("/srv/ftp", None);
    assert_eq!(arg0(at.directive("AllowOverwrite")), Some("off"));
    let below = s.for_path("/srv/ftp/pub/x", None);
    assert_eq!(arg0(below.directive("AllowOverwrite")), Some("on"));
    let patterns: Vec<&str> = below
        .matched_directories()
        .iter()
        .map(|d| d.pattern.as_str())
        .collect();
    assert_eq!(patterns, vec!["/srv/ftp/*", "/srv"]);
}

#[test]
fn most_specific_directory_wins_then_parents() {
    let c = ok(DIRS);
    let s = c.servers()[0]
        .scope(None)
        .for_path("/srv/ftp/upload/a.txt", None);
    let patterns: Vec<&str> = s
        .matched_directories()
        .iter()
        .map(|d| d.pattern.as_str())
        .collect();
    // Trailing slash normalised; longest first.
    assert_eq!(patterns, vec!["/srv/ftp/upload", "/srv/ftp/*", "/srv"]);
    assert_eq!(arg0(s.directive("HiddenStores")), Some("on"));
    assert_eq!(arg0(s.directive("AllowOverwrite")), Some("on"));
    assert_eq!(arg0(s.directive("Umask")), Some("022"));
    let umasks: Vec<&str> = s.directives("Umask").map(|d| d.args[0].as_str()).collect();
    assert_eq!(umasks, vec!["022"]);
    // Limits: each level in order, most specific first.
    let limit_cmds: Vec<Vec<String>> = s
        .limits()
        .map(|l| l.limits.iter().flat_map(|x| x.commands.clone()).collect())
        .collect();
    assert_eq!(
        limit_cmds,
        vec![
            vec!["STOR".to_string()],
            vec!["WRITE".to_string()],
            vec!["LOGIN".to_string(), "LOGIN".to_string()]
        ]
    );
}

#[test]
fn no_directory_match_outside() {
    let c = ok(DIRS);
    let s = c.servers()[0].scope(None).for_path("/srvx/file", None);
    assert!(s.matched_directories().is_empty());
    assert!(s.directive("Umask").is_none());
}

#[test]
fn tilde_directory_needs_the_home() {
    let c = ok(DIRS);
    let base = c.servers()[0].scope(None);
    assert!(
        base.for_path("/home/al/public/x", None)
            .directive("DisplayChdir")
            .is_none()
    );
    let s = base.for_path("/home/al/public/x", Some("/home/al"));
    assert_eq!(arg0(s.directive("DisplayChdir")), Some(".pubmsg"));
    assert!(
        base.for_path("/home/bo/public", Some("/home/al"))
            .directive("DisplayChdir")
            .is_none()
    );
}

#[test]
fn glob_component_matches() {
    let c = ok(DIRS);
    let base = c.servers()[0].scope(None);
    assert!(
        base.for_path("/home/al/www/index.html", None)
            .directive("AllowStoreRestart")
            .is_some()
    );
    assert!(
        base.for_path("/home/al/www", None)
            .directive("AllowStoreRestart")
            .is_some()
    );
    assert!(
        base.for_path("/home/al/mail", None)
            .directive("AllowStoreRestart")
            .is_none()
    );
}

#[test]
fn several_limit_login_blocks_kept_in_order() {
    let c = ok(DIRS);
    let limits = &c.servers()[0].block().limits;
    assert_eq!(limits.len(), 2);
    assert_eq!(limits[0].directives[0].name, "AllowAll");
    assert_eq!(limits[1].directives[0].name, "DenyAll");
    assert_eq!(limits[1].line, 26);
    let last = limits.iter().rev().find(|l| l.covers("login")).unwrap();
    assert_eq!(last.directives[0].name, "DenyAll");
}

#[test]
fn limit_commands_are_upper_cased_and_split() {
    let c = ok(
        "<Limit stor,appe  dele>\nOrder deny,allow\nAllow from 10.0.0.0/8\nDeny from all\n</Limit>\n",
    );
    let l = &c.servers()[0].block().limits[0];
    assert_eq!(l.commands, vec!["STOR", "APPE", "DELE"]);
    let names: Vec<&str> = l.directives.iter().map(|d| d.name).collect();
    assert_eq!(names, vec!["Order", "Allow", "Deny"]);
    assert_eq!(l.directives[1].args, vec!["from", "10.0.0.0/8"]);
}

#[test]
fn a_repeated_server_name_keeps_only_the_last() {
    let c = ok("ServerName one\nServerName two\n");
    let s = &c.servers()[0];
    assert_eq!(arg0(s.directive("ServerName")), Some("two"));
    assert_eq!(s.directives("ServerName").count(), 1);
}

#[test]
fn classes_and_conditionals_are_kept() {
    let c = ok("<Class local>\nFrom 127.0.0.1 ::1\nSatisfy any\n</Class>\n\
                <IfUser !admin>\nMaxClients 2\n<Limit SITE_CHMOD>\nDenyAll\n</Limit>\n</IfUser>\n\
                <VirtualHost 10.0.0.9>\n<IfClass local>\nTimeoutIdle 5\n</IfClass>\n</VirtualHost>\n");
    let main = &c.servers()[0];
    assert_eq!(main.classes().len(), 1);
    assert_eq!(main.classes()[0].name, "local");
    assert_eq!(
        main.classes()[0].directives[0].args,
        vec!["127.0.0.1", "::1"]
    );
    assert_eq!(c.servers()[1].classes().len(), 1);
    let conds: Vec<_> = main.scope(None).conditionals().map(|(_, c)| c).collect();
    assert_eq!(conds.len(), 1);
    assert_eq!(conds[0].kind, ConditionKind::User);
    assert_eq!(conds[0].args, vec!["!admin"]);
    assert_eq!(arg0(conds[0].block.directive("MaxClients")), Some("2"));
    assert_eq!(conds[0].block.limits[0].commands, vec!["SITE_CHMOD"]);
    // Not applied unconditionally.
    assert!(main.directive("MaxClients").is_none());
    let vc: Vec<_> = c.servers()[1]
        .scope(None)
        .conditionals()
        .map(|(_, c)| c.kind)
        .collect();
    assert_eq!(vc, vec![ConditionKind::Class]);
}

#[test]
fn conditional_contents_checked_against_enclosing_context() {
    assert_eq!(
        errs("<IfGroup ftp>\nAnonRequirePassword off\n</IfGroup>\n"),
        vec![
            "/etc/test.conf:2: AnonRequirePassword: not allowed in server config context (allowed in: <Anonymous>)"
        ]
    );
}

#[test]
fn directives_keep_file_and_line() {
    let c = ok(SERVERS);
    let d = c.servers()[1].scope(Some(0)).directive("User").unwrap();
    assert_eq!(&*d.file, std::path::Path::new("/etc/test.conf"));
    assert_eq!(d.line, 16);
}
