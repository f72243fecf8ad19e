//! The network's seeded random streams.
//!
//! Two streams, both derived from the sim seed at construction: one for allocations (ClusterIPs,
//! NodePorts, load-balancer and EndpointSlice names) and one for per-request choices (the
//! iptables `statistic` match, latency jitter). Keeping them apart means that sending one more
//! `curl` never changes the ClusterIP the next Service gets.
//!
//! SplitMix64 rather than ChaCha: the traffic benchmark draws ~50 numbers per request (one per
//! iptables rule tried), and SplitMix64 is a handful of integer ops on native and wasm32 alike.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, statistically fine for a simulator.
#[derive(Debug, Clone)]
pub struct NetRng {
    state: u64,
}

impl NetRng {
    /// A stream from a seed; `salt` separates streams derived from the same seed.
    pub fn new(seed: u64, salt: u64) -> NetRng {
        let mut r = NetRng {
            state: seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        };
        // Mix once so that nearby seeds do not start with correlated outputs.
        r.next_u64();
        r
    }

    /// Next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Next 32 random bits (the high half, the better-mixed one).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; `n` must be > 0).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "below(0)");
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_salts_differ() {
        let mut a = NetRng::new(7, 1);
        let mut b = NetRng::new(7, 1);
        let mut c = NetRng::new(7, 2);
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        assert!((0..1000).all(|_| a.below(3) < 3));
    }
}
