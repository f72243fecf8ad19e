//! PodTopologySpread: the hard-constraint filter (`filtering.go`) and the soft scoring with
//! system default constraints (`scoring.go`, `plugin.go` `systemDefaultConstraints`).
//!
//! Upstream weights each constraint by `math.Log(size + 2)` and rounds with `math.Round`. We
//! use a 64.64 fixed-point natural log instead of floats, so the result is identical on every
//! platform; it differs from Go's float64 only when a raw score lies within ~1e-12 of a
//! half-integer, which integer inputs to a logarithm never hit exactly.

use std::collections::BTreeMap;

use super::cache::{Brief, Cache, NodeState, F_HOSTNAME, F_MORE_GROUPS, NO_GROUP, NO_ZONE};
use super::types::{
    tolerations_tolerate, InclusionPolicy, Operator, PodInfo, Selector, SpreadConstraint,
    TaintEffect, WhenUnsatisfiable, LABEL_HOSTNAME, LABEL_ZONE,
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
///
/// A selector with an `In` requirement (every `matchLabels` selector) is settled up front for
/// all groups: only groups carrying one of its values can match, and the cache indexes groups
/// by label, so the rest are known not to match without comparing their labels.
pub(crate) struct GroupMemo<'a> {
    selector: Option<&'a Selector>,
    namespace: &'a str,
    memo: Vec<u8>,
    /// Every matching group in the namespace, ascending, when settled up front.
    matching: Option<Vec<u32>>,
}

impl<'a> GroupMemo<'a> {
    pub(crate) fn new(cache: &Cache, selector: Option<&'a Selector>, namespace: &'a str) -> Self {
        Self::with_buffers(cache, selector, namespace, Vec::new(), Vec::new())
    }

    /// [`GroupMemo::new`] in the buffers of an earlier one ([`GroupMemo::into_buffers`]).
    pub(crate) fn with_buffers(
        cache: &Cache,
        selector: Option<&'a Selector>,
        namespace: &'a str,
        mut memo_buf: Vec<u8>,
        mut matching: Vec<u32>,
    ) -> Self {
        memo_buf.clear();
        memo_buf.resize(cache.num_groups(), 0);
        matching.clear();
        let mut memo = GroupMemo {
            selector,
            namespace,
            memo: memo_buf,
            matching: None,
        };
        // Unsettled memos drop the `matching` buffer: they are the rare case.
        let Some(sel) = selector.filter(|s| !s.is_empty()) else {
            return memo;
        };
        let Some(req) = sel.requirements.iter().find(|r| r.operator == Operator::In) else {
            return memo;
        };
        // `In` holds only for a label value among `values`: every other group fails it.
        memo.memo.iter_mut().for_each(|m| *m = 2);
        for v in &req.values {
            for &g in cache.groups_with_label(&req.key, v) {
                let slot = &mut memo.memo[g as usize];
                if *slot == 1 {
                    continue;
                }
                let (ns, labels) = cache.group(g);
                if ns == namespace && sel.matches(labels) {
                    *slot = 1;
                    matching.push(g);
                }
            }
        }
        matching.sort_unstable();
        memo.matching = Some(matching);
        memo
    }

    /// The buffers, for [`GroupMemo::with_buffers`].
    pub(crate) fn into_buffers(self) -> (Vec<u8>, Vec<u32>) {
        (self.memo, self.matching.unwrap_or_default())
    }

    /// Σ over the namespace's groups matching the selector of `f(group)`.
    fn sum_matching(&mut self, cache: &Cache, mut f: impl FnMut(u32) -> u64) -> u64 {
        if let Some(m) = &self.matching {
            return m.iter().map(|&g| f(g)).sum();
        }
        let mut n = 0;
        for &g in cache.groups_in_namespace(self.namespace) {
            if self.matches(cache, g) {
                n += f(g);
            }
        }
        n
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

    /// `count_on` from the hot numbers when the node has at most one label group.
    #[inline]
    pub(crate) fn count_on_slot(&mut self, cache: &Cache, slot: usize) -> u64 {
        let hot = cache.hot(slot);
        if hot.flags & F_MORE_GROUPS != 0 {
            return self.count_on(cache, cache.slot(slot));
        }
        if hot.g0 != NO_GROUP && self.matches(cache, hot.g0) {
            u64::from(hot.c0)
        } else {
            0
        }
    }

    /// The verdict of every group (1: matches, 2: does not) and the matching groups, when
    /// the memo was settled up front (then [`GroupMemo::matches`] of `g` is `memo[g] == 1`).
    fn settled(&self) -> Option<Settled<'_>> {
        self.matching.as_deref().map(|matching| Settled {
            memo: &self.memo,
            matching,
        })
    }

    /// `countPodsMatchSelector(nodeInfo.Pods, selector, ns)` (terminating pods excluded).
    pub(crate) fn count_on(&mut self, cache: &Cache, node: &NodeState) -> u64 {
        if let Some(s) = self.settled() {
            return s.count_on(node);
        }
        let mut n = 0u64;
        for &(g, c) in &node.groups {
            if self.matches(cache, g) {
                n += u64::from(c);
            }
        }
        n
    }
}

/// A [`GroupMemo`] settled up front, read-only (see [`GroupMemo::settled`]).
#[derive(Clone, Copy)]
struct Settled<'m> {
    memo: &'m [u8],
    matching: &'m [u32],
}

impl Settled<'_> {
    /// [`GroupMemo::matches`].
    #[inline]
    fn matches(self, g: u32) -> bool {
        self.memo[g as usize] == 1
    }

    /// [`GroupMemo::count_on`].
    fn count_on(self, node: &NodeState) -> u64 {
        // With far fewer matching groups than the node has (1,000 Deployments: one or two
        // groups match, a node holds dozens), look each up in the node's sorted groups
        // instead of testing every group of the node. Same sum.
        if self.matching.len() * 8 < node.groups.len() {
            return self
                .matching
                .iter()
                .filter_map(|&g| {
                    let p = node.groups.binary_search_by_key(&g, |&(x, _)| x).ok()?;
                    Some(u64::from(node.groups[p].1))
                })
                .sum();
        }
        node.groups
            .iter()
            .filter(|&&(g, _)| self.matches(g))
            .map(|&(_, c)| u64::from(c))
            .sum()
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

fn has_all_keys(node: &NodeState, cs: &[&SpreadConstraint]) -> bool {
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
        let mut counts = vec![BTreeMap::new(); constraints.len()];
        let mut memos: Vec<GroupMemo> = constraints
            .iter()
            .map(|c| GroupMemo::new(cache, c.selector.as_ref(), &pod.namespace))
            .collect();
        for &i in cache.order() {
            let node = cache.slot(i);
            if !has_all_keys(node, &constraints) {
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
        // `c.Selector.Matches(podLabels)`: an empty (non-nil) selector matches every pod here,
        // although countPodsMatchSelector counts nothing for it; that is upstream's behaviour.
        let self_match = constraints
            .iter()
            .map(|c| c.selector.as_ref().is_some_and(|s| s.matches(&pod.labels)))
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

/// Buffers the system-defaults scoring reuses from one pod to the next (three allocations a
/// pod otherwise).
#[derive(Clone, Debug, Default)]
pub(crate) struct SpreadScratch {
    memo: Vec<u8>,
    matching: Vec<u32>,
    zones: Vec<Option<u64>>,
    /// Zone part of the raw score per zone id (see [`SoftSpread::score_system_defaults`]).
    zone_part: Vec<u128>,
    /// Hostname part of the raw score per matching-pod count, filled as counts turn up.
    host_part: Vec<u128>,
    /// Normalised score per `raw − min`, `u8::MAX` until computed.
    norm: Vec<u8>,
}

/// Matching-pod counts up to this get a [`SpreadScratch::host_part`] entry; higher ones (rare:
/// a node holds at most its pod capacity) are multiplied out.
const HOST_PART_MAX: usize = 256;
/// Raw score ranges up to this normalise through [`SpreadScratch::norm`].
const NORM_TABLE_MAX: usize = 4096;

/// `cnt·w + (maxSkew − 1)` in 64.64 for the hostname constraint (maxSkew 3), from `table`
/// (entry `c` is that of count `c`), grown to `cnt` on demand.
#[inline]
fn host_part(table: &mut Vec<u128>, w: u128, cnt: u64) -> u128 {
    if let Some(&v) = table.get(cnt as usize) {
        return v;
    }
    if cnt as usize >= HOST_PART_MAX {
        return u128::from(cnt) * w + (2u128 << 64);
    }
    while table.len() <= cnt as usize {
        let c = table.len() as u128;
        table.push(c * w + (2u128 << 64));
    }
    table[cnt as usize]
}

impl SoftSpread {
    /// Computes the normalised PodTopologySpread scores of `feasible` (slots) into `out`.
    /// Returns false when PreScore would Skip (every score 0). The scheduler calls
    /// [`SoftSpread::score_with`], the same in reused buffers.
    #[cfg(test)]
    pub(crate) fn score(
        cache: &Cache,
        pod: &PodInfo,
        defaults_cache: &mut Option<(Selector, [SpreadConstraint; 2])>,
        feasible: &[usize],
        ln_table: &mut Vec<u128>,
        out: &mut Vec<i64>,
    ) -> bool {
        Self::score_impl(cache, pod, defaults_cache, feasible, ln_table, out, true)
    }

    /// [`SoftSpread::score`] in reused buffers, given the [`Brief`] of each feasible node.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn score_with(
        cache: &Cache,
        pod: &PodInfo,
        defaults_cache: &mut Option<(Selector, [SpreadConstraint; 2])>,
        feasible: &[usize],
        briefs: &[Brief],
        ln_table: &mut Vec<u128>,
        out: &mut Vec<i64>,
        scratch: &mut SpreadScratch,
    ) -> bool {
        Self::score_inner(
            cache,
            pod,
            defaults_cache,
            feasible,
            briefs,
            ln_table,
            out,
            true,
            scratch,
        )
    }

    /// `score`, optionally without the specialised system-defaults path (tests compare both).
    #[cfg(test)]
    pub(crate) fn score_impl(
        cache: &Cache,
        pod: &PodInfo,
        defaults_cache: &mut Option<(Selector, [SpreadConstraint; 2])>,
        feasible: &[usize],
        ln_table: &mut Vec<u128>,
        out: &mut Vec<i64>,
        allow_fast: bool,
    ) -> bool {
        let briefs: Vec<Brief> = feasible.iter().map(|&s| cache.hot(s).brief()).collect();
        Self::score_inner(
            cache,
            pod,
            defaults_cache,
            feasible,
            &briefs,
            ln_table,
            out,
            allow_fast,
            &mut SpreadScratch::default(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn score_inner(
        cache: &Cache,
        pod: &PodInfo,
        defaults_cache: &mut Option<(Selector, [SpreadConstraint; 2])>,
        feasible: &[usize],
        briefs: &[Brief],
        ln_table: &mut Vec<u128>,
        out: &mut Vec<i64>,
        allow_fast: bool,
        scratch: &mut SpreadScratch,
    ) -> bool {
        out.clear();
        out.resize(feasible.len(), 0);
        let explicit = !pod.spread_constraints.is_empty();
        if allow_fast && !explicit && !pod.has_required_node_constraints() && cache.num_nodes() > 0
        {
            if let Some(sel) = pod
                .default_spread_selector
                .as_ref()
                .filter(|s| !s.is_empty())
            {
                Self::score_system_defaults(
                    cache, pod, sel, feasible, briefs, ln_table, out, scratch,
                );
                return true;
            }
        }
        let constraints: Vec<&SpreadConstraint> = if explicit {
            pod.spread_constraints
                .iter()
                .filter(|c| c.when_unsatisfiable == WhenUnsatisfiable::ScheduleAnyway)
                .collect()
        } else {
            match &pod.default_spread_selector {
                Some(sel) if !sel.is_empty() => {
                    // Rebuilt only when the selector changes (replicas share one).
                    if defaults_cache.as_ref().is_none_or(|(s, _)| s != sel) {
                        *defaults_cache = Some((sel.clone(), system_default_constraints(sel)));
                    }
                    defaults_cache
                        .as_ref()
                        .expect("just set")
                        .1
                        .iter()
                        .collect()
                }
                _ => Vec::new(),
            }
        };
        if constraints.is_empty() || cache.num_nodes() == 0 {
            return false;
        }
        let require_all = explicit;
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
        let any_other = kinds.contains(&KeyKind::Other);
        for (fi, &slot) in feasible.iter().enumerate() {
            if require_all && !has_all_keys(cache.slot(slot), &constraints) {
                ignored[fi] = true;
                continue;
            }
            for (ci, c) in constraints.iter().enumerate() {
                let d = match kinds[ci] {
                    KeyKind::Hostname => None,
                    KeyKind::Zone => {
                        let z = cache.hot(slot).zone;
                        Some(if z == NO_ZONE { 0 } else { z as usize + 1 })
                    }
                    KeyKind::Other => {
                        domain(kinds[ci], c, cache.slot(slot), &mut interned[ci], true)
                    }
                };
                if let Some(d) = d {
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
                for d in 1..counts[ci].len() {
                    if counts[ci][d].is_none() {
                        continue;
                    }
                    let n = memos[ci].sum_matching(cache, |g| {
                        u64::from(cache.group_zone_count(g, (d - 1) as u32))
                    });
                    counts[ci][d] = Some(n);
                }
                continue;
            }
            for &slot in cache.order() {
                let node = cache.slot(slot);
                if require_all && !has_all_keys(node, &constraints) {
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
            let hot = cache.hot(slot);
            let node = if any_other {
                Some(cache.slot(slot))
            } else {
                None
            };
            let mut acc: u128 = 0;
            for (ci, c) in constraints.iter().enumerate() {
                let cnt = match kinds[ci] {
                    KeyKind::Hostname => {
                        if hot.flags & F_HOSTNAME == 0 {
                            continue;
                        }
                        memos[ci].count_on_slot(cache, slot)
                    }
                    KeyKind::Zone => {
                        if hot.zone == NO_ZONE {
                            continue;
                        }
                        let z = hot.zone;
                        counts[ci]
                            .get(z as usize + 1)
                            .copied()
                            .flatten()
                            .unwrap_or(0)
                    }
                    KeyKind::Other => {
                        let node = node.expect("loaded for Other keys");
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
        let inv = if max > 0 { u64::MAX / max as u64 } else { 0 };
        for (fi, s) in out.iter_mut().enumerate() {
            if ignored[fi] {
                *s = 0;
            } else if max == 0 {
                *s = 100;
            } else {
                *s = super::score::div_by((100 * (max + min - *s)) as u64, max as u64, inv) as i64;
            }
        }
        true
    }
}

impl SoftSpread {
    /// The common case, specialised: system default constraints (hostname maxSkew 3, zone
    /// maxSkew 5), no required node affinity, so every node counts and nodes lacking a key are
    /// not ignored. Same arithmetic as the general path, fewer indirections per node.
    #[allow(clippy::too_many_arguments)]
    fn score_system_defaults(
        cache: &Cache,
        pod: &PodInfo,
        sel: &Selector,
        feasible: &[usize],
        briefs: &[Brief],
        ln_table: &mut Vec<u128>,
        out: &mut [i64],
        scratch: &mut SpreadScratch,
    ) {
        let mut memo = GroupMemo::with_buffers(
            cache,
            Some(sel),
            &pod.namespace,
            std::mem::take(&mut scratch.memo),
            std::mem::take(&mut scratch.matching),
        );
        // Candidate zones (by id) and whether some feasible node has no zone label (the ""
        // domain, which counts towards the topology size).
        let zone_count = &mut scratch.zones;
        zone_count.clear();
        zone_count.resize(cache.num_zones(), None);
        let mut topo_size = 0u64;
        let mut unlabelled = false;
        debug_assert_eq!(briefs.len(), feasible.len());
        for b in briefs {
            let z = b.zone;
            if z == NO_ZONE {
                unlabelled = true;
            } else if zone_count[z as usize].is_none() {
                zone_count[z as usize] = Some(0);
                topo_size += 1;
            }
        }
        topo_size += u64::from(unlabelled);
        let w_host = ln_cached(ln_table, feasible.len() as u64 + 2);
        let w_zone = ln_cached(ln_table, topo_size + 2);
        for (z, cnt) in zone_count.iter_mut().enumerate() {
            if let Some(c) = cnt {
                *c += memo.sum_matching(cache, |g| u64::from(cache.group_zone_count(g, z as u32)));
            }
        }
        // The raw score is Σ over the node's keys of cnt·weight + (maxSkew − 1), rounded. Its
        // two parts depend only on the node's zone and on its matching-pod count, which take
        // few values: compute each part once per zone and once per count (same u128 values)
        // instead of two u128 multiplications per node.
        let zone_part = &mut scratch.zone_part;
        zone_part.clear();
        zone_part.extend(
            zone_count
                .iter()
                .map(|c| u128::from(c.unwrap_or(0)) * w_zone + (4u128 << 64)),
        );
        let host_table = &mut scratch.host_part;
        host_table.clear();
        let (mut min, mut max) = (i64::MAX, 0i64);
        if let Some(settled) = memo.settled() {
            // Every group's verdict is known (a `matchLabels` selector): the same sums as the
            // loop below, with a byte read for a group's verdict instead of the memo's lazy
            // lookup, in a loop tight enough to keep its state in registers.
            for ((o, &slot), hot) in out.iter_mut().zip(feasible).zip(briefs) {
                let mut acc: u128 = 0;
                if hot.flags & F_HOSTNAME != 0 {
                    let cnt = if hot.flags & F_MORE_GROUPS != 0 {
                        settled.count_on(cache.slot(slot))
                    } else if hot.g0 != NO_GROUP && settled.matches(hot.g0) {
                        u64::from(hot.c0)
                    } else {
                        0
                    };
                    acc += host_part(host_table, w_host, cnt);
                }
                if hot.zone != NO_ZONE {
                    acc += zone_part[hot.zone as usize];
                }
                let raw = ((acc + (ONE >> 1)) >> 64) as i64;
                *o = raw;
                min = min.min(raw);
                max = max.max(raw);
            }
            (scratch.memo, scratch.matching) = memo.into_buffers();
            Self::normalize_defaults(out, min, max, &mut scratch.norm);
            return;
        }
        // (group, matches) of the last single-group node: replicas of one ReplicaSet share it.
        let mut last = (NO_GROUP, false);
        for ((o, &slot), hot) in out.iter_mut().zip(feasible).zip(briefs) {
            let mut acc: u128 = 0;
            if hot.flags & F_HOSTNAME != 0 {
                let cnt = if hot.flags & F_MORE_GROUPS != 0 {
                    memo.count_on(cache, cache.slot(slot))
                } else if hot.g0 == NO_GROUP {
                    0
                } else {
                    if last.0 != hot.g0 {
                        last = (hot.g0, memo.matches(cache, hot.g0));
                    }
                    if last.1 {
                        u64::from(hot.c0)
                    } else {
                        0
                    }
                };
                acc += host_part(host_table, w_host, cnt);
            }
            if hot.zone != NO_ZONE {
                acc += zone_part[hot.zone as usize];
            }
            let raw = ((acc + (ONE >> 1)) >> 64) as i64;
            *o = raw;
            min = min.min(raw);
            max = max.max(raw);
        }
        (scratch.memo, scratch.matching) = memo.into_buffers();
        Self::normalize_defaults(out, min, max, &mut scratch.norm);
    }

    /// NormalizeScore of [`SoftSpread::score_system_defaults`]'s raw scores (`min` and `max`
    /// are theirs; `norm` is a reusable buffer).
    fn normalize_defaults(out: &mut [i64], min: i64, max: i64, norm: &mut Vec<u8>) {
        if max == 0 {
            out.iter_mut().for_each(|s| *s = 100);
            return;
        }
        let inv = u64::MAX / max as u64;
        let normalize =
            |s: i64| super::score::div_by((100 * (max + min - s)) as u64, max as u64, inv);
        let range = (max - min) as usize;
        if range >= NORM_TABLE_MAX {
            out.iter_mut().for_each(|s| *s = normalize(*s) as i64);
            return;
        }
        // Raw scores span a few hundred values at most: normalise each value once (0..=100,
        // so u8::MAX marks a value not yet seen).
        norm.clear();
        norm.resize(range + 1, u8::MAX);
        for s in out.iter_mut() {
            let k = (*s - min) as usize;
            if norm[k] == u8::MAX {
                norm[k] = normalize(*s) as u8;
            }
            *s = i64::from(norm[k]);
        }
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
