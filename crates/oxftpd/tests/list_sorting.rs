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
