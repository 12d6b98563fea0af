//! Which FTP server the tests run against.

use std::path::PathBuf;

/// The daemon under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Our daemon (the default).
    Oxftpd,
    /// Debian's ProFTPD 1.3.8, the reference (`OXFTPD_TEST_SUBJECT=proftpd`).
    Proftpd,
}

impl Subject {
    /// The subject named by `OXFTPD_TEST_SUBJECT` (`oxftpd` when unset or unknown).
    pub fn from_env() -> Subject {
        match std::env::var("OXFTPD_TEST_SUBJECT").as_deref() {
            Ok("proftpd") => Subject::Proftpd,
            _ => Subject::Oxftpd,
        }
    }

    /// The subject's name as `OXFTPD_TEST_SUBJECT` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Oxftpd => "oxftpd",
            Subject::Proftpd => "proftpd",
        }
    }
}

/// A subject and the binary that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Which daemon.
    pub subject: Subject,
    /// Its executable.
    pub bin: PathBuf,
}

impl Target {
    /// The subject from the environment; ProFTPD's binary is `/usr/sbin/proftpd` unless
    /// `OXFTPD_PROFTPD_BIN` says otherwise.
    pub fn from_env(oxftpd_bin: impl Into<PathBuf>) -> Target {
        let subject = Subject::from_env();
        let bin = match subject {
            Subject::Oxftpd => oxftpd_bin.into(),
            Subject::Proftpd => std::env::var_os("OXFTPD_PROFTPD_BIN")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/usr/sbin/proftpd")),
        };
        Target { subject, bin }
    }

    /// True when the subject is oxftpd.
    pub fn is_oxftpd(&self) -> bool {
        self.subject == Subject::Oxftpd
    }

    /// True when the subject is ProFTPD.
    pub fn is_proftpd(&self) -> bool {
        self.subject == Subject::Proftpd
    }
}
