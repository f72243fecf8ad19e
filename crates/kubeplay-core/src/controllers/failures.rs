//! Failures and healing driven next to the [`Sim`]: the node lifecycle controller (with
//! taint-based eviction), the cloud node lifecycle controller and the kops instance groups'
//! ASGs, each woken at the instants it asks for while the sim runs in between (the same
//! pattern as the network's adapter). Keep one [`Failures`] beside the sim and advance time
//! with [`Failures::run_until`].
//!
//! Node deletion uses the sim's `remove_node`, which leaves the node's pods bound to the
//! missing node, as the API server does; pod GC ([`super::pod_gc`], run here every 20 s with
//! its 40 s quarantine) force-deletes them 40–60 s later, and only then do their ReplicaSets
//! replace them.

use super::instance_group::{
    cloud_node_lifecycle, deleting_node_message, reconcile_groups, CloudAction, CloudNodeView,
    GroupAction, GroupView, InstanceState, InstanceView, CLOUD_NODE_MONITOR_PERIOD_MS,
};
use super::node_lifecycle::{Action, NodeLifecycle, NodeView, PodView, Status};
use super::pod_gc::{self, PodGc};
use crate::api::Taint as ApiTaint;
use crate::clock::{rfc3339, Ms};
use crate::scheduler::types::{Taint, TaintEffect};
use crate::schedwire::{effect, tolerations};
use crate::sim::{Emit, Sim, Stalled};
use crate::store::Key;

const IG_LABEL: &str = "kops.k8s.io/instancegroup";

/// The failure controllers' state.
#[derive(Clone, Debug, Default)]
pub struct Failures {
    nl: NodeLifecycle,
    gc: PodGc,
    next_cloud_ms: Ms,
    /// Launched instances not yet registered: (join time, group, zone).
    launches: Vec<(Ms, String, String)>,
    /// Zones under a simulated outage: the ASGs launch nothing there.
    pub unavailable_zones: Vec<String>,
}

impl Failures {
    /// Fresh controllers.
    pub fn new() -> Self {
        Failures::default()
    }

    /// The next instant a failure controller wants to run.
    pub fn next_wakeup_ms(&self) -> Ms {
        let mut t = self
            .nl
            .next_wakeup_ms()
            .min(self.next_cloud_ms)
            .min(self.gc.next_wakeup_ms());
        if let Some(j) = self.launches.iter().map(|l| l.0).min() {
            t = t.min(j);
        }
        t
    }

    /// Run the sim to `until`, stopping at every failure-controller wake-up on the way.
    pub fn run_until(&mut self, sim: &mut Sim, until: Ms) -> Result<(), Stalled> {
        // Bounded: each pass advances time by at least 1 ms or reaches `until`.
        for _ in 0..10_000_000u32 {
            let t = self.next_wakeup_ms().max(sim.now_ms());
            if t > until {
                return sim.run_until(until);
            }
            sim.run_until(t)?;
            self.tick(sim);
            if self.next_wakeup_ms() <= t {
                // Everything due at t ran; make progress.
                sim.run_until(t + 1)?;
            }
        }
        sim.run_until(until)
    }

    /// `sim zone-outage ZONE`: terminate every instance in the zone and keep the ASGs from
    /// launching there until [`Failures::end_zone_outage`]. Returns the terminated nodes.
    pub fn zone_outage(&mut self, sim: &mut Sim, zone: &str) -> Vec<String> {
        let victims: Vec<String> = sim
            .store
            .nodes
            .iter()
            .filter(|(_, n)| {
                !n.rt.terminated
                    && n.node
                        .metadata
                        .labels
                        .get("topology.kubernetes.io/zone")
                        .map(String::as_str)
                        == Some(zone)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for v in &victims {
            let _ = sim.terminate_node(v);
        }
        if !self.unavailable_zones.iter().any(|z| z == zone) {
            self.unavailable_zones.push(zone.to_string());
        }
        sim.tr(
            "Sim",
            zone.to_string(),
            "ZoneOutage",
            format!("instances={}", victims.len()),
        );
        victims
    }

    /// The zone is back: the ASGs may launch there again.
    pub fn end_zone_outage(&mut self, zone: &str) {
        self.unavailable_zones.retain(|z| z != zone);
    }

    /// Run whatever is due now.
    pub fn tick(&mut self, sim: &mut Sim) {
        let now = sim.now_ms();
        self.join_booted(sim, now);
        self.scale_groups(sim, now);
        if now >= self.nl.next_wakeup_ms() {
            self.node_lifecycle(sim, now);
        }
        if now >= self.next_cloud_ms {
            self.next_cloud_ms = now + CLOUD_NODE_MONITOR_PERIOD_MS;
            self.cloud(sim);
        }
        if now >= self.gc.next_wakeup_ms() {
            self.pod_gc(sim, now);
        }
    }

    /// `PodGCController.gc` (pkg/controller/podgc/gc_controller.go): `gcOrphaned` marks the
    /// pods of a node still missing after the quarantine Failed (`DisruptionTarget`,
    /// `DeletionByPodGC`) and force-deletes them; the pod leaves the store at once, so only
    /// the deletion is modelled. `gcUnscheduledTerminating` force-deletes terminating pods
    /// that were never bound.
    fn pod_gc(&mut self, sim: &mut Sim, now: Ms) {
        let nodes: std::collections::BTreeSet<String> = sim.store.nodes.keys().cloned().collect();
        let pods: Vec<pod_gc::PodView> = sim
            .store
            .pods()
            .iter()
            .map(|(k, p)| pod_gc::PodView {
                namespace: k.0.clone(),
                name: k.1.clone(),
                node: p.rt.node.clone(),
                terminating: p.rt.deleting_ms.is_some()
                    || p.pod.metadata.deletion_timestamp.is_some(),
            })
            .collect();
        for d in self.gc.reconcile(now, &nodes, &pods) {
            let key: Key = (d.namespace, d.name);
            let detail = match d.reason {
                pod_gc::Reason::OrphanedByDeletedNode => format!(
                    "node={}",
                    sim.store
                        .pod(&key)
                        .and_then(|p| p.rt.node.clone())
                        .unwrap_or_default()
                ),
                pod_gc::Reason::UnscheduledTerminating => "unscheduled-terminating".to_string(),
            };
            sim.tr("Pod", crate::sim::key_str(&key), "PodGC", detail);
            sim.finalize_pod_deletion(&key);
        }
    }

    fn node_lifecycle(&mut self, sim: &mut Sim, now: Ms) {
        let nodes: Vec<NodeView> = sim
            .store
            .nodes
            .iter()
            .map(|(name, n)| {
                let labels = &n.node.metadata.labels;
                let zone = format!(
                    "{}:\u{0}:{}",
                    labels
                        .get("topology.kubernetes.io/region")
                        .map_or("", String::as_str),
                    labels
                        .get("topology.kubernetes.io/zone")
                        .map_or("", String::as_str)
                );
                NodeView {
                    name: name.clone(),
                    zone,
                    heartbeat_ms: Some(n.rt.last_heartbeat_ms),
                    kubelet_ready: Some(Status::True),
                    memory_pressure: false,
                    disk_pressure: false,
                    pid_pressure: false,
                    network_unavailable: false,
                    unschedulable: n.node.spec.unschedulable == Some(true),
                    taints: n
                        .node
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
                }
            })
            .collect();
        let pods: Vec<PodView> = sim
            .store
            .pods()
            .iter()
            .filter_map(|(k, p)| {
                Some(PodView {
                    namespace: k.0.clone(),
                    name: k.1.clone(),
                    node: p.rt.node.clone()?,
                    tolerations: tolerations(&p.pod),
                    ready: p.rt.ready,
                    terminating: p.rt.deleting_ms.is_some(),
                })
            })
            .collect();
        for a in self.nl.reconcile(now, &nodes, &pods) {
            self.apply(sim, now, a);
        }
        // A kubelet that posts again brings Ready back (the kubelet's own status write).
        let back: Vec<String> = sim
            .store
            .nodes
            .iter()
            .filter(|(_, n)| n.rt.kubelet_running && ready_status(n) != "True")
            .map(|(k, _)| k.clone())
            .collect();
        for n in back {
            set_conditions(
                sim,
                &n,
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
                now,
            );
        }
    }

    fn apply(&mut self, sim: &mut Sim, now: Ms, a: Action) {
        match a {
            Action::ConditionsUnknown {
                node,
                reason,
                message,
            } => {
                set_conditions(sim, &node, "Unknown", reason, message, now);
            }
            Action::SetTaints { node, taints } => {
                let Some(n) = sim.store.nodes.get_mut(&node) else {
                    return;
                };
                let old = std::mem::take(&mut n.node.spec.taints);
                n.node.spec.taints = taints
                    .iter()
                    .map(|t| {
                        // Keep timeAdded of taints that stay.
                        let kept = old
                            .iter()
                            .find(|o| o.key == t.key && o.effect == t.effect.as_str());
                        ApiTaint {
                            key: t.key.clone(),
                            value: (!t.value.is_empty()).then(|| t.value.clone()),
                            effect: t.effect.as_str().to_string(),
                            time_added: kept.and_then(|k| k.time_added.clone()).or_else(|| {
                                (t.effect == TaintEffect::NoExecute).then(|| rfc3339(now))
                            }),
                        }
                    })
                    .collect();
                sim.store.next_rv();
                let detail = taints
                    .iter()
                    .map(|t| format!("{}:{}", t.key, t.effect.as_str()))
                    .collect::<Vec<_>>()
                    .join(",");
                sim.tr("Node", node.clone(), "Taints", detail);
                sim.sched_upsert_node(&node);
                sim.sched_cluster_changed();
            }
            Action::MarkPodNotReady { namespace, name } => {
                let key: Key = (namespace, name);
                sim.pod_changed(&key, |rt, now| {
                    // Setting `ready` alone is undone by the readiness recomputation.
                    rt.marked_not_ready = true;
                    rt.ready = false;
                    rt.ready_change_ms = Some(now);
                });
            }
            Action::Event {
                kind,
                namespace,
                name,
                warning,
                reason,
                message,
            } => {
                let meta = if kind == "Node" {
                    sim.store.nodes.get(&name).map(|n| n.node.metadata.clone())
                } else {
                    sim.store
                        .pod(&(namespace, name))
                        .map(|p| p.pod.metadata.clone())
                };
                if let Some(meta) = meta {
                    let component = if kind == "Node" {
                        "node-controller"
                    } else {
                        "taint-eviction-controller"
                    };
                    sim.emit(Emit {
                        kind,
                        meta: &meta,
                        field_path: None,
                        warning,
                        reason,
                        message: format_args!("{message}"),
                        component,
                        host: None,
                    });
                }
            }
            Action::DeletePod { namespace, name } => {
                sim.delete_pod(&(namespace, name), None);
            }
        }
    }

    fn cloud(&mut self, sim: &mut Sim) {
        let views: Vec<CloudNodeView> = sim
            .store
            .nodes
            .iter()
            .map(|(name, n)| CloudNodeView {
                name: name.clone(),
                ready: ready_status(n) == "True",
                instance_exists: !n.rt.terminated,
                instance_shutdown: false,
                taints: Vec::new(),
            })
            .collect();
        for a in cloud_node_lifecycle(&views) {
            if let CloudAction::DeleteNode { node } = a {
                if let Some(meta) = sim.store.nodes.get(&node).map(|n| n.node.metadata.clone()) {
                    sim.emit(Emit {
                        kind: "Node",
                        meta: &meta,
                        field_path: None,
                        warning: false,
                        reason: "DeletingNode",
                        message: format_args!("{}", deleting_node_message(&node)),
                        component: "cloud-node-lifecycle-controller",
                        host: None,
                    });
                }
                sim.remove_node(&node);
            }
        }
    }

    fn groups(sim: &Sim) -> Vec<GroupView> {
        sim.store
            .instance_groups
            .values()
            .filter(|g| g.deleting_ms.is_none())
            .map(|g| {
                let s = &g.obj.spec;
                let min = s.min_size.unwrap_or(1).max(0) as u32;
                GroupView {
                    name: g.obj.metadata.name.clone(),
                    min_size: min,
                    max_size: s.max_size.map_or(min, |m| m.max(0) as u32),
                    zones: if s.subnets.is_empty() {
                        vec![crate::ops::DEFAULT_ZONE.to_string()]
                    } else {
                        s.subnets.clone()
                    },
                }
            })
            .collect()
    }

    fn scale_groups(&mut self, sim: &mut Sim, now: Ms) {
        let groups = Self::groups(sim);
        if groups.is_empty() {
            return;
        }
        let mut instances: Vec<InstanceView> = sim
            .store
            .nodes
            .iter()
            .filter_map(|(name, n)| {
                let labels = &n.node.metadata.labels;
                Some(InstanceView {
                    name: name.clone(),
                    group: labels.get(IG_LABEL)?.clone(),
                    zone: labels
                        .get("topology.kubernetes.io/zone")
                        .cloned()
                        .unwrap_or_default(),
                    launched_seq: u64::from(n.rt.index),
                    state: if n.rt.terminated {
                        InstanceState::Terminated
                    } else {
                        InstanceState::Running
                    },
                })
            })
            .collect();
        for (i, (join, g, z)) in self.launches.iter().enumerate() {
            instances.push(InstanceView {
                name: format!("pending-{i}"),
                group: g.clone(),
                zone: z.clone(),
                launched_seq: u64::MAX - i as u64,
                state: InstanceState::Pending { join_at_ms: *join },
            });
        }
        for a in reconcile_groups(now, &groups, &instances, &self.unavailable_zones) {
            match a {
                GroupAction::Launch {
                    group,
                    zone,
                    join_at_ms,
                } => {
                    sim.tr(
                        "InstanceGroup",
                        group.clone(),
                        "InstanceLaunched",
                        format!("zone={zone}"),
                    );
                    self.launches.push((join_at_ms, group, zone));
                }
                GroupAction::Terminate { instance } => {
                    if instance.starts_with("pending-") {
                        continue;
                    }
                    let _ = sim.terminate_node(&instance);
                }
            }
        }
    }

    fn join_booted(&mut self, sim: &mut Sim, now: Ms) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.launches)
            .into_iter()
            .partition(|l| l.0 <= now);
        self.launches = later;
        for (_, group, zone) in due {
            let Some(ig) = sim
                .store
                .instance_groups
                .values()
                .find(|g| g.obj.metadata.name == group)
            else {
                continue;
            };
            let mut ig = ig.obj.clone();
            ig.spec.min_size = Some(1);
            ig.spec.subnets = vec![zone];
            sim.materialize_instance_group(&ig);
        }
    }
}

fn ready_status(n: &crate::store::NodeRec) -> &str {
    n.node
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map_or("Unknown", |c| c.status.as_str())
}

/// Ready (and, for Unknown, the pressure conditions) as the controller or kubelet writes them.
fn set_conditions(sim: &mut Sim, node: &str, status: &str, reason: &str, message: &str, now: Ms) {
    let Some(n) = sim.store.nodes.get_mut(node) else {
        return;
    };
    let Some(st) = n.node.status.as_mut() else {
        return;
    };
    let types: &[&str] = if status == "Unknown" {
        &["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]
    } else {
        &["Ready"]
    };
    for c in st
        .conditions
        .iter_mut()
        .filter(|c| types.contains(&&*c.type_))
    {
        let s = if c.type_ == "Ready" || status == "Unknown" {
            status
        } else {
            "False"
        };
        if c.status != s {
            c.last_transition_time = Some(rfc3339(now));
        }
        c.status = s.to_string();
        c.reason = Some(reason.to_string().into());
        c.message = Some(message.to_string());
    }
    sim.store.next_rv();
    sim.tr(
        "Node",
        node.to_string(),
        "Condition",
        format!("Ready={status}"),
    );
}
