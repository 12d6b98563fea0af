//! Each operation's outcome on disk.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use common::*;
use oxftpd_storage::{Credentials, Fs, FsPool, Kind, StorageError, WriteMode};

async fn session(root: &std::path::Path) -> Fs {
    open(&FsPool::new(2).expect("test set-up"), me(), root).await
}

#[tokio::test]
async fn open_read_starts_at_the_offset_and_refuses_non_files() {
    let root = temp();
    std::fs::write(root.path().join("digits"), "0123456789").unwrap();
    std::fs::create_dir(root.path().join("d")).unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        root.path().join("fifo"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    let fs = session(root.path()).await;
    let (file, meta) = fs.open_read("/digits", 4).await.unwrap();
    assert_eq!(read_all(file), "456789");
    assert_eq!((meta.kind, meta.size), (Kind::File, 10));
    assert!(matches!(
        fs.open_read("/d", 0).await,
        Err(StorageError::IsADirectory)
    ));
    // A FIFO with no writer must not hang the worker.
    assert!(matches!(
        fs.open_read("/fifo", 0).await,
        Err(StorageError::NotRegularFile)
    ));
    assert!(matches!(
        fs.open_read("/none", 0).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.open_read("/digits/x", 0).await,
        Err(StorageError::NotADirectory)
    ));
}

#[tokio::test]
async fn write_modes() {
    let root = temp();
    let fs = session(root.path()).await;
    let on_disk = || std::fs::read_to_string(root.path().join("f")).unwrap();
    fs.open_write("/f", WriteMode::Truncate)
        .await
        .unwrap()
        .write_all(b"abcdef")
        .unwrap();
    assert_eq!(on_disk(), "abcdef");
    fs.open_write("/f", WriteMode::Append)
        .await
        .unwrap()
        .write_all(b"gh")
        .unwrap();
    assert_eq!(on_disk(), "abcdefgh");
    fs.open_write("/f", WriteMode::At(2))
        .await
        .unwrap()
        .write_all(b"XY")
        .unwrap();
    assert_eq!(on_disk(), "abXYefgh");
    fs.open_write("/f", WriteMode::Truncate)
        .await
        .unwrap()
        .write_all(b"z")
        .unwrap();
    assert_eq!(on_disk(), "z");
    assert!(matches!(
        fs.open_write("/f", WriteMode::CreateNew).await,
        Err(StorageError::AlreadyExists)
    ));
    fs.open_write("/g", WriteMode::CreateNew).await.unwrap();
    assert!(root.path().join("g").exists());
    // The returned file is write-only: reading from it fails.
    let mut w = fs.open_write("/f", WriteMode::Append).await.unwrap();
    assert!(w.read(&mut [0u8; 1]).is_err());
    assert!(matches!(
        fs.open_write("/nodir/f", WriteMode::Truncate).await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn umask_applies_to_new_files_and_directories() {
    let root = temp();
    let c = me();
    let strict = Credentials::new(c.uid, c.gid, c.groups.clone(), 0o077);
    let fs = open(&FsPool::new(1).unwrap(), strict, root.path()).await;
    fs.open_write("/f", WriteMode::Truncate).await.unwrap();
    fs.mkdir("/d").await.unwrap();
    let mode = |n: &str| std::fs::metadata(root.path().join(n)).unwrap().mode() & 0o7777;
    assert_eq!((mode("f"), mode("d")), (0o600, 0o700));
}

#[tokio::test]
async fn rename_replaces_atomically() {
    let root = temp();
    std::fs::write(root.path().join("a"), "A").unwrap();
    std::fs::write(root.path().join("b"), "B").unwrap();
    let fs = session(root.path()).await;
    fs.rename("/a", "/b").await.unwrap();
    assert_eq!(std::fs::read_to_string(root.path().join("b")).unwrap(), "A");
    assert!(matches!(
        fs.metadata("/a").await,
        Err(StorageError::NotFound)
    ));
    fs.mkdir("/d1").await.unwrap();
    fs.mkdir("/d2").await.unwrap();
    fs.open_write("/d2/x", WriteMode::Truncate).await.unwrap();
    assert!(matches!(
        fs.rename("/d1", "/d2").await,
        Err(StorageError::DirectoryNotEmpty)
    ));
    fs.rename("/b", "/d1/moved").await.unwrap();
    assert_eq!(
        std::fs::read_to_string(root.path().join("d1/moved")).unwrap(),
        "A"
    );
    assert!(matches!(
        fs.rename("/missing", "/z").await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn mkdir_rmdir_and_remove() {
    let root = temp();
    let fs = session(root.path()).await;
    fs.mkdir("/d").await.unwrap();
    assert!(matches!(
        fs.mkdir("/d").await,
        Err(StorageError::AlreadyExists)
    ));
    assert!(matches!(
        fs.mkdir("/x/y").await,
        Err(StorageError::NotFound)
    ));
    fs.open_write("/d/f", WriteMode::Truncate).await.unwrap();
    assert!(matches!(
        fs.rmdir("/d").await,
        Err(StorageError::DirectoryNotEmpty)
    ));
    assert!(matches!(
        fs.rmdir("/d/f").await,
        Err(StorageError::NotADirectory)
    ));
    assert!(matches!(
        fs.remove_file("/d").await,
        Err(StorageError::IsADirectory)
    ));
    fs.remove_file("/d/f").await.unwrap();
    fs.rmdir("/d/").await.unwrap();
    assert!(!root.path().join("d").exists());
    assert!(matches!(
        fs.remove_file("/d/f").await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn removing_a_symlink_removes_the_link_only() {
    let root = temp();
    std::fs::write(root.path().join("target"), "t").unwrap();
    let fs = session(root.path()).await;
    fs.symlink("target", "/link").await.unwrap();
    assert_eq!(fs.read_link("/link").await.unwrap(), "target");
    assert_eq!(fs.metadata("/link").await.unwrap().size, 1);
    fs.remove_file("/link").await.unwrap();
    assert!(root.path().join("target").exists());
    assert!(matches!(
        fs.read_link("/target").await,
        Err(StorageError::NotASymlink)
    ));
    assert!(matches!(
        fs.symlink("x", "/target").await,
        Err(StorageError::AlreadyExists)
    ));
}

#[tokio::test]
async fn create_unique_gives_distinct_names() {
    let root = temp();
    std::fs::create_dir(root.path().join("in")).unwrap();
    let fs = session(root.path()).await;
    let mut names = std::collections::HashSet::new();
    for _ in 0..50 {
        let (path, mut file) = fs.create_unique("/in/", "up.").await.unwrap();
        file.write_all(path.as_bytes()).unwrap();
        assert!(path.starts_with("/in/up."), "{path}");
        let on_disk = std::fs::read_to_string(root.path().join(&path[1..])).unwrap();
        assert_eq!(on_disk, path);
        names.insert(path);
    }
    assert_eq!(names.len(), 50);
    assert_eq!(
        std::fs::read_dir(root.path().join("in")).unwrap().count(),
        50
    );
    let (top, _) = fs.create_unique("/", "").await.unwrap();
    assert_eq!(top.matches('/').count(), 1);
    assert!(matches!(
        fs.create_unique("/", "a/b").await,
        Err(StorageError::InvalidPath(_))
    ));
    assert!(matches!(
        fs.create_unique("/nodir", "x").await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn set_mode_and_times() {
    let root = temp();
    std::fs::write(root.path().join("f"), "x").unwrap();
    let fs = session(root.path()).await;
    fs.set_mode("/f", 0o4751).await.unwrap();
    let meta = std::fs::metadata(root.path().join("f")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o4751);
    assert_eq!(fs.metadata("/f").await.unwrap().mode, 0o4751);
    assert!(matches!(
        fs.set_mode("/f", 0o10000).await,
        Err(StorageError::InvalidArgument(_))
    ));

    fs.set_times("/f", Some(1_100_000_000), 1_000_000_000)
        .await
        .unwrap();
    let meta = fs.metadata("/f").await.unwrap();
    assert_eq!((meta.atime, meta.mtime), (1_100_000_000, 1_000_000_000));
    fs.set_times("/f", None, 1_200_000_000).await.unwrap();
    let meta = fs.metadata("/f").await.unwrap();
    assert_eq!((meta.atime, meta.mtime), (1_100_000_000, 1_200_000_000));
}

#[tokio::test]
async fn set_owner_changes_group_as_root() {
    if skip_unless_root() {
        return;
    }
    let root = temp();
    std::fs::write(root.path().join("f"), "x").unwrap();
    let fs = session(root.path()).await;
    fs.set_owner("/f", None, Some(STAFF)).await.unwrap();
    let meta = std::fs::metadata(root.path().join("f")).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (0, STAFF));
    fs.set_owner("/f", Some(ALICE), None).await.unwrap();
    assert_eq!(
        std::fs::metadata(root.path().join("f")).unwrap().uid(),
        ALICE
    );
    assert!(matches!(
        fs.set_owner("/f", Some(u32::MAX), None).await,
        Err(StorageError::InvalidArgument(_))
    ));
    // A user may not give a file away.
    put_file(&root.path().join("alices"), "a", 0o644, ALICE, ALICE);
    let alice = open(fs.pool(), cred(ALICE, ALICE, &[]), root.path()).await;
    assert!(matches!(
        alice.set_owner("/alices", Some(BOB), None).await,
        Err(StorageError::PermissionDenied)
    ));
}

#[tokio::test]
async fn is_dir_needs_search_permission() {
    let root = temp();
    std::fs::create_dir(root.path().join("d")).unwrap();
    std::fs::write(root.path().join("f"), "x").unwrap();
    let fs = session(root.path()).await;
    assert!(fs.is_dir("/").await.unwrap());
    assert!(fs.is_dir("").await.unwrap());
    assert!(fs.is_dir("/d/").await.unwrap());
    assert!(!fs.is_dir("/f").await.unwrap());
    assert!(matches!(
        fs.is_dir("/none").await,
        Err(StorageError::NotFound)
    ));
    if is_root() {
        let closed = root.path().join("closed");
        std::fs::create_dir(&closed).unwrap();
        set_mode(&closed, 0o700);
        set_owner(&closed, BOB, BOB);
        let alice = open(fs.pool(), cred(ALICE, ALICE, &[]), root.path()).await;
        assert!(matches!(
            alice.is_dir("/closed").await,
            Err(StorageError::PermissionDenied)
        ));
        assert!(fs.is_dir("/closed").await.unwrap());
    }
}

#[tokio::test]
async fn sub_root_is_a_jail_of_its_own() {
    let root = temp();
    std::fs::create_dir(root.path().join("pub")).unwrap();
    std::fs::write(root.path().join("pub/readme"), "r").unwrap();
    std::fs::write(root.path().join("private"), "p").unwrap();
    let fs = session(root.path()).await;
    let anon = fs.sub_root("/pub").await.unwrap();
    assert_eq!(anon.metadata("/readme").await.unwrap().size, 1);
    assert!(matches!(
        anon.metadata("/../private").await,
        Err(StorageError::NotFound)
    ));
    let again = fs.with_root(&root.path().join("pub")).await.unwrap();
    assert_eq!(again.metadata("/../readme").await.unwrap().size, 1);
}
