//! What the Debian package and the container image ship: the systemd units pass
//! `systemd-analyze verify` (with our man pages found for `Documentation=`), the service waits
//! for oxftpd's sd_notify readiness, the package's assets exist, and the container's
//! configuration passes `oxftpd -t`. (.ci/run builds the .deb, installs it and checks it.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_units_pass_systemd_analyze_verify() {
    let have = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        have || std::env::var_os("OXFTPD_REQUIRE_CLIENTS").is_none(),
        "systemd-analyze (systemd) is required"
    );
    if !have {
        eprintln!("note: skipped, systemd-analyze is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let service = std::fs::read_to_string(repo().join("contrib/oxftpd.service")).expect("unit");
    assert!(service.lines().any(|l| l == "Type=notify"), "{service}");
    assert!(
        service.lines().any(|l| l == "NotifyAccess=all"),
        "{service}"
    );
    // The installed paths, pointed at this build.
    let service = service.replace("/usr/sbin/oxftpd", env!("CARGO_BIN_EXE_oxftpd"));
    std::fs::write(dir.path().join("oxftpd.service"), service).expect("write");
    std::fs::copy(
        repo().join("contrib/oxftpd.socket"),
        dir.path().join("oxftpd.socket"),
    )
    .expect("socket unit");
    let man = dir.path().join("man");
    for (page, section) in [
        ("oxftpd.8", "man8"),
        ("oxftpctl.8", "man8"),
        ("oxftpd.conf.5", "man5"),
    ] {
        std::fs::create_dir_all(man.join(section)).expect("man dir");
        std::fs::copy(repo().join("man").join(page), man.join(section).join(page)).expect("page");
    }
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("oxftpd.service"))
        .arg(dir.path().join("oxftpd.socket"))
        .env("MANPATH", &man)
        .output()
        .expect("systemd-analyze verify");
    // systemd-analyze also reads the machine's other units and warns about them (Debian's
    // freeradius.service uses the deprecated MemoryLimit=): only lines about ours count.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| !(l.starts_with("/lib/systemd/") || l.starts_with("/usr/lib/systemd/")))
        .collect();
    assert!(out.status.success() && ours.is_empty(), "{stderr}");
}

#[test]
fn the_package_assets_exist() {
    let manifest =
        std::fs::read_to_string(repo().join("crates/oxftpd/Cargo.toml")).expect("Cargo.toml");
    let mut checked = 0;
    for line in manifest.lines() {
        let Some(src) = line
            .trim()
            .strip_prefix("[\"../../")
            .and_then(|r| r.split('"').next())
        else {
            continue;
        };
        assert!(repo().join(src).is_file(), "package asset {src} is missing");
        checked += 1;
    }
    assert!(checked >= 9, "{checked} assets");
    for script in ["debian/postinst", "debian/postrm"] {
        let out = Command::new("sh")
            .arg("-n")
            .arg(repo().join(script))
            .output()
            .expect("sh -n");
        assert!(out.status.success(), "{script}: {out:?}");
    }
}

#[test]
fn the_container_configuration_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let masq = dir.path().join("masquerade.conf");
    std::fs::write(&masq, "MasqueradeAddress 203.0.113.7\n").expect("write");
    let conf = std::fs::read_to_string(repo().join("contrib/docker/oxftpd.conf"))
        .expect("contrib/docker/oxftpd.conf")
        .replace("/etc/oxftpd/masquerade.conf", &masq.display().to_string());
    let path = dir.path().join("oxftpd.conf");
    std::fs::write(&path, conf).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_oxftpd"))
        .arg("-t")
        .arg("-c")
        .arg(&path)
        .output()
        .expect("oxftpd -t");
    assert!(out.status.success(), "{out:?}");
}
