//! What `-v`, `-vv`, `-V` and `-l` print, in ProFTPD's layout (tools parse these lines).

/// The ProFTPD release whose behaviour oxftpd matches.
pub use oxftpd_server::PROFTPD_VERSION;

/// `-v`.
pub fn version() -> String {
    format!(
        "ProFTPD Version {PROFTPD_VERSION} (oxftpd {})\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// `-vv`.
pub fn version_status() -> String {
    let mut s = format!(
        "ProFTPD Version: {PROFTPD_VERSION} (oxftpd {})\n",
        env!("CARGO_PKG_VERSION")
    );
    s.push_str("  Scoreboard Version: 01040003\n\nLoaded modules:\n");
    for m in crate::modules::all() {
        s.push_str(&format!("  {}\n", m.name()));
    }
    s.push_str(&format!(
        "\nPrivileges:\n  {}\n",
        crate::privileges::describe(crate::privileges::is_root())
    ));
    s
}

/// `-l`.
pub fn modules() -> String {
    let mut s = String::from("Compiled-in modules:\n");
    for m in crate::modules::all() {
        s.push_str(&format!("  {}\n", m.name()));
    }
    s
}

/// The `PidFile` written when the configuration names none.
pub const DEFAULT_PID_FILE: &str = "/run/oxftpd.pid";

/// `-V`.
pub fn settings() -> String {
    let mut s = String::from("Compile-time Settings:\n");
    s.push_str(&format!(
        "  Version: {PROFTPD_VERSION} (oxftpd {})\n",
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str(&format!(
        "  Platform: {} [{}]\n",
        std::env::consts::OS.to_ascii_uppercase(),
        std::env::consts::ARCH
    ));
    s.push_str("  Files:\n    Configuration File:\n      /etc/oxftpd/oxftpd.conf\n");
    s.push_str(&format!(
        "    Pid File:\n      {DEFAULT_PID_FILE}\n    Scoreboard File:\n      /run/oxftpd.scoreboard\n"
    ));
    s.push_str(
        "\n  Info:\n    + Max supported UID: 4294967295\n    + Max supported GID: 4294967295\n",
    );
    s.push_str("\n  Features:\n");
    for (on, name) in [
        (false, "Autoshadow support"),
        (true, "Controls support"),
        (false, "DSO support"),
        (true, "IPv6 support"),
        (true, "Largefile support"),
        (true, "NLS support"),
        (false, "OpenSSL support"),
        (true, "Sendfile support"),
        (true, "Shadow file support"),
        (false, "Trace support"),
    ] {
        s.push_str(&format!("    {} {name}\n", if on { '+' } else { '-' }));
    }
    s.push_str(&crate::sandbox::features());
    // Modules in crates of their own are cargo features: say which this build has.
    s.push_str("\n  Module crates:\n");
    for (on, name) in crate::modules::crates() {
        s.push_str(&format!("    {} {name}\n", if on { '+' } else { '-' }));
    }
    s
}
