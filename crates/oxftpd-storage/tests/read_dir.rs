//! Directory listings come in batches and stat each entry without following links.

mod common;

use std::collections::BTreeSet;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use common::*;
use oxftpd_storage::{FsPool, Kind, StorageError};

#[tokio::test]
async fn ten_thousand_entries_in_batches() {
    let root = temp();
    let dir = root.path().join("big");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..10_000 {
        std::fs::write(dir.join(format!("f{i:05}")), format!("{i}")).unwrap();
    }
    let fs = open(&FsPool::new(2).unwrap(), me(), root.path()).await;
    let mut listing = fs.read_dir("/big").await.unwrap();
    let mut names = BTreeSet::new();
    let mut batches = 0;
    loop {
        let mut batch = Vec::new();
        let more = listing.next_batch(&mut batch).await.unwrap();
        assert!(batch.len() <= 1024, "batch of {}", batch.len());
        batches += 1;
        for entry in batch {
            let meta = entry.meta.expect("stat");
            let i: u64 = entry.name[1..].parse().unwrap();
            assert_eq!(
                (meta.kind, meta.size),
                (Kind::File, i.to_string().len() as u64)
            );
            assert!(names.insert(entry.name));
        }
        if !more {
            break;
        }
    }
    assert_eq!(names.len(), 10_000);
    assert!(batches >= 10, "{batches} batches");
    let expected: BTreeSet<String> = (0..10_000).map(|i| format!("f{i:05}")).collect();
    assert_eq!(names, expected);
    // Finished listings stay finished.
    let mut out = Vec::new();
    assert!(!listing.next_batch(&mut out).await.unwrap());
    assert!(out.is_empty());
}

#[tokio::test]
async fn entries_are_lstat_and_dots_are_left_out() {
    let root = temp();
    std::fs::create_dir(root.path().join("sub")).unwrap();
    std::fs::write(root.path().join("file"), "abc").unwrap();
    symlink("/etc/passwd", root.path().join("link")).unwrap();
    let fs = open(&FsPool::new(1).unwrap(), me(), root.path()).await;
    let mut listing = fs.read_dir("/").await.unwrap();
    let mut entries = Vec::new();
    while listing.next_batch(&mut entries).await.unwrap() {}
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: Vec<(&str, Kind)> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.meta.as_ref().unwrap().kind))
        .collect();
    assert_eq!(
        summary,
        [
            ("file", Kind::File),
            ("link", Kind::Symlink),
            ("sub", Kind::Dir)
        ]
    );
    assert_eq!(
        entries[1].meta.as_ref().unwrap().size,
        "/etc/passwd".len() as u64
    );
}

#[tokio::test]
async fn listing_needs_a_readable_directory() {
    let root = temp();
    std::fs::write(root.path().join("file"), "abc").unwrap();
    let fs = open(&FsPool::new(1).unwrap(), me(), root.path()).await;
    assert!(matches!(
        fs.read_dir("/file").await,
        Err(StorageError::NotADirectory)
    ));
    assert!(matches!(
        fs.read_dir("/none").await,
        Err(StorageError::NotFound)
    ));
    if is_root() {
        let closed = root.path().join("closed");
        std::fs::create_dir(&closed).unwrap();
        set_mode(&closed, 0o711);
        set_owner(&closed, BOB, BOB);
        let alice = open(fs.pool(), cred(ALICE, ALICE, &[]), root.path()).await;
        assert!(matches!(
            alice.read_dir("/closed").await,
            Err(StorageError::PermissionDenied)
        ));
    }
}

#[tokio::test]
async fn a_slow_reader_gets_every_entry_once_in_batches_with_names_in_one_buffer() {
    let root = temp();
    let dir = root.path().join("many");
    std::fs::create_dir(&dir).unwrap();
    // Names of every length up to 40 bytes, one non-UTF-8.
    let mut expected = BTreeSet::new();
    for i in 0..5_000 {
        let name = format!("{i}{}", "x".repeat(i % 37));
        std::fs::write(dir.join(&name), "").unwrap();
        expected.insert(name);
    }
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"bad\xffname")), "ab").unwrap();
    // Kept as its bytes (escaped in the name, never U+FFFD).
    expected.insert(oxftpd_proto::raw_name::decode(b"bad\xffname").into_owned());
    let fs = open(&FsPool::new(4).unwrap(), me(), root.path()).await;
    let mut listing = fs.read_dir("/many").await.unwrap();
    let mut seen = BTreeSet::new();
    let mut batches = 0;
    while let Some(batch) = listing.next().await.unwrap() {
        assert!(
            (1..=1024).contains(&batch.len()),
            "batch of {}",
            batch.len()
        );
        batches += 1;
        for entry in batch.iter() {
            let meta = entry.meta.expect("stat");
            let size = if entry.name.starts_with("bad") { 2 } else { 0 };
            assert_eq!((meta.kind, meta.size), (Kind::File, size), "{}", entry.name);
            assert!(seen.insert(entry.name.to_string()), "{} twice", entry.name);
        }
        // Slower than the pool: the read-ahead chain stops and the listing restarts it.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(seen, expected);
    assert!(batches >= 5, "{batches} batches");
    assert!(listing.next().await.unwrap().is_none());
}

#[tokio::test]
async fn an_empty_directory_has_no_batch() {
    let root = temp();
    std::fs::create_dir(root.path().join("empty")).unwrap();
    let fs = open(&FsPool::new(2).unwrap(), me(), root.path()).await;
    let mut listing = fs.read_dir("/empty").await.unwrap();
    assert!(listing.next().await.unwrap().is_none());
    let mut out = Vec::new();
    assert!(!listing.next_batch(&mut out).await.unwrap());
    assert!(out.is_empty());
}
