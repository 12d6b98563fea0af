//! Debian's stock proftpd.conf with its modules.conf `LoadModule` lines: `oxftpd -t` warns
//! about none of the contrib modules issue 13 brought (crates/oxftpd-config/tests/fixtures).

use std::path::Path;
use std::process::Command;

/// The modules this wave implements (each has its room and tests).
const IMPLEMENTED: &[&str] = &["mod_wrap2.c", "mod_wrap2_file.c", "mod_rewrite.c"];

#[test]
fn the_stock_config_loads_the_implemented_modules_without_a_warning() {
    let target = oxftpd_testkit::target!();
    oxftpd_testkit::only_oxftpd!(target, "ProFTPD loads these modules from its own directory");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../oxftpd-config/tests/fixtures/debian-proftpd.conf");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    for m in IMPLEMENTED {
        assert!(
            text.contains(&format!("LoadModule {m}")),
            "the fixture loads {m}"
        );
    }
    let out = Command::new(&target.bin)
        .args(["-t", "-c"])
        .arg(&fixture)
        .output()
        .expect("run -t");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for m in IMPLEMENTED {
        assert!(!err.contains(&format!(" {m} ")), "{m} warned about: {err}");
    }
    let listed = String::from_utf8_lossy(
        &Command::new(&target.bin)
            .arg("-l")
            .output()
            .expect("-l")
            .stdout,
    )
    .to_string();
    for m in IMPLEMENTED {
        assert!(listed.lines().any(|l| l.trim() == *m), "-l lacks {m}");
    }
}
