//! Hot pure functions of the session layer: `<Limit>` evaluation and `<Directory>` scope
//! lookup, against a configuration shaped like a real site's.

// criterion's macros generate undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::net::IpAddr;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use oxftpd_config::{Config, ParseOptions, parse_str};
use oxftpd_server::access::limit::{Subject, check, decide, group_of};

/// A site with a login limit, an upload area, a read-only tree and per-user home rules.
const SITE: &str = "\
ServerName \"bench\"
DefaultRoot ~
<Limit LOGIN>
  Order allow,deny
  Allow from 10.0.0.0/8 192.168.0.0/16 127.0.0.1
  Deny from all
</Limit>
<Directory /srv/ftp>
  <Limit WRITE>
    DenyAll
  </Limit>
</Directory>
<Directory /srv/ftp/incoming>
  <Limit STOR MKD>
    AllowGroup uploaders
    DenyAll
  </Limit>
  <Limit READ>
    Order deny,allow
    DenyUser mallory
    AllowAll
  </Limit>
</Directory>
<Directory /srv/ftp/pub/*>
  HideFiles ^\\.
  <Limit DELE RNFR RNTO>
    AllowUser admin
    DenyAll
  </Limit>
</Directory>
<Directory ~>
  <Limit ALL>
    AllowAll
  </Limit>
</Directory>
";

fn site() -> Config {
    let specs = oxftpd_server::modules::specs();
    match parse_str(SITE, Path::new("/bench.conf"), &ParseOptions::new(&specs)) {
        Ok(c) => c,
        Err(e) => panic!("bench config does not parse: {e}"),
    }
}

fn limits(c: &mut Criterion) {
    let config = site();
    let server = config.main_server();
    let groups = vec!["users".to_string(), "uploaders".to_string()];
    let addr: IpAddr = [192, 168, 1, 20].into();
    let subject = Subject {
        user: Some("alice"),
        groups: Some(&groups),
        class: None,
        addr,
        host: None,
        arg: None,
    };
    let scope = server
        .scope(None)
        .for_path("/srv/ftp/incoming/file.bin", Some("/home/alice"));
    c.bench_function("limit::decide STOR in upload dir", |b| {
        b.iter(|| decide(black_box(&scope), "STOR", group_of("STOR"), &subject, false))
    });
    c.bench_function("limit::decide RETR in upload dir", |b| {
        b.iter(|| decide(black_box(&scope), "RETR", group_of("RETR"), &subject, false))
    });
    let top = server.scope(None);
    let Some(login) = top
        .limits()
        .flat_map(|level| level.limits.iter())
        .find(|l| l.commands.iter().any(|c| c == "LOGIN"))
    else {
        panic!("no <Limit LOGIN> in the bench config");
    };
    c.bench_function("limit::check LOGIN address list", |b| {
        b.iter(|| check(black_box(&login.rules), &subject))
    });
}

fn scopes(c: &mut Criterion) {
    let config = site();
    let server = config.main_server();
    c.bench_function("Scope::for_path deep upload path", |b| {
        b.iter(|| {
            server
                .scope(None)
                .for_path(
                    black_box("/srv/ftp/incoming/a/b/c/file.bin"),
                    Some("/home/alice"),
                )
                .limits()
                .count()
        })
    });
    c.bench_function("Scope::for_path home", |b| {
        b.iter(|| {
            server
                .scope(None)
                .for_path(black_box("/home/alice/docs/x"), Some("/home/alice"))
                .limits()
                .count()
        })
    });
}

/// The typed configuration of one path, merged once (what a session caches per path), against
/// what a command paid before: a scope built and searched per setting read.
fn effective(c: &mut Criterion) {
    let config = site();
    let server = config.main_server();
    let path = "/srv/ftp/incoming/a/b/c/file.bin";
    c.bench_function("Effective::of deep upload path", |b| {
        b.iter(|| {
            oxftpd_config::Effective::of(
                &server
                    .scope(None)
                    .for_path(black_box(path), Some("/home/alice")),
            )
            .core
            .allow_overwrite
        })
    });
    c.bench_function("Scope::for_path + one lookup, deep upload path", |b| {
        b.iter(|| {
            let cfg = oxftpd_config::modules::mod_core::View::read(&oxftpd_config::Merged::of(
                &server
                    .scope(None)
                    .for_path(black_box(path), Some("/home/alice")),
            ));
            cfg.allow_overwrite
        })
    });
}

criterion_group!(benches, limits, scopes, effective);
criterion_main!(benches);
