//! LIST's order and the `ls` options `ListOptions` may add: entries by name (as mod_ls sorts
//! them), `-t` newest first, `-A` dot files without `.` and `..`, `-1` names alone.

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

fn last_words(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap_or("").to_string())
        .collect()
}

/// Files `a.txt`…`e.txt` whose modification times run the other way (e.txt newest), and a
/// dot file.
fn files(alice: &oxftpd_testkit::TestUser) {
    let now = std::time::SystemTime::now();
    for name in ["c.txt", "a.txt", "e.txt", "b.txt", "d.txt", ".dot"] {
        file(alice, name, b"x\n");
        let age = match name {
            ".dot" => 0,
            _ => 100 * u64::from(b'f' - name.as_bytes()[0]),
        };
        let f = std::fs::File::options()
            .write(true)
            .open(alice.home.join(name))
            .expect("open");
        f.set_modified(now - std::time::Duration::from_secs(age))
            .expect("set mtime");
    }
}

#[tokio::test]
async fn list_sorts_by_name() {
    let (server, alice) = server_with("");
    files(&alice);
    let mut c = login(&server).await;
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST").await),
        ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    );
}

#[tokio::test]
async fn list_options_t_puts_the_newest_first() {
    let (server, alice) = server_with("ListOptions -t\n");
    files(&alice);
    let mut c = login(&server).await;
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST *.txt").await),
        ["e.txt", "d.txt", "c.txt", "b.txt", "a.txt"]
    );
}

#[tokio::test]
async fn list_options_a_upper_and_1_list_names_alone() {
    let (server, alice) = server_with("ListOptions \"-A -1\" strict\n");
    files(&alice);
    let mut c = login(&server).await;
    assert_eq!(
        data_lines(&mut c, "LIST").await,
        [".dot", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
    );
}

/// Sets a file's access and modification times (seconds before now).
fn times(alice: &oxftpd_testkit::TestUser, name: &str, accessed_ago: u64, modified_ago: u64) {
    let now = std::time::SystemTime::now();
    let f = std::fs::File::options()
        .write(true)
        .open(alice.home.join(name))
        .expect("open");
    f.set_times(
        std::fs::FileTimes::new()
            .set_accessed(now - std::time::Duration::from_secs(accessed_ago))
            .set_modified(now - std::time::Duration::from_secs(modified_ago)),
    )
    .expect("set times");
}

#[tokio::test]
async fn list_ut_sorts_by_access_time_and_s_by_size_r_reverses() {
    let (server, alice) = server_with("");
    // Access times run a→c newest last, modification times the other way; sizes c > a > b.
    file(&alice, "a.txt", b"xx");
    file(&alice, "b.txt", b"x");
    file(&alice, "c.txt", b"xxx");
    times(&alice, "a.txt", 300, 100);
    times(&alice, "b.txt", 200, 200);
    times(&alice, "c.txt", 100, 300);
    let mut c = login(&server).await;
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST -t").await),
        ["a.txt", "b.txt", "c.txt"]
    );
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST -ut").await),
        ["c.txt", "b.txt", "a.txt"]
    );
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST -utr").await),
        ["a.txt", "b.txt", "c.txt"]
    );
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST -S").await),
        ["c.txt", "a.txt", "b.txt"]
    );
}

#[tokio::test]
async fn list_c_upper_lays_names_out_in_columns() {
    let (server, alice) = server_with("");
    for i in 1..=12 {
        file(&alice, &format!("{i:04}"), b"");
    }
    let mut c = login(&server).await;
    // Four-letter names: columns eight wide, nine to a row, running down the columns.
    let t = c.transfer_in("LIST -C 0*").await.expect("LIST -C");
    assert_eq!(
        String::from_utf8_lossy(&t.data),
        "0001\t0003\t0005\t0007\t0009\t0011\r\n0002\t0004\t0006\t0008\t0010\t0012\r\n"
    );
}

#[tokio::test]
async fn a_pattern_in_another_directory_names_matches_with_that_directory() {
    let (server, alice) = server_with("");
    dir(&alice, "sub");
    file(&alice, "sub/one.txt", b"1");
    file(&alice, "sub/two.txt", b"2");
    let mut c = login(&server).await;
    assert_eq!(
        last_words(&data_lines(&mut c, "LIST sub/*.txt").await),
        ["sub/one.txt", "sub/two.txt"]
    );
}

#[tokio::test]
async fn a_link_to_its_own_directory_is_left_out_of_list_but_not_nlst() {
    let (server, alice) = server_with("");
    dir(&alice, "sub");
    file(&alice, "sub/f", b"1");
    std::os::unix::fs::symlink(".", alice.home.join("sub/self")).expect("symlink");
    let mut c = login(&server).await;
    assert_eq!(last_words(&data_lines(&mut c, "LIST sub").await), ["f"]);
    let mut names = data_lines(&mut c, "NLST sub").await;
    names.sort();
    assert_eq!(names, ["sub/f", "sub/self"]);
}

#[tokio::test]
async fn nlst_a_names_dot_entries_and_r_with_a_pattern_opens_matching_directories() {
    let (server, alice) = server_with("");
    dir(&alice, "test.d");
    file(&alice, "test.d/x.dat", b"1");
    file(&alice, "top", b"1");
    let mut c = login(&server).await;
    let mut names = data_lines(&mut c, "NLST -a test.d").await;
    names.sort();
    assert_eq!(names, ["test.d/.", "test.d/..", "test.d/x.dat"]);
    assert_eq!(data_lines(&mut c, "NLST -R te*").await, ["test.d/x.dat"]);
    assert_eq!(
        data_lines(&mut c, "NLST test.d///x.dat").await,
        ["test.d/x.dat"]
    );
}
