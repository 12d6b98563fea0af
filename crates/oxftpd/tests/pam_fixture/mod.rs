//! PAM test fixtures: a service file in `/etc/pam.d` and a `useradd` system user, both
//! removed on drop.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A PAM service file, removed on drop.
pub struct PamService {
    pub name: String,
    path: PathBuf,
}

impl PamService {
    pub fn new(body: &str) -> PamService {
        let name = format!("oxftpd-test-{}-{}", std::process::id(), unique());
        let path = PathBuf::from("/etc/pam.d").join(&name);
        std::fs::write(&path, body).expect("write PAM service");
        PamService { name, path }
    }
}

impl Drop for PamService {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    t ^ (N.fetch_add(1, Ordering::SeqCst) << 32)
}

/// A system account made with useradd (home in the test dir), deleted on drop.
pub struct SystemUser {
    pub name: String,
}

impl SystemUser {
    pub fn new(home: &std::path::Path, password: &str) -> SystemUser {
        let name = format!("oxp{}", unique() % 1_000_000_000);
        let st = Command::new("useradd")
            .args(["-M", "-d"])
            .arg(home)
            .args(["-s", "/bin/sh", &name])
            .status()
            .expect("useradd");
        assert!(st.success(), "useradd {name}");
        std::fs::create_dir_all(home).expect("home");
        let st = Command::new("chown")
            .arg(format!("{name}:"))
            .arg(home)
            .status()
            .expect("chown");
        assert!(st.success());
        let mut child = Command::new("chpasswd")
            .stdin(Stdio::piped())
            .spawn()
            .expect("chpasswd");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("stdin");
            writeln!(stdin, "{name}:{password}").expect("write");
        }
        assert!(child.wait().expect("wait").success(), "chpasswd");
        SystemUser { name }
    }
}

impl Drop for SystemUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).status();
    }
}

/// Whether the tests run as root (useradd, /etc/pam.d).
pub fn root() -> bool {
    rustix::process::geteuid().is_root()
}
