//! `Umask` inside `<Directory>`: a directory MKD makes takes the `Umask` of the `<Directory>`
//! that matches its own path (a `*` also spanning deeper levels), as mod_core looks it up.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

#[tokio::test]
async fn mkd_takes_the_umask_of_the_directory_block_matching_the_new_directory() {
    let (server, alice) =
        server_with("Umask 027 027\n<Directory ~/*/foo>\n  Umask 066 077\n</Directory>\n");
    dir(&alice, "subdir");
    dir(&alice, "other");
    dir(&alice, "other/deeper");
    let mut c = login(&server).await;
    for (made, mode) in [
        ("subdir/foo", 0o700),
        ("other/deeper/foo", 0o700),
        ("subdir/bar", 0o750),
    ] {
        c.cmd(&format!("MKD {made}"))
            .await
            .unwrap_or_else(|e| panic!("MKD {made}: {e}"));
        let meta = std::fs::metadata(alice.home.join(made)).expect("made");
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{made}");
    }
}
