//! The pace of one transfer: ProFTPD's `TransferRate` (the bytes past the free ones may not
//! run ahead of the rate since the transfer started, as 1.3.8's `pr_throttle_pause` computes)
//! and this session's share of every aggregate cap it is under (a token bucket refilled at
//! the share). Waiting is a timer on the session's task, never a sleeping thread.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::time::{Duration, Instant, Sleep};

use super::pools::Member;

/// The most a share's bucket holds: this long at the share's rate.
const BURST: Duration = Duration::from_millis(200);

/// The least a paced transfer waits for: this long at its rate (fewer, larger writes).
const QUANTUM: Duration = Duration::from_millis(20);

/// ProFTPD's `TransferRate` in force for a transfer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionRate {
    /// Bytes per second.
    pub bytes_per_sec: f64,
    /// Bytes at full speed before pacing starts.
    pub free_bytes: u64,
}

/// How fast one transfer may go, and what it has moved so far.
pub struct Pace {
    rate: Option<SessionRate>,
    shares: Vec<Member>,
    started: Instant,
    /// Bytes moved.
    sent: u64,
    /// Bytes the share bucket holds (negative after a read larger than the grant).
    tokens: f64,
    refilled: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Pace {
    /// A pace with `rate` (ProFTPD's) and a place in each pool of `shares`; `None` when
    /// neither limits anything.
    pub fn new(rate: Option<SessionRate>, shares: Vec<Member>) -> Option<Pace> {
        let rate = rate.filter(|r| r.bytes_per_sec > 0.0);
        if rate.is_none() && shares.is_empty() {
            return None;
        }
        let now = Instant::now();
        Some(Pace {
            rate,
            shares,
            started: now,
            sent: 0,
            tokens: 0.0,
            refilled: now,
            sleep: None,
        })
    }

    /// The bytes moved so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The smallest share of the pools now (`None` without pools).
    fn share(&self) -> Option<f64> {
        self.shares.iter().map(Member::share).reduce(f64::min)
    }

    /// How many of `want` bytes may go now, or how long to wait before asking again.
    fn budget(&mut self, want: usize, now: Instant) -> Result<usize, Duration> {
        let want = want.max(1) as f64;
        let mut grant = want;
        let mut wait = Duration::ZERO;
        if let Some(r) = self.rate {
            let elapsed = now.saturating_duration_since(self.started).as_secs_f64();
            let allowed = r.free_bytes as f64 + r.bytes_per_sec * elapsed - self.sent as f64;
            let least = want.min(r.bytes_per_sec * QUANTUM.as_secs_f64()).max(1.0);
            if allowed < least {
                wait = wait.max(Duration::from_secs_f64((least - allowed) / r.bytes_per_sec));
            }
            grant = grant.min(allowed);
        }
        if let Some(share) = self.share().filter(|s| *s > 0.0) {
            let since = now.saturating_duration_since(self.refilled).as_secs_f64();
            self.refilled = now;
            let cap = (share * BURST.as_secs_f64()).max(4096.0);
            self.tokens = (self.tokens + share * since).min(cap);
            let least = want.min(share * QUANTUM.as_secs_f64()).max(1.0);
            if self.tokens < least {
                wait = wait.max(Duration::from_secs_f64((least - self.tokens) / share));
            }
            grant = grant.min(self.tokens);
        }
        if wait > Duration::ZERO || grant < 1.0 {
            Err(wait.max(Duration::from_millis(1)))
        } else {
            Ok(grant as usize)
        }
    }

    /// How many of `want` bytes may go now (at least one), or `Pending` with a timer set to
    /// wake the task when some may.
    pub fn poll_grant(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<usize> {
        loop {
            if let Some(sleep) = self.sleep.as_mut() {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.sleep = None;
            }
            match self.budget(want, Instant::now()) {
                Ok(n) => return Poll::Ready(n),
                Err(wait) => self.sleep = Some(Box::pin(tokio::time::sleep(wait))),
            }
        }
    }

    /// Waits until some of `want` bytes may go; returns how many.
    pub async fn grant(&mut self, want: usize) -> usize {
        std::future::poll_fn(|cx| self.poll_grant(cx, want)).await
    }

    /// Counts `n` bytes moved.
    pub fn consume(&mut self, n: usize) {
        self.sent += n as u64;
        if !self.shares.is_empty() {
            self.tokens -= n as f64;
        }
    }
}

impl crate::data::transfer_io::Gate for Pace {
    fn poll_grant(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<usize> {
        Pace::poll_grant(self, cx, want)
    }

    fn consume(&mut self, n: usize) {
        Pace::consume(self, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_rate_holds_after_the_free_bytes() {
        let rate = SessionRate {
            bytes_per_sec: 1_000_000.0,
            free_bytes: 500_000,
        };
        let mut pace = Pace::new(Some(rate), Vec::new()).expect("paced");
        let start = Instant::now();
        while pace.sent() < 800_000 {
            let n = pace.grant(16_384).await;
            pace.consume(n.min(16_384));
        }
        let secs = start.elapsed().as_secs_f64();
        // 300,000 paced bytes at 1,000,000 a second.
        assert!((0.28..=0.45).contains(&secs), "{secs}");
    }

    #[tokio::test]
    async fn a_share_paces_at_the_pool_rate() {
        let member = Member::join(("test:pace".into(), "x".into()), 2_000_000);
        let mut pace = Pace::new(None, vec![member]).expect("paced");
        let start = Instant::now();
        while pace.sent() < 600_000 {
            let n = pace.grant(65_536).await;
            pace.consume(n);
        }
        let secs = start.elapsed().as_secs_f64();
        assert!((0.28..=0.45).contains(&secs), "{secs}");
    }

    #[test]
    fn nothing_to_pace_is_none() {
        assert!(Pace::new(None, Vec::new()).is_none());
        let zero = SessionRate {
            bytes_per_sec: 0.0,
            free_bytes: 0,
        };
        assert!(Pace::new(Some(zero), Vec::new()).is_none());
    }
}
