//! Wiring between the store's API objects and the scheduler module's own small types: pods
//! become [`PodInfo`], nodes become [`NodeSpec`], and the scheduler cache is kept in step with
//! every bind, deletion and node change (the informer event handlers of kube-scheduler's
//! `eventhandlers.go`).
use crate::api::{LabelSelector, Node, Pod};
use crate::scheduler::types::{
    ContainerRequests, HostPort, InclusionPolicy, NodeImage, NodeSelectorTerm, NodeSpec, Operator,
    PodInfo, PreferredTerm, Protocol, Requirement, Resources, Selector, SpreadConstraint, Taint,
    TaintEffect, Toleration, TolerationOperator, WhenUnsatisfiable,
};
use crate::sim::Sim;
use crate::store::Key;

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

impl Sim {
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
        let mut reqs: Vec<Requirement> = Vec::new();
        for o in rec
            .pod
            .metadata
            .owner_references
            .iter()
            .filter(|o| o.controller == Some(true) && o.kind == "ReplicaSet")
        {
            if let Some(rs) = self.store.replicasets.get(&(key.0.clone(), o.name.clone())) {
                if let Some(s) = &rs.obj.spec.selector {
                    reqs.extend(selector(s).requirements);
                }
            }
        }
        let labels = &rec.pod.metadata.labels;
        for (_, svc) in self
            .store
            .services
            .range((key.0.clone(), String::new())..)
            .take_while(|(k, _)| k.0 == key.0)
        {
            if let Some(sel) = &svc.obj.spec.selector {
                if !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                    reqs.extend(sel.iter().map(|(k, v)| Requirement {
                        key: k.clone(),
                        operator: Operator::In,
                        values: vec![v.clone()],
                    }));
                }
            }
        }
        (!reqs.is_empty()).then_some(Selector { requirements: reqs })
    }

    /// PodInfo of a stored pod.
    pub(crate) fn pod_info_of(&self, key: &Key) -> Option<PodInfo> {
        let rec = self.store.pod(key)?;
        Some(pod_info(&rec.pod, self.default_spread_selector(key)))
    }
}
