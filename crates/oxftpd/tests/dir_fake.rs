//! `DirFakeUser`, `DirFakeGroup` and `DirFakeMode` (mod_ls, read by mod_facts too): listings of
//! a directory show the configured owner, group and mode instead of the real ones.

mod common;

use common::*;
use oxftpd_client::Client;

async fn data_lines(c: &mut Client, command: &str) -> Vec<String> {
    let t = c
        .transfer_in(command)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    String::from_utf8_lossy(&t.data)
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The owner and group columns of a LIST line.
fn owner_group(line: &str) -> (String, String) {
    let f: Vec<&str> = line.split_whitespace().collect();
    (f[2].to_string(), f[3].to_string())
}

fn entry<'a>(lines: &'a [String], name: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.ends_with(&format!(" {name}")))
        .unwrap_or_else(|| panic!("{name} in {lines:?}"))
}

#[tokio::test]
async fn listings_show_the_faked_owner_group_and_mode() {
    let (server, alice) = server_with(
        "<Directory ~/ro>\n\
         DirFakeUser on ~\n\
         DirFakeGroup on ghost\n\
         DirFakeMode 0640\n\
         </Directory>\n",
    );
    file(&alice, "a.txt", b"hello\n");
    root_dir(&alice, "ro");
    std::fs::create_dir(alice.home.join("ro/sub")).expect("root-owned subdir");
    let mut c = login(&server).await;

    // MLSD takes all three from the listed directory: the mode as written (a directory then
    // has a size fact, as mod_facts shows it), the faked user's uid, the real gid (no group
    // `ghost` exists) under the faked group name.
    let facts = data_lines(&mut c, "MLSD ro").await;
    let f = entry(&facts, "f");
    assert!(
        f.contains(&format!(
            ";UNIX.group=0;UNIX.groupname=ghost;UNIX.mode=0640;UNIX.owner={};UNIX.ownername=alice; f",
            alice.uid
        )),
        "{f}"
    );
    let sub = entry(&facts, "sub");
    assert!(sub.contains(";size=4096;type=dir;"), "{sub}");
    assert!(sub.contains(";UNIX.mode=0640;"), "{sub}");
    let mlst = lines(&mut c, "MLST ro/f").await;
    assert!(mlst[1].contains(";UNIX.mode=0640;UNIX.owner="), "{mlst:?}");
    assert!(mlst[1].contains(";UNIX.groupname=ghost;"), "{mlst:?}");

    // LIST takes the mode from each entry's context: the file shows 0640, a directory gains
    // the search bits its faked read bits allow; the owner and group come from the current
    // directory, where nothing is faked.
    let ro = data_lines(&mut c, "LIST ro").await;
    let f = entry(&ro, "f");
    assert!(f.starts_with("-rw-r----- "), "{f}");
    assert_eq!(owner_group(f), ("0".into(), "0".into()), "{f}");
    let sub = entry(&ro, "sub");
    assert!(sub.starts_with("drwxr-x--- "), "{sub}");
    let home = data_lines(&mut c, "LIST").await;
    let a = entry(&home, "a.txt");
    assert!(a.starts_with("-rw-r--r-- "), "{a}");
    assert_eq!(owner_group(a), ("alice".into(), "ftpusers".into()), "{a}");
    assert!(entry(&home, "ro").starts_with("drwxr-x--- "), "{home:?}");

    // In the faked directory, LIST shows the logged-in user (`~`) and the name `ghost` for
    // every entry, even of another directory; entries outside keep their real mode.
    assert_eq!(line(&mut c, "CWD ro").await, "250 CWD command successful");
    let here = data_lines(&mut c, "LIST").await;
    let f = entry(&here, "f");
    assert_eq!(owner_group(f), ("alice".into(), "ghost".into()), "{f}");
    let top = data_lines(&mut c, "LIST /").await;
    let a = entry(&top, "a.txt");
    assert!(a.starts_with("-rw-r--r-- "), "{a}");
    assert_eq!(owner_group(a), ("alice".into(), "ghost".into()), "{a}");
}

#[tokio::test]
async fn dir_fake_mode_must_be_octal() {
    let target = oxftpd_testkit::target!();
    let mut setup = oxftpd_testkit::Setup::new(&target).expect("setup");
    setup.config("DirFakeMode 0x9\n");
    let out = setup
        .run_with_config(std::process::Command::new(&target.bin), "-t")
        .expect("run -t");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("parameter must be an octal number"), "{err}");
}
