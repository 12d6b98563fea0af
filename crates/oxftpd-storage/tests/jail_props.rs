//! Property tests of the jail: for random trees of directories, files and symbolic links
//! (absolute, relative, looping, pointing out of the root) and random client paths, every
//! lookup stays inside the root and agrees with `openat2(RESOLVE_IN_ROOT)` called directly.

mod common;

use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::Path;

use common::*;
use oxftpd_storage::{Fs, FsPool, StorageError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rustix::fs::{Mode, OFlags, ResolveFlags, fstat, openat2};
use rustix::io::Errno;

/// Names a tree and a client path are made of.
const NAMES: &[&str] = &["a", "b", "c", "l", "m"];

/// One thing to create inside the root, at a path of `NAMES` components.
#[derive(Debug, Clone)]
enum Node {
    Dir(Vec<usize>),
    File(Vec<usize>),
    /// A link whose target is a `Target`.
    Link(Vec<usize>, Target),
}

/// Where a symbolic link points.
#[derive(Debug, Clone)]
enum Target {
    /// `a/b/..`-style text relative to the link's directory.
    Relative(Vec<Step>),
    /// `/a/b`-style text (absolute: the root under RESOLVE_IN_ROOT, the host without it).
    Absolute(Vec<Step>),
    /// The real path of the file outside the root.
    OutsideFile,
    /// The real path of the directory that holds the root.
    OutsideDir,
    /// Itself (a loop).
    SelfLoop,
}

/// One component of a path a client or a link names.
#[derive(Debug, Clone, Copy)]
enum Step {
    Name(usize),
    Up,
    Dot,
    Empty,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..NAMES.len()).prop_map(Step::Name),
        2 => Just(Step::Up),
        1 => Just(Step::Dot),
        1 => Just(Step::Empty),
    ]
}

fn names() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..NAMES.len(), 1..4)
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => prop::collection::vec(step(), 0..6).prop_map(Target::Relative),
        2 => prop::collection::vec(step(), 0..5).prop_map(Target::Absolute),
        1 => Just(Target::OutsideFile),
        1 => Just(Target::OutsideDir),
        1 => Just(Target::SelfLoop),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        3 => names().prop_map(Node::Dir),
        2 => names().prop_map(Node::File),
        3 => (names(), target()).prop_map(|(p, t)| Node::Link(p, t)),
    ]
}

/// A client path: absolute or relative, with `..`, `.`, empty components and a trailing `/`.
fn client_path() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(step(), 0..8),
        any::<bool>(),
    )
        .prop_map(|(absolute, steps, slash)| {
            let mut s = if absolute {
                "/".to_string()
            } else {
                String::new()
            };
            s.push_str(&join(&steps));
            if slash {
                s.push('/');
            }
            s
        })
}

fn join(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Name(i) => NAMES[*i],
            Step::Up => "..",
            Step::Dot => ".",
            Step::Empty => "",
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn rel(parts: &[usize]) -> String {
    parts
        .iter()
        .map(|i| NAMES[*i])
        .collect::<Vec<_>>()
        .join("/")
}

/// Creates one node at the path it is given.
type Maker = dyn Fn(&Path) -> std::io::Result<()>;

/// Builds `base/{outside, root/…}` from `nodes` (a node whose parent is missing or not a
/// directory is skipped, as is one whose name is taken).
fn build(base: &Path, nodes: &[Node]) {
    let root = base.join("root");
    std::fs::create_dir(&root).expect("root");
    std::fs::write(base.join("outside"), "OUTSIDE").expect("outside");
    for (n, node) in nodes.iter().enumerate() {
        let (parts, make): (&Vec<usize>, Box<Maker>) = match node {
            Node::Dir(p) => (p, Box::new(|at: &Path| std::fs::create_dir(at))),
            Node::File(p) => (
                p,
                Box::new(move |at: &Path| std::fs::write(at, format!("file {n}"))),
            ),
            Node::Link(p, t) => {
                let text = match t {
                    Target::Relative(s) => join(s),
                    Target::Absolute(s) => format!("/{}", join(s)),
                    Target::OutsideFile => base.join("outside").display().to_string(),
                    Target::OutsideDir => base.display().to_string(),
                    Target::SelfLoop => NAMES[*p.last().expect("a name")].to_string(),
                };
                (p, Box::new(move |at: &Path| symlink(&text, at)))
            }
        };
        let at = root.join(rel(parts));
        let parent_ok = at
            .parent()
            .and_then(|p| std::fs::symlink_metadata(p).ok())
            .is_some_and(|m| m.is_dir());
        if parent_ok && std::fs::symlink_metadata(&at).is_err() {
            let _ = make(&at);
        }
    }
}

/// (dev, ino) of the root and of everything under it, links not followed.
fn inside(root: &Path) -> HashSet<(u64, u64)> {
    let mut seen = HashSet::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(p) = todo.pop() {
        let Ok(m) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        seen.insert((m.dev(), m.ino()));
        if m.is_dir() {
            for e in std::fs::read_dir(&p).expect("read_dir").flatten() {
                todo.push(e.path());
            }
        }
    }
    seen
}

/// What a lookup gave: the object's identity, or an error class.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Found(u64, u64),
    Failed(&'static str),
}

fn class_of_errno(e: Errno) -> &'static str {
    match e {
        Errno::NOENT => "not found",
        Errno::NOTDIR => "not a directory",
        Errno::LOOP => "loop",
        Errno::ACCESS | Errno::PERM => "denied",
        _ => "other",
    }
}

fn class_of(e: &StorageError) -> &'static str {
    match e {
        StorageError::NotFound => "not found",
        StorageError::NotADirectory => "not a directory",
        StorageError::PermissionDenied => "denied",
        StorageError::Io(io) if io.raw_os_error() == Some(libc::ELOOP) => "loop",
        StorageError::Io(io) if io.raw_os_error() == Some(libc::ENOENT) => "not found",
        StorageError::Io(io) if io.raw_os_error() == Some(libc::ENOTDIR) => "not a directory",
        other if other.to_string().to_lowercase().contains("too many") => "loop",
        _ => "other",
    }
}

/// `openat2(root, path, O_PATH [| O_NOFOLLOW], RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`.
fn direct(root: &std::fs::File, path: &str, follow: bool) -> Outcome {
    let path = if path.is_empty() { "." } else { path };
    let mut flags = OFlags::PATH | OFlags::CLOEXEC;
    if !follow {
        flags |= OFlags::NOFOLLOW;
    }
    let how = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
    let opened = loop {
        match openat2(root, path, flags, Mode::empty(), how) {
            Err(Errno::AGAIN) => continue,
            other => break other,
        }
    };
    match opened.and_then(fstat) {
        Ok(st) => Outcome::Found(st.st_dev, st.st_ino),
        Err(e) => Outcome::Failed(class_of_errno(e)),
    }
}

fn through_fs(r: Result<oxftpd_storage::Metadata, StorageError>) -> Outcome {
    match r {
        Ok(m) => Outcome::Found(m.dev, m.ino),
        Err(e) => Outcome::Failed(class_of(&e)),
    }
}

/// Checks every client path against one tree.
async fn check(fs: &Fs, root: &std::fs::File, inside: &HashSet<(u64, u64)>, paths: &[String]) {
    for path in paths {
        for follow in [true, false] {
            let got = through_fs(if follow {
                fs.metadata(path).await
            } else {
                fs.symlink_metadata(path).await
            });
            if let Outcome::Found(dev, ino) = got {
                assert!(
                    inside.contains(&(dev, ino)),
                    "{path:?} (follow {follow}) left the root"
                );
            }
            assert_eq!(
                got,
                direct(root, path, follow),
                "{path:?} (follow {follow})"
            );
        }
        if let Ok((mut file, _)) = fs.open_read(path, 0).await {
            use std::io::Read;
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            assert_ne!(text, "OUTSIDE", "{path:?} read the file outside the root");
        }
    }
}

#[test]
fn lookups_stay_inside_and_agree_with_openat2() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pool = FsPool::new(2).expect("pool");
    let mut runner = TestRunner::new(Config {
        cases: 200,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(node(), 0..16),
        prop::collection::vec(client_path(), 1..24),
    );
    runner
        .run(&strategy, |(nodes, paths)| {
            let base = temp();
            build(base.path(), &nodes);
            let root_path = base.path().join("root");
            let inside = inside(&root_path);
            let root = std::fs::File::open(&root_path).expect("open root");
            rt.block_on(async {
                let fs = open(&pool, me(), &root_path).await;
                check(&fs, &root, &inside, &paths).await;
            });
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The escapes a fuzzer should find first, as fixed cases.
#[test]
fn known_escapes_stay_inside() {
    let base = temp();
    let nodes = vec![
        Node::Link(vec![0], Target::OutsideDir),
        Node::Link(vec![1], Target::OutsideFile),
        Node::Link(
            vec![2],
            Target::Relative(vec![Step::Up, Step::Up, Step::Up]),
        ),
        Node::Link(vec![3], Target::SelfLoop),
        Node::Dir(vec![4]),
        Node::Link(
            vec![4, 0],
            Target::Relative(vec![Step::Up, Step::Up, Step::Name(1)]),
        ),
    ];
    build(base.path(), &nodes);
    let root_path = base.path().join("root");
    let inside = inside(&root_path);
    let root = std::fs::File::open(&root_path).expect("open root");
    let paths: Vec<String> = [
        "a",
        "a/outside",
        "b",
        "c",
        "c/root",
        "l",
        "m/a",
        "/../outside",
        "../../../outside",
        "a/root/a",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pool = FsPool::new(2).expect("pool");
    rt.block_on(async {
        let fs = open(&pool, me(), &root_path).await;
        check(&fs, &root, &inside, &paths).await;
        assert!(matches!(
            fs.metadata("b").await,
            Err(StorageError::NotFound)
        ));
    });
}
