//! Score plugins that look at one node at a time: NodeResourcesFit (LeastAllocated),
//! NodeResourcesBalancedAllocation, TaintToleration, NodeAffinity (preferred) and
//! ImageLocality, plus upstream's `DefaultNormalizeScore`. Integer math only: Go's int64
//! division is Rust's `/` on non-negative operands, and where upstream uses float64 the exact
//! rational is computed instead (see [`balanced_allocation`]).

use super::cache::{Hot, NodeState};
use super::gofloat;
use super::types::{tolerations_tolerate, PodInfo, TaintEffect, Toleration};

/// `framework.MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;

/// `leastRequestedScore` (least_allocated.go): the unused share of capacity, 0..100.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// `x / d` (floor) for a divisor with a precomputed `inv = u64::MAX / d`: the high half of
/// `x·inv` is at most 2 short of the quotient and two comparisons fix it. Scoring divides by
/// per-node constants thousands of times per cycle; this keeps Go's exact int64 results while
/// avoiding the hardware divide.
#[inline]
pub fn div_by(x: u64, d: u64, inv: u64) -> u64 {
    div_rem_by(x, d, inv).0
}

/// [`div_by`] with the remainder. `q·d ≤ x` for the estimate `q` (as `inv ≤ 2^64 / d`), so the
/// remainder is computed and corrected in u64.
#[inline]
pub fn div_rem_by(x: u64, d: u64, inv: u64) -> (u64, u64) {
    let mut q = ((u128::from(x) * u128::from(inv)) >> 64) as u64;
    let mut r = x - q * d;
    while r >= d {
        q += 1;
        r -= d;
    }
    (q, r)
}

/// `leastRequestedScore` with the node's precomputed inverse.
#[inline]
fn least_requested_fast(requested: i64, capacity: i64, inv: u64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    div_by(
        ((capacity - requested) * MAX_NODE_SCORE) as u64,
        capacity as u64,
        inv,
    ) as i64
}

/// NodeResourcesFit score with the default LeastAllocated strategy (cpu weight 1, memory
/// weight 1), on non-zero requests (`leastResourceScorer`); resources with allocatable 0 are
/// skipped.
pub(crate) fn least_allocated(pod: &PodInfo, node: &Hot) -> i64 {
    let mut sum = 0;
    let mut weights = 0;
    if node.alloc_cpu != 0 {
        let req = node.nz_cpu + pod.non_zero_requests.milli_cpu;
        sum += least_requested_fast(req, node.alloc_cpu, node.inv_cpu);
        weights += 1;
    }
    if node.alloc_mem != 0 {
        let req = node.nz_mem + pod.non_zero_requests.memory;
        sum += least_requested_fast(req, node.alloc_mem, node.inv_mem);
        weights += 1;
    }
    match weights {
        0 => 0,
        1 => sum,
        _ => sum / 2,
    }
}

/// `balancedResourceScorer` for two resources: `int64((1 - |f_cpu - f_mem| / 2) * 100)` with
/// each fraction `requested / allocatable` capped at 1. Computed as the exact rational
/// `floor((200·P·Q − 100·|p·Q − q·P|) / (2·P·Q))`, which is what Go's float64 gives unless the
/// value is within a hair of an integer; there [`gofloat`] replays Go's float64 steps exactly.
pub fn balanced_score(p: i64, cap_p: i64, q: i64, cap_q: i64) -> i64 {
    match (cap_p > 0, cap_q > 0) {
        // fewer than two fractions: std = 0
        (false, _) | (_, false) => return MAX_NODE_SCORE,
        _ => {}
    }
    let p = p.min(cap_p) as u128;
    let q = q.min(cap_q) as u128;
    let (cp, cq) = (cap_p as u128, cap_q as u128);
    let d = (p * cq).abs_diff(q * cp);
    let pq = cp * cq;
    let num = 200 * pq - 100 * d;
    // Small operands (the usual case) divide in u64, which is much cheaper than u128.
    let den = 2 * pq;
    if near_integer(num % den, den) {
        return gofloat::balanced_score_float(p as u64, cap_p as u64, q as u64, cap_q as u64);
    }
    (num / den) as i64
}

/// True when `rem / den` (the fractional part of an exact score) is within 2^-30 of 0 or 1:
/// only there can float64 rounding move Go's truncated result (its error is ~1e-14).
#[inline]
fn near_integer(rem: u128, den: u128) -> bool {
    (rem << 30) < den || ((den - rem) << 30) < den
}

/// NodeResourcesBalancedAllocation on actual requests (`useRequested`).
pub(crate) fn balanced_allocation(pod: &PodInfo, node: &Hot) -> i64 {
    if node.pq != 0 {
        // 100 − ceil(50·D / PQ), the same value as `balanced_score`, with a precomputed inverse.
        let p = (node.req_cpu + pod.requests.milli_cpu).min(node.alloc_cpu) as u64;
        let q = (node.req_mem + pod.requests.memory).min(node.alloc_mem) as u64;
        // pq fits in u64, so p·Q and q·P (each ≤ pq) do too; 50·D may not.
        let d = (p * node.alloc_mem as u64).abs_diff(q * node.alloc_cpu as u64);
        if let Some(x) = d.checked_mul(50) {
            let (k, rem) = div_rem_by(x, node.pq, node.inv_pq);
            // near_integer, conservatively in u64 (gofloat is exact anyway, just slower).
            let t = node.pq >> 30;
            if rem > t && node.pq - rem > t {
                return MAX_NODE_SCORE - (k + u64::from(rem != 0)) as i64;
            }
            return gofloat::balanced_score_float(
                p,
                node.alloc_cpu as u64,
                q,
                node.alloc_mem as u64,
            );
        }
    }
    balanced_score(
        node.req_cpu + pod.requests.milli_cpu,
        node.alloc_cpu,
        node.req_mem + pod.requests.memory,
        node.alloc_mem,
    )
}

/// BalancedAllocation PreScore returns Skip for best-effort pods (kubernetes#129138).
pub fn balanced_skips(pod: &PodInfo) -> bool {
    pod.requests.milli_cpu == 0 && pod.requests.memory == 0
}

/// Tolerations that count for PreferNoSchedule (`getAllTolerationPreferNoSchedule`).
pub fn prefer_no_schedule_tolerations(pod: &PodInfo) -> Vec<Toleration> {
    pod.tolerations
        .iter()
        .filter(|t| t.effect.is_none_or(|e| e == TaintEffect::PreferNoSchedule))
        .cloned()
        .collect()
}

/// `countIntolerableTaintsPreferNoSchedule`: raw TaintToleration score.
pub fn intolerable_prefer_taints(node: &NodeState, tolerations: &[Toleration]) -> i64 {
    if !node.has_prefer_taints {
        return 0;
    }
    node.spec
        .taints
        .iter()
        .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
        .filter(|t| !tolerations_tolerate(tolerations, t))
        .count() as i64
}

/// NodeAffinity raw score: Σ weights of matching preferred terms (empty or weight-0 terms
/// are dropped by `NewPreferredSchedulingTerms`).
pub fn preferred_affinity(pod: &PodInfo, node: &NodeState) -> i64 {
    pod.preferred_affinity
        .iter()
        .filter(|p| p.weight != 0 && p.term.matches(&node.spec.name, &node.spec.labels))
        .map(|p| i64::from(p.weight))
        .sum()
}

/// `helper.DefaultNormalizeScore(MaxNodeScore, reverse, scores)`.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0).max(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = MAX_NODE_SCORE * *s / max;
        *s = if reverse { MAX_NODE_SCORE - v } else { v };
    }
}

const MB: i64 = 1024 * 1024;
/// ImageLocality `minThreshold` (23 MB).
pub const IMAGE_MIN_THRESHOLD: i64 = 23 * MB;
/// ImageLocality `maxContainerThreshold` (1000 MB per container).
pub const IMAGE_MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// ImageLocality score: `calculatePriority(sumImageScores(...))`. `pod_images` are the
/// interned ids of the pod's init+regular container images (`None` when no node has it);
/// `containers` is their count; `total_nodes` the number of nodes in the snapshot.
pub fn image_locality(
    node: &NodeState,
    pod_images: &[Option<(u32, u32)>],
    containers: usize,
    total_nodes: usize,
) -> i64 {
    let mut sum: i64 = 0;
    for (id, num_nodes) in pod_images.iter().flatten() {
        if let Ok(p) = node.images.binary_search_by_key(id, |&(i, _)| i) {
            // scaledImageScore: int64(float64(size) * (numNodes / totalNumNodes))
            let size = node.images[p].1;
            sum += (i128::from(size) * i128::from(*num_nodes) / total_nodes.max(1) as i128) as i64;
        }
    }
    calculate_priority(sum, containers)
}

/// [`image_locality`] for one pod over many nodes, remembering the last result of each
/// division: replicas run one image of one size, so from node to node the scaled score of an
/// image (an i128 division) and the priority of a sum (another) rarely change. Same values as
/// [`image_locality`], which `image_scorer_matches_image_locality` checks.
pub(crate) struct ImageScorer<'a> {
    pod_images: &'a [Option<(u32, u32)>],
    containers: usize,
    total_nodes: usize,
    /// Per pod image: (size, scaled score) of the last node that had it.
    scaled: Vec<Option<(i64, i64)>>,
    /// (sum, priority) of the last node.
    priority: (i64, i64),
}

impl<'a> ImageScorer<'a> {
    /// A scorer for `pod_images` (see [`image_locality`]); `scaled` is a reusable buffer.
    pub(crate) fn new(
        pod_images: &'a [Option<(u32, u32)>],
        containers: usize,
        total_nodes: usize,
        mut scaled: Vec<Option<(i64, i64)>>,
    ) -> Self {
        scaled.clear();
        scaled.resize(pod_images.len(), None);
        ImageScorer {
            pod_images,
            containers,
            total_nodes,
            scaled,
            priority: (0, calculate_priority(0, containers)),
        }
    }

    /// [`image_locality`] of `node`.
    pub(crate) fn score(&mut self, node: &NodeState) -> i64 {
        let mut sum: i64 = 0;
        for (k, im) in self.pod_images.iter().enumerate() {
            let Some((id, num_nodes)) = im else { continue };
            if let Ok(p) = node.images.binary_search_by_key(id, |&(i, _)| i) {
                let size = node.images[p].1;
                sum += match self.scaled[k] {
                    Some((s, v)) if s == size => v,
                    _ => {
                        // scaledImageScore, as in image_locality.
                        let v = (i128::from(size) * i128::from(*num_nodes)
                            / self.total_nodes.max(1) as i128)
                            as i64;
                        self.scaled[k] = Some((size, v));
                        v
                    }
                };
            }
        }
        if self.priority.0 != sum {
            self.priority = (sum, calculate_priority(sum, self.containers));
        }
        self.priority.1
    }

    /// The buffer back, for the next pod.
    pub(crate) fn into_buffer(self) -> Vec<Option<(i64, i64)>> {
        self.scaled
    }
}

/// `imagelocality.calculatePriority`.
pub fn calculate_priority(sum: i64, containers: usize) -> i64 {
    let max_threshold = IMAGE_MAX_CONTAINER_THRESHOLD * containers as i64;
    if max_threshold <= IMAGE_MIN_THRESHOLD {
        return 0;
    }
    let s = sum.clamp(IMAGE_MIN_THRESHOLD, max_threshold);
    MAX_NODE_SCORE * (s - IMAGE_MIN_THRESHOLD) / (max_threshold - IMAGE_MIN_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::super::cache::Cache;
    use super::super::types::{normalized_image_name, NodeImage, NodeSpec};
    use super::*;

    /// The memoised scorer against the plain function, over nodes visited in an order where
    /// the same image shows up with the same and with other sizes, and pods of one, two and
    /// three images (some on no node, some untagged).
    #[test]
    fn image_scorer_matches_image_locality() {
        let mut cache = Cache::new();
        let sizes: [&[(&str, i64)]; 6] = [
            &[("nginx:1.25", 60), ("busybox:latest", 2)],
            &[("nginx:1.25", 60)],
            &[],
            &[("nginx:1.25", 900), ("redis:7", 130)],
            &[("redis:7", 130), ("busybox", 2), ("nginx:1.25", 60)],
            &[("gcr.io/big:2", 4000)],
        ];
        for (i, imgs) in sizes.iter().enumerate() {
            cache.upsert_node(NodeSpec {
                name: format!("n{i}"),
                images: imgs
                    .iter()
                    .map(|(n, mb)| NodeImage {
                        name: n.to_string(),
                        size_bytes: mb * 1024 * 1024,
                    })
                    .collect(),
                ..NodeSpec::default()
            });
        }
        let order = [0, 1, 1, 3, 0, 4, 2, 5, 4, 1, 3, 3, 0];
        let pods: [&[&str]; 5] = [
            &["nginx:1.25"],
            &["nginx:1.25", "redis:7"],
            &["busybox", "nginx:1.25", "missing:1"],
            &["gcr.io/big:2"],
            &["missing"],
        ];
        let mut buffer = Vec::new();
        for images in pods {
            for name in images {
                let plain = cache.image_ids.get(&normalized_image_name(name)).copied();
                assert_eq!(cache.image_id(name), plain, "{name}");
            }
            let ids: Vec<Option<(u32, u32)>> = images
                .iter()
                .map(|im| cache.image_id(im).map(|id| (id, cache.image_num_nodes(id))))
                .collect();
            let mut scorer = ImageScorer::new(&ids, images.len(), cache.num_nodes(), buffer);
            for &i in &order {
                let node = cache.node(&format!("n{i}")).unwrap();
                assert_eq!(
                    scorer.score(node),
                    image_locality(node, &ids, images.len(), cache.num_nodes()),
                    "{images:?} on n{i}"
                );
            }
            buffer = scorer.into_buffer();
        }
    }
}
