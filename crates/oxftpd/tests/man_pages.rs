//! man/oxftpd.8, man/oxftpctl.8 and man/oxftpd.conf.5 must be what `oxftpctl man` generates
//! from the clap definitions and the directive tables; and `man` must read them cleanly.

use std::path::Path;
use std::process::Command;

#[test]
fn man_pages_match_the_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../man");
    let bless = std::env::var_os("OXFTPD_BLESS").is_some();
    for page in oxftpd::man::PAGES {
        let out = Command::new(env!("CARGO_BIN_EXE_oxftpctl"))
            .args(["man", page])
            .output()
            .expect("oxftpctl man");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let path = dir.join(page);
        if bless {
            std::fs::write(&path, &text).expect("write the page");
            continue;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "man/{page} is stale: run OXFTPD_BLESS=1 cargo test -p oxftpd --test man_pages"
        );
        // groff's warnings (-ww) on the page, when man-db is here.
        if let Ok(check) = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .arg(&path)
            .output()
        {
            assert!(
                check.stderr.is_empty(),
                "man/{page}: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}
