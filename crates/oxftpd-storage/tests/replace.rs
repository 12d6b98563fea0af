//! Replacing an existing file with an upload (replace.rs) and claiming a fixed upload name
//! (claim.rs), as the process user.

mod common;

use std::io::Write;

use common::*;
use oxftpd_storage::{FsPool, Replacement, StorageError};

#[tokio::test]
async fn a_file_swapped_in_during_the_upload_is_not_replaced() {
    let root = temp();
    std::fs::write(root.path().join("f"), b"checked").expect("write f");
    std::fs::write(root.path().join("g"), b"swapped in").expect("write g");
    let fs = open(&FsPool::new(2).expect("pool"), me(), root.path()).await;
    let existing = fs.open_existing("/f").await.expect("open f");
    let (temp, mut file) = fs.create_unique("/", ".in.f.").await.expect("temp");
    assert_eq!(
        fs.adopt(&file, &existing).await.expect("adopt"),
        Replacement::Rename
    );
    file.write_all(b"uploaded").expect("write temp");
    drop(file);
    std::fs::rename(root.path().join("g"), root.path().join("f")).expect("swap");
    fs.replace(&temp, "/f", existing, Replacement::Rename)
        .await
        .expect("replace");
    assert_eq!(
        std::fs::read(root.path().join("f")).expect("read f"),
        b"swapped in"
    );
    let left: Vec<_> = std::fs::read_dir(root.path())
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, ["f"], "the temporary file was left");
}

#[tokio::test]
async fn a_claimed_name_is_held_until_its_file_is_closed() {
    let root = temp();
    let fs = open(&FsPool::new(2).expect("pool"), me(), root.path()).await;
    let held = fs.create_claimed("/.in.x.").await.expect("claim");
    assert!(matches!(
        fs.create_claimed("/.in.x.").await,
        Err(StorageError::AlreadyExists)
    ));
    drop(held);
    // Nobody holds it now (as after a kill -9): the next claim removes it and goes on.
    let mut again = fs.create_claimed("/.in.x.").await.expect("claim again");
    again.write_all(b"new").expect("write");
    let names: Vec<_> = std::fs::read_dir(root.path())
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, [".in.x."]);
}
