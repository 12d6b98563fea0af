//! Client paths never leave the session's root: `..`, absolute and relative symlinks.

mod common;

use std::os::unix::fs::{PermissionsExt, symlink};

use common::*;
use oxftpd_storage::{FsPool, Kind, StorageError};

/// A tree `base/{secret, jail/{data/file, inner/passwd}}`; the session's root is `jail`.
fn tree() -> tempfile::TempDir {
    let base = temp();
    let jail = base.path().join("jail");
    std::fs::create_dir_all(jail.join("data")).expect("test set-up");
    std::fs::create_dir_all(jail.join("inner")).expect("test set-up");
    std::fs::write(base.path().join("secret"), "outside").expect("test set-up");
    std::fs::write(jail.join("data/file"), "inside data").expect("test set-up");
    std::fs::write(jail.join("inner/passwd"), "inner passwd").expect("test set-up");
    base
}

#[tokio::test]
async fn dot_dot_is_clamped_at_the_root() {
    let base = tree();
    let fs = open(&FsPool::new(2).unwrap(), me(), &base.path().join("jail")).await;
    assert!(matches!(
        fs.open_read("/../../etc/passwd", 0).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.metadata("/../secret").await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.metadata("../../../secret").await,
        Err(StorageError::NotFound)
    ));
    // Clamped, not refused: "/../../inner/passwd" is the root's inner/passwd.
    let (file, meta) = fs.open_read("/../../inner/passwd", 0).await.unwrap();
    assert_eq!(read_all(file), "inner passwd");
    assert_eq!(meta.size, 12);
}

#[tokio::test]
async fn absolute_symlink_resolves_inside_the_root() {
    let base = tree();
    let jail = base.path().join("jail");
    symlink("/etc", jail.join("etc_link")).unwrap();
    let fs = open(&FsPool::new(2).unwrap(), me(), &jail).await;
    assert!(matches!(
        fs.open_read("/etc_link/passwd", 0).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.metadata("/etc_link").await,
        Err(StorageError::NotFound)
    ));
    // Once the root has its own etc/, the link leads there.
    std::fs::create_dir(jail.join("etc")).unwrap();
    std::fs::write(jail.join("etc/passwd"), "jail passwd").unwrap();
    let (file, _) = fs.open_read("/etc_link/passwd", 0).await.unwrap();
    assert_eq!(read_all(file), "jail passwd");
}

#[tokio::test]
async fn symlink_to_a_real_outside_path_stays_inside() {
    let base = tree();
    let jail = base.path().join("jail");
    let outside = base.path().join("secret");
    symlink(&outside, jail.join("out")).unwrap();
    let fs = open(&FsPool::new(2).unwrap(), me(), &jail).await;
    assert!(matches!(
        fs.open_read("/out", 0).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.set_mode("/out", 0o777).await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.set_times("/out", None, 12345).await,
        Err(StorageError::NotFound)
    ));
    let outside_meta = std::fs::metadata(&outside).unwrap();
    assert_ne!(outside_meta.permissions().mode() & 0o777, 0o777);
    assert_ne!(std::os::unix::fs::MetadataExt::mtime(&outside_meta), 12345);
    // Writing through it creates the target inside the root, not outside.
    let w = fs
        .open_write("/out", oxftpd_storage::WriteMode::Truncate)
        .await;
    drop(w);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "outside");
}

#[tokio::test]
async fn relative_symlink_upwards_stops_at_the_root() {
    let base = tree();
    let jail = base.path().join("jail");
    symlink("../../..", jail.join("data/up")).unwrap();
    let fs = open(&FsPool::new(2).unwrap(), me(), &jail).await;
    assert!(matches!(
        fs.open_read("/data/up/secret", 0).await,
        Err(StorageError::NotFound)
    ));
    let (file, _) = fs.open_read("/data/up/data/file", 0).await.unwrap();
    assert_eq!(read_all(file), "inside data");
    // A link made through Fs with an escaping target is just as harmless.
    fs.symlink("/../../secret", "/esc").await.unwrap();
    assert_eq!(fs.read_link("/esc").await.unwrap(), "/../../secret");
    assert!(matches!(
        fs.open_read("/esc", 0).await,
        Err(StorageError::NotFound)
    ));
}

#[tokio::test]
async fn in_root_symlinks_work() {
    let base = tree();
    let jail = base.path().join("jail");
    symlink("data/file", jail.join("rel")).unwrap();
    symlink("/data", jail.join("abs")).unwrap();
    let fs = open(&FsPool::new(2).unwrap(), me(), &jail).await;
    let (file, meta) = fs.open_read("/rel", 0).await.unwrap();
    assert_eq!(read_all(file), "inside data");
    assert_eq!(meta.kind, Kind::File);
    let (file, _) = fs.open_read("/abs/file", 0).await.unwrap();
    assert_eq!(read_all(file), "inside data");
    assert_eq!(fs.metadata("/abs").await.unwrap().kind, Kind::Dir);
    assert_eq!(
        fs.symlink_metadata("/abs").await.unwrap().kind,
        Kind::Symlink
    );
    assert_eq!(fs.read_link("/rel").await.unwrap(), "data/file");
    assert!(fs.is_dir("/abs").await.unwrap());
    // chmod through an in-root link changes the target.
    fs.set_mode("/rel", 0o604).await.unwrap();
    let mode = std::fs::metadata(jail.join("data/file"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o604);
}

#[tokio::test]
async fn removing_through_dot_dot_touches_only_the_root() {
    let base = tree();
    let fs = open(&FsPool::new(2).unwrap(), me(), &base.path().join("jail")).await;
    assert!(matches!(
        fs.remove_file("/../secret").await,
        Err(StorageError::NotFound)
    ));
    assert!(matches!(
        fs.rename("/../secret", "/stolen").await,
        Err(StorageError::NotFound)
    ));
    assert_eq!(
        std::fs::read_to_string(base.path().join("secret")).unwrap(),
        "outside"
    );
}

#[tokio::test]
async fn nul_and_bad_last_names_are_invalid_paths() {
    let base = tree();
    let fs = open(&FsPool::new(2).unwrap(), me(), &base.path().join("jail")).await;
    assert!(matches!(
        fs.metadata("/data\0/file").await,
        Err(StorageError::InvalidPath(_))
    ));
    assert!(matches!(
        fs.open_read("/a\0", 0).await,
        Err(StorageError::InvalidPath(_))
    ));
    assert!(matches!(
        fs.mkdir("/x\0y").await,
        Err(StorageError::InvalidPath(_))
    ));
    assert!(matches!(
        fs.symlink("a\0", "/l").await,
        Err(StorageError::InvalidPath(_))
    ));
    for bad in ["/", "/data/..", "/data/.", ""] {
        assert!(
            matches!(fs.mkdir(bad).await, Err(StorageError::InvalidPath(_))),
            "mkdir {bad:?}"
        );
        assert!(
            matches!(fs.rmdir(bad).await, Err(StorageError::InvalidPath(_))),
            "rmdir {bad:?}"
        );
        assert!(
            matches!(fs.remove_file(bad).await, Err(StorageError::InvalidPath(_))),
            "remove {bad:?}"
        );
    }
    assert!(matches!(
        fs.rename("/data", "/").await,
        Err(StorageError::InvalidPath(_))
    ));
    // Non-final "." and ".." are fine: the kernel resolves them inside the root.
    assert_eq!(fs.metadata("/data/../data/./file").await.unwrap().size, 11);
}
