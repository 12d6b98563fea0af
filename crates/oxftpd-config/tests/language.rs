//! The language: conditionals, Include, Define, substitution, quoting, continuation.

// This file calls libc (or other C APIs): unsafe code is allowed here only, each block
// with a SAFETY comment saying why it is sound.
#![allow(unsafe_code)]

mod common;
use common::*;

use std::path::Path;

use common::ALL;
use oxftpd_config::{ParseOptions, parse_file, parse_str};

#[test]
fn ifmodule_with_and_without_negation() {
    let c = ok("<IfModule mod_xfer.c>\nAllowOverwrite on\n</IfModule>\n\
                <IfModule !mod_xfer.c>\nBogus 1\n</IfModule>\n\
                <IfModule mod_shaper.c>\nShaperEngine on\n<IfModule mod_sql.c>\nSQLEngine on\n</IfModule>\n</IfModule>\n\
                <IfModule !mod_shaper>\nServerName no-tls\n</IfModule>\n\
                <IfModule mod_ls>\nTimesGMT off\n</IfModule>\n");
    let s = &c.servers()[0];
    assert_eq!(arg0(s.directive("AllowOverwrite")), Some("on"));
    assert_eq!(arg0(s.directive("ServerName")), Some("no-tls"));
    assert_eq!(arg0(s.directive("TimesGMT")), Some("off"));
    assert_eq!(s.block().directives.len(), 3);
}

#[test]
fn ifmodule_uses_the_given_module_list() {
    let only_core = [&oxftpd_config::modules::mod_core::MODULE];
    let opts = ParseOptions::new(&only_core);
    let c = parse_str(
        "<IfModule mod_xfer.c>\nAllowOverwrite on\n</IfModule>\n<IfModule !mod_xfer.c>\nServerName x\n</IfModule>\n",
        Path::new("/t.conf"),
        &opts,
    )
    .unwrap();
    let s = &c.servers()[0];
    assert!(s.directive("AllowOverwrite").is_none());
    assert_eq!(arg0(s.directive("ServerName")), Some("x"));
}

#[test]
fn ifdefine_with_and_without_negation_and_dash_d() {
    let text = "Define LOCAL\n<IfDefine LOCAL>\nServerName local\n</IfDefine>\n\
                <IfDefine !LOCAL>\nServerName remote\n</IfDefine>\n\
                <IfDefine FROM_CLI>\nPort 2121\n</IfDefine>\n<IfDefine !FROM_CLI>\nPort 21\n</IfDefine>\n";
    let c = ok(text);
    assert_eq!(arg0(c.servers()[0].directive("ServerName")), Some("local"));
    assert_eq!(arg0(c.servers()[0].directive("Port")), Some("21"));
    let mut opts = ParseOptions::new(&ALL);
    opts.defines.push(("FROM_CLI".into(), None));
    let c = parse_str(text, Path::new("/t.conf"), &opts).unwrap();
    assert_eq!(arg0(c.servers()[0].directive("Port")), Some("2121"));
    assert_eq!(
        c.defines(),
        &[("FROM_CLI".to_string(), None), ("LOCAL".to_string(), None)]
    );
}

#[test]
fn define_values_substitute() {
    let mut opts = ParseOptions::new(&ALL);
    opts.defines.push(("PORT".into(), Some("2121".into())));
    let c = parse_str(
        "Define NAME \"Big box\"\nServerName \"%{NAME} on %{PORT}\"\nPort %{PORT}\nServerAdmin %{UNDEFINED}\n",
        Path::new("/t.conf"),
        &opts,
    )
    .unwrap();
    let s = &c.servers()[0];
    assert_eq!(arg0(s.directive("ServerName")), Some("Big box on 2121"));
    assert_eq!(arg0(s.directive("Port")), Some("2121"));
    assert_eq!(arg0(s.directive("ServerAdmin")), Some("%{UNDEFINED}"));
}

#[test]
fn env_substitution_set_and_unset() {
    // SAFETY: only this test touches these variable names.
    unsafe {
        std::env::set_var("OXFTPD_TEST_NAME", "from-env");
        std::env::remove_var("OXFTPD_TEST_UNSET");
    }
    let c = ok("ServerName %{env:OXFTPD_TEST_NAME}\nServerAdmin \"a%{env:OXFTPD_TEST_UNSET}b\"\n");
    let s = &c.servers()[0];
    assert_eq!(arg0(s.directive("ServerName")), Some("from-env"));
    assert_eq!(arg0(s.directive("ServerAdmin")), Some("ab"));
    // Unset and used where a value is required: the checker reports it with file:line.
    assert_eq!(
        errs("UseIPv6 %{env:OXFTPD_TEST_UNSET}\n"),
        vec!["/etc/test.conf:1: UseIPv6: expected Boolean parameter (on/off), got ''"]
    );
}

#[test]
fn quoting_escapes_comments_and_continuation() {
    let c = ok(
        "ServerName \"My \\\"x\\\" server\"   # a trailing comment\n\
                # a comment line\n\n   \t\n\
                ServerIdent on \\\n   \"Hello there\"\n\
                Group \"daemon\"\n",
    );
    let s = &c.servers()[0];
    assert_eq!(arg0(s.directive("ServerName")), Some("My \"x\" server"));
    let ident = s.directive("ServerIdent").unwrap();
    assert_eq!(ident.args, vec!["on", "Hello there"]);
    assert_eq!(ident.line, 5);
    assert_eq!(arg0(s.directive("Group")), Some("daemon"));
}

#[test]
fn names_are_case_insensitive_and_canonical() {
    let c = ok(
        "serverNAME x\n<global>\nallowoverwrite on\n</GLOBAL>\n<LIMIT login>\ndenyall\n</limit>\n",
    );
    let s = &c.servers()[0];
    let d = s.directive("ServerName").unwrap();
    assert_eq!(d.name, "ServerName");
    assert_eq!(s.global().directives[0].name, "AllowOverwrite");
    assert_eq!(s.block().limits[0].commands, vec!["LOGIN"]);
    assert_eq!(s.block().limits[0].directives[0].name, "DenyAll");
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("test set-up");
    p
}

#[test]
fn include_glob_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("conf.d")).unwrap();
    write(
        &d.join("conf.d"),
        "20-b.conf",
        "ServerAdmin b@x\nUserAlias b real\n",
    );
    write(
        &d.join("conf.d"),
        "10-a.conf",
        "ServerAdmin a@x\nUserAlias a real\n",
    );
    write(&d.join("conf.d"), "30-c.txt", "Bogus\n");
    write(&d.join("conf.d"), ".hidden.conf", "Bogus\n");
    let main = write(
        d,
        "main.conf",
        &format!("Include {}/conf.d/*.conf\n", d.display()),
    );
    let c = parse_file(&main, &opts()).unwrap();
    let s = &c.servers()[0];
    assert_eq!(arg0(s.directive("ServerAdmin")), Some("b@x"));
    let aliases: Vec<&str> = s
        .directives("UserAlias")
        .map(|d| d.args[0].as_str())
        .collect();
    assert_eq!(aliases, vec!["a", "b"]);
    let first = s.directives("UserAlias").next().unwrap();
    assert_eq!(&*first.file, d.join("conf.d/10-a.conf").as_path());
    assert_eq!(first.line, 2);
}

#[test]
fn include_directory_reads_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("inc")).unwrap();
    write(&d.join("inc"), "b", "DenyFilter b\n");
    write(&d.join("inc"), "a", "AllowFilter a\n");
    let main = write(
        d,
        "main.conf",
        &format!("Include {}/inc/\nMaxInstances 5\n", d.display()),
    );
    let c = parse_file(&main, &opts()).unwrap();
    let names: Vec<&str> = c.servers()[0]
        .block()
        .directives
        .iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, vec!["AllowFilter", "DenyFilter", "MaxInstances"]);
}

#[test]
fn include_missing_is_a_warning_and_relative_is_an_error() {
    let c = ok("Include /nonexistent/oxftpd/x.conf\n");
    assert_eq!(c.warnings().len(), 1);
    assert_eq!(c.warnings()[0].line, 1);
    assert!(
        c.warnings()[0]
            .message
            .starts_with("unable to include '/nonexistent/oxftpd/x.conf'")
    );
    assert_eq!(
        errs("Include conf.d/x.conf\n"),
        vec![
            "/etc/test.conf:1: Include: unable to use path for configuration file 'conf.d/x.conf': Include needs an absolute path"
        ]
    );
}

#[test]
fn include_loop_names_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = d.join("a.conf");
    let b = d.join("b.conf");
    std::fs::write(&a, format!("ServerName a\nInclude {}\n", b.display())).unwrap();
    std::fs::write(&b, format!("\n\nInclude {}\n", a.display())).unwrap();
    let e = parse_file(&a, &opts()).unwrap_err();
    let shown: Vec<String> = e.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        shown,
        vec![format!(
            "{b}:3: Include: include loop: {a}:2 -> {b}:3 -> {a}",
            a = a.display(),
            b = b.display()
        )]
    );
}

#[test]
fn include_inside_a_section_lands_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inc = write(
        d,
        "anon.conf",
        "User ftp\n<Limit WRITE>\nDenyAll\n</Limit>\n",
    );
    let main = write(
        d,
        "main.conf",
        &format!(
            "<Anonymous /srv/ftp>\nInclude {}\n</Anonymous>\n",
            inc.display()
        ),
    );
    let c = parse_file(&main, &opts()).unwrap();
    let anon = &c.servers()[0].anonymous()[0];
    assert_eq!(arg0(anon.directive("User")), Some("ftp"));
    assert_eq!(anon.block().limits[0].commands, vec!["WRITE"]);
}

#[test]
fn debian_fixture_parses_cleanly() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/debian-proftpd.conf");
    let c = parse_file(&path, &opts()).unwrap_or_else(|e| panic!("{e}"));
    let s = &c.servers()[0];
    assert_eq!(c.servers().len(), 1);
    assert_eq!(arg0(s.directive("ServerName")), Some("Debian"));
    assert_eq!(arg0(s.directive("DenyFilter")), Some(r"\*.*/"));
    assert_eq!(s.directive("Umask").unwrap().args, vec!["022", "022"]);
    assert_eq!(
        s.directive("DisplayChdir").unwrap().args,
        vec![".message", "true"]
    );
    assert!(s.directive("DelayEngine").unwrap().flag());
    assert!(!s.directive("IdentLookups").unwrap().flag());
    assert!(!s.directive("QuotaEngine").unwrap().flag());
    assert_eq!(s.directives("ModuleControlsACLs").count(), 2);
    // mod_ifsession.c, mod_site_misc.c, mod_copy.c, mod_deflate.c, mod_ctrls_admin.c,
    // mod_ban.c, mod_wrap2.c, mod_wrap2_file.c, mod_rewrite.c, mod_unique_id.c, mod_readme.c,
    // mod_facl.c, mod_quotatab.c, mod_quotatab_file.c and mod_ratio.c are ours; the other 8 loaded
    // modules are not.
    assert_eq!(c.warnings().len(), 8);
}

#[test]
fn stock_debian_config_if_installed() {
    let path = Path::new("/etc/proftpd/proftpd.conf");
    if !path.exists() {
        return;
    }
    if let Err(e) = parse_file(path, &opts()) {
        panic!("{e}");
    }
}
