//! The scheduler's own input types: a pod as the scheduler sees it ([`PodInfo`]) and a node's
//! spec ([`NodeSpec`]). They are deliberately small and pre-digested (quantities already in
//! milli-CPU and bytes, requests already summed the way `noderesources.computePodResourceRequest`
//! does), so the hot path never parses or allocates. Conversions from the API kinds live in
//! the core's wiring, not here, which keeps the scheduler pure and testable on its own.

use std::collections::BTreeMap;

/// Label map, ordered so iteration is deterministic.
pub type Labels = BTreeMap<String, String>;

/// `kubernetes.io/hostname`, the per-node topology key.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
/// `topology.kubernetes.io/zone`.
pub const LABEL_ZONE: &str = "topology.kubernetes.io/zone";
/// `topology.kubernetes.io/region`.
pub const LABEL_REGION: &str = "topology.kubernetes.io/region";
/// Taint key the NodeUnschedulable filter treats `spec.unschedulable` as.
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// A taint's effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    /// Filter: pods that don't tolerate it are not scheduled here.
    NoSchedule,
    /// Score only: the scheduler avoids the node when it can.
    PreferNoSchedule,
    /// Filter, and running pods that don't tolerate it are evicted.
    NoExecute,
}

impl TaintEffect {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// A node taint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taint {
    /// Taint key.
    pub key: String,
    /// Taint value (may be empty).
    pub value: String,
    /// Effect.
    pub effect: TaintEffect,
}

impl Taint {
    /// Convenience constructor.
    pub fn new(key: &str, value: &str, effect: TaintEffect) -> Self {
        Taint {
            key: key.to_string(),
            value: value.to_string(),
            effect,
        }
    }
}

/// A toleration's operator. `""` in the API means `Equal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum TolerationOperator {
    /// Value must equal the taint's value.
    #[default]
    Equal,
    /// Any value.
    Exists,
}

/// A pod toleration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Toleration {
    /// Key; empty matches every key (only valid with `Exists`).
    pub key: String,
    /// Operator.
    pub operator: TolerationOperator,
    /// Value for `Equal`.
    pub value: String,
    /// Effect; `None` matches all effects.
    pub effect: Option<TaintEffect>,
    /// For NoExecute: how long the pod stays bound after the taint appears; `None` = forever.
    pub toleration_seconds: Option<i64>,
}

impl Toleration {
    /// `Toleration.ToleratesTaint` (k8s.io/api core/v1 toleration.go): effect, then key,
    /// then operator.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        self.tolerates_parts(&taint.key, &taint.value, taint.effect)
    }

    /// [`Toleration::tolerates`] for a taint given by its parts (no `Taint` built to ask).
    pub fn tolerates_parts(&self, key: &str, value: &str, effect: TaintEffect) -> bool {
        if let Some(e) = self.effect {
            if e != effect {
                return false;
            }
        }
        if !self.key.is_empty() && self.key != key {
            return false;
        }
        match self.operator {
            TolerationOperator::Equal => self.value == value,
            TolerationOperator::Exists => true,
        }
    }

    /// `key Exists effect` toleration, as admission plugins add them.
    pub fn exists(key: &str, effect: Option<TaintEffect>, seconds: Option<i64>) -> Self {
        Toleration {
            key: key.to_string(),
            operator: TolerationOperator::Exists,
            value: String::new(),
            effect,
            toleration_seconds: seconds,
        }
    }
}

/// `v1helper.TolerationsTolerateTaint`: any toleration matches.
pub fn tolerations_tolerate(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// Operator of a label/node-selector requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// Key present and value in the set.
    In,
    /// Key absent, or value not in the set.
    NotIn,
    /// Key present.
    Exists,
    /// Key absent.
    DoesNotExist,
    /// Node selectors only: value parses as an integer greater than the one given.
    Gt,
    /// Node selectors only: value parses as an integer less than the one given.
    Lt,
}

/// One requirement of a selector (`labels.Requirement`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    /// Label key (or `metadata.name` in a node selector's matchFields).
    pub key: String,
    /// Operator.
    pub operator: Operator,
    /// Values (In/NotIn: the set; Gt/Lt: exactly one integer).
    pub values: Vec<String>,
}

impl Requirement {
    /// Convenience constructor.
    pub fn new(key: &str, operator: Operator, values: &[&str]) -> Self {
        Requirement {
            key: key.to_string(),
            operator,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// `labels.Requirement.Matches` (apimachinery labels/selector.go).
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matches_value(labels.get(&self.key).map(String::as_str))
    }

    /// The same, given the label's value (`None` = key absent).
    pub fn matches_value(&self, value: Option<&str>) -> bool {
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Gt | Operator::Lt => {
                // Go: strconv.ParseInt on both sides; any parse failure means no match.
                let Some(have) = value.and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                let Some(want) = self.values.first().and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                if self.operator == Operator::Gt {
                    have > want
                } else {
                    have < want
                }
            }
        }
    }
}

/// A label selector already converted by `LabelSelectorAsSelector`: the AND of its
/// requirements (`matchLabels` become `In [v]`). An empty selector matches everything; a nil
/// API selector (matches nothing) is modelled as `Option::None` by the callers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Selector {
    /// Requirements, all of which must hold.
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// Selector from `matchLabels`.
    pub fn from_labels(labels: &[(&str, &str)]) -> Self {
        Selector {
            requirements: labels
                .iter()
                .map(|(k, v)| Requirement::new(k, Operator::In, &[v]))
                .collect(),
        }
    }

    /// True when every requirement matches.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// No requirements (`labels.Selector.Empty()`).
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

/// One `nodeSelectorTerms` entry: expressions over labels and fields, ANDed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeSelectorTerm {
    /// `matchExpressions` over node labels.
    pub match_expressions: Vec<Requirement>,
    /// `matchFields`; only `metadata.name` is supported upstream.
    pub match_fields: Vec<Requirement>,
}

impl NodeSelectorTerm {
    /// Terms with neither expressions nor fields are dropped by `nodeaffinity.NewNodeSelector`
    /// and `NewPreferredSchedulingTerms` (`isEmptyNodeSelectorTerm`), i.e. they match nothing.
    pub fn is_empty(&self) -> bool {
        self.match_expressions.is_empty() && self.match_fields.is_empty()
    }

    /// `nodeSelectorTerm.match` (component-helpers nodeaffinity.go).
    pub fn matches(&self, node_name: &str, labels: &Labels) -> bool {
        if self.is_empty() {
            return false;
        }
        self.match_expressions.iter().all(|r| r.matches(labels))
            && self
                .match_fields
                .iter()
                .all(|r| r.key == "metadata.name" && r.matches_value(Some(node_name)))
    }
}

/// A `preferredDuringSchedulingIgnoredDuringExecution` entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PreferredTerm {
    /// Weight 1..100; 0 is ignored.
    pub weight: i32,
    /// The preference.
    pub term: NodeSelectorTerm,
}

/// `whenUnsatisfiable` of a topology spread constraint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WhenUnsatisfiable {
    /// Hard: filter.
    DoNotSchedule,
    /// Soft: score.
    ScheduleAnyway,
}

/// `nodeAffinityPolicy` / `nodeTaintsPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InclusionPolicy {
    /// Respect the pod's node affinity / taints when counting.
    Honor,
    /// Count every node.
    Ignore,
}

/// A pod's `topologySpreadConstraints` entry with the selector already built
/// (`labelSelector` + `matchLabelKeys`, `None` when the API selector is nil).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpreadConstraint {
    /// maxSkew (≥ 1).
    pub max_skew: i32,
    /// Node label key of the domains.
    pub topology_key: String,
    /// Hard or soft.
    pub when_unsatisfiable: WhenUnsatisfiable,
    /// Pods counted; `None` counts nothing.
    pub selector: Option<Selector>,
    /// minDomains (hard constraints only), default 1.
    pub min_domains: i32,
    /// Default Honor.
    pub node_affinity_policy: InclusionPolicy,
    /// Default Ignore.
    pub node_taints_policy: InclusionPolicy,
}

impl SpreadConstraint {
    /// A constraint with the API defaults.
    pub fn new(key: &str, max_skew: i32, when: WhenUnsatisfiable, selector: Selector) -> Self {
        SpreadConstraint {
            max_skew,
            topology_key: key.to_string(),
            when_unsatisfiable: when,
            selector: Some(selector),
            min_domains: 1,
            node_affinity_policy: InclusionPolicy::Honor,
            node_taints_policy: InclusionPolicy::Ignore,
        }
    }
}

/// Transport protocol of a host port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Protocol {
    /// TCP (the default).
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

/// A container `hostPort` claim (`hostIP` empty means 0.0.0.0).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostPort {
    /// Host IP; "0.0.0.0" (or empty) conflicts with every IP.
    pub ip: String,
    /// Protocol.
    pub protocol: Protocol,
    /// Port number (> 0).
    pub port: u16,
}

impl HostPort {
    /// `HostPortInfo.CheckConflict` for one pair: same protocol and port, and either side is
    /// the wildcard IP or the IPs are equal.
    pub fn conflicts(&self, other: &HostPort) -> bool {
        fn wild(ip: &str) -> bool {
            ip.is_empty() || ip == "0.0.0.0"
        }
        self.port == other.port
            && self.protocol == other.protocol
            && (wild(&self.ip) || wild(&other.ip) || self.ip == other.ip)
    }
}

/// Requests of one container, `None` where the request is not specified (which matters:
/// LeastAllocated substitutes 100m / 200Mi only for *missing* requests).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ContainerRequests {
    /// cpu request in millicores.
    pub milli_cpu: Option<i64>,
    /// memory request in bytes.
    pub memory: Option<i64>,
    /// ephemeral-storage request in bytes.
    pub ephemeral_storage: Option<i64>,
    /// Extended resources (e.g. `nvidia.com/gpu`), sorted by name.
    pub scalars: Vec<(String, i64)>,
    /// The container's image as written in the spec.
    pub image: String,
}

/// Summed resource amounts (`framework.Resource`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Resources {
    /// millicores.
    pub milli_cpu: i64,
    /// bytes.
    pub memory: i64,
    /// bytes.
    pub ephemeral_storage: i64,
    /// Extended resources, sorted by name, no duplicates.
    pub scalars: Vec<(String, i64)>,
}

impl Resources {
    /// The amount of a named extended resource (0 when absent).
    pub fn scalar(&self, name: &str) -> i64 {
        self.scalars
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, v)| *v)
    }

    fn add_scalar(&mut self, name: &str, v: i64, max: bool) {
        match self.scalars.iter_mut().find(|(n, _)| n == name) {
            Some((_, have)) => *have = if max { (*have).max(v) } else { *have + v },
            None => {
                self.scalars.push((name.to_string(), v));
                self.scalars.sort();
            }
        }
    }

    /// Adds another amount (pod on node).
    pub fn add(&mut self, o: &Resources) {
        self.milli_cpu += o.milli_cpu;
        self.memory += o.memory;
        self.ephemeral_storage += o.ephemeral_storage;
        for (n, v) in &o.scalars {
            self.add_scalar(n, *v, false);
        }
    }

    /// Subtracts (pod leaves node).
    pub fn sub(&mut self, o: &Resources) {
        self.milli_cpu -= o.milli_cpu;
        self.memory -= o.memory;
        self.ephemeral_storage -= o.ephemeral_storage;
        for (n, v) in &o.scalars {
            self.add_scalar(n, -*v, false);
        }
    }
}

/// Default cpu request LeastAllocated assumes for a container that sets none
/// (`schedutil.DefaultMilliCPURequest`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// Default memory request LeastAllocated assumes (`schedutil.DefaultMemoryRequest`, 200 MiB).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// Pod requests as `resourcehelper.PodRequests` computes them: Σ containers, then the max with
/// each init container, then + overhead. With `non_zero`, missing cpu/memory requests count
/// as 100m / 200Mi per container (`getNonMissingContainerRequests`), which LeastAllocated uses.
pub fn pod_requests(
    containers: &[ContainerRequests],
    init_containers: &[ContainerRequests],
    overhead: &Resources,
    non_zero: bool,
) -> Resources {
    let one = |c: &ContainerRequests| -> Resources {
        let (cpu, mem) = if non_zero {
            (
                c.milli_cpu.unwrap_or(DEFAULT_MILLI_CPU_REQUEST),
                c.memory.unwrap_or(DEFAULT_MEMORY_REQUEST),
            )
        } else {
            (c.milli_cpu.unwrap_or(0), c.memory.unwrap_or(0))
        };
        let mut r = Resources {
            milli_cpu: cpu,
            memory: mem,
            ephemeral_storage: c.ephemeral_storage.unwrap_or(0),
            scalars: Vec::new(),
        };
        for (n, v) in &c.scalars {
            r.add_scalar(n, *v, false);
        }
        r
    };
    let mut sum = Resources::default();
    for c in containers {
        sum.add(&one(c));
    }
    for c in init_containers {
        let i = one(c);
        sum.milli_cpu = sum.milli_cpu.max(i.milli_cpu);
        sum.memory = sum.memory.max(i.memory);
        sum.ephemeral_storage = sum.ephemeral_storage.max(i.ephemeral_storage);
        for (n, v) in &i.scalars {
            sum.add_scalar(n, *v, true);
        }
    }
    sum.add(overhead);
    sum
}

/// A pod as the scheduler sees it. Build it with [`PodInfo::new`] from container requests.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PodInfo {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Pod labels.
    pub labels: Labels,
    /// Actual requests (Fit filter, BalancedAllocation).
    pub requests: Resources,
    /// Requests with missing cpu/memory defaulted per container (LeastAllocated).
    pub non_zero_requests: Resources,
    /// Tolerations.
    pub tolerations: Vec<Toleration>,
    /// `spec.nodeSelector`.
    pub node_selector: Labels,
    /// Required node affinity terms (ORed); `None` when absent.
    pub required_affinity: Option<Vec<NodeSelectorTerm>>,
    /// Preferred node affinity terms.
    pub preferred_affinity: Vec<PreferredTerm>,
    /// Explicit `topologySpreadConstraints` (selectors built).
    pub spread_constraints: Vec<SpreadConstraint>,
    /// `helper.DefaultSelector`: the merged selector of the Services selecting the pod and
    /// of its controller (RS/RC/StatefulSet), used for the system default spreading when the
    /// pod has no constraints of its own. `None` or empty → no default spreading.
    pub default_spread_selector: Option<Selector>,
    /// Host ports the containers claim.
    pub host_ports: Vec<HostPort>,
    /// Images of init containers then containers (as written).
    pub images: Vec<String>,
    /// `spec.nodeName` when preset.
    pub node_name: Option<String>,
    /// `preemptionPolicy: Never`.
    pub preemption_never: bool,
    /// `metadata.deletionTimestamp` is set (still holds resources, not counted for spreading).
    pub terminating: bool,
}

impl PodInfo {
    /// A pod from its containers; requests are summed both ways.
    pub fn new(
        namespace: &str,
        name: &str,
        containers: &[ContainerRequests],
        init_containers: &[ContainerRequests],
    ) -> Self {
        let overhead = Resources::default();
        PodInfo {
            namespace: namespace.to_string(),
            name: name.to_string(),
            requests: pod_requests(containers, init_containers, &overhead, false),
            non_zero_requests: pod_requests(containers, init_containers, &overhead, true),
            images: init_containers
                .iter()
                .chain(containers)
                .map(|c| c.image.clone())
                .collect(),
            ..PodInfo::default()
        }
    }

    /// Whether the pod has `spec.nodeSelector` or required node affinity.
    pub fn has_required_node_constraints(&self) -> bool {
        !self.node_selector.is_empty() || self.required_affinity.is_some()
    }

    /// `nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector AND any term.
    pub fn matches_required_affinity(&self, node_name: &str, labels: &Labels) -> bool {
        let selector_ok = self
            .node_selector
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|have| have == v));
        selector_ok
            && self
                .required_affinity
                .as_ref()
                .is_none_or(|terms| terms.iter().any(|t| t.matches(node_name, labels)))
    }
}

/// An image present on a node (`node.status.images`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeImage {
    /// Image name as reported (normalised with [`normalized_image_name`] by the cache).
    pub name: String,
    /// Size in bytes.
    pub size_bytes: i64,
}

/// A node's spec and status as the scheduler needs them.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct NodeSpec {
    /// Node name.
    pub name: String,
    /// Node labels.
    pub labels: Labels,
    /// Taints, in spec order (the filter reports the first untolerated one).
    pub taints: Vec<Taint>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// Allocatable resources.
    pub allocatable: Resources,
    /// Allocatable pod count.
    pub allocatable_pods: i64,
    /// Images present.
    pub images: Vec<NodeImage>,
}

/// `imagelocality.normalizedImageName`: add `:latest` when the image has neither a tag nor a
/// digest (a ':' after the last '/').
pub fn normalized_image_name(name: &str) -> String {
    // Go: strings.LastIndex(name, ":") <= strings.LastIndex(name, "/"), with -1 for "absent",
    // which orders like Option's None < Some.
    if name.rfind(':') <= name.rfind('/') {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}
