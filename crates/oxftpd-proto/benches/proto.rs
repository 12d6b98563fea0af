//! Hot pure functions of the wire layer: command parsing, line splitting, listing lines,
//! virtual path arithmetic.

// criterion's macros generate undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oxftpd_proto::command;
use oxftpd_proto::line::LineBuffer;
use oxftpd_proto::listing::{FactSet, Facts, Kind, ListClock, write_list_line, write_mlsd_line};
use oxftpd_proto::path;

/// The command lines of one benchmark session (login, listing, download, quit).
const SESSION: &[u8] = b"USER benchuser\r\nPASS bench-Pass-8\r\nPWD\r\nTYPE I\r\nPASV\r\n\
LIST\r\nPASV\r\nRETR small-4k.bin\r\nQUIT\r\n";

fn parsing(c: &mut Criterion) {
    c.bench_function("command::parse RETR", |b| {
        b.iter(|| {
            command::parse(black_box(b"RETR some/dir/file name.txt")).map(|c| c.arg.is_some())
        })
    });
    c.bench_function("command::parse lowercase PWD", |b| {
        b.iter(|| command::parse(black_box(b"pwd")).is_ok())
    });
    c.bench_function("LineBuffer: split a session's 9 lines", |b| {
        let mut lines = LineBuffer::crlf_only(512);
        b.iter(|| {
            lines.feed(black_box(SESSION));
            let mut n = 0usize;
            while let Some(Ok(line)) = lines.next_line() {
                n += line.bytes.len();
            }
            n
        })
    });
}

fn facts(i: u64) -> Facts<'static> {
    Facts {
        name: "file-000123.dat",
        kind: if i.is_multiple_of(10) {
            Kind::Dir
        } else {
            Kind::File
        },
        mode: 0o100644,
        nlink: 1,
        uid: 1000,
        gid: 1000,
        owner: Some("benchuser"),
        group: Some("benchuser"),
        size: 4096 * i,
        mtime: 1_700_000_000 + i as i64,
        link_target: None,
        dev: 0x803,
        ino: 123_456 + i,
    }
}

fn listing(c: &mut Criterion) {
    let clock = ListClock {
        now: 1_700_100_000,
        utc_offset: 0,
    };
    let mut out = Vec::with_capacity(100 * 100);
    c.bench_function("write_list_line x100", |b| {
        b.iter(|| {
            out.clear();
            for i in 0..100 {
                write_list_line(&facts(i), &clock, &mut out);
            }
            out.len()
        })
    });
    c.bench_function("write_mlsd_line x100 (all facts)", |b| {
        b.iter(|| {
            out.clear();
            for i in 0..100 {
                write_mlsd_line(&facts(i), FactSet::ALL, "adfrw", &mut out);
            }
            out.len()
        })
    });
}

fn paths(c: &mut Criterion) {
    c.bench_function("path::resolve relative", |b| {
        b.iter(|| {
            path::resolve(
                black_box("/home/user/projects"),
                black_box("src/../lib/./x.rs"),
            )
        })
    });
    c.bench_function("path::resolve absolute with ..", |b| {
        b.iter(|| path::resolve(black_box("/a/b"), black_box("/srv/ftp/../ftp/pub/file")))
    });
}

criterion_group!(benches, parsing, listing, paths);
criterion_main!(benches);
