//! kube-scheduler v1.34, default profile, as a pure function of a [`Cache`] and a pod.
//!
//! One cycle ([`Scheduler::schedule`]) follows `schedule_one.go`: filter nodes starting at a
//! round-robin index until `numFeasibleNodesToFind` fit (adaptive `percentageOfNodesToScore`),
//! pick the only feasible node without scoring, or score with the default plugins and
//! weights (TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, PodTopologySpread 2,
//! BalancedAllocation 1, ImageLocality 1) and break ties by reservoir sampling with the
//! caller's seeded RNG (`selectHost`). A failed cycle yields the exact
//! `0/N nodes are available: …` message. Each [`Decision`] can carry per-node verdicts and
//! per-plugin scores for "why this node / why Pending".
//!
//! Not modelled: InterPodAffinity (pods without pod affinity score 0 there upstream too),
//! volume plugins, DynamicResources, preemption victims (all pods share one priority, so
//! DefaultPreemption only contributes its message), extenders.

pub mod backoff;
pub mod cache;
pub mod filter;
pub mod gofloat;
pub mod message;
pub mod score;
pub mod spread;
pub mod types;

#[cfg(test)]
mod bench_tests;
#[cfg(test)]
mod golden_tests;

use std::collections::BTreeMap;

use rand::Rng;

pub use cache::Cache;
pub use filter::{Code, Rejection};
pub use types::*;

use filter::PreFilter;
use spread::{HardSpread, SoftSpread, SpreadScratch};

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;

/// Plugin weights of the default profile (`getDefaultPlugins`).
pub mod weight {
    /// TaintToleration.
    pub const TAINT_TOLERATION: i64 = 3;
    /// NodeAffinity.
    pub const NODE_AFFINITY: i64 = 2;
    /// NodeResourcesFit (LeastAllocated).
    pub const NODE_RESOURCES_FIT: i64 = 1;
    /// PodTopologySpread.
    pub const POD_TOPOLOGY_SPREAD: i64 = 2;
    /// NodeResourcesBalancedAllocation.
    pub const BALANCED_ALLOCATION: i64 = 1;
    /// ImageLocality.
    pub const IMAGE_LOCALITY: i64 = 1;
}

/// `numFeasibleNodesToFind`: all nodes below 100; else `percentage` (adaptive when 0:
/// `50 − nodes/125`, at least 5%) of them, at least 100.
pub fn num_feasible_nodes_to_find(
    percentage_of_nodes_to_score: u32,
    num_all_nodes: usize,
) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let mut percentage = percentage_of_nodes_to_score as i64;
    if percentage == 0 {
        percentage = 50 - num_all_nodes as i64 / 125;
        if percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND as i64 {
            percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND as i64;
        }
    }
    let n = (num_all_nodes as i64 * percentage / 100) as usize;
    n.max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Normalised (0..100, unweighted) plugin scores of one node, and the weighted total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PluginScores {
    /// TaintToleration (PreferNoSchedule).
    pub taint_toleration: i64,
    /// NodeAffinity (preferred terms).
    pub node_affinity: i64,
    /// NodeResourcesFit, LeastAllocated.
    pub node_resources_fit: i64,
    /// PodTopologySpread.
    pub pod_topology_spread: i64,
    /// NodeResourcesBalancedAllocation.
    pub balanced_allocation: i64,
    /// ImageLocality.
    pub image_locality: i64,
    /// Σ score × weight.
    pub total: i64,
}

impl PluginScores {
    fn weigh(&mut self) {
        self.total = self.taint_toleration * weight::TAINT_TOLERATION
            + self.node_affinity * weight::NODE_AFFINITY
            + self.node_resources_fit * weight::NODE_RESOURCES_FIT
            + self.pod_topology_spread * weight::POD_TOPOLOGY_SPREAD
            + self.balanced_allocation * weight::BALANCED_ALLOCATION
            + self.image_locality * weight::IMAGE_LOCALITY;
    }
}

/// What happened to one node in a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passed every filter; scores present when the cycle scored.
    Feasible(Option<PluginScores>),
    /// Rejected by a filter plugin.
    Rejected {
        /// The plugin.
        plugin: &'static str,
        /// Its reason strings.
        reasons: Vec<String>,
        /// Whether preemption could help.
        code: Code,
    },
    /// Not examined: enough feasible nodes were found first (percentageOfNodesToScore).
    NotEvaluated,
}

/// Per-node explanation of a cycle, in scheduling order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeReport {
    /// Node name.
    pub node: String,
    /// Verdict.
    pub verdict: Verdict,
}

/// Result of one scheduling cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The chosen node, or `None` when the pod stays Pending.
    pub node: Option<String>,
    /// FailedScheduling message when no node fits.
    pub message: Option<String>,
    /// Plugin scores of the chosen node (None when it was the only feasible one).
    pub scores: Option<PluginScores>,
    /// Nodes examined (feasible + rejected).
    pub evaluated_nodes: usize,
    /// Feasible nodes found.
    pub feasible_nodes: usize,
    /// Reason histogram (reason → node count) over the rejected nodes.
    pub reasons: BTreeMap<String, usize>,
    /// Per-node detail, when asked for.
    pub nodes: Option<Vec<NodeReport>>,
}

/// The scheduler: its cache plus the round-robin start index and reusable scratch space.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    /// Cluster view; keep it in step with the store.
    pub cache: Cache,
    /// `percentageOfNodesToScore`; 0 = adaptive (the default).
    pub percentage_of_nodes_to_score: u32,
    next_start_node_index: usize,
    ln_table: Vec<u128>,
    feasible: Vec<usize>,
    rejected: Vec<(usize, Rejection)>,
    scratch: [Vec<i64>; 3],
    scored: Vec<PluginScores>,
    defaults_cache: Option<(Selector, [SpreadConstraint; 2])>,
    /// Reused buffers of `score`: the pod's image ids and the image scorer's memo.
    pod_images: Vec<Option<(u32, u32)>>,
    image_memo: Vec<Option<(i64, i64)>>,
    /// The highest total in `scored` (found while weighing).
    max_total: i64,
    spread_scratch: SpreadScratch,
    /// The [`cache::Brief`] of each node in `feasible`.
    briefs: Vec<cache::Brief>,
    /// Tests: score through the general passes only (`fused_score_pass_matches_general`).
    #[cfg(test)]
    general_score_only: bool,
}

impl Scheduler {
    /// An empty scheduler.
    pub fn new() -> Self {
        Scheduler::default()
    }

    /// "Why Pending / why this node" on demand, without scheduling: every node's filter
    /// verdict and, for the feasible ones, the plugin scores they would get if all of them
    /// were scored (percentageOfNodesToScore lifted). Draws no randomness and leaves the
    /// round-robin index where it was, so asking never changes what the sim does next.
    pub fn explain(&mut self, pod: &PodInfo) -> Vec<NodeReport> {
        let (start, pct) = (
            self.next_start_node_index,
            self.percentage_of_nodes_to_score,
        );
        self.next_start_node_index = 0;
        self.percentage_of_nodes_to_score = 100;
        self.find_feasible(pod);
        let reports = if self.feasible.len() > 1 {
            self.score(pod);
            let scored = std::mem::take(&mut self.scored);
            let r = self.reports(pod, Some(&scored));
            self.scored = scored;
            r
        } else {
            self.reports(pod, None)
        };
        self.next_start_node_index = start;
        self.percentage_of_nodes_to_score = pct;
        reports
    }

    /// Where the next cycle starts filtering (`nextStartNodeIndex`).
    pub fn next_start_node_index(&self) -> usize {
        self.next_start_node_index
    }

    /// One scheduling cycle for `pod`. Does not bind: on success the caller binds and calls
    /// `cache.add_pod`. `explain` fills [`Decision::nodes`] (one allocation per node; leave it
    /// off in bulk runs).
    pub fn schedule<R: Rng + ?Sized>(
        &mut self,
        pod: &PodInfo,
        rng: &mut R,
        explain: bool,
    ) -> Decision {
        let n = self.cache.num_nodes();
        let mut decision = Decision {
            node: None,
            message: None,
            scores: None,
            evaluated_nodes: 0,
            feasible_nodes: 0,
            reasons: BTreeMap::new(),
            nodes: None,
        };
        if n == 0 {
            decision.message = Some(message::NO_NODES_AVAILABLE.to_string());
            return decision;
        }
        self.find_feasible(pod);
        let processed = self.feasible.len() + self.rejected.len();
        decision.evaluated_nodes = processed;
        decision.feasible_nodes = self.feasible.len();
        self.next_start_node_index = (self.next_start_node_index + processed) % n;
        for (slot, rej) in &self.rejected {
            for r in rej.reasons(self.cache.slot(*slot), pod) {
                *decision.reasons.entry(r).or_insert(0) += 1;
            }
        }
        if self.feasible.is_empty() {
            let resolvable = self
                .rejected
                .iter()
                .filter(|(_, r)| r.code() == Code::Unschedulable)
                .count();
            decision.message = Some(format!(
                "{} {}",
                message::fit_error(n, &decision.reasons),
                message::preemption(n, resolvable, pod.preemption_never)
            ));
            if explain {
                decision.nodes = Some(self.reports(pod, None));
            }
            return decision;
        }
        if self.feasible.len() == 1 {
            self.cache.hint_slot(self.feasible[0]);
            decision.node = Some(self.cache.slot(self.feasible[0]).spec.name.clone());
            if explain {
                decision.nodes = Some(self.reports(pod, None));
            }
            return decision;
        }
        self.score(pod);
        let best = select_host_among(&self.scored, self.max_total, rng);
        self.cache.hint_slot(self.feasible[best]);
        decision.node = Some(self.cache.slot(self.feasible[best]).spec.name.clone());
        decision.scores = Some(self.scored[best]);
        if explain {
            decision.nodes = Some(self.reports(pod, Some(&self.scored)));
        }
        decision
    }

    /// `findNodesThatPassFilters`, sequentially: from `nextStartNodeIndex`, until one more
    /// feasible node than needed turns up (upstream cancels on it and drops it).
    fn find_feasible(&mut self, pod: &PodInfo) {
        self.feasible.clear();
        self.briefs.clear();
        self.rejected.clear();
        let n = self.cache.num_nodes();
        let want = num_feasible_nodes_to_find(self.percentage_of_nodes_to_score, n);
        let pre = PreFilter::new(pod);
        let hard = HardSpread::new(&self.cache, pod);
        let order = self.cache.order();
        let rows = self.cache.rows();
        // Nodes that pass `fits_row` with no hard spreading constraint to check (nearly all of
        // them in a bulk run) are taken a run at a time: one tight scan of the rows and two
        // slice copies instead of the general per-node step below, which every other node
        // (and the first fitting one past `want`, which ends the search) still takes.
        let fast = pre.is_simple() && hard.is_none();
        let start = if n == 0 {
            0
        } else {
            self.next_start_node_index % n
        };
        // `order[(nextStartNodeIndex + i) % n]` for i in 0..n: the rows from `start` to the
        // end, then from 0 to `start`.
        for (lo, hi) in [(start, n), (0, start)] {
            let mut j = lo;
            while j < hi {
                if fast {
                    let budget = want - self.feasible.len();
                    let end = hi.min(j + budget);
                    let run = j + pre.fitting_run(&rows[j..end]);
                    self.feasible.extend_from_slice(&order[j..run]);
                    self.briefs.extend(rows[j..run].iter().map(|r| r.brief));
                    j = run;
                    if j == hi {
                        break;
                    }
                }
                let (slot, row) = (order[j], &rows[j]);
                j += 1;
                let mut verdict = if pre.fits_row(row) {
                    None
                } else {
                    filter::run_filters(&pre, pod, &self.cache, slot)
                };
                if verdict.is_none() {
                    if let Some(h) = &hard {
                        verdict = h.filter(self.cache.slot(slot)).err().map(|missing| {
                            if missing {
                                Rejection::PodTopologySpreadMissingLabel
                            } else {
                                Rejection::PodTopologySpread
                            }
                        });
                    }
                }
                match verdict {
                    None => {
                        if self.feasible.len() == want {
                            return;
                        }
                        self.feasible.push(slot);
                        self.briefs.push(row.brief);
                    }
                    Some(r) => self.rejected.push((slot, r)),
                }
            }
        }
    }

    /// Runs every score plugin over the feasible nodes and weighs them into `self.scored`.
    fn score(&mut self, pod: &PodInfo) {
        let cache = &self.cache;
        let feasible = &self.feasible;
        let briefs = &self.briefs;
        let [taint, affinity, spread] = &mut self.scratch;
        taint.clear();
        affinity.clear();
        self.scored.clear();
        let pns = score::prefer_no_schedule_tolerations(pod);
        let has_preferred = pod
            .preferred_affinity
            .iter()
            .any(|p| p.weight != 0 && !p.term.is_empty());
        let skip_balanced = score::balanced_skips(pod);
        // Everything least_allocated and balanced_allocation read of the pod (skip_balanced
        // included: it is a function of the requests).
        let shape = cache.fit_shape_id([
            pod.non_zero_requests.milli_cpu,
            pod.non_zero_requests.memory,
            pod.requests.milli_cpu,
            pod.requests.memory,
        ]);
        let total_nodes = cache.num_nodes();
        let pod_images = &mut self.pod_images;
        pod_images.clear();
        pod_images.extend(
            pod.images
                .iter()
                .map(|im| cache.image_id(im).map(|id| (id, cache.image_num_nodes(id)))),
        );
        let any_image = pod_images.iter().any(Option::is_some);
        let no_image_score = score::calculate_priority(0, pod.images.len());
        let mut images = score::ImageScorer::new(
            pod_images,
            pod.images.len(),
            total_nodes,
            std::mem::take(&mut self.image_memo),
        );
        // Neither a PreferNoSchedule taint on any feasible node nor a preferred affinity term
        // (the usual case): every TaintToleration raw score is 0 and so normalises to 100,
        // NodeAffinity is 0. Then PodTopologySpread is scored first and one pass over the
        // nodes builds each node's final scores, total and the highest total; the same values
        // as the general passes below.
        #[cfg(test)]
        let fused = !self.general_score_only;
        #[cfg(not(test))]
        let fused = true;
        if fused && !has_preferred && briefs.iter().all(|b| b.flags & cache::F_PREFER_TAINTS == 0) {
            SoftSpread::score_with(
                cache,
                pod,
                &mut self.defaults_cache,
                feasible,
                briefs,
                &mut self.ln_table,
                spread,
                &mut self.spread_scratch,
            );
            let mut max_total = i64::MIN;
            // The per-node ImageLocality / fit lines below repeat the general pass's on
            // purpose: sharing them through one closure (and scoring spread once before the
            // split) measured 6-8% slower scheduling in bench (a).
            // `extend` over zipped slices writes each entry without a capacity check.
            self.scored
                .extend(feasible.iter().zip(briefs).zip(&*spread).map(
                    |((&slot, hot), &pod_topology_spread)| {
                        let image_locality = if any_image && hot.flags & cache::F_IMAGES != 0 {
                            images.score(cache.slot(slot))
                        } else {
                            no_image_score
                        };
                        let (node_resources_fit, balanced_allocation) =
                            cache.fit_scores(slot, shape, |hot| {
                                (
                                    score::least_allocated(pod, hot),
                                    if skip_balanced {
                                        0
                                    } else {
                                        score::balanced_allocation(pod, hot)
                                    },
                                )
                            });
                        let mut s = PluginScores {
                            taint_toleration: score::MAX_NODE_SCORE,
                            node_affinity: 0,
                            node_resources_fit,
                            pod_topology_spread,
                            balanced_allocation,
                            image_locality,
                            total: 0,
                        };
                        s.weigh();
                        max_total = max_total.max(s.total);
                        s
                    },
                ));
            self.image_memo = images.into_buffer();
            self.max_total = max_total;
            return;
        }
        let mut max_taint = 0;
        let mut max_affinity = 0;
        for (&slot, hot) in feasible.iter().zip(briefs) {
            let taint_raw = if hot.flags & cache::F_PREFER_TAINTS != 0 {
                score::intolerable_prefer_taints(cache.slot(slot), &pns)
            } else {
                0
            };
            let affinity_raw = if has_preferred {
                score::preferred_affinity(pod, cache.slot(slot))
            } else {
                0
            };
            max_taint = max_taint.max(taint_raw);
            max_affinity = max_affinity.max(affinity_raw);
            let image_locality = if any_image && hot.flags & cache::F_IMAGES != 0 {
                images.score(cache.slot(slot))
            } else {
                no_image_score
            };
            let (node_resources_fit, balanced_allocation) = cache.fit_scores(slot, shape, |hot| {
                (
                    score::least_allocated(pod, hot),
                    if skip_balanced {
                        0
                    } else {
                        score::balanced_allocation(pod, hot)
                    },
                )
            });
            self.scored.push(PluginScores {
                taint_toleration: taint_raw,
                node_affinity: affinity_raw,
                node_resources_fit,
                balanced_allocation,
                image_locality,
                ..PluginScores::default()
            });
        }
        self.image_memo = images.into_buffer();
        // DefaultNormalizeScore, inline: TaintToleration reversed, NodeAffinity not (and only
        // when PreScore did not Skip).
        let normalize = max_taint > 0 || has_preferred && max_affinity > 0;
        if normalize {
            taint.extend(self.scored.iter().map(|s| s.taint_toleration));
            affinity.extend(self.scored.iter().map(|s| s.node_affinity));
            score::default_normalize(taint, true);
            score::default_normalize(affinity, false);
            for (i, s) in self.scored.iter_mut().enumerate() {
                s.taint_toleration = taint[i];
                s.node_affinity = if has_preferred { affinity[i] } else { 0 };
            }
        }
        SoftSpread::score_with(
            cache,
            pod,
            &mut self.defaults_cache,
            feasible,
            briefs,
            &mut self.ln_table,
            spread,
            &mut self.spread_scratch,
        );
        // One pass: the else branch of the normalisation above (every raw score 0: taints
        // all 100, affinity 0), the spread scores, the weighing and the highest total.
        let mut max_total = i64::MIN;
        for (s, &spread) in self.scored.iter_mut().zip(spread.iter()) {
            if !normalize {
                s.taint_toleration = score::MAX_NODE_SCORE;
                s.node_affinity = 0;
            }
            s.pod_topology_spread = spread;
            s.weigh();
            max_total = max_total.max(s.total);
        }
        self.max_total = max_total;
    }

    fn reports(&self, pod: &PodInfo, scores: Option<&[PluginScores]>) -> Vec<NodeReport> {
        let mut verdicts: BTreeMap<usize, Verdict> = BTreeMap::new();
        for (i, &slot) in self.feasible.iter().enumerate() {
            verdicts.insert(slot, Verdict::Feasible(scores.map(|s| s[i])));
        }
        for (slot, r) in &self.rejected {
            verdicts.insert(
                *slot,
                Verdict::Rejected {
                    plugin: r.plugin(),
                    reasons: r.reasons(self.cache.slot(*slot), pod),
                    code: r.code(),
                },
            );
        }
        self.cache
            .order()
            .iter()
            .map(|slot| NodeReport {
                node: self.cache.slot(*slot).spec.name.clone(),
                verdict: verdicts.remove(slot).unwrap_or(Verdict::NotEvaluated),
            })
            .collect()
    }
}

/// `selectHost`: the highest total wins; among equal totals each is chosen with equal
/// probability by reservoir sampling (`rand.Intn(cntOfMaxScore) == 0` replaces the pick),
/// visiting ties in filter order. Draws nothing when there is no tie.
pub fn select_host<R: Rng + ?Sized>(scores: &[PluginScores], rng: &mut R) -> usize {
    let max = scores
        .iter()
        .map(|s| s.total)
        .max()
        .expect("at least two feasible nodes");
    select_host_among(scores, max, rng)
}

/// [`select_host`] given the highest total (`max` must be it: the scorer finds it while
/// weighing, which saves a pass over the nodes).
fn select_host_among<R: Rng + ?Sized>(scores: &[PluginScores], max: i64, rng: &mut R) -> usize {
    debug_assert_eq!(scores.iter().map(|s| s.total).max(), Some(max));
    let mut selected = 0;
    let mut count = 0u32;
    for (i, s) in scores.iter().enumerate() {
        if s.total != max {
            continue;
        }
        count += 1;
        if count == 1 || rng.random_range(0..count) == 0 {
            selected = i;
        }
    }
    selected
}
