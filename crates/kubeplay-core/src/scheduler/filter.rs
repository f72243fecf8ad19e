//! Filter plugins of the default profile, run per node in upstream order; the first failing
//! plugin decides the node's status (`frameworkImpl.RunFilterPlugins` returns on the first
//! non-success). Failures are small `Copy` values so a pass over thousands of nodes allocates
//! nothing; reason strings are produced only when a message is built.

use super::cache::{Cache, Hot, NodeState, Row, F_HARD_TAINTS, F_PORTS, F_UNSCHEDULABLE};
use super::types::{tolerations_tolerate, PodInfo, TaintEffect, TAINT_UNSCHEDULABLE};

/// `fwk.Code` of a rejection: whether preemption could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// `Unschedulable`: removing pods might make it fit.
    Unschedulable,
    /// `UnschedulableAndUnresolvable`: nothing on this node can change that.
    UnschedulableAndUnresolvable,
}

/// Which filter rejected a node, with just enough data to print upstream's reason(s).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rejection {
    /// NodeUnschedulable: cordoned node.
    NodeUnschedulable,
    /// NodeName: `spec.nodeName` names another node.
    NodeName,
    /// TaintToleration: index into the node's taints of the first untolerated one.
    TaintToleration(u16),
    /// NodeAffinity: nodeSelector or required affinity.
    NodeAffinity,
    /// NodePorts: a host port is taken.
    NodePorts,
    /// NodeResourcesFit: which resources are short; `unresolvable` when the pod asks more
    /// than the node's whole allocatable.
    NodeResourcesFit {
        /// `Too many pods`.
        pods: bool,
        /// `Insufficient cpu`.
        cpu: bool,
        /// `Insufficient memory`.
        memory: bool,
        /// `Insufficient ephemeral-storage`.
        ephemeral_storage: bool,
        /// Bit i set: `Insufficient <pod scalar i>`.
        scalars: u32,
        /// Some resource exceeds the node's allocatable on its own.
        unresolvable: bool,
    },
    /// PodTopologySpread: a hard constraint's skew would be exceeded.
    PodTopologySpread,
    /// PodTopologySpread: the node lacks a hard constraint's topology key.
    PodTopologySpreadMissingLabel,
}

/// Reason strings exactly as upstream's filter plugins word them.
pub const REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
/// NodeName reason.
pub const REASON_NODE_NAME: &str = "node(s) didn't match the requested node name";
/// NodeAffinity reason (`ErrReasonPod`).
pub const REASON_NODE_AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
/// NodePorts reason.
pub const REASON_NODE_PORTS: &str = "node(s) didn't have free ports for the requested pod ports";
/// PodTopologySpread reason (`ErrReasonConstraintsNotMatch`).
pub const REASON_SPREAD: &str = "node(s) didn't match pod topology spread constraints";
/// PodTopologySpread reason for a node without the key (`ErrReasonNodeLabelNotMatch`).
pub const REASON_SPREAD_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

impl Rejection {
    /// The plugin's name, for "why Pending".
    pub fn plugin(&self) -> &'static str {
        match self {
            Rejection::NodeUnschedulable => "NodeUnschedulable",
            Rejection::NodeName => "NodeName",
            Rejection::TaintToleration(_) => "TaintToleration",
            Rejection::NodeAffinity => "NodeAffinity",
            Rejection::NodePorts => "NodePorts",
            Rejection::NodeResourcesFit { .. } => "NodeResourcesFit",
            Rejection::PodTopologySpread | Rejection::PodTopologySpreadMissingLabel => {
                "PodTopologySpread"
            }
        }
    }

    /// The status code.
    pub fn code(&self) -> Code {
        match self {
            Rejection::NodePorts | Rejection::PodTopologySpread => Code::Unschedulable,
            Rejection::NodeResourcesFit { unresolvable, .. } if !unresolvable => {
                Code::Unschedulable
            }
            _ => Code::UnschedulableAndUnresolvable,
        }
    }

    /// Upstream reason strings, in the order the plugin reports them.
    pub fn reasons(&self, node: &NodeState, pod: &PodInfo) -> Vec<String> {
        match *self {
            Rejection::NodeUnschedulable => vec![REASON_UNSCHEDULABLE.into()],
            Rejection::NodeName => vec![REASON_NODE_NAME.into()],
            Rejection::TaintToleration(i) => {
                let t = &node.spec.taints[i as usize];
                // v1.34 wording (taint_toleration.go); 1.35 drops the key/value.
                vec![format!(
                    "node(s) had untolerated taint {{{}: {}}}",
                    t.key, t.value
                )]
            }
            Rejection::NodeAffinity => vec![REASON_NODE_AFFINITY.into()],
            Rejection::NodePorts => vec![REASON_NODE_PORTS.into()],
            Rejection::NodeResourcesFit {
                pods,
                cpu,
                memory,
                ephemeral_storage,
                scalars,
                ..
            } => {
                let mut v = Vec::new();
                if pods {
                    v.push("Too many pods".to_string());
                }
                if cpu {
                    v.push("Insufficient cpu".to_string());
                }
                if memory {
                    v.push("Insufficient memory".to_string());
                }
                if ephemeral_storage {
                    v.push("Insufficient ephemeral-storage".to_string());
                }
                for (i, (name, _)) in pod.requests.scalars.iter().enumerate() {
                    if scalars & (1 << i) != 0 {
                        v.push(format!("Insufficient {name}"));
                    }
                }
                v
            }
            Rejection::PodTopologySpread => vec![REASON_SPREAD.into()],
            Rejection::PodTopologySpreadMissingLabel => vec![REASON_SPREAD_LABEL.into()],
        }
    }
}

/// Per-pod facts computed once per cycle (the PreFilter states).
pub(crate) struct PreFilter {
    tolerates_unschedulable: bool,
    checks_affinity: bool,
    requests_anything: bool,
    /// Only cpu/memory/pod count can reject a node without any of the flags below: the
    /// common case, decided by [`PreFilter::fits_quickly`] from the hot numbers alone.
    simple: bool,
    milli_cpu: i64,
    memory: i64,
}

/// Node flags that send a node down the full filter path.
const COMPLEX_NODE: u32 = F_UNSCHEDULABLE | F_HARD_TAINTS | F_PORTS;

impl PreFilter {
    /// True when the node certainly passes every filter (a `false` means "run the full
    /// filters", which produce the exact rejection).
    ///
    /// Filtering asks [`PreFilter::fits_row`] (the same test on the cache's row copy of these
    /// numbers); tests ask this one.
    #[cfg(test)]
    pub(crate) fn fits_quickly(&self, hot: &Hot) -> bool {
        self.simple
            && hot.flags & COMPLEX_NODE == 0
            && hot.pods < hot.alloc_pods
            && self.milli_cpu <= hot.alloc_cpu - hot.req_cpu
            && self.memory <= hot.alloc_mem - hot.req_mem
    }
}

impl PreFilter {
    /// [`PreFilter::fits_quickly`] from the node's [`Row`] (the same test on the same numbers).
    #[inline]
    pub(crate) fn fits_row(&self, row: &Row) -> bool {
        self.simple
            && row.brief.flags & COMPLEX_NODE == 0
            && row.pods_fit
            && self.milli_cpu <= row.free_cpu
            && self.memory <= row.free_mem
    }

    /// Whether [`PreFilter::fits_row`] can say yes at all (false: every node runs the full
    /// filters).
    #[inline]
    pub(crate) fn is_simple(&self) -> bool {
        self.simple
    }

    /// The length of the run of `rows`, from the first, that pass [`PreFilter::fits_row`]:
    /// nodes a cycle accepts without running a filter. For a pod with [`PreFilter::is_simple`]
    /// (the test repeated per row here leaves it out); one tight loop over the 40-byte rows.
    #[inline]
    pub(crate) fn fitting_run(&self, rows: &[Row]) -> usize {
        debug_assert!(self.simple);
        rows.iter()
            .position(|row| {
                !(row.brief.flags & COMPLEX_NODE == 0
                    && row.pods_fit
                    && self.milli_cpu <= row.free_cpu
                    && self.memory <= row.free_mem)
            })
            .unwrap_or(rows.len())
    }

    pub(crate) fn new(pod: &PodInfo) -> Self {
        let r = &pod.requests;
        PreFilter {
            simple: pod.node_name.is_none()
                && !pod.has_required_node_constraints()
                && r.ephemeral_storage == 0
                && r.scalars.is_empty(),
            milli_cpu: r.milli_cpu,
            memory: r.memory,
            // The `node.kubernetes.io/unschedulable:NoSchedule` taint, asked about by parts.
            tolerates_unschedulable: pod
                .tolerations
                .iter()
                .any(|t| t.tolerates_parts(TAINT_UNSCHEDULABLE, "", TaintEffect::NoSchedule)),
            // NodeAffinity PreFilter returns Skip without nodeSelector or required affinity.
            checks_affinity: pod.has_required_node_constraints(),
            requests_anything: r.milli_cpu != 0
                || r.memory != 0
                || r.ephemeral_storage != 0
                || !r.scalars.is_empty(),
        }
    }
}

/// Runs NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts and
/// NodeResourcesFit in upstream order; `None` means the node passes them all. Reads the hot
/// numbers first and the full node only when a flag says a plugin has something to check.
#[inline]
pub(crate) fn run_filters(
    pre: &PreFilter,
    pod: &PodInfo,
    cache: &Cache,
    slot: usize,
) -> Option<Rejection> {
    let hot = cache.hot(slot);
    // nodeunschedulable.Filter
    if hot.flags & F_UNSCHEDULABLE != 0 && !pre.tolerates_unschedulable {
        return Some(Rejection::NodeUnschedulable);
    }
    // nodename.Fits
    if let Some(want) = &pod.node_name {
        if *want != cache.slot(slot).spec.name {
            return Some(Rejection::NodeName);
        }
    }
    // tainttoleration.Filter → v1helper.FindMatchingUntoleratedTaint with
    // DoNotScheduleTaintsFilterFunc: the first NoSchedule/NoExecute taint not tolerated.
    if hot.flags & F_HARD_TAINTS != 0 {
        for (i, t) in cache.slot(slot).spec.taints.iter().enumerate() {
            if t.effect != TaintEffect::PreferNoSchedule
                && !tolerations_tolerate(&pod.tolerations, t)
            {
                return Some(Rejection::TaintToleration(i as u16));
            }
        }
    }
    // nodeaffinity.Filter
    if pre.checks_affinity {
        let node = cache.slot(slot);
        if !pod.matches_required_affinity(&node.spec.name, &node.spec.labels) {
            return Some(Rejection::NodeAffinity);
        }
    }
    // nodeports.Filter → fitsPorts
    if hot.flags & F_PORTS != 0
        && !pod.host_ports.is_empty()
        && pod.host_ports.iter().any(|want| {
            cache
                .slot(slot)
                .used_ports
                .iter()
                .any(|u| u.conflicts(want))
        })
    {
        return Some(Rejection::NodePorts);
    }
    fits_request(pre, pod, hot, cache, slot)
}

/// `noderesources.fitsRequest`: pod count first (even for pods requesting nothing), then
/// cpu, memory, ephemeral-storage and each extended resource. Equality fits.
fn fits_request(
    pre: &PreFilter,
    pod: &PodInfo,
    hot: &Hot,
    cache: &Cache,
    slot: usize,
) -> Option<Rejection> {
    let pods = hot.pods + 1 > hot.alloc_pods;
    if !pre.requests_anything {
        return pods.then_some(Rejection::NodeResourcesFit {
            pods,
            cpu: false,
            memory: false,
            ephemeral_storage: false,
            scalars: 0,
            unresolvable: false,
        });
    }
    let want = &pod.requests;
    let short = |w: i64, a: i64, u: i64| w > 0 && w > a - u;
    let cpu = short(want.milli_cpu, hot.alloc_cpu, hot.req_cpu);
    let memory = short(want.memory, hot.alloc_mem, hot.req_mem);
    // ephemeral-storage is rare: read it from the full node only when the pod asks for it.
    let (alloc_eph, req_eph) = if want.ephemeral_storage > 0 {
        let node = cache.slot(slot);
        (
            node.spec.allocatable.ephemeral_storage,
            node.requested.ephemeral_storage,
        )
    } else {
        (0, 0)
    };
    let ephemeral_storage = short(want.ephemeral_storage, alloc_eph, req_eph);
    let mut unresolvable = (cpu && want.milli_cpu > hot.alloc_cpu)
        || (memory && want.memory > hot.alloc_mem)
        || (ephemeral_storage && want.ephemeral_storage > alloc_eph);
    let mut scalars = 0u32;
    if !want.scalars.is_empty() {
        let node = cache.slot(slot);
        let (alloc, used) = (&node.spec.allocatable, &node.requested);
        for (i, (name, w)) in want.scalars.iter().enumerate() {
            let a = alloc.scalar(name);
            if short(*w, a, used.scalar(name)) {
                scalars |= 1 << i.min(31);
                unresolvable |= *w > a;
            }
        }
    }
    (pods || cpu || memory || ephemeral_storage || scalars != 0).then_some(
        Rejection::NodeResourcesFit {
            pods,
            cpu,
            memory,
            ephemeral_storage,
            scalars,
            unresolvable,
        },
    )
}
