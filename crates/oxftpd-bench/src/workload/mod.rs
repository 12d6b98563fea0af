//! The workloads run against a server, and what they share.

pub mod idle;
pub mod listing;
pub mod sessions;
pub mod transfer;

use std::time::Duration;

use anyhow::Result;

use crate::procs::Selector;
use crate::target::Target;

/// What every workload needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The server.
    pub target: Target,
    /// The server's processes (CPU and memory figures are left out when empty).
    pub server: Selector,
    /// Tiny sizes and content checks instead of timing.
    pub smoke: bool,
    /// Bound on one workload's whole run.
    pub deadline: Duration,
}

impl Ctx {
    /// Server CPU seconds so far, or NaN without a selector.
    pub fn cpu(&self) -> f64 {
        if self.server.is_empty() {
            f64::NAN
        } else {
            self.server.cpu_seconds()
        }
    }

    /// Server PSS in KiB, or 0 without a selector.
    pub fn pss(&self) -> u64 {
        if self.server.is_empty() {
            0
        } else {
            self.server.pss_kib()
        }
    }

    /// Live server processes (0 without a selector).
    pub fn procs(&self) -> usize {
        if self.server.is_empty() {
            0
        } else {
            self.server.count()
        }
    }

    /// Waits (bounded) until a forking server is back to `baseline` processes, so that
    /// finished sessions are reaped and their CPU time is in their parent's counters.
    pub async fn settle(&self, baseline: usize) -> Result<()> {
        crate::procs::wait_for_count(&self.server, baseline, Duration::from_secs(60)).await
    }
}

/// Runs `fut` within the context's deadline.
pub async fn within<T>(ctx: &Ctx, what: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
    match tokio::time::timeout(ctx.deadline, fut).await {
        Ok(r) => r,
        Err(_) => anyhow::bail!("{what} did not finish within {:?}", ctx.deadline),
    }
}
