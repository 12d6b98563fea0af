//! Listings as ProFTPD's mod_ls and mod_facts give them: LIST options, NLST globs, MLSD and
//! MLST facts, symlinks, and a 100,000-entry directory.

mod common;

use common::*;
use oxftpd_client::Client;

/// The data and the final reply of a listing command, or its refusal.
async fn listing(c: &mut Client, command: &str) -> Result<Vec<String>, String> {
    match c.transfer_in(command).await {
        Ok(t) => Ok(String::from_utf8_lossy(&t.data)
            .split("\r\n")
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect()),
        Err(e) => Err(e.to_string()),
    }
}

fn names(lines: &[String]) -> Vec<String> {
    let mut n: Vec<String> = lines
        .iter()
        .map(|l| l.split(" -> ").next().unwrap_or(l))
        .map(|l| l.rsplit(' ').next().unwrap_or("").to_string())
        .collect();
    n.sort();
    n
}

fn tree(alice: &oxftpd_testkit::TestUser) {
    file(alice, "a.txt", b"hello\n");
    file(alice, "b.txt", b"bb\n");
    file(alice, "c.dat", b"c\n");
    file(alice, ".hidden", b"x\n");
    dir(alice, "sub");
    file(alice, "sub/inner.txt", b"i\n");
    std::os::unix::fs::symlink("a.txt", alice.home.join("link")).expect("symlink");
    own(alice, &alice.home.join("link"));
}

#[tokio::test]
async fn list_options() {
    let (server, alice) = server_with("");
    tree(&alice);
    let mut c = login(&server).await;
    let plain = listing(&mut c, "LIST").await.expect("LIST");
    assert_eq!(
        names(&plain),
        vec!["a.txt", "b.txt", "c.dat", "link", "sub"]
    );
    let all = listing(&mut c, "LIST -a").await.expect("LIST -a");
    assert_eq!(
        names(&all),
        vec![
            ".", "..", ".hidden", "a.txt", "b.txt", "c.dat", "link", "sub"
        ]
    );
    let l = listing(&mut c, "LIST -l").await.expect("LIST -l");
    assert_eq!(names(&l), names(&plain));
    let d = listing(&mut c, "LIST -d sub").await.expect("LIST -d");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("drwxr-xr-x "), "{d:?}");
    assert!(d[0].ends_with(" sub"), "{d:?}");
    let link = listing(&mut c, "LIST link").await.expect("LIST link");
    assert_eq!(link.len(), 1);
    assert!(link[0].starts_with("lrwxrwxrwx "), "{link:?}");
    assert!(link[0].ends_with(" link -> a.txt"), "{link:?}");
}

#[tokio::test]
async fn list_recursive() {
    let (server, alice) = server_with("");
    tree(&alice);
    let mut c = login(&server).await;
    let t = c.transfer_in("LIST -R").await.expect("LIST -R");
    let text = String::from_utf8_lossy(&t.data).into_owned();
    let i = text.find("\r\n\r\nsub:\r\n").expect("sub section");
    assert!(text[i..].contains(" inner.txt\r\n"), "{text}");
}

#[tokio::test]
async fn show_symlinks_off_shows_the_target() {
    let (server, alice) = server_with("ShowSymlinks off");
    tree(&alice);
    let mut c = login(&server).await;
    let lines = listing(&mut c, "LIST").await.expect("LIST");
    let link = lines
        .iter()
        .find(|l| l.ends_with(" link"))
        .expect("link line");
    assert!(link.starts_with("-rw-r--r-- "), "{link}");
}

#[tokio::test]
async fn nlst_globs() {
    let (server, alice) = server_with("");
    tree(&alice);
    let mut c = login(&server).await;
    let mut txt = listing(&mut c, "NLST *.txt").await.expect("NLST *.txt");
    txt.sort();
    assert_eq!(txt, vec!["a.txt", "b.txt"]);
    let mut ab = listing(&mut c, "NLST [ab]*").await.expect("NLST [ab]*");
    ab.sort();
    assert_eq!(ab, vec!["a.txt", "b.txt"]);
    assert_eq!(
        listing(&mut c, "NLST sub").await.expect("NLST sub"),
        vec!["sub/inner.txt"]
    );
    let mut plain = listing(&mut c, "NLST").await.expect("NLST");
    plain.sort();
    assert_eq!(plain, vec!["a.txt", "b.txt", "c.dat", "link", "sub"]);
    cmd(&mut c, "PASV").await;
    assert_eq!(line(&mut c, "NLST *.zzz").await, "450 No files found");
    cmd(&mut c, "PASV").await;
    assert_eq!(
        line(&mut c, "NLST nonexist").await,
        "450 nonexist: No such file or directory"
    );
}

#[tokio::test]
async fn mlsd_facts() {
    let (server, alice) = server_with("");
    tree(&alice);
    root_dir(&alice, "ro");
    let mut c = login(&server).await;
    let lines = listing(&mut c, "MLSD").await.expect("MLSD");
    let find = |name: &str| {
        lines
            .iter()
            .find(|l| l.ends_with(&format!("; {name}")))
            .unwrap_or_else(|| panic!("{name} in {lines:?}"))
            .clone()
    };
    let a = find("a.txt");
    assert!(a.contains(";perm=adfrw;size=6;type=file;unique="), "{a}");
    assert!(
        a.contains(&format!(
            ";UNIX.group={gid};UNIX.groupname=ftpusers;UNIX.mode=0644;UNIX.owner={uid};UNIX.ownername=alice; a.txt",
            gid = alice.gid,
            uid = alice.uid
        )),
        "{a}"
    );
    assert!(find(".").contains(";perm=flcdmpe;type=cdir;"));
    assert!(find("..").contains(";type=pdir;"));
    assert!(find("sub").contains(";perm=flcdmpe;type=dir;"));
    assert!(find("ro").contains(";perm=fle;type=dir;"));
    assert!(find(".hidden").contains(";type=file;"));
    assert!(find("link").contains(";type=OS.unix=symlink;"));
    cmd(&mut c, "PASV").await;
    assert_eq!(
        line(&mut c, "MLSD a.txt").await,
        "550 'a.txt' is not a directory"
    );
    cmd(&mut c, "PASV").await;
    assert_eq!(
        line(&mut c, "MLSD nonexist").await,
        "550 nonexist: No such file or directory"
    );
}

#[tokio::test]
async fn mlst_and_opts_mlst() {
    let (server, alice) = server_with("");
    tree(&alice);
    let mut c = login(&server).await;
    let r = lines(&mut c, "MLST a.txt").await;
    assert_eq!(r[0], "250-Start of list for a.txt");
    assert!(r[1].starts_with(" modify="), "{r:?}");
    assert!(r[1].contains(";perm=adfrw;size=6;type=file;"), "{r:?}");
    assert!(r[1].ends_with("; /a.txt"), "{r:?}");
    assert_eq!(r[2], "250 End of list");
    assert_eq!(lines(&mut c, "MLST").await[0], "250-Start of list for /");
    assert_eq!(
        line(&mut c, "MLST nonexist").await,
        "550 'nonexist' cannot be listed"
    );
    cmd(&mut c, "OPTS MLST type;size;").await;
    assert_eq!(
        lines(&mut c, "MLST a.txt").await[1],
        " size=6;type=file; /a.txt"
    );
    let d = listing(&mut c, "MLSD sub").await.expect("MLSD sub");
    assert!(
        d.contains(&"size=2;type=file; inner.txt".to_string()),
        "{d:?}"
    );
}

#[tokio::test]
async fn utf8_names() {
    let (server, alice) = server_with("");
    file(&alice, "résumé-日本.txt", b"u");
    let mut c = login(&server).await;
    assert_eq!(
        listing(&mut c, "NLST").await.expect("NLST"),
        vec!["résumé-日本.txt"]
    );
    let m = listing(&mut c, "MLSD").await.expect("MLSD");
    assert!(m.iter().any(|l| l.ends_with("; résumé-日本.txt")), "{m:?}");
}

#[tokio::test]
async fn a_directory_of_100000_entries_lists_whole() {
    let (server, alice) = server_with("");
    dir(&alice, "big");
    let big = alice.home.join("big");
    for i in 0..100_000 {
        std::fs::File::create(big.join(format!("f{i:06}"))).expect("create entry");
    }
    let mut c = login(&server).await;
    let t = c.transfer_in("NLST big").await.expect("NLST big");
    let count = t
        .data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(count, 100_000);
    let t = c.transfer_in("LIST big").await.expect("LIST big");
    let count = t
        .data
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(count, 100_000);
}

#[tokio::test]
async fn mlsx_show_a_link_with_its_targets_identity() {
    let (server, alice) = server_with("ShowSymlinks on");
    tree(&alice);
    let target = std::fs::metadata(alice.home.join("a.txt")).expect("stat a.txt");
    let unique = {
        use std::os::unix::fs::MetadataExt;
        format!("unique={:X}U{:X};", target.dev(), target.ino())
    };
    std::os::unix::fs::symlink("gone.txt", alice.home.join("dangling")).expect("symlink");
    let mut c = login(&server).await;
    let d = listing(&mut c, "MLSD").await.expect("MLSD");
    let link = d
        .iter()
        .find(|l| l.ends_with("; link"))
        .expect("link entry");
    assert!(link.contains(";type=OS.unix=symlink;"), "{link}");
    assert!(link.contains(&unique), "{link}: {unique}");
    assert!(link.contains(";size=5;"), "the link's own size: {link}");
    // A link whose target is gone is left out, as mod_facts leaves it.
    assert!(!d.iter().any(|l| l.ends_with("; dangling")), "{d:?}");
    // MLST of a link with ShowSymlinks on (written: mod_facts' MLST takes it as off when it
    // is absent) names the object it leads to.
    let r = lines(&mut c, "MLST link").await;
    assert!(r[1].contains(";type=OS.unix=symlink;"), "{r:?}");
    assert!(r[1].ends_with("; /a.txt"), "{r:?}");
    assert_eq!(
        line(&mut c, "MLST dangling").await,
        "550 'dangling' cannot be listed"
    );
}

#[tokio::test]
async fn mlsx_with_show_symlinks_off_type_a_link_as_its_target() {
    let (server, alice) = server_with("ShowSymlinks off");
    tree(&alice);
    std::os::unix::fs::symlink("sub", alice.home.join("dirlink")).expect("symlink");
    let mut c = login(&server).await;
    let r = lines(&mut c, "MLST dirlink").await;
    assert!(r[1].contains(";type=dir;"), "{r:?}");
    // Permitted and sized as the link itself, named as asked.
    assert!(r[1].contains("perm=adfr"), "{r:?}");
    assert!(r[1].contains(";size="), "{r:?}");
    assert!(r[1].ends_with("; /dirlink"), "{r:?}");
}

#[tokio::test]
async fn facts_options_use_slink_no_names_and_facts_default() {
    let (server, alice) = server_with(
        "ShowSymlinks on\nFactsOptions UseSlink NoNames\nFactsDefault type size modify\nFactsAdvertise on",
    );
    tree(&alice);
    let mut c = login(&server).await;
    let feat = lines(&mut c, "FEAT").await;
    assert!(
        feat.contains(
            &" MLST modify*;perm;size*;type*;unique;UNIX.group;UNIX.mode;UNIX.owner;".to_string()
        ),
        "{feat:?}"
    );
    let r = lines(&mut c, "MLST link").await;
    assert_eq!(
        r[1].split(';').nth(2),
        Some("type=OS.unix=slink:/a.txt"),
        "{r:?}"
    );
    assert!(r[1].ends_with("; /link"), "{r:?}");
    cmd(&mut c, "OPTS MLST UNIX.ownername;UNIX.owner;").await;
    let r = lines(&mut c, "MLST a.txt").await;
    assert!(
        r[1].starts_with(" UNIX.owner="),
        "NoNames drops the names: {r:?}"
    );
    assert!(!r[1].contains("ownername"), "{r:?}");
}

#[tokio::test]
async fn facts_advertise_off_leaves_mlst_out_of_feat() {
    let (server, _alice) = server_with("FactsAdvertise off");
    let mut c = login(&server).await;
    let feat = lines(&mut c, "FEAT").await;
    assert!(!feat.iter().any(|l| l.starts_with(" MLST")), "{feat:?}");
}

#[tokio::test]
async fn list_style_windows() {
    let (server, alice) = server_with("ListStyle Windows");
    tree(&alice);
    let mut c = login(&server).await;
    let l = listing(&mut c, "LIST -a").await.expect("LIST");
    let sub = l.iter().find(|l| l.ends_with(" sub")).expect("sub");
    assert!(sub.contains("       <DIR>          sub"), "{sub}");
    let a = l.iter().find(|l| l.ends_with(" a.txt")).expect("a.txt");
    assert!(a.ends_with("                    6 a.txt"), "{a}");
    let stamp = a.split("  ").next().unwrap_or("");
    assert_eq!(stamp.len(), 8, "MM-DD-YY: {a}");
    // Dot files are never listed in this style, -a or not.
    assert!(
        !l.iter()
            .any(|l| l.ends_with(".hidden") || l.ends_with(" .")),
        "{l:?}"
    );
}

#[tokio::test]
async fn list_options_flags() {
    let (server, alice) = server_with("ListOptions \"-l\" NoErrorIfAbsent SortedNLST");
    tree(&alice);
    let mut c = login(&server).await;
    // NoErrorIfAbsent: nothing to list is an empty listing, for LIST and NLST.
    assert_eq!(listing(&mut c, "LIST nonexist").await, Ok(vec![]));
    assert_eq!(listing(&mut c, "NLST nonexist").await, Ok(vec![]));
    assert_eq!(
        listing(&mut c, "NLST").await.expect("NLST"),
        vec!["a.txt", "b.txt", "c.dat", "link", "sub"]
    );
}

#[tokio::test]
async fn list_options_strict_ignores_the_clients_options() {
    let (server, alice) = server_with("ListOptions \"-l\" strict");
    tree(&alice);
    let mut c = login(&server).await;
    let l = listing(&mut c, "LIST -a").await.expect("LIST -a");
    assert!(!names(&l).contains(&".hidden".to_string()), "{l:?}");
}
