//! Client calls a test expects to get an answer to: a lost connection panics, naming the command.

use oxftpd_client::Client;

/// The first line of the reply to `command`, code included.
pub async fn line(c: &mut Client, command: &str) -> String {
    c.cmd(command)
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
        .first_line()
        .to_string()
}

/// The names an `NLST dir` lists, sorted.
pub async fn names(c: &mut Client, dir: &str) -> Vec<String> {
    let mut v = c
        .nlst(Some(dir))
        .await
        .unwrap_or_else(|e| panic!("NLST {dir}: {e}"));
    v.sort();
    v
}
