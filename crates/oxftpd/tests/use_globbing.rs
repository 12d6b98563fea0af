//! `UseGlobbing off` (mod_ls): a wildcard in LIST's or NLST's path is only ever a name.

mod common;

use common::*;

#[tokio::test]
async fn use_globbing_off_takes_a_pattern_as_a_name() {
    let (server, alice) = server_with("UseGlobbing off\n");
    file(&alice, "a.txt", b"a\n");
    file(&alice, "b.txt", b"b\n");
    file(&alice, "*.dat", b"star\n");
    let mut c = login(&server).await;
    // No file is called `*.txt`: nothing is listed.
    let listed = c.transfer_in("NLST *.txt").await.expect("NLST *.txt");
    assert_eq!(
        listed.completion.lines,
        ["450 *.txt: No such file or directory"]
    );
    assert!(listed.data.is_empty());
    // A file whose name has the wildcard in it is listed as itself.
    let t = c.transfer_in("NLST *.dat").await.expect("NLST *.dat");
    assert_eq!(String::from_utf8_lossy(&t.data), "*.dat\r\n");
    let t = c.transfer_in("LIST *.dat").await.expect("LIST *.dat");
    let text = String::from_utf8_lossy(&t.data).into_owned();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.trim_end().ends_with(" *.dat"), "{text}");
}

#[tokio::test]
async fn globbing_is_on_by_default() {
    let (server, alice) = server_with("");
    file(&alice, "a.txt", b"a\n");
    file(&alice, "b.txt", b"b\n");
    let mut c = login(&server).await;
    let t = c.transfer_in("NLST *.txt").await.expect("NLST *.txt");
    let mut names: Vec<String> = String::from_utf8_lossy(&t.data)
        .lines()
        .map(str::to_string)
        .collect();
    names.sort();
    assert_eq!(names, ["a.txt", "b.txt"]);
}
