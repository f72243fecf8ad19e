//! Retry timing of unschedulable pods (`PriorityQueue.calculateBackoffDuration`,
//! pkg/scheduler/backend/queue/scheduling_queue.go): 1 s initial, doubling, capped at 10 s; a
//! pod left in the unschedulable pool is flushed back after 5 minutes even without a cluster
//! event (`podMaxInUnschedulablePodsDuration`).

/// `--pod-initial-backoff-seconds` default.
pub const POD_INITIAL_BACKOFF_MS: u64 = 1_000;
/// `--pod-max-backoff-seconds` default.
pub const POD_MAX_BACKOFF_MS: u64 = 10_000;
/// `podMaxInUnschedulablePodsDuration`.
pub const POD_MAX_IN_UNSCHEDULABLE_MS: u64 = 5 * 60 * 1_000;

/// Backoff after `attempts` failed scheduling attempts: 0 → 0, 1 → 1 s, 2 → 2 s, 3 → 4 s,
/// 4 → 8 s, ≥ 5 → 10 s.
pub fn backoff_ms(attempts: u32) -> u64 {
    if attempts == 0 {
        return 0;
    }
    let mut d = POD_INITIAL_BACKOFF_MS;
    for _ in 1..attempts {
        // Upstream compares before doubling to avoid overflow.
        if d > POD_MAX_BACKOFF_MS - d {
            return POD_MAX_BACKOFF_MS;
        }
        d += d;
    }
    d
}

/// When a pod that failed at `failed_at_ms` after `attempts` attempts may be retried
/// (`isPodBackingoff` is false from then on).
pub fn retry_at_ms(failed_at_ms: u64, attempts: u32) -> u64 {
    failed_at_ms + backoff_ms(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream `TestBackOffFlow`/`TestPriorityQueue_calculateBackoffDuration`: 1,2,4,8,10,10 s.
    #[test]
    fn backoff_doubles_to_ten_seconds() {
        let got: Vec<u64> = (1..=7).map(backoff_ms).collect();
        assert_eq!(got, [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
        assert_eq!(backoff_ms(0), 0);
        assert_eq!(retry_at_ms(5_000, 3), 9_000);
    }
}
