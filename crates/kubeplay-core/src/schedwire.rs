//! Wiring between the store's API objects and the scheduler module's own small types: pods
//! become [`PodInfo`], nodes become [`NodeSpec`], and the scheduler cache is kept in step with
//! every bind, deletion and node change (the informer event handlers of kube-scheduler's
//! `eventhandlers.go`).
//!
//! The replicas of a ReplicaSet hold their template's labels, containers and tolerations as
//! one [`Shared`] copy, so the scheduling queue keeps the last [`PodInfo`] it built
//! ([`PodInfoMemo`]) and, for the next pod made from the same copies, only renames it: a
//! PodInfo cost fifteen allocations, and its default spreading selector another fifteen.
use crate::api::{Container, LabelSelector, Labels, Node, Pod};
use crate::scheduler::types::{
    ContainerRequests, HostPort, InclusionPolicy, NodeImage, NodeSelectorTerm, NodeSpec, Operator,
    PodInfo, PreferredTerm, Protocol, Requirement, Resources, Selector, SpreadConstraint, Taint,
    TaintEffect, Toleration, TolerationOperator, WhenUnsatisfiable,
};
use crate::sim::Sim;
use crate::store::Key;
use crate::store::Store;
use kubeplay_api::kinds::pod::{Affinity, TopologySpreadConstraint};
use kubeplay_api::Shared;
use std::ops::Bound;

/// A taint or toleration effect as the scheduler's type (unknown strings: none).
pub(crate) fn effect(s: &str) -> Option<TaintEffect> {
    match s {
        "NoSchedule" => Some(TaintEffect::NoSchedule),
        "PreferNoSchedule" => Some(TaintEffect::PreferNoSchedule),
        "NoExecute" => Some(TaintEffect::NoExecute),
        _ => None,
    }
}

/// A pod's tolerations as the scheduler's type; the taint manager uses the same conversion.
pub(crate) fn tolerations(pod: &Pod) -> Vec<Toleration> {
    pod.spec
        .tolerations
        .iter()
        .flatten()
        .map(|t| Toleration {
            key: t.key.clone().unwrap_or_default(),
            operator: if t.operator.as_deref() == Some("Exists") {
                TolerationOperator::Exists
            } else {
                TolerationOperator::Equal
            },
            value: t.value.clone().unwrap_or_default(),
            effect: t.effect.as_deref().and_then(effect),
            toleration_seconds: t.toleration_seconds,
        })
        .collect()
}

fn operator(s: &str) -> Operator {
    match s {
        "In" => Operator::In,
        "NotIn" => Operator::NotIn,
        "Exists" => Operator::Exists,
        "DoesNotExist" => Operator::DoesNotExist,
        "Gt" => Operator::Gt,
        "Lt" => Operator::Lt,
        // Validation rejects other operators; an unknown one matches nothing, like In [].
        _ => Operator::In,
    }
}

/// `metav1.LabelSelectorAsSelector` into the scheduler's selector type.
pub fn selector(ls: &LabelSelector) -> Selector {
    let mut requirements: Vec<Requirement> = ls
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| Requirement {
            key: k.clone(),
            operator: Operator::In,
            values: vec![v.clone()],
        })
        .collect();
    for e in ls.match_expressions.iter().flatten() {
        requirements.push(Requirement {
            key: e.key.clone(),
            operator: operator(&e.operator),
            values: e.values.clone().unwrap_or_default(),
        });
    }
    Selector { requirements }
}

fn term(t: &kubeplay_api::kinds::pod::NodeSelectorTerm) -> NodeSelectorTerm {
    let req = |r: &kubeplay_api::kinds::pod::NodeSelectorRequirement| Requirement {
        key: r.key.clone(),
        operator: operator(&r.operator),
        values: r.values.clone(),
    };
    NodeSelectorTerm {
        match_expressions: t.match_expressions.iter().map(req).collect(),
        match_fields: t.match_fields.iter().map(req).collect(),
    }
}

/// The scheduler's view of a pod. `default_spread` is the union of the selectors of the
/// Services and ReplicaSets selecting it (`helper.DefaultSelector`).
pub fn pod_info(pod: &Pod, default_spread: Option<Selector>) -> PodInfo {
    let reqs = |c: &crate::api::Container| {
        let r = &c.resources.requests;
        ContainerRequests {
            milli_cpu: r.get("cpu").map(|q| q.milli_value()),
            memory: r.get("memory").map(|q| q.value()),
            ephemeral_storage: r.get("ephemeral-storage").map(|q| q.value()),
            scalars: r
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage"))
                .map(|(k, q)| (k.clone(), q.value()))
                .collect(),
            image: c.image.clone().unwrap_or_default(),
        }
    };
    let containers: Vec<ContainerRequests> = pod.spec.containers.iter().map(reqs).collect();
    let inits: Vec<ContainerRequests> = pod.spec.init_containers.iter().map(reqs).collect();
    let ns = pod.metadata.namespace_or_default();
    let mut info = PodInfo::new(ns, &pod.metadata.name, &containers, &inits);
    info.labels = (*pod.metadata.labels).clone();
    info.tolerations = tolerations(pod);
    info.node_selector = pod.spec.node_selector.clone().unwrap_or_default();
    if let Some(na) = pod
        .spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
    {
        info.required_affinity = na
            .required_during_scheduling_ignored_during_execution
            .as_ref()
            .map(|s| s.node_selector_terms.iter().map(term).collect());
        info.preferred_affinity = na
            .preferred_during_scheduling_ignored_during_execution
            .iter()
            .map(|p| PreferredTerm {
                weight: p.weight,
                term: term(&p.preference),
            })
            .collect();
    }
    info.spread_constraints = pod
        .spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .map(|c| {
            let mut sel = c.label_selector.as_ref().map(selector);
            // matchLabelKeys: the pod's values of those keys are ANDed into the selector.
            if let (Some(s), Some(keys)) = (sel.as_mut(), &c.match_label_keys) {
                for k in keys {
                    if let Some(v) = pod.metadata.labels.get(k) {
                        s.requirements.push(Requirement {
                            key: k.clone(),
                            operator: Operator::In,
                            values: vec![v.clone()],
                        });
                    }
                }
            }
            SpreadConstraint {
                max_skew: c.max_skew,
                topology_key: c.topology_key.clone(),
                when_unsatisfiable: if c.when_unsatisfiable == "ScheduleAnyway" {
                    WhenUnsatisfiable::ScheduleAnyway
                } else {
                    WhenUnsatisfiable::DoNotSchedule
                },
                selector: sel,
                min_domains: c.min_domains.unwrap_or(1),
                node_affinity_policy: if c.node_affinity_policy.as_deref() == Some("Ignore") {
                    InclusionPolicy::Ignore
                } else {
                    InclusionPolicy::Honor
                },
                node_taints_policy: if c.node_taints_policy.as_deref() == Some("Honor") {
                    InclusionPolicy::Honor
                } else {
                    InclusionPolicy::Ignore
                },
            }
        })
        .collect();
    info.default_spread_selector = default_spread;
    info.host_ports = pod
        .spec
        .containers
        .iter()
        .flat_map(|c| c.ports.iter())
        .filter_map(|p| {
            let port = u16::try_from(p.host_port?).ok().filter(|p| *p > 0)?;
            Some(HostPort {
                ip: p.host_ip.clone().unwrap_or_else(|| "0.0.0.0".into()),
                protocol: match p.protocol.as_deref() {
                    Some("UDP") => Protocol::Udp,
                    Some("SCTP") => Protocol::Sctp,
                    _ => Protocol::Tcp,
                },
                port,
            })
        })
        .collect();
    info.node_name = pod.spec.node_name.clone().filter(|n| !n.is_empty());
    info.preemption_never = pod.spec.preemption_policy.as_deref() == Some("Never");
    info.terminating = pod.metadata.deletion_timestamp.is_some();
    info
}

/// The scheduler's view of a node (images from the node's runtime cache).
pub fn node_spec(node: &Node, images: &[(String, u64)]) -> NodeSpec {
    let st = node.status.clone().unwrap_or_default();
    let get = |k: &str| st.allocatable.get(k).or_else(|| st.capacity.get(k));
    NodeSpec {
        name: node.metadata.name.clone(),
        labels: (*node.metadata.labels).clone(),
        taints: node
            .spec
            .taints
            .iter()
            .filter_map(|t| {
                Some(Taint {
                    key: t.key.clone(),
                    value: t.value.clone().unwrap_or_default(),
                    effect: effect(&t.effect)?,
                })
            })
            .collect(),
        unschedulable: node.spec.unschedulable == Some(true),
        allocatable: Resources {
            milli_cpu: get("cpu").map_or(0, |q| q.milli_value()),
            memory: get("memory").map_or(0, |q| q.value()),
            ephemeral_storage: get("ephemeral-storage").map_or(0, |q| q.value()),
            scalars: st
                .allocatable
                .iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage" | "pods")
                })
                .map(|(k, q)| (k.clone(), q.value()))
                .collect(),
        },
        allocatable_pods: get("pods").map_or(crate::node::MAX_PODS, |q| q.value()),
        images: images
            .iter()
            .map(|(n, s)| NodeImage {
                name: n.clone(),
                size_bytes: *s as i64,
            })
            .collect(),
    }
}

/// What a memoised [`PodInfo`] was built from, apart from the pod's own name, `nodeName`,
/// preemption policy and deletion timestamp (set on every use) and its default spreading
/// selector (checked on every use: Services come and go). The `Shared` parts are compared by
/// identity; holding them keeps their copies alive, so an equal address is the same,
/// unchanged value (a write to a shared copy makes a new one).
#[derive(Debug, Clone)]
struct TemplateKey {
    namespace: Option<String>,
    labels: Shared<Labels>,
    containers: Shared<Vec<Container>>,
    tolerations: Option<Shared<Vec<crate::api::Toleration>>>,
    init_containers: Vec<Container>,
    node_selector: Option<Labels>,
    affinity: Option<Affinity>,
    topology_spread_constraints: Option<Vec<TopologySpreadConstraint>>,
}

impl TemplateKey {
    fn of(pod: &Pod) -> Self {
        TemplateKey {
            namespace: pod.metadata.namespace.clone(),
            labels: pod.metadata.labels.clone(),
            containers: pod.spec.containers.clone(),
            tolerations: pod.spec.tolerations.clone(),
            init_containers: pod.spec.init_containers.clone(),
            node_selector: pod.spec.node_selector.clone(),
            affinity: pod.spec.affinity.clone(),
            topology_spread_constraints: pod.spec.topology_spread_constraints.clone(),
        }
    }

    /// Whether [`pod_info`] of `pod` equals the memoised one up to the per-pod fields.
    fn matches(&self, pod: &Pod) -> bool {
        let (m, s) = (&pod.metadata, &pod.spec);
        Shared::ptr_eq(&self.labels, &m.labels)
            && Shared::ptr_eq(&self.containers, &s.containers)
            && match (&self.tolerations, &s.tolerations) {
                (None, None) => true,
                (Some(a), Some(b)) => Shared::ptr_eq(a, b),
                _ => false,
            }
            && self.namespace == m.namespace
            && self.init_containers == s.init_containers
            && self.node_selector == s.node_selector
            && self.affinity == s.affinity
            && self.topology_spread_constraints == s.topology_spread_constraints
    }
}

/// The last [`PodInfo`] the scheduler built, kept for the next pod of the same template (see
/// the module doc); `pod_info_memo_matches_fresh_pod_info` checks it against [`pod_info`].
#[derive(Debug, Clone, Default)]
pub struct PodInfoMemo {
    key: Option<TemplateKey>,
    /// The PodInfo of `key`; out while a scheduling attempt uses it.
    info: Option<PodInfo>,
    /// A reused store key for lookups by namespace and name.
    lookup: Key,
}

/// The values of one selector requirement as the API object holds them.
#[derive(Clone, Copy)]
enum Values<'a> {
    /// A `matchLabels` entry: `In [v]`.
    One(&'a str),
    /// A `matchExpressions` entry's values.
    Many(&'a [String]),
}

/// Visits, in order, the requirements of a pod's default spreading selector: its
/// ReplicaSet's selector (`selector`), then the selectors of the Services that select it. The
/// one walk both [`Sim::default_spread_selector`] builds from and [`PodInfoMemo`] checks
/// against. `lookup` is scratch space for the store keys.
fn visit_default_spread(
    store: &Store,
    ns: &str,
    pod: &Pod,
    lookup: &mut Key,
    mut f: impl FnMut(&str, Operator, Values<'_>),
) {
    lookup.0.clear();
    lookup.0.push_str(ns);
    for o in pod
        .metadata
        .owner_references
        .iter()
        .filter(|o| o.controller == Some(true) && o.kind == "ReplicaSet")
    {
        lookup.1.clear();
        lookup.1.push_str(&o.name);
        if let Some(rs) = store.replicasets.get(&*lookup) {
            if let Some(s) = &rs.obj.spec.selector {
                for (k, v) in s.match_labels.iter().flatten() {
                    f(k, Operator::In, Values::One(v));
                }
                for e in s.match_expressions.iter().flatten() {
                    f(
                        &e.key,
                        operator(&e.operator),
                        Values::Many(e.values.as_deref().unwrap_or_default()),
                    );
                }
            }
        }
    }
    let labels = &pod.metadata.labels;
    lookup.1.clear();
    for (_, svc) in store
        .services
        .range::<Key, _>((Bound::Included(&*lookup), Bound::Unbounded))
        .take_while(|(k, _)| k.0 == ns)
    {
        if let Some(sel) = &svc.obj.spec.selector {
            if !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                for (k, v) in sel {
                    f(k, Operator::In, Values::One(v));
                }
            }
        }
    }
}

/// The default spreading selector of `pod` (see [`visit_default_spread`]).
fn build_default_spread(store: &Store, ns: &str, pod: &Pod, lookup: &mut Key) -> Option<Selector> {
    let mut reqs: Vec<Requirement> = Vec::new();
    visit_default_spread(store, ns, pod, lookup, |key, operator, values| {
        reqs.push(Requirement {
            key: key.to_string(),
            operator,
            values: match values {
                Values::One(v) => vec![v.to_string()],
                Values::Many(vs) => vs.to_vec(),
            },
        })
    });
    (!reqs.is_empty()).then_some(Selector { requirements: reqs })
}

/// Whether `have` is what [`build_default_spread`] would build (compared without building).
fn default_spread_is(
    have: Option<&Selector>,
    store: &Store,
    ns: &str,
    pod: &Pod,
    lookup: &mut Key,
) -> bool {
    let have = have.map_or(&[][..], |s| &s.requirements[..]);
    let (mut n, mut same) = (0, true);
    visit_default_spread(store, ns, pod, lookup, |key, operator, values| {
        same = same
            && have.get(n).is_some_and(|r| {
                r.key == key
                    && r.operator == operator
                    && match values {
                        Values::One(v) => r.values.len() == 1 && r.values[0] == v,
                        Values::Many(vs) => r.values == vs,
                    }
            });
        n += 1;
    });
    // An empty walk builds None, which `have` then must be (a memo never holds Some(empty)).
    same && n == have.len()
}

impl Sim {
    /// The PodInfo of a stored pod for a scheduling attempt: the memoised one renamed when
    /// the pod shares its template's copies (see [`PodInfoMemo`]), else a new one. Hand it
    /// back with [`Sim::sched_pod_info_done`] when the attempt is over.
    pub(crate) fn sched_pod_info(&mut self, key: &Key) -> Option<PodInfo> {
        let rec = self.store.pod(key)?;
        let pod = &rec.pod;
        let memo = &mut self.sched.pod_info;
        if let (Some(k), Some(mut info)) = (&memo.key, memo.info.take()) {
            if k.matches(pod) {
                if !default_spread_is(
                    info.default_spread_selector.as_ref(),
                    &self.store,
                    &key.0,
                    pod,
                    &mut memo.lookup,
                ) {
                    info.default_spread_selector =
                        build_default_spread(&self.store, &key.0, pod, &mut memo.lookup);
                }
                // The per-pod fields, as `pod_info` sets them.
                info.name.clear();
                info.name.push_str(&pod.metadata.name);
                info.node_name = pod.spec.node_name.clone().filter(|n| !n.is_empty());
                info.preemption_never = pod.spec.preemption_policy.as_deref() == Some("Never");
                info.terminating = pod.metadata.deletion_timestamp.is_some();
                return Some(info);
            }
        }
        let spread = build_default_spread(&self.store, &key.0, pod, &mut memo.lookup);
        memo.key = Some(TemplateKey::of(pod));
        Some(pod_info(pod, spread))
    }

    /// Gives back the PodInfo of [`Sim::sched_pod_info`] for the next pod.
    pub(crate) fn sched_pod_info_done(&mut self, info: PodInfo) {
        self.sched.pod_info.info = Some(info);
    }

    /// Push a node's current state into the scheduler cache.
    pub(crate) fn sched_upsert_node(&mut self, name: &str) {
        let Some(n) = self.store.nodes.get(name) else {
            return;
        };
        let images: Vec<(String, u64)> =
            n.rt.images
                .iter()
                .map(|i| (i.clone(), crate::app::image_info(i).size_bytes))
                .collect();
        let spec = node_spec(&n.node, &images);
        self.scheduler.cache.upsert_node(spec);
    }

    /// The default spreading selector of a pod: its ReplicaSet's selector plus the selectors of
    /// the Services that select it.
    pub(crate) fn default_spread_selector(&self, key: &Key) -> Option<Selector> {
        let rec = self.store.pod(key)?;
        build_default_spread(&self.store, &key.0, &rec.pod, &mut Key::default())
    }

    /// PodInfo of a stored pod.
    pub(crate) fn pod_info_of(&self, key: &Key) -> Option<PodInfo> {
        let rec = self.store.pod(key)?;
        Some(pod_info(&rec.pod, self.default_spread_selector(key)))
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::Sim;
    use crate::store::Key;

    const CLUSTER: &str = "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels:\n    topology.kubernetes.io/zone: a\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: n2\n  labels:\n    topology.kubernetes.io/zone: b\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25\n        resources:\n          requests:\n            cpu: 10m\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  selector:\n    matchExpressions:\n    - key: app\n      operator: In\n      values: [api]\n  template:\n    metadata:\n      labels:\n        app: api\n        tier: back\n    spec:\n      tolerations:\n      - key: dedicated\n        operator: Exists\n      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: topology.kubernetes.io/zone\n        whenUnsatisfiable: ScheduleAnyway\n        labelSelector:\n          matchLabels:\n            app: api\n        matchLabelKeys: [tier]\n      containers:\n      - name: app\n        image: redis\n        resources:\n          requests:\n            cpu: 20m\n            memory: 64Mi\n";

    /// Every pod's PodInfo through the memo, in an order that alternates templates, equals
    /// the one built from scratch.
    fn check(sim: &mut Sim) {
        let keys: Vec<Key> = sim.store.pods().keys().cloned().collect();
        let (a, b) = keys.split_at(keys.len() / 2);
        let order = a.iter().zip(b.iter().rev()).flat_map(|(x, y)| [x, y, x]);
        for key in order.chain(&keys) {
            let memo = sim.sched_pod_info(key).expect("stored pod");
            assert_eq!(Some(&memo), sim.pod_info_of(key).as_ref(), "{key:?}");
            sim.sched_pod_info_done(memo);
        }
    }

    /// [`super::PodInfoMemo`] against [`super::pod_info`]: pods of two templates in turns, a
    /// Service coming and going (the default spreading selector), a pod whose labels were
    /// edited after creation (its own copy, not the template's).
    #[test]
    fn pod_info_memo_matches_fresh_pod_info() {
        let mut sim = Sim::with_cluster(7, kubeplay_api::load(CLUSTER).into_objects());
        sim.run_until(10_000).unwrap();
        assert_eq!(sim.store.pods().len(), 7);
        check(&mut sim);
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n";
        sim.apply(kubeplay_api::load(svc).into_objects());
        check(&mut sim);
        let key = sim.store.pods().keys().last().cloned().unwrap();
        sim.pod_update(&key, |rec, _| {
            rec.pod.metadata.labels.insert("extra".into(), "x".into());
        });
        check(&mut sim);
        let first = sim.store.pods().keys().next().cloned().unwrap();
        sim.pod_update(&first, |rec, _| {
            rec.pod.spec.node_selector = Some([("disk".into(), "ssd".into())].into());
        });
        check(&mut sim);
        sim.apply(kubeplay_api::load(svc).into_objects());
        sim.store.services.clear();
        check(&mut sim);
    }
}
