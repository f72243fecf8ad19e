//! ClusterIP and NodePort allocation, as the API server does it when a Service is created.
//!
//! Both allocators are upstream's bitmap allocator with a *static subrange*
//! (`pkg/registry/core/service/allocator/bitmap.go`, `randomScanStrategyWithOffset`,
//! KEP-3070/3668): the bottom of the range is kept for users who pick a value by hand, so
//! dynamic allocation starts at a random offset in the upper band, scans forward (wrapping
//! inside the band) and only falls back to the lower band when the upper one is full. The band
//! sizes come from `calculateRangeOffset` (ipallocator: min 16, max 256, step 16; portallocator:
//! min 16, max 128, step 32), so with the defaults the first dynamic ClusterIP is at or above
//! `10.96.1.1` and the first dynamic NodePort at or above 30086.
//!
//! Randomness comes from the network's allocation stream, so the same seed gives the same
//! addresses and ports.

use super::ip::{fmt_ip, ipv4, Ip};
use super::rng::NetRng;
use std::collections::BTreeSet;

/// The default `--service-cluster-ip-range`.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
/// First address of the range; the `kubernetes` Service always gets `.1` of it.
pub const SERVICE_CIDR_BASE: Ip = ipv4(10, 96, 0, 0);
/// Prefix length of [`SERVICE_CIDR`].
pub const SERVICE_CIDR_BITS: u32 = 12;
/// The `kubernetes` Service's ClusterIP.
pub const KUBERNETES_SERVICE_IP: Ip = ipv4(10, 96, 0, 1);
/// The default `--service-node-port-range` (inclusive).
pub const NODE_PORT_MIN: u16 = 30000;
/// Upper end of the NodePort range (inclusive).
pub const NODE_PORT_MAX: u16 = 32767;

/// `calculateRangeOffset`: size of the static (user-reserved) band at the bottom of a range.
fn range_offset(size: u32, min: u32, max: u32, step: u32) -> u32 {
    if size < min {
        return 0;
    }
    (size / step).clamp(min, max)
}

/// `randomScanStrategyWithOffset.AllocateBit`: random start in the upper band, scan forward
/// wrapping inside it, then scan the lower band. Returns an index in `0..max`.
fn allocate_bit(used: &BTreeSet<u32>, max: u32, offset: u32, rng: &mut NetRng) -> Option<u32> {
    if used.len() as u64 >= u64::from(max) {
        return None;
    }
    let upper = max - offset;
    if upper > 0 {
        let start = rng.below(u64::from(upper)) as u32;
        for i in 0..upper {
            let at = offset + (start + i) % upper;
            if !used.contains(&at) {
                return Some(at);
            }
        }
    }
    (0..offset).find(|at| !used.contains(at))
}

/// Why a requested value could not be allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocError {
    /// Outside the configured range.
    NotInRange,
    /// Someone already holds it.
    Allocated,
    /// The range is exhausted.
    Full,
}

/// ClusterIP allocator over [`SERVICE_CIDR`]. Index 0 is the range's first usable address
/// (`.1`); the network address and the broadcast address are never handed out.
#[derive(Debug, Clone)]
pub struct ClusterIpAllocator {
    base: Ip,
    max: u32,
    offset: u32,
    used: BTreeSet<u32>,
}

impl Default for ClusterIpAllocator {
    fn default() -> Self {
        ClusterIpAllocator::new(SERVICE_CIDR_BASE, SERVICE_CIDR_BITS)
    }
}

impl ClusterIpAllocator {
    /// An allocator over `base/bits`.
    pub fn new(base: Ip, bits: u32) -> ClusterIpAllocator {
        let size = 1u32 << (32 - bits);
        // ipallocator: rangeSize = size - 2 (network and broadcast excluded).
        let max = size.saturating_sub(2);
        ClusterIpAllocator {
            base,
            max,
            offset: range_offset(max, 16, 256, 16),
            used: BTreeSet::new(),
        }
    }

    fn index(&self, ip: Ip) -> Option<u32> {
        let rel = ip.checked_sub(self.base + 1)?;
        (rel < self.max).then_some(rel)
    }

    /// Reserves a user-chosen address (`spec.clusterIP: 10.96.0.10`).
    pub fn allocate(&mut self, ip: Ip) -> Result<(), AllocError> {
        let idx = self.index(ip).ok_or(AllocError::NotInRange)?;
        if !self.used.insert(idx) {
            return Err(AllocError::Allocated);
        }
        Ok(())
    }

    /// Picks a free address the way the API server does.
    pub fn allocate_next(&mut self, rng: &mut NetRng) -> Result<Ip, AllocError> {
        let idx = allocate_bit(&self.used, self.max, self.offset, rng).ok_or(AllocError::Full)?;
        self.used.insert(idx);
        Ok(self.base + 1 + idx)
    }

    /// Returns an address to the pool (Service deleted).
    pub fn release(&mut self, ip: Ip) {
        if let Some(idx) = self.index(ip) {
            self.used.remove(&idx);
        }
    }

    /// Whether `ip` is handed out.
    pub fn is_allocated(&self, ip: Ip) -> bool {
        self.index(ip).is_some_and(|i| self.used.contains(&i))
    }
}

/// NodePort allocator over `NODE_PORT_MIN..=NODE_PORT_MAX`.
#[derive(Debug, Clone)]
pub struct NodePortAllocator {
    min: u16,
    max_idx: u32,
    offset: u32,
    used: BTreeSet<u32>,
}

impl Default for NodePortAllocator {
    fn default() -> Self {
        NodePortAllocator::new(NODE_PORT_MIN, NODE_PORT_MAX)
    }
}

impl NodePortAllocator {
    /// An allocator over `min..=max`.
    pub fn new(min: u16, max: u16) -> NodePortAllocator {
        let size = u32::from(max - min) + 1;
        NodePortAllocator {
            min,
            max_idx: size,
            offset: range_offset(size, 16, 128, 32),
            used: BTreeSet::new(),
        }
    }

    fn index(&self, port: u16) -> Option<u32> {
        let rel = u32::from(port.checked_sub(self.min)?);
        (rel < self.max_idx).then_some(rel)
    }

    /// Reserves a user-chosen port.
    pub fn allocate(&mut self, port: u16) -> Result<(), AllocError> {
        let idx = self.index(port).ok_or(AllocError::NotInRange)?;
        if !self.used.insert(idx) {
            return Err(AllocError::Allocated);
        }
        Ok(())
    }

    /// Picks a free port the way the API server does.
    pub fn allocate_next(&mut self, rng: &mut NetRng) -> Result<u16, AllocError> {
        let idx =
            allocate_bit(&self.used, self.max_idx, self.offset, rng).ok_or(AllocError::Full)?;
        self.used.insert(idx);
        Ok(self.min + idx as u16)
    }

    /// Returns a port to the pool.
    pub fn release(&mut self, port: u16) {
        if let Some(idx) = self.index(port) {
            self.used.remove(&idx);
        }
    }

    /// Whether `port` is handed out.
    pub fn is_allocated(&self, port: u16) -> bool {
        self.index(port).is_some_and(|i| self.used.contains(&i))
    }
}

/// `spec.ports[i].nodePort: Invalid value: P: provided port is already allocated` and friends,
/// as `pkg/registry/core/service/portallocator` + the REST strategy word them.
pub fn node_port_error(i: usize, port: u16, err: AllocError) -> String {
    match err {
        AllocError::Allocated => {
            format!("spec.ports[{i}].nodePort: Invalid value: {port}: provided port is already allocated")
        }
        AllocError::NotInRange => format!(
            "spec.ports[{i}].nodePort: Invalid value: {port}: provided port is not in the valid range. \
             The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
        ),
        AllocError::Full => format!(
            "spec.ports[{i}].nodePort: Invalid value: {port}: range is full"
        ),
    }
}

/// `spec.clusterIPs` allocation errors (v1.34 renders the bad `[]string` as JSON, §9).
pub fn cluster_ip_error(ip: Ip, err: AllocError) -> String {
    let s = fmt_ip(ip);
    match err {
        AllocError::Allocated => format!(
            "spec.clusterIPs: Invalid value: [\"{s}\"]: failed to allocate IP {s}: provided IP is already allocated"
        ),
        AllocError::NotInRange => format!(
            "spec.clusterIPs: Invalid value: [\"{s}\"]: failed to allocate IP {s}: the provided IP ({s}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"
        ),
        AllocError::Full => format!(
            "spec.clusterIPs: Invalid value: [\"{s}\"]: failed to allocate IP {s}: range is full"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ip::parse_ip;

    #[test]
    fn static_band_sizes_match_upstream() {
        // ipallocator for a /12: 2^20 - 2 addresses, band min(max(16, size/16), 256) = 256.
        assert_eq!(ClusterIpAllocator::default().offset, 256);
        // portallocator for 30000-32767: 2768 ports, band min(max(16, 2768/32), 128) = 86.
        assert_eq!(NodePortAllocator::default().offset, 86);
    }

    #[test]
    fn dynamic_allocations_avoid_the_static_band_and_are_seeded() {
        let mut rng = NetRng::new(42, 1);
        let mut ips = ClusterIpAllocator::default();
        ips.allocate(KUBERNETES_SERVICE_IP).unwrap();
        let a = ips.allocate_next(&mut rng).unwrap();
        assert!(a >= parse_ip("10.96.1.1").unwrap() && a < parse_ip("10.112.0.0").unwrap());
        let mut ports = NodePortAllocator::default();
        let p = ports.allocate_next(&mut rng).unwrap();
        assert!((30086..=32767).contains(&p));
        let mut rng2 = NetRng::new(42, 1);
        let mut ips2 = ClusterIpAllocator::default();
        assert_eq!(ips2.allocate_next(&mut rng2).unwrap(), a);
    }

    #[test]
    fn explicit_ports_are_honoured_and_conflicts_rejected() {
        let mut ports = NodePortAllocator::default();
        assert_eq!(ports.allocate(30080), Ok(()));
        assert_eq!(ports.allocate(30080), Err(AllocError::Allocated));
        assert_eq!(ports.allocate(8080), Err(AllocError::NotInRange));
        assert_eq!(
            node_port_error(0, 30080, AllocError::Allocated),
            "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
        );
        assert_eq!(
            node_port_error(0, 8080, AllocError::NotInRange),
            "spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. \
             The range of valid ports is 30000-32767"
        );
        ports.release(30080);
        assert_eq!(ports.allocate(30080), Ok(()));
    }

    #[test]
    fn exhausting_a_small_range_falls_back_to_the_static_band_then_fails() {
        let mut rng = NetRng::new(1, 1);
        let mut ports = NodePortAllocator::new(30000, 30019); // 20 ports, band 16
        let mut got: Vec<u16> = (0..20)
            .map(|_| ports.allocate_next(&mut rng).unwrap())
            .collect();
        // The four upper-band ports go first.
        assert!(got[..4].iter().all(|p| *p >= 30016));
        got.sort();
        assert_eq!(got, (30000..30020).collect::<Vec<_>>());
        assert_eq!(ports.allocate_next(&mut rng), Err(AllocError::Full));
    }
}
