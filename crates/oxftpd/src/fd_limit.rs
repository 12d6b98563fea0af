//! The open-file limit: one session holds a control socket, and a data socket or a file
//! while it transfers, so the soft `RLIMIT_NOFILE` (often 1,024) caps the sessions.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// What raising the limit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raised {
    /// The soft limit went from the first value to the second (the hard limit).
    To(u64, u64),
    /// The soft limit already was the hard limit (or unlimited).
    Already(u64),
    /// `setrlimit` refused; the soft limit stays.
    Refused(u64),
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit.
pub fn raise() -> Raised {
    let limit = getrlimit(Resource::Nofile);
    let soft = limit.current.unwrap_or(u64::MAX);
    let Some(hard) = limit.maximum else {
        return Raised::Already(soft);
    };
    if soft >= hard {
        return Raised::Already(soft);
    }
    let wanted = Rlimit {
        current: Some(hard),
        maximum: Some(hard),
    };
    match setrlimit(Resource::Nofile, wanted) {
        Ok(()) => Raised::To(soft, hard),
        Err(_) => Raised::Refused(soft),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_limit_ends_at_the_hard_limit() {
        let outcome = raise();
        let now = getrlimit(Resource::Nofile);
        match outcome {
            Raised::To(_, hard) => assert_eq!(now.current, Some(hard)),
            Raised::Already(soft) => assert_eq!(now.current.unwrap_or(u64::MAX), soft),
            Raised::Refused(soft) => panic!("setrlimit refused raising {soft} to the hard limit"),
        }
        if now.maximum.is_some() {
            assert_eq!(now.current, now.maximum);
        }
    }
}
