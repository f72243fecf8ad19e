//! The adapter between the page and the pure crates. Every call the UI makes into the
//! simulator and the command layer goes through here: `kubeplay_kubectl::Session` owns the
//! `Sim` and the network model; this file only translates to the page's flat [`View`].
use std::collections::BTreeMap;

use kubeplay_core::{Sim, SimConfig};
use kubeplay_kubectl::{MemFiles, Session};

use crate::view::{
    EventRow, Flight, NodeState, NodeView, ObjRef, PodState, PodView, ServiceView, View,
};

/// The simulator + command layer.
#[derive(Clone)]
pub struct Backend {
    session: Session,
    /// Successful responses per (service, pod) seen so far, to animate new requests.
    served: BTreeMap<(String, String), u64>,
    flight_seq: u64,
}

impl Backend {
    /// A fresh cluster for `seed`.
    pub fn new(seed: u64) -> Self {
        // Session::new's cluster without keeping the trace lines: the page never shows them, and
        // at 5,000 pods they are most of the memory (the trace hash is still computed).
        let config = SimConfig {
            keep_trace: false,
            ..SimConfig::default()
        };
        let mut session = Session::with_sim(Sim::with_config(seed, config, Vec::new()));
        // the page runs virtual time on its own clock: commands take no extra time
        session.set_settle_ms(0);
        Backend {
            session,
            served: BTreeMap::new(),
            flight_seq: 0,
        }
    }

    /// A copy for replay checkpoints.
    pub fn try_clone(&self) -> Option<Backend> {
        Some(self.clone())
    }

    /// How many pods exist (what a checkpoint copy costs grows with it).
    pub fn pod_count(&self) -> usize {
        self.session.sim().pods().count()
    }

    /// The simulator's trace hash (tests compare runs by it).
    #[cfg(test)]
    pub fn trace_hash(&self) -> u64 {
        self.session.sim().trace_hash()
    }

    /// Virtual time, ms.
    pub fn now_ms(&self) -> u64 {
        self.session.now_ms()
    }

    /// Changes whenever the cluster state changes.
    pub fn version(&self) -> u64 {
        self.session.version()
    }

    /// Advance virtual time to `t` (no-op when `t` is not ahead).
    pub fn run_until(&mut self, t: u64) {
        if t > self.now_ms() {
            self.session.advance_to(t);
        }
    }

    /// [`Backend::run_until`] under the caller's budget: runs while `more()` allows (at least
    /// one simulator event), false when it stopped short of `t` — call again with the same `t`.
    pub fn run_until_within(&mut self, t: u64, more: &mut dyn FnMut() -> bool) -> bool {
        if t > self.now_ms() || self.session.advancing() {
            self.session.advance_within(t, more)
        } else {
            true
        }
    }

    /// Whether the reactions to the last command (or a cut [`Backend::run_until_within`]) are
    /// still being run; [`Backend::continue_within`] goes on with them.
    pub fn advancing(&self) -> bool {
        self.session.advancing()
    }

    /// Goes on with what [`Backend::advancing`] reports, while `more()` allows; true when done.
    pub fn continue_within(&mut self, more: &mut dyn FnMut() -> bool) -> bool {
        self.session.continue_within(more)
    }

    /// When the next scheduled event fires, if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.session.next_event_ms()
    }

    /// `kubectl apply -f NAME` with the editor tab `name` holding `text`.
    pub fn apply(&mut self, name: &str, text: &str) -> (String, String) {
        let files = MemFiles {
            files: vec![(name.to_string(), text.to_string())],
        };
        let line = format!("kubectl apply -f {name}");
        let out = self.session.run_line_with(&line, &files);
        (line, out.text.trim_end().to_string())
    }

    /// Run one terminal line; returns its output.
    pub fn command(&mut self, line: &str) -> String {
        self.session.run_line(line).text.trim_end().to_string()
    }

    /// Snapshot for drawing.
    pub fn view(&mut self) -> View {
        let sim = self.session.sim();
        let node_views = sim.node_views();
        let taints: BTreeMap<&str, Vec<String>> = sim
            .nodes()
            .map(|n| {
                let t = n
                    .spec
                    .taints
                    .iter()
                    .map(|t| {
                        let v = t.value.as_deref().unwrap_or("");
                        if v.is_empty() {
                            format!("{}:{}", t.key, t.effect)
                        } else {
                            format!("{}={}:{}", t.key, v, t.effect)
                        }
                    })
                    .collect();
                (n.metadata.name.as_str(), t)
            })
            .collect();
        let nodes = node_views
            .iter()
            .map(|n| NodeView {
                name: n.name.clone(),
                group: if n.control_plane && n.instance_group.is_empty() {
                    "control-plane".into()
                } else {
                    n.instance_group.clone()
                },
                state: if n.terminated {
                    NodeState::Terminating
                } else if n.ready {
                    NodeState::Ready
                } else if !n.kubelet_running {
                    NodeState::NotReady
                } else {
                    NodeState::Provisioning
                },
                cordoned: n.unschedulable,
                taints: taints.get(n.name.as_str()).cloned().unwrap_or_default(),
                cpu_m: u64::try_from(n.alloc_cpu_milli).unwrap_or(0),
                mem_b: u64::try_from(n.alloc_memory_bytes).unwrap_or(0),
                cpu_req_m: u64::try_from(n.requested_cpu_milli).unwrap_or(0),
                mem_req_b: u64::try_from(n.requested_memory_bytes).unwrap_or(0),
                control_plane: n.control_plane,
            })
            .collect();
        // Straight from the store, not through `Sim::snapshot` (a second copy of every pod's
        // strings, rebuilt several times a second while a big cluster changes); the owner
        // label is worked out once per owner, not once per pod.
        let store = sim.store();
        let mut owners: BTreeMap<(&str, &str, &str), String> = BTreeMap::new();
        let pods: Vec<PodView> = store
            .pods()
            .iter()
            .map(|(k, rec)| {
                let owner = rec
                    .pod
                    .metadata
                    .controller_of()
                    .map_or_else(String::new, |o| {
                        owners
                            .entry((k.0.as_str(), &*o.kind, o.name.as_str()))
                            .or_insert_with(|| owner_label(sim, &k.0, &o.kind, &o.name))
                            .clone()
                    });
                let status = kubeplay_core::snapshot::status_column(rec);
                let bound = rec.rt.node.is_some();
                let terminating = rec.rt.deleting_ms.is_some();
                PodView {
                    name: k.1.clone(),
                    namespace: k.0.clone(),
                    owner,
                    node: rec.rt.node.clone(),
                    state: pod_state(
                        rec.rt.phase.as_str(),
                        &status,
                        rec.rt.ready,
                        terminating,
                        bound,
                    ),
                    restarts: rec.rt.containers.iter().map(|c| c.restart_count).sum(),
                }
            })
            .collect();
        let net = self.session.net();
        let mut services = Vec::new();
        let mut flights = Vec::new();
        // pod → node, built only when a request needs it (a linear search per served pod was
        // quadratic under a load spread over thousands of endpoints)
        let mut pod_node: Option<BTreeMap<&str, Option<&str>>> = None;
        for s in sim.services() {
            let (ns, name) = (
                s.metadata.namespace.as_deref().unwrap_or("default"),
                s.metadata.name.as_str(),
            );
            if ns == "default" && name == "kubernetes" {
                continue;
            }
            let endpoints: Vec<String> = net
                .endpoints(ns, name)
                .map(|e| {
                    e.subsets
                        .iter()
                        .flat_map(|ss| ss.addresses.iter().map(|a| a.pod.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let kind = s.spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
            let ext = net.external_ip_column(ns, name);
            if let Some(stats) = net.service_stats(ns, name) {
                for (pod, n) in &stats.per_pod {
                    let key = (name.to_string(), pod.clone());
                    let seen = self.served.entry(key).or_insert(0);
                    let new = n.saturating_sub(*seen).min(4);
                    *seen = *n;
                    if new == 0 {
                        continue;
                    }
                    let node = pod_node
                        .get_or_insert_with(|| {
                            pods.iter()
                                .map(|p| (p.name.as_str(), p.node.as_deref()))
                                .collect()
                        })
                        .get(pod.as_str())
                        .copied()
                        .flatten()
                        .map(str::to_string);
                    for _ in 0..new {
                        self.flight_seq += 1;
                        flights.push(Flight {
                            id: self.flight_seq,
                            service: name.to_string(),
                            node: node.clone().unwrap_or_default(),
                            pod: pod.clone(),
                            ok: true,
                        });
                    }
                }
            }
            services.push(ServiceView {
                name: name.to_string(),
                kind,
                external: (ext != "<none>" && ext != "<pending>" && !ext.is_empty()).then_some(ext),
                endpoints,
            });
        }
        View {
            now_ms: sim.now_ms(),
            version: 0,
            nodes,
            pods,
            services,
            flights,
        }
    }

    /// `kubectl get events`: how many there are, and the newest `limit` of them, oldest first.
    pub fn events(&self, limit: usize) -> (usize, Vec<EventRow>) {
        // A big cluster keeps up to 20,000 events and the panel shows 200: sort references and
        // copy out only the rows shown (copying all of them cost ~15 ms a frame at 5,000 pods).
        // Only the newest `limit` are ordered: a linear selection, then a sort of those few
        // (sorting all 20,000 four times a second was the panel's main cost). The index in the
        // key keeps events of the same instant in the simulator's order, as a stable sort did.
        let mut all: Vec<_> = self
            .session
            .sim()
            .events()
            .enumerate()
            .map(|(i, e)| ((e.last_ms, i), e))
            .collect();
        let total = all.len();
        let first = total.saturating_sub(limit);
        if first > 0 {
            all.select_nth_unstable_by_key(first, |(k, _)| *k);
        }
        let newest = &mut all[first..];
        newest.sort_unstable_by_key(|(k, _)| *k);
        let rows = newest
            .iter()
            .map(|(_, e)| e)
            .map(|e| EventRow {
                t_ms: e.last_ms,
                kind: e.type_.to_string(),
                reason: e.reason.to_string(),
                object: format!("{}/{}", e.involved_kind.to_lowercase(), e.involved_name),
                message: e.message.clone(),
            })
            .collect();
        (total, rows)
    }

    fn query(&mut self, line: &str) -> String {
        self.session.run_line(line).text
    }

    /// `kubectl describe` of an object.
    pub fn describe(&mut self, obj: &ObjRef) -> String {
        match obj {
            ObjRef::ControlPlane => self.query("kubectl get nodes -o wide"),
            o => self.query(&format!(
                "kubectl describe {}",
                o.kubectl_ref().replace('/', " ")
            )),
        }
    }

    /// The object as YAML.
    pub fn yaml(&mut self, obj: &ObjRef) -> String {
        match obj {
            ObjRef::ControlPlane => String::new(),
            o => self.query(&format!("kubectl get {} -o yaml", o.kubectl_ref())),
        }
    }

    /// Scheduler verdicts per node for a pod: (node, verdict, score) rows.
    pub fn why(&self, obj: &ObjRef) -> Vec<Vec<String>> {
        use kubeplay_core::scheduler::Verdict;
        let ObjRef::Pod(name) = obj else {
            return Vec::new();
        };
        let sim = self.session.sim();
        let ns = sim
            .pods()
            .find(|p| &p.metadata.name == name)
            .and_then(|p| p.metadata.namespace.clone());
        let Some(d) = sim.scheduling_decision(ns.as_deref().unwrap_or("default"), name) else {
            return Vec::new();
        };
        let mut rows = vec![vec!["→".into(), d.message.clone(), String::new()]];
        if let Some(nodes) = d.detail.as_ref().and_then(|x| x.nodes.as_ref()) {
            for r in nodes {
                let chosen = d.node.as_deref() == Some(r.node.as_str());
                let (verdict, score) = match &r.verdict {
                    Verdict::Feasible(s) => (
                        if chosen {
                            "chosen".to_string()
                        } else {
                            "feasible".to_string()
                        },
                        s.as_ref().map(|s| s.total.to_string()).unwrap_or_default(),
                    ),
                    Verdict::Rejected {
                        plugin, reasons, ..
                    } => (format!("{plugin}: {}", reasons.join(", ")), String::new()),
                    Verdict::NotEvaluated => ("not evaluated".into(), String::new()),
                };
                rows.push(vec![r.node.clone(), verdict, score]);
            }
        }
        rows
    }

    /// Whether a background load to `http://NAME` is running (labels Start/Stop load).
    pub fn load_running(&self, name: &str) -> bool {
        let url = format!("http://{name}");
        self.session
            .net()
            .load_reports()
            .iter()
            .any(|r| !r.done && r.url == url)
    }

    /// Completions for the last word of `line`.
    pub fn complete(&self, line: &str) -> Vec<String> {
        self.session.complete(line)
    }
}

/// How the canvas labels a pod's controller: `Deployment/<name>` for a ReplicaSet a
/// Deployment controls, else `<Kind>/<name>`.
fn owner_label(sim: &kubeplay_core::Sim, ns: &str, kind: &str, name: &str) -> String {
    let deployment = (kind == "ReplicaSet")
        .then(|| sim.store().replicaset_deployment(ns, name))
        .flatten();
    match deployment {
        Some(d) => format!("Deployment/{d}"),
        None => format!("{kind}/{name}"),
    }
}

/// The visual state of a pod from its phase and kubectl's STATUS column.
pub fn pod_state(
    phase: &str,
    status: &str,
    ready: bool,
    terminating: bool,
    bound: bool,
) -> PodState {
    if terminating {
        return PodState::Terminating;
    }
    match status {
        "CrashLoopBackOff" | "Error" | "ImagePullBackOff" | "ErrImagePull" | "OOMKilled" => {
            PodState::CrashLoop
        }
        "Evicted" => PodState::Evicted,
        "Completed" => PodState::Succeeded,
        "ContainerCreating" => PodState::Pulling,
        "PodInitializing" | "Init:0/1" => PodState::Starting,
        _ if !bound => PodState::Pending,
        _ => match phase {
            "Running" if ready => PodState::Ready,
            "Running" => PodState::Running,
            "Succeeded" => PodState::Succeeded,
            "Failed" => PodState::Evicted,
            _ => PodState::Starting,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The canvas's pods, built straight from the store, are what the snapshot says: the same
    /// pods in the same order, owner labels (a Deployment's pods, a bare pod), nodes, states
    /// and restarts — for a Deployment, a bare pod and a crash-looping one.
    #[test]
    fn view_pods_match_the_snapshot() {
        let mut b = Backend::new(3);
        let text = concat!(
            include_str!("../static/examples/hello-world.yaml"),
            "\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\n  annotations:\n",
            "    kubeplay.dev/crash-after: 5s\nspec:\n  containers:\n  - name: c\n",
            "    image: busybox:1.36\n"
        );
        let (_, out) = b.apply("all.yaml", text);
        assert!(out.contains("pod/bare created"), "{out}");
        b.run_until(90_000);
        let snap = b.session.sim().snapshot();
        let expected: Vec<PodView> = snap
            .pods
            .iter()
            .map(|p| PodView {
                name: p.name.clone(),
                namespace: p.namespace.clone(),
                owner: p
                    .deployment
                    .as_ref()
                    .map(|d| format!("Deployment/{d}"))
                    .or_else(|| p.owner.clone())
                    .unwrap_or_default(),
                node: p.node.clone(),
                state: pod_state(p.phase, &p.status, p.ready, p.terminating, p.node.is_some()),
                restarts: p.restarts,
            })
            .collect();
        let got = b.view().pods;
        assert_eq!(got, expected);
        assert!(got.iter().any(|p| p.owner.starts_with("Deployment/")));
        assert!(got.iter().any(|p| p.name == "bare" && p.owner.is_empty()));
        assert!(got.iter().any(|p| p.restarts > 0), "{got:?}");
    }
}
