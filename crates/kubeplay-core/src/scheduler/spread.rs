//! PodTopologySpread: the hard-constraint filter (`filtering.go`) and the soft scoring with
//! system default constraints (`scoring.go`, `plugin.go` `systemDefaultConstraints`).
//!
//! Upstream weights each constraint by `math.Log(size + 2)` and rounds with `math.Round`. We
//! use a 64.64 fixed-point natural log instead of floats, so the result is identical on every
//! platform; it differs from Go's float64 only when a raw score lies within ~1e-12 of a
//! half-integer, which integer inputs to a logarithm never hit exactly.

use std::collections::BTreeMap;

use super::cache::{Cache, NodeState};
use super::types::{
    tolerations_tolerate, InclusionPolicy, PodInfo, Selector, SpreadConstraint, TaintEffect,
    WhenUnsatisfiable, LABEL_HOSTNAME, LABEL_ZONE,
};

const ONE: u128 = 1 << 64;

/// ln(x) in 64.64 fixed point, for x ≥ 1: x = m·2^k with m in [1, 2), and
/// ln m = 2·atanh((m−1)/(m+1)) by its series (z ≤ 1/3, so ~20 terms reach 2^-64).
pub fn ln_q64(x: u64) -> u128 {
    assert!(x >= 1, "ln of {x}");
    fn atanh2(z: u128) -> u128 {
        let z2 = (z * z) >> 64;
        let (mut term, mut sum, mut n) = (z, z, 3u128);
        while term != 0 && n < 200 {
            term = (term * z2) >> 64;
            sum += term / n;
            n += 2;
        }
        2 * sum
    }
    let k = 63 - x.leading_zeros();
    let m = (x as u128) << (64 - k);
    let ln2 = atanh2(ONE / 3);
    let z = ((m - ONE) << 64) / (m + ONE);
    u128::from(k) * ln2 + atanh2(z)
}

/// `systemDefaultConstraints`: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway.
pub fn system_default_constraints(selector: &Selector) -> [SpreadConstraint; 2] {
    [
        SpreadConstraint::new(
            LABEL_HOSTNAME,
            3,
            WhenUnsatisfiable::ScheduleAnyway,
            selector.clone(),
        ),
        SpreadConstraint::new(
            LABEL_ZONE,
            5,
            WhenUnsatisfiable::ScheduleAnyway,
            selector.clone(),
        ),
    ]
}

/// Lazily evaluated "does label group g match this selector in the pod's namespace".
pub(crate) struct GroupMemo<'a> {
    selector: Option<&'a Selector>,
    namespace: &'a str,
    memo: Vec<u8>,
}

impl<'a> GroupMemo<'a> {
    pub(crate) fn new(cache: &Cache, selector: Option<&'a Selector>, namespace: &'a str) -> Self {
        GroupMemo {
            selector,
            namespace,
            memo: vec![0; cache.num_groups()],
        }
    }

    fn matches(&mut self, cache: &Cache, g: u32) -> bool {
        let Some(sel) = self.selector else {
            return false;
        };
        // countPodsMatchSelector: an empty selector counts nothing.
        if sel.is_empty() {
            return false;
        }
        let slot = &mut self.memo[g as usize];
        if *slot == 0 {
            let (ns, labels) = cache.group(g);
            *slot = if ns == self.namespace && sel.matches(labels) {
                1
            } else {
                2
            };
        }
        *slot == 1
    }

    /// `countPodsMatchSelector(nodeInfo.Pods, selector, ns)` (terminating pods excluded).
    pub(crate) fn count_on(&mut self, cache: &Cache, node: &NodeState) -> u64 {
        let mut n = 0u64;
        for &(g, c) in &node.groups {
            if self.matches(cache, g) {
                n += u64::from(c);
            }
        }
        n
    }
}

fn label<'n>(node: &'n NodeState, key: &str) -> Option<&'n str> {
    node.spec.labels.get(key).map(String::as_str)
}

/// `topologySpreadConstraint.matchNodeInclusionPolicies`.
fn node_included(c: &SpreadConstraint, pod: &PodInfo, node: &NodeState) -> bool {
    if c.node_affinity_policy == InclusionPolicy::Honor
        && !pod.matches_required_affinity(&node.spec.name, &node.spec.labels)
    {
        return false;
    }
    if c.node_taints_policy == InclusionPolicy::Honor
        && node.spec.taints.iter().any(|t| {
            t.effect != TaintEffect::PreferNoSchedule && !tolerations_tolerate(&pod.tolerations, t)
        })
    {
        return false;
    }
    true
}

fn has_all_keys(node: &NodeState, cs: &[SpreadConstraint]) -> bool {
    cs.iter()
        .all(|c| node.spec.labels.contains_key(&c.topology_key))
}

/// PreFilter state of the hard constraints (`preFilterState`): matching pods per domain.
pub(crate) struct HardSpread<'p> {
    constraints: Vec<&'p SpreadConstraint>,
    counts: Vec<BTreeMap<String, i64>>,
    self_match: Vec<bool>,
}

impl<'p> HardSpread<'p> {
    /// `calPreFilterState`; `None` when the pod has no DoNotSchedule constraint (Skip).
    pub(crate) fn new(cache: &Cache, pod: &'p PodInfo) -> Option<Self> {
        let constraints: Vec<&SpreadConstraint> = pod
            .spread_constraints
            .iter()
            .filter(|c| c.when_unsatisfiable == WhenUnsatisfiable::DoNotSchedule)
            .collect();
        if constraints.is_empty() {
            return None;
        }
        let owned: Vec<SpreadConstraint> = constraints.iter().map(|c| (*c).clone()).collect();
        let mut counts = vec![BTreeMap::new(); constraints.len()];
        let mut memos: Vec<GroupMemo> = constraints
            .iter()
            .map(|c| GroupMemo::new(cache, c.selector.as_ref(), &pod.namespace))
            .collect();
        for &i in cache.order() {
            let node = cache.slot(i);
            if !has_all_keys(node, &owned) {
                continue;
            }
            for (ci, c) in constraints.iter().enumerate() {
                if !node_included(c, pod, node) {
                    continue;
                }
                let value = label(node, &c.topology_key).unwrap_or("").to_string();
                let n = memos[ci].count_on(cache, node) as i64;
                *counts[ci].entry(value).or_insert(0) += n;
            }
        }
        let self_match = constraints
            .iter()
            .map(|c| {
                c.selector
                    .as_ref()
                    .is_some_and(|s| !s.is_empty() && s.matches(&pod.labels))
            })
            .collect();
        Some(HardSpread {
            constraints,
            counts,
            self_match,
        })
    }

    /// `PodTopologySpread.Filter`: `matchNum + selfMatch − minMatch ≤ maxSkew` per constraint.
    pub(crate) fn filter(&self, node: &NodeState) -> Result<(), bool> {
        for (i, c) in self.constraints.iter().enumerate() {
            let Some(value) = label(node, &c.topology_key) else {
                return Err(true);
            };
            let domains = &self.counts[i];
            let mut min = domains
                .values()
                .copied()
                .min()
                .unwrap_or(i64::from(i32::MAX));
            if (domains.len() as i64) < i64::from(c.min_domains) {
                min = 0;
            }
            let here = domains.get(value).copied().unwrap_or(0);
            let skew = here + i64::from(self.self_match[i]) - min;
            if skew > i64::from(c.max_skew) {
                return Err(false);
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Hostname,
    Zone,
    Other,
}

/// Soft-constraint scoring for one cycle (`preScoreState` + Score + NormalizeScore).
pub(crate) struct SoftSpread;

impl SoftSpread {
    /// Computes the normalised PodTopologySpread scores of `feasible` (slots) into `out`.
    /// Returns false when PreScore would Skip (every score 0).
    pub(crate) fn score(
        cache: &Cache,
        pod: &PodInfo,
        feasible: &[usize],
        ln_table: &mut Vec<u128>,
        out: &mut Vec<i64>,
    ) -> bool {
        out.clear();
        out.resize(feasible.len(), 0);
        let explicit = !pod.spread_constraints.is_empty();
        let defaults;
        let constraints: Vec<&SpreadConstraint> = if explicit {
            pod.spread_constraints
                .iter()
                .filter(|c| c.when_unsatisfiable == WhenUnsatisfiable::ScheduleAnyway)
                .collect()
        } else {
            match &pod.default_spread_selector {
                Some(sel) if !sel.is_empty() => {
                    defaults = system_default_constraints(sel);
                    defaults.iter().collect()
                }
                _ => Vec::new(),
            }
        };
        if constraints.is_empty() || cache.num_nodes() == 0 {
            return false;
        }
        let require_all = explicit;
        let owned: Vec<SpreadConstraint> = constraints.iter().map(|c| (*c).clone()).collect();
        let kinds: Vec<KeyKind> = constraints
            .iter()
            .map(|c| match c.topology_key.as_str() {
                LABEL_HOSTNAME => KeyKind::Hostname,
                LABEL_ZONE => KeyKind::Zone,
                _ => KeyKind::Other,
            })
            .collect();
        // Domain index per constraint: zone id + 1 for zones, interned value + 1 otherwise;
        // 0 is the empty value. `counts[c][d]` is Some when d is a candidate's domain.
        let mut interned: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); constraints.len()];
        let domain = |kind: KeyKind,
                      c: &SpreadConstraint,
                      node: &NodeState,
                      interned: &mut BTreeMap<String, usize>,
                      add: bool|
         -> Option<usize> {
            match kind {
                KeyKind::Hostname => None,
                KeyKind::Zone => Some(node.zone.map_or(0, |z| z as usize + 1)),
                KeyKind::Other => {
                    let v = label(node, &c.topology_key).unwrap_or("");
                    if v.is_empty() {
                        return Some(0);
                    }
                    if let Some(&d) = interned.get(v) {
                        return Some(d);
                    }
                    if !add {
                        return Some(usize::MAX);
                    }
                    let d = interned.len() + 1;
                    interned.insert(v.to_string(), d);
                    Some(d)
                }
            }
        };
        let mut counts: Vec<Vec<Option<u64>>> = vec![Vec::new(); constraints.len()];
        let mut ignored = vec![false; feasible.len()];
        let mut topo_size = vec![0u64; constraints.len()];
        for (fi, &slot) in feasible.iter().enumerate() {
            let node = cache.slot(slot);
            if require_all && !has_all_keys(node, &owned) {
                ignored[fi] = true;
                continue;
            }
            for (ci, c) in constraints.iter().enumerate() {
                if let Some(d) = domain(kinds[ci], c, node, &mut interned[ci], true) {
                    let v = &mut counts[ci];
                    if v.len() <= d {
                        v.resize(d + 1, None);
                    }
                    if v[d].is_none() {
                        v[d] = Some(0);
                        topo_size[ci] += 1;
                    }
                }
            }
        }
        let n_ignored = ignored.iter().filter(|&&b| b).count() as u64;
        let weights: Vec<u128> = constraints
            .iter()
            .enumerate()
            .map(|(ci, _)| {
                let size = if kinds[ci] == KeyKind::Hostname {
                    feasible.len() as u64 - n_ignored
                } else {
                    topo_size[ci]
                };
                ln_cached(ln_table, size + 2)
            })
            .collect();
        let mut memos: Vec<GroupMemo> = constraints
            .iter()
            .map(|c| GroupMemo::new(cache, c.selector.as_ref(), &pod.namespace))
            .collect();
        // Count matching pods per candidate domain over all nodes (PreScore processAllNode).
        let all_nodes_count = !pod.has_required_node_constraints();
        for (ci, c) in constraints.iter().enumerate() {
            if kinds[ci] == KeyKind::Hostname {
                continue;
            }
            let fast = kinds[ci] == KeyKind::Zone
                && !require_all
                && c.node_taints_policy == InclusionPolicy::Ignore
                && (all_nodes_count || c.node_affinity_policy == InclusionPolicy::Ignore);
            if fast {
                // Same sums from the per-(label group, zone) index.
                let groups = cache.groups_in_namespace(&pod.namespace);
                for d in 1..counts[ci].len() {
                    if counts[ci][d].is_none() {
                        continue;
                    }
                    let mut n = 0u64;
                    for &g in groups {
                        if memos[ci].matches(cache, g) {
                            n += u64::from(cache.group_zone_count(g, (d - 1) as u32));
                        }
                    }
                    counts[ci][d] = Some(n);
                }
                continue;
            }
            for &slot in cache.order() {
                let node = cache.slot(slot);
                if require_all && !has_all_keys(node, &owned) {
                    continue;
                }
                if !node_included(c, pod, node) {
                    continue;
                }
                let Some(d) = domain(kinds[ci], c, node, &mut interned[ci], false) else {
                    continue;
                };
                if counts[ci].get(d).copied().flatten().is_none() {
                    continue;
                }
                let n = memos[ci].count_on(cache, node);
                if let Some(Some(v)) = counts[ci].get_mut(d) {
                    *v += n;
                }
            }
        }
        // Score: round(Σ cnt·weight + (maxSkew − 1)) over the keys the node has.
        for (fi, &slot) in feasible.iter().enumerate() {
            if ignored[fi] {
                continue;
            }
            let node = cache.slot(slot);
            let mut acc: u128 = 0;
            for (ci, c) in constraints.iter().enumerate() {
                let cnt = match kinds[ci] {
                    KeyKind::Hostname => {
                        if !node.has_hostname {
                            continue;
                        }
                        memos[ci].count_on(cache, node)
                    }
                    KeyKind::Zone => {
                        let Some(z) = node.zone else { continue };
                        counts[ci]
                            .get(z as usize + 1)
                            .copied()
                            .flatten()
                            .unwrap_or(0)
                    }
                    KeyKind::Other => {
                        if label(node, &c.topology_key).is_none() {
                            continue;
                        }
                        let d = domain(kinds[ci], c, node, &mut interned[ci], false).unwrap_or(0);
                        counts[ci].get(d).copied().flatten().unwrap_or(0)
                    }
                };
                acc += u128::from(cnt) * weights[ci]
                    + (u128::from((c.max_skew - 1).max(0) as u32) << 64);
            }
            // math.Round: half away from zero (all values are non-negative).
            out[fi] = ((acc + (ONE >> 1)) >> 64) as i64;
        }
        // NormalizeScore over the non-ignored nodes.
        let mut min = i64::MAX;
        let mut max = 0i64;
        for (fi, &s) in out.iter().enumerate() {
            if ignored[fi] {
                continue;
            }
            min = min.min(s);
            max = max.max(s);
        }
        for (fi, s) in out.iter_mut().enumerate() {
            if ignored[fi] {
                *s = 0;
            } else if max == 0 {
                *s = 100;
            } else {
                *s = 100 * (max + min - *s) / max;
            }
        }
        true
    }
}

fn ln_cached(table: &mut Vec<u128>, x: u64) -> u128 {
    let i = x as usize;
    if i >= table.len() {
        table.resize(i + 1, 0);
    }
    if table[i] == 0 && x > 1 {
        table[i] = ln_q64(x);
    }
    table[i]
}
