//! Per-Service and per-load traffic statistics: counts, failures by kind, per-pod distribution
//! and latency percentiles.
//!
//! Latencies are integer microseconds in a fixed-bucket histogram (100 µs buckets up to
//! 100 ms, then 10 ms buckets up to 200 s), so percentiles are exact to the bucket, cost O(1)
//! per request, and involve no floats.

use std::collections::BTreeMap;
use std::fmt;

/// Why a request failed, as the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Failure {
    /// DNS name does not resolve (load balancer still provisioning, typo).
    CouldNotResolve,
    /// TCP RST / ICMP port unreachable: nothing listening, or kube-proxy's REJECT for a
    /// Service without endpoints.
    Refused,
    /// No answer at all: dead node, dropped packet, unroutable address.
    Timeout,
    /// The ELB accepted the connection and closed it without a response (no healthy
    /// instance, or the backend connection failed).
    EmptyReply,
    /// The app answered `503 Service Unavailable` (it is failing; curl itself exits 0).
    Unavailable,
}

impl Failure {
    /// All kinds, in display order.
    pub const ALL: [Failure; 5] = [
        Failure::CouldNotResolve,
        Failure::Refused,
        Failure::Timeout,
        Failure::EmptyReply,
        Failure::Unavailable,
    ];

    /// curl's exit code for it.
    pub fn curl_exit_code(self) -> u8 {
        match self {
            Failure::CouldNotResolve => 6,
            Failure::Refused => 7,
            Failure::Timeout => 28,
            Failure::EmptyReply => 52,
            Failure::Unavailable => 0,
        }
    }

    /// Short label for stats tables.
    pub fn label(self) -> &'static str {
        match self {
            Failure::CouldNotResolve => "could not resolve host",
            Failure::Refused => "connection refused",
            Failure::Timeout => "timeout",
            Failure::EmptyReply => "empty reply",
            Failure::Unavailable => "503 from pod",
        }
    }
}

const FINE_BUCKET_US: u64 = 100;
const FINE_LIMIT_US: u64 = 100_000;
const COARSE_BUCKET_US: u64 = 10_000;
const MAX_US: u64 = 200_000_000;
const FINE_BUCKETS: usize = (FINE_LIMIT_US / FINE_BUCKET_US) as usize;
const BUCKETS: usize = FINE_BUCKETS + ((MAX_US - FINE_LIMIT_US) / COARSE_BUCKET_US) as usize + 1;

/// Latency histogram in µs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LatencyHist {
    counts: Vec<u64>,
    total: u64,
    max_us: u64,
}

fn bucket(us: u64) -> usize {
    if us < FINE_LIMIT_US {
        (us / FINE_BUCKET_US) as usize
    } else {
        (FINE_BUCKETS + ((us.min(MAX_US) - FINE_LIMIT_US) / COARSE_BUCKET_US) as usize)
            .min(BUCKETS - 1)
    }
}

fn bucket_upper(b: usize) -> u64 {
    if b < FINE_BUCKETS {
        (b as u64 + 1) * FINE_BUCKET_US
    } else {
        FINE_LIMIT_US + (b - FINE_BUCKETS + 1) as u64 * COARSE_BUCKET_US
    }
}

impl LatencyHist {
    /// Records one latency.
    #[inline]
    pub fn record(&mut self, us: u64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        self.counts[bucket(us)] += 1;
        self.total += 1;
        self.max_us = self.max_us.max(us);
    }

    /// Nearest-rank percentile (`pct` in 1..=100), as the bucket's upper bound in µs (capped
    /// at the largest value seen); 0 when empty.
    pub fn percentile_us(&self, pct: u64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = (self.total * pct).div_ceil(100).max(1);
        let mut seen = 0;
        for (b, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return bucket_upper(b).min(self.max_us);
            }
        }
        self.max_us
    }

    /// Largest latency recorded.
    pub fn max_us(&self) -> u64 {
        self.max_us
    }
}

/// Counters for a Service or one load run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrafficStats {
    /// Requests sent.
    pub sent: u64,
    /// Requests answered by a pod.
    pub succeeded: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Failures by kind.
    pub failures: BTreeMap<Failure, u64>,
    /// Successful responses per pod name.
    pub per_pod: BTreeMap<String, u64>,
    /// Latency of every request (failures included, with the time the client waited).
    pub latency: LatencyHist,
    /// Successes not yet folded into `per_pod`, by index into the current pod view (the
    /// hot path counts into a Vec; names are resolved when the view changes).
    pending: Vec<u64>,
}

impl TrafficStats {
    /// Records a success served by `pod`.
    pub fn ok(&mut self, pod: &str, latency_us: u64) {
        self.sent += 1;
        self.succeeded += 1;
        match self.per_pod.get_mut(pod) {
            Some(c) => *c += 1,
            None => {
                self.per_pod.insert(pod.to_string(), 1);
            }
        }
        self.latency.record(latency_us);
    }

    /// Records a success served by the pod at `idx` of the current view (fast path; call
    /// [`TrafficStats::fold`] before the view changes).
    #[inline]
    pub fn ok_at(&mut self, idx: usize, latency_us: u64) {
        self.sent += 1;
        self.succeeded += 1;
        if self.pending.len() <= idx {
            self.pending.resize(idx + 1, 0);
        }
        self.pending[idx] += 1;
        self.latency.record(latency_us);
    }

    /// Moves the fast-path counts into `per_pod`, naming pods with `name_of(idx)`.
    pub fn fold<'a>(&mut self, name_of: impl Fn(usize) -> &'a str) {
        for (idx, n) in std::mem::take(&mut self.pending).into_iter().enumerate() {
            if n > 0 {
                *self.per_pod.entry(name_of(idx).to_string()).or_insert(0) += n;
            }
        }
    }

    /// Records a failure.
    pub fn fail(&mut self, f: Failure, latency_us: u64) {
        self.sent += 1;
        self.failed += 1;
        *self.failures.entry(f).or_insert(0) += 1;
        self.latency.record(latency_us);
    }

    /// Success rate in basis points (10000 = 100 %); 10000 when nothing was sent.
    pub fn success_bp(&self) -> u64 {
        (self.succeeded * 10_000)
            .checked_div(self.sent)
            .unwrap_or(10_000)
    }
}

/// `12.3ms` style rendering of µs (integer arithmetic).
pub fn fmt_us(us: u64) -> String {
    if us >= 1_000_000 {
        format!("{}.{}s", us / 1_000_000, (us % 1_000_000) / 100_000)
    } else {
        format!("{}.{}ms", us / 1_000, (us % 1_000) / 100)
    }
}

impl fmt::Display for TrafficStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bp = self.success_bp();
        writeln!(
            f,
            "sent {}  succeeded {}  failed {}  success {}.{:02}%",
            self.sent,
            self.succeeded,
            self.failed,
            bp / 100,
            bp % 100
        )?;
        for (k, v) in &self.failures {
            writeln!(f, "  {}: {v}", k.label())?;
        }
        writeln!(
            f,
            "latency p50 {}  p90 {}  p99 {}  max {}",
            fmt_us(self.latency.percentile_us(50)),
            fmt_us(self.latency.percentile_us(90)),
            fmt_us(self.latency.percentile_us(99)),
            fmt_us(self.latency.max_us())
        )?;
        for (pod, n) in &self.per_pod {
            writeln!(f, "  {pod}: {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_on_buckets() {
        let mut h = LatencyHist::default();
        for us in 1..=100u64 {
            h.record(us * 1_000);
        }
        assert_eq!(h.percentile_us(50), 50_100);
        assert_eq!(h.percentile_us(99), 99_100);
        assert_eq!(h.percentile_us(100), 100_000);
        h.record(10_000_000);
        assert_eq!(h.max_us(), 10_000_000);
        assert_eq!(fmt_us(12_345), "12.3ms");
        assert_eq!(fmt_us(10_000_000), "10.0s");
    }
}
