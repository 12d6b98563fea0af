//! The object-storage tree against a real S3 server started by the test: `moto_server`
//! (moto's stand-alone S3, from PyPI; `.ci/run` installs it), on a free loopback port, through
//! the `object_store` S3 client with a custom endpoint, path-style addressing and a region.
//! Listing, upload (multipart, atomic: nothing appears until it completes, nothing after an
//! abort), download from an offset (`REST`), rename (copy and delete), delete, `MKD`/`RMD`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use oxftpd_object_storage::{Kind, ObjectError, ObjectRoot, S3Settings};

/// A moto S3 server, stopped when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `moto_server` and makes the bucket `ftp`; `None` (skip) when it is not installed,
/// a failure under `OXFTPD_REQUIRE_CLIENTS=1`.
fn moto() -> Option<Moto> {
    let found = Command::new("moto_server")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("OXFTPD_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "moto_server is required (OXFTPD_REQUIRE_CLIENTS=1) but not installed"
        );
        eprintln!("note: skipped, moto_server is not installed");
        return None;
    }
    let port = oxftpd_testkit::free_port().expect("port");
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server");
    let m = Moto { child, port };
    // Ready when it makes the bucket (an unsigned PUT, which moto accepts).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let made = Command::new("curl")
            .args(["-sf", "-X", "PUT"])
            .arg(format!("http://127.0.0.1:{port}/ftp"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if made {
            return Some(m);
        }
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn root(m: &Moto, prefix: &str) -> ObjectRoot {
    let mut s = S3Settings::from_url(&format!("s3://ftp/{prefix}")).expect("url");
    s.endpoint = Some(format!("http://127.0.0.1:{}", m.port));
    s.region = Some("eu-west-1".into());
    s.path_style = true;
    s.credentials = Some(("testing".into(), "testing".into()));
    ObjectRoot::s3(&s).expect("root")
}

async fn put(r: &ObjectRoot, path: &str, data: &[u8]) {
    let mut u = r.upload(path).await.expect("upload");
    for chunk in data.chunks(64 * 1024) {
        u.write(chunk).await.expect("write");
    }
    assert_eq!(u.finish().await.expect("finish"), data.len() as u64);
}

async fn get(r: &ObjectRoot, path: &str, offset: u64) -> Vec<u8> {
    let chunks: Vec<bytes::Bytes> = r
        .read(path, offset)
        .await
        .expect("read")
        .try_collect()
        .await
        .expect("bytes");
    chunks.concat()
}

fn names(entries: &[oxftpd_object_storage::Entry]) -> Vec<(String, Kind, u64)> {
    entries
        .iter()
        .map(|e| (e.name.clone(), e.kind, e.size))
        .collect()
}

#[tokio::test]
async fn files_and_directories_on_a_real_s3_server() {
    let Some(m) = moto() else { return };
    let r = root(&m, "site/one");
    assert!(r.list("/").await.expect("list").is_empty());
    r.mkdir("/in").await.expect("MKD");
    assert!(matches!(r.mkdir("/in").await, Err(ObjectError::Exists(_))));
    assert!(matches!(
        r.mkdir("/no/such").await,
        Err(ObjectError::NotFound(_))
    ));
    put(&r, "/in/a.txt", b"hello object world").await;
    put(&r, "/top.bin", &[7u8; 1000]).await;
    assert_eq!(
        names(&r.list("/").await.expect("list")),
        [
            ("in".to_string(), Kind::Dir, 0),
            ("top.bin".to_string(), Kind::File, 1000)
        ]
    );
    // The marker never shows, and is not a name a client may use.
    assert_eq!(
        names(&r.list("/in").await.expect("list")),
        [("a.txt".to_string(), Kind::File, 18)]
    );
    assert!(matches!(
        r.metadata("/in/.oxftpd-dir").await,
        Err(ObjectError::BadPath(_))
    ));
    let meta = r.metadata("/in/a.txt").await.expect("stat");
    assert!(meta.modified.is_some());
    // RETR, and REST then RETR.
    assert_eq!(get(&r, "/in/a.txt", 0).await, b"hello object world");
    assert_eq!(get(&r, "/in/a.txt", 6).await, b"object world");
    assert!(get(&r, "/in/a.txt", 18).await.is_empty());
    // `..` stays inside the root.
    assert_eq!(get(&r, "/../../in/./a.txt", 0).await, b"hello object world");
    // Rename: copy then delete; a directory is refused.
    r.rename("/in/a.txt", "/b.txt").await.expect("RNTO");
    assert!(r.metadata("/in/a.txt").await.is_err());
    assert_eq!(get(&r, "/b.txt", 0).await, b"hello object world");
    assert!(matches!(
        r.rename("/in", "/out").await,
        Err(ObjectError::Unsupported(_))
    ));
    assert!(matches!(
        r.rename("/b.txt", "/nowhere/b.txt").await,
        Err(ObjectError::NotFound(_))
    ));
    // The directory is empty but still there (its marker), and RMD removes it.
    assert_eq!(r.metadata("/in").await.expect("stat").kind, Kind::Dir);
    put(&r, "/in/x", b"x").await;
    assert!(matches!(
        r.rmdir("/in").await,
        Err(ObjectError::NotEmpty(_))
    ));
    r.remove_file("/in/x").await.expect("DELE");
    assert!(matches!(
        r.remove_file("/in/x").await,
        Err(ObjectError::NotFound(_))
    ));
    assert!(matches!(
        r.remove_file("/in").await,
        Err(ObjectError::IsADirectory(_))
    ));
    r.rmdir("/in").await.expect("RMD");
    assert!(r.metadata("/in").await.is_err());
    assert!(matches!(
        r.upload("/in/y").await.err(),
        Some(ObjectError::NotFound(_))
    ));
    // Another prefix of the same bucket is another tree.
    assert!(
        root(&m, "site/two")
            .list("/")
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn uploads_are_multipart_and_atomic() {
    let Some(m) = moto() else { return };
    let r = root(&m, "");
    // 12 MiB and a bit: three parts, read back exactly, and from an offset in the third.
    let big: Vec<u8> = (0..12 * 1024 * 1024 + 123)
        .map(|i| (i % 251) as u8)
        .collect();
    put(&r, "/big.bin", &big).await;
    assert_eq!(
        r.metadata("/big.bin").await.expect("stat").size,
        big.len() as u64
    );
    assert!(get(&r, "/big.bin", 0).await == big);
    let off = 11 * 1024 * 1024 + 5;
    assert!(get(&r, "/big.bin", off).await == big[off as usize..]);
    // An empty upload is an empty object.
    put(&r, "/empty", b"").await;
    assert_eq!(r.metadata("/empty").await.expect("stat").size, 0);
    assert!(get(&r, "/empty", 0).await.is_empty());
    // An upload cut off after a part has gone (abort) leaves nothing.
    let mut u = r.upload("/cut.bin").await.expect("upload");
    u.write(&big[..6 * 1024 * 1024]).await.expect("write");
    assert!(
        r.metadata("/cut.bin").await.is_err(),
        "visible before it ends"
    );
    u.abort().await.expect("abort");
    assert!(matches!(
        r.metadata("/cut.bin").await,
        Err(ObjectError::NotFound(_))
    ));
    // Dropped (a session that died mid-transfer): nothing either, and an older file with
    // that name stays whole.
    put(&r, "/keep.txt", b"old contents").await;
    {
        let mut u = r.upload("/keep.txt").await.expect("upload");
        u.write(b"new contents that never finish")
            .await
            .expect("write");
    }
    assert_eq!(get(&r, "/keep.txt", 0).await, b"old contents");
    assert_eq!(
        names(&r.list("/").await.expect("list")),
        [
            ("big.bin".to_string(), Kind::File, big.len() as u64),
            ("empty".to_string(), Kind::File, 0),
            ("keep.txt".to_string(), Kind::File, 12)
        ]
    );
}
