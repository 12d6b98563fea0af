//! Operations run under the session's credentials, per thread, never mixed.

mod common;

use std::io::Write;
use std::os::unix::fs::MetadataExt;

use common::*;
use oxftpd_storage::{FsPool, StorageError, WriteMode};

/// The "Uid:", "Gid:" and "Groups:" lines of the calling thread's status.
fn thread_ids() -> (String, String, String) {
    let status = std::fs::read_to_string("/proc/thread-self/status").expect("test set-up");
    let line = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    (line("Uid:"), line("Gid:"), line("Groups:"))
}

#[tokio::test]
async fn created_files_belong_to_the_session_user_with_its_umask() {
    if skip_unless_root() {
        return;
    }
    let root = temp();
    set_owner(root.path(), ALICE, ALICE);
    let fs = open(
        &FsPool::new(2).unwrap(),
        cred(ALICE, ALICE, &[]),
        root.path(),
    )
    .await;
    let mut f = fs.open_write("/up.txt", WriteMode::Truncate).await.unwrap();
    f.write_all(b"hello").unwrap();
    fs.mkdir("/sub").await.unwrap();
    let (path, _) = fs.create_unique("/sub", "stou.").await.unwrap();

    let file = std::fs::metadata(root.path().join("up.txt")).unwrap();
    assert_eq!(
        (file.uid(), file.gid(), file.mode() & 0o7777),
        (ALICE, ALICE, 0o644)
    );
    assert_eq!(file.len(), 5);
    let dir = std::fs::metadata(root.path().join("sub")).unwrap();
    assert_eq!(
        (dir.uid(), dir.gid(), dir.mode() & 0o7777),
        (ALICE, ALICE, 0o755)
    );
    let unique = std::fs::metadata(root.path().join(path.trim_start_matches('/'))).unwrap();
    assert_eq!((unique.uid(), unique.mode() & 0o7777), (ALICE, 0o644));
}

#[tokio::test]
async fn another_users_private_file_is_refused_although_the_process_is_root() {
    if skip_unless_root() {
        return;
    }
    let root = temp();
    put_file(&root.path().join("bobs"), "bob only", 0o600, BOB, BOB);
    let pool = FsPool::new(2).unwrap();
    assert!(pool.switches_identity());
    let alice = open(&pool, cred(ALICE, ALICE, &[]), root.path()).await;
    assert!(matches!(
        alice.open_read("/bobs", 0).await,
        Err(StorageError::PermissionDenied)
    ));
    assert!(matches!(
        alice.set_mode("/bobs", 0o666).await,
        Err(StorageError::PermissionDenied)
    ));
    assert!(matches!(
        alice.remove_file("/bobs").await,
        Err(StorageError::PermissionDenied)
    ));
    let bob = open(&pool, cred(BOB, BOB, &[]), root.path()).await;
    let (file, meta) = bob.open_read("/bobs", 0).await.unwrap();
    assert_eq!(read_all(file), "bob only");
    assert_eq!((meta.uid, meta.mode), (BOB, 0o600));
}

#[tokio::test]
async fn supplementary_groups_grant_access() {
    if skip_unless_root() {
        return;
    }
    let root = temp();
    put_file(&root.path().join("staff"), "for staff", 0o640, BOB, STAFF);
    let pool = FsPool::new(1).unwrap();
    let member = open(&pool, cred(ALICE, ALICE, &[STAFF]), root.path()).await;
    let outsider = open(&pool, cred(ALICE, ALICE, &[]), root.path()).await;
    for _ in 0..3 {
        let (file, _) = member.open_read("/staff", 0).await.unwrap();
        assert_eq!(read_all(file), "for staff");
        assert!(matches!(
            outsider.open_read("/staff", 0).await,
            Err(StorageError::PermissionDenied)
        ));
    }
    // The primary group counts too.
    let primary = open(&pool, cred(ALICE, STAFF, &[]), root.path()).await;
    assert!(primary.open_read("/staff", 0).await.is_ok());
}

#[tokio::test]
async fn credentials_are_per_thread_and_groups_do_not_broadcast() {
    if skip_unless_root() {
        return;
    }
    let before = thread_ids();
    let process_before = std::fs::read_to_string("/proc/self/status").unwrap();
    let pool = FsPool::new(1).unwrap();
    let (uid, gid, groups) = pool
        .run(&cred(ALICE, BOB, &[STAFF, 60011]), thread_ids)
        .await
        .unwrap();
    // Real, effective and saved ids stay root; only the filesystem ids change.
    assert_eq!(uid, format!("0 0 0 {ALICE}"));
    assert_eq!(gid, format!("0 0 0 {BOB}"));
    assert_eq!(groups, format!("{STAFF} 60011"));
    assert_eq!(thread_ids(), before);
    let groups_line = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("Groups:"))
            .map(str::to_owned)
    };
    let process_after = std::fs::read_to_string("/proc/self/status").unwrap();
    assert_eq!(groups_line(&process_after), groups_line(&process_before));
    // Back to root for a root session: full filesystem capabilities again.
    let (uid, _, groups) = pool.run(&cred(0, 0, &[]), thread_ids).await.unwrap();
    assert_eq!((uid.as_str(), groups.as_str()), ("0 0 0 0", ""));
}

#[tokio::test]
async fn two_identities_on_several_threads_never_mix() {
    if skip_unless_root() {
        return;
    }
    let root = temp();
    set_mode(root.path(), 0o777);
    put_file(&root.path().join("alice.priv"), "A", 0o600, ALICE, ALICE);
    put_file(&root.path().join("bob.priv"), "B", 0o600, BOB, BOB);
    let pool = FsPool::new(4).unwrap();
    let alice = open(&pool, cred(ALICE, ALICE, &[]), root.path()).await;
    let bob = open(&pool, cred(BOB, BOB, &[]), root.path()).await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..300u32 {
        let (fs, who, own, other) = if i % 2 == 0 {
            (alice.clone(), "a", "/alice.priv", "/bob.priv")
        } else {
            (bob.clone(), "b", "/bob.priv", "/alice.priv")
        };
        tasks.spawn(async move {
            let mut f = fs
                .open_write(&format!("/{who}-{i}"), WriteMode::CreateNew)
                .await
                .unwrap();
            f.write_all(who.as_bytes()).unwrap();
            let own_ok = fs.open_read(own, 0).await.is_ok();
            let other_denied = matches!(
                fs.open_read(other, 0).await,
                Err(StorageError::PermissionDenied)
            );
            (own_ok, other_denied)
        });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap(), (true, true));
    }
    for i in 0..300u32 {
        let (who, uid) = if i % 2 == 0 { ("a", ALICE) } else { ("b", BOB) };
        let meta = std::fs::metadata(root.path().join(format!("{who}-{i}"))).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (uid, uid), "{who}-{i}");
    }
}

#[tokio::test]
async fn a_panicking_job_is_resumed_in_the_caller_and_the_worker_survives() {
    let pool = FsPool::new(1).unwrap();
    let p = pool.clone();
    let joined = tokio::spawn(async move { p.run(&me(), || panic!("boom")).await }).await;
    assert!(joined.unwrap_err().is_panic());
    assert_eq!(pool.run(&me(), || 41 + 1).await.unwrap(), 42);
}

#[tokio::test]
async fn jobs_queue_when_every_worker_is_busy() {
    let pool = FsPool::new(2).unwrap();
    assert_eq!(pool.max_threads(), 2);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8u64 {
        let pool = pool.clone();
        tasks.spawn(async move {
            pool.run(&me(), move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                (i, std::thread::current().id())
            })
            .await
            .unwrap()
        });
    }
    let mut seen = Vec::new();
    let mut threads = std::collections::HashSet::new();
    while let Some(r) = tasks.join_next().await {
        let (i, thread) = r.unwrap();
        seen.push(i);
        threads.insert(thread);
    }
    seen.sort();
    assert_eq!(seen, (0..8).collect::<Vec<_>>());
    assert!(
        threads.len() <= 2,
        "{} threads for a bound of 2",
        threads.len()
    );
}

#[tokio::test]
async fn a_root_the_user_cannot_reach_is_refused() {
    if skip_unless_root() {
        return;
    }
    let base = temp();
    let home = base.path().join("bob");
    std::fs::create_dir(&home).unwrap();
    set_mode(&home, 0o700);
    set_owner(&home, BOB, BOB);
    let pool = FsPool::new(1).unwrap();
    let refused = oxftpd_storage::Fs::open_root(pool.clone(), cred(ALICE, ALICE, &[]), &home).await;
    assert!(matches!(refused, Err(StorageError::PermissionDenied)));
    assert!(
        oxftpd_storage::Fs::open_root(pool, cred(BOB, BOB, &[]), &home)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn too_many_groups_are_cut_to_the_kernel_limit_not_refused() {
    if skip_unless_root() {
        return;
    }
    let max: usize = std::fs::read_to_string("/proc/sys/kernel/ngroups_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let groups: Vec<u32> = (0..=max as u32).map(|g| 100_000 + g).collect();
    let pool = FsPool::new(1).unwrap();
    let (_, _, line) = pool
        .run(&cred(ALICE, ALICE, &groups), thread_ids)
        .await
        .unwrap();
    let got: Vec<u32> = line.split(' ').map(|g| g.parse().unwrap()).collect();
    assert_eq!(got.len(), max);
    assert_eq!(got[0], 100_000);
    assert_eq!(*got.last().unwrap(), 100_000 + max as u32 - 1);
}
