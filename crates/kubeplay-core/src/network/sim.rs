//! Glue between the Sim and the network model: flattening the object store into a
//! [`ClusterView`], API-server admission of Services (ClusterIP/NodePort allocation, with the
//! real rejection messages), writing allocations and `status.loadBalancer` back into the
//! stored Service, and the Sim-driven entry points `kubectl`/the UI call.
//!
//! The network keeps its own state ([`Network`]) next to the [`Sim`]; every function here
//! takes both. [`NetSim`] bundles the two for callers that want one value.
//!
//! Time: [`run_until`] steps the Sim event by event and hands the network the changes after
//! every step that changed the store, so endpoint updates, readiness flips and node deaths
//! reach kube-proxy at the virtual instant they happen, and the traffic replayed in between
//! sees the cluster as it was. It also stops at the instants a load balancer's hostname
//! appears, so `kubectl get svc` shows it on time.
//!
//! What changed comes from the store's pod journal (only the pods written since the last
//! sync are re-read) and from comparing the nodes and Services, which are few, with what the
//! network holds: the cost of a sync follows the change, not the cluster (see
//! [`super::view`]). [`cluster_view`] still flattens everything, for tests and tools.

use super::curl::CurlResult;
use super::ip::Ip;
use super::load::LoadSpec;
use super::model::{
    ClusterView, ContainerPortView, Listener, Ms, NodeView, PodPhase, PodView, Protocol,
    ServicePortSpec, ServiceSpec, ServiceType, ServiceView, TargetPort, TrafficPolicy,
};
use super::view::Update;
use super::{fmt_ip, invalid_message, Network, ServiceAllocation};
use crate::api::{IntOrString, Object, Service};
use crate::kubelet::{CState, PodPhase as CorePhase};
use crate::sim::{ApplyOutcome, Sim, Stalled};
use crate::store::{Key, NodeRec, PodRec, Store};
use std::collections::BTreeSet;

/// What the adapter remembers between syncs: the pod journal's token (see
/// [`Store::take_pod_changes`]) and the Services as last read, so unchanged ones are not
/// flattened again.
#[derive(Debug, Clone, Default)]
pub(crate) struct Adapter {
    token: u64,
    services: Vec<(
        Key,
        Option<String>,
        kubeplay_api::kinds::service::ServiceSpec,
    )>,
}

/// From `deletionTimestamp` to the kubelet starting to kill the container (its preStop hook,
/// or SIGTERM when there is none): the kubelet's pod watch delivers the update, `syncLoop`
/// hands it to the pod worker, `SyncTerminatingPod` → `killPod` → `killContainer`
/// (`pkg/kubelet/kuberuntime/kuberuntime_container.go`) → CRI `StopContainer`; all local
/// to the node, ~10 ms. The endpoint removal races it on a longer path
/// ([`super::NetConfig::proxy_latency_ms`], and kube-proxy's `minSyncPeriod` on top), so
/// without a preStop hook an app that exits on SIGTERM refuses the connections kube-proxy
/// still sends it in between: the failure window of a real cluster.
pub const KUBELET_KILL_LATENCY_MS: Ms = 10;

/// `sessionAffinityConfig.clientIP.timeoutSeconds` default (semantics §8).
pub const DEFAULT_AFFINITY_TIMEOUT_S: u32 = 10_800;

/// A Service object as the network sees it, with the API server's defaults (semantics §8).
pub fn service_view(svc: &Service) -> ServiceView {
    let spec = &svc.spec;
    let type_ = match spec.type_.as_deref() {
        Some("NodePort") => ServiceType::NodePort,
        Some("LoadBalancer") => ServiceType::LoadBalancer,
        Some("ExternalName") => ServiceType::ExternalName,
        _ => ServiceType::ClusterIp,
    };
    let ports = spec
        .ports
        .iter()
        .map(|p| {
            let port = u16::try_from(p.port).unwrap_or(0);
            ServicePortSpec {
                name: p.name.clone().unwrap_or_default(),
                protocol: p
                    .protocol
                    .as_deref()
                    .and_then(Protocol::parse)
                    .unwrap_or(Protocol::Tcp),
                port,
                // targetPort defaults to port when 0 or "".
                target_port: match &p.target_port {
                    Some(IntOrString::Int(n)) if *n > 0 => {
                        TargetPort::Number(u16::try_from(*n).unwrap_or(0))
                    }
                    Some(IntOrString::String(s)) if !s.is_empty() => TargetPort::Name(s.clone()),
                    _ => TargetPort::Number(port),
                },
                node_port: p
                    .node_port
                    .and_then(|n| u16::try_from(n).ok())
                    .filter(|n| *n > 0),
            }
        })
        .collect();
    let session_affinity_timeout_s =
        (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
            spec.session_affinity_config
                .as_ref()
                .and_then(|c| c.get("clientIP")?.get("timeoutSeconds")?.as_u64())
                .and_then(|t| u32::try_from(t).ok())
                .unwrap_or(DEFAULT_AFFINITY_TIMEOUT_S)
        });
    ServiceView {
        namespace: svc
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into()),
        name: svc.metadata.name.clone(),
        uid: svc.metadata.uid.clone().unwrap_or_default(),
        spec: ServiceSpec {
            type_,
            selector: spec.selector.clone().filter(|s| !s.is_empty()),
            ports,
            cluster_ip: spec.cluster_ip.clone().filter(|s| !s.is_empty()),
            session_affinity_timeout_s,
            external_traffic_policy: match spec.external_traffic_policy.as_deref() {
                Some("Local") => TrafficPolicy::Local,
                _ => TrafficPolicy::Cluster,
            },
            publish_not_ready_addresses: spec.publish_not_ready_addresses.unwrap_or(false),
            health_check_node_port: spec
                .health_check_node_port
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n > 0),
        },
    }
}

fn phase(p: CorePhase) -> PodPhase {
    match p {
        CorePhase::Pending => PodPhase::Pending,
        CorePhase::Running => PodPhase::Running,
        CorePhase::Succeeded => PodPhase::Succeeded,
        CorePhase::Failed => PodPhase::Failed,
        CorePhase::Unknown => PodPhase::Unknown,
    }
}

fn node_ready(n: &NodeRec) -> bool {
    n.node.status.as_ref().is_some_and(|s| {
        s.conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
    })
}

const EXCLUDE_FROM_LB: &str = "node.kubernetes.io/exclude-from-external-load-balancers";

/// A node as the network sees it.
pub fn node_view(n: &NodeRec) -> NodeView {
    NodeView {
        name: n.node.metadata.name.clone(),
        ip: n.rt.ip,
        alive: !n.rt.terminated,
        ready: node_ready(n),
        exclude_from_lb: n.node.metadata.labels.contains_key(EXCLUDE_FROM_LB),
    }
}

/// Whether `v` is still what [`node_view`] gives for `n` (compared in place, no copies).
fn node_matches(n: &NodeRec, v: &NodeView) -> bool {
    v.name == n.node.metadata.name
        && v.ip == n.rt.ip
        && v.alive != n.rt.terminated
        && v.ready == node_ready(n)
        && v.exclude_from_lb == n.node.metadata.labels.contains_key(EXCLUDE_FROM_LB)
}

/// A pod as the network sees it.
pub fn pod_view((ns, name): &Key, rec: &PodRec) -> PodView {
    let rt = &rec.rt;
    let b = rt.behaviour;
    let mut listeners = Vec::new();
    for (i, c) in rt.containers.iter().enumerate() {
        let since = match c.state {
            CState::Running { since_ms } => Some(since_ms),
            _ => None,
        };
        // A deleted pod's process gets SIGTERM once its kubelet has seen the deletion
        // and run the container's preStop hook (see `lifecycle`); other kills
        // (liveness) are immediate.
        let until = match (rt.killing, rt.deleting_ms) {
            (true, Some(d)) => {
                let hook = rec.pod.spec.containers.get(i).map_or(0, |spec| {
                    crate::lifecycle::stop_timeline(spec, rt.grace_ms, 0).0
                });
                Some(d + KUBELET_KILL_LATENCY_MS + hook)
            }
            (true, None) => Some(0),
            _ => None,
        };
        for p in &c.ports {
            listeners.push(Listener {
                port: u16::try_from(*p).unwrap_or(0),
                listening_from: since.map(|s| s + b.startup_ms),
                listening_until: until,
                failing_from: since.and_then(|s| b.fail_readiness_after_ms.map(|d| s + d)),
            });
        }
    }
    let c0 = rec.pod.spec.containers.first();
    PodView {
        namespace: ns.clone(),
        name: name.clone(),
        labels: (*rec.pod.metadata.labels).clone(),
        ip: rt.ip,
        node: rt.node.clone(),
        phase: phase(rt.phase),
        ready: rt.ready,
        terminating: rt.deleting_ms.is_some() || rec.pod.metadata.deletion_timestamp.is_some(),
        listeners,
        // Filled in by `curl` from the Sim's app model; building it for every pod on
        // every sync would cost more than the rest of the view.
        body: None,
        ports: rec
            .pod
            .spec
            .containers
            .iter()
            .flat_map(|c| c.ports.iter())
            .map(|p| ContainerPortView {
                name: p.name.clone(),
                port: u16::try_from(p.container_port).unwrap_or(0),
                protocol: p
                    .protocol
                    .as_deref()
                    .and_then(Protocol::parse)
                    .unwrap_or(Protocol::Tcp),
            })
            .collect(),
        image: c0.and_then(|c| c.image.clone()).unwrap_or_default(),
        env: c0
            .map(|c| {
                c.env
                    .iter()
                    .filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Flattens the Sim's store into the network's view (everything; [`sync`] hands the
/// network only what changed).
pub fn cluster_view(sim: &Sim) -> ClusterView {
    let store = sim.store();
    ClusterView {
        nodes: store.nodes.values().map(node_view).collect(),
        pods: store
            .pods()
            .iter()
            .map(|(k, rec)| pod_view(k, rec))
            .collect(),
        services: store
            .services
            .values()
            .filter(|r| r.deleting_ms.is_none())
            .map(|r| service_view(&r.obj))
            .collect(),
    }
}

/// What changed in the store since the network's last sync (see the module docs).
fn update(store: &mut Store, net: &mut Network) -> Update {
    let changes = store.take_pod_changes();
    let trusted = changes.complete && changes.since == net.adapter.token && !net.full_resync;
    net.adapter.token = changes.token;
    let keys: Vec<Key> = if trusted {
        let mut keys = changes.keys;
        keys.sort_unstable();
        keys.dedup();
        keys
    } else {
        // First sync, a journal that overflowed, or a store this network did not follow:
        // every pod either side knows.
        let mut keys: BTreeSet<Key> = store.pods().keys().cloned().collect();
        keys.extend(
            net.view
                .pods
                .iter()
                .map(|(_, p)| (p.namespace.clone(), p.name.clone())),
        );
        keys.into_iter().collect()
    };
    let pods = keys
        .into_iter()
        .map(|k| {
            let v = store.pod(&k).map(|rec| pod_view(&k, rec));
            (k, v)
        })
        .collect();
    let held = &net.view.nodes;
    let nodes_same = !net.full_resync
        && held.len() == store.nodes.len()
        && store
            .nodes
            .values()
            .zip(held)
            .all(|(n, v)| node_matches(n, v));
    let nodes = (!nodes_same).then(|| store.nodes.values().map(node_view).collect());
    let live = || {
        store
            .services
            .iter()
            .filter(|(_, r)| r.deleting_ms.is_none())
    };
    let cached = &net.adapter.services;
    let services_same = !net.full_resync
        && cached.len() == live().count()
        && live().zip(cached).all(|((k, r), (ck, uid, spec))| {
            k == ck && r.obj.metadata.uid == *uid && r.obj.spec == *spec
        });
    let services = (!services_same).then(|| {
        net.adapter.services = live()
            .map(|(k, r)| (k.clone(), r.obj.metadata.uid.clone(), r.obj.spec.clone()))
            .collect();
        live().map(|(_, r)| service_view(&r.obj)).collect()
    });
    Update {
        nodes,
        pods,
        services,
    }
}

/// Writes what the API server allocated into a Service object (`spec.clusterIP(s)`,
/// `ports[].nodePort`, `healthCheckNodePort`).
fn write_alloc(svc: &mut Service, alloc: &ServiceAllocation) {
    if let Some(ip) = alloc.cluster_ip {
        svc.spec.cluster_ip = Some(fmt_ip(ip));
        svc.spec.cluster_ips = Some(vec![fmt_ip(ip)]);
    } else if svc.spec.cluster_ip.as_deref() == Some("None") {
        svc.spec.cluster_ips = Some(vec!["None".into()]);
    }
    for (p, np) in svc.spec.ports.iter_mut().zip(&alloc.node_ports) {
        if let Some(np) = np {
            p.node_port = Some(i32::from(*np));
        }
    }
    if let Some(hc) = alloc.health_check_node_port {
        svc.spec.health_check_node_port = Some(i32::from(hc));
    }
}

/// The `kubernetes` Service the API server keeps in `default` (ClusterIP `10.96.0.1`, 443).
pub fn kubernetes_service() -> Service {
    let mut svc: Service = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"}
        },
        "spec": {
            "type": "ClusterIP",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}],
            "sessionAffinity": "None"
        }
    }))
    .expect("static Service manifest");
    svc.spec.cluster_ip = Some(fmt_ip(super::ipam::KUBERNETES_SERVICE_IP));
    svc
}

/// A network for `sim`, seeded from the sim's seed; creates the `kubernetes` Service if the
/// store has none, and takes the first view.
pub fn attach(sim: &mut Sim) -> Network {
    let mut net = Network::new(sim.seed());
    let key = ("default".to_string(), "kubernetes".to_string());
    if !sim.store().services.contains_key(&key) {
        apply(sim, &mut net, vec![Object::Service(kubernetes_service())]);
    }
    sync(sim, &mut net);
    net
}

/// `kubectl apply` with the API server's Service admission: each Service gets its ClusterIP
/// and NodePorts allocated before it is stored, or is rejected with the API server's message
/// (`The Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port
/// is already allocated`). Outcomes are in input order.
pub fn apply(sim: &mut Sim, net: &mut Network, objects: Vec<Object>) -> Vec<ApplyOutcome> {
    sync(sim, net);
    let mut rejected: Vec<(usize, ApplyOutcome)> = Vec::new();
    let mut pass: Vec<Object> = Vec::with_capacity(objects.len());
    for (i, obj) in objects.into_iter().enumerate() {
        let Object::Service(mut svc) = obj else {
            pass.push(obj);
            continue;
        };
        if svc.metadata.namespace.is_none() {
            svc.metadata.namespace = Some("default".into());
        }
        let view = service_view(&svc);
        match net.admit_service(&view) {
            Ok(alloc) => {
                write_alloc(&mut svc, &alloc);
                pass.push(Object::Service(svc));
            }
            Err(errs) => rejected.push((
                i,
                ApplyOutcome {
                    kind: crate::api::Kind::Service,
                    namespace: view.namespace.clone().into(),
                    name: view.name.clone(),
                    result: Err(invalid_message(&view.name, &errs)),
                },
            )),
        }
    }
    let mut out = sim.apply(pass);
    for (i, o) in rejected {
        out.insert(i.min(out.len()), o);
    }
    sync(sim, net);
    out
}

/// Hands the network the Sim's current state (cheap when nothing changed) and publishes
/// allocations and load-balancer ingress into the stored Services.
pub fn sync(sim: &mut Sim, net: &mut Network) {
    let now = sim.now_ms();
    let fp = (sim.store().resource_version(), sim.trace_len());
    if net.synced_at(fp) {
        net.tick(now);
    } else {
        let up = update(&mut sim.store, net);
        net.apply_update(now, up);
        net.set_synced_at(fp);
    }
    publish(sim, net);
}

/// Writes allocations and `status.loadBalancer.ingress` into the stored Services (as the
/// API server and the service controller do). Not a user-visible change of the spec, so it
/// does not bump resourceVersion here.
fn publish(sim: &mut Sim, net: &mut Network) {
    // The service controller's events about its load balancers (source `service-controller`).
    for ((ns, name), uid, ev) in net.take_lb_events() {
        let key = (ns, name);
        // A deleted Service's events still name it (and its uid) in `kubectl get events`.
        let meta = sim
            .store
            .services
            .get(&key)
            .map(|r| r.obj.metadata.clone())
            .filter(|m| uid.is_empty() || m.uid.as_deref().is_none_or(|u| u == uid))
            .unwrap_or_else(|| crate::api::ObjectMeta {
                name: key.1.clone(),
                namespace: Some(key.0.clone()),
                uid: Some(uid.clone()).filter(|u| !u.is_empty()),
                ..Default::default()
            });
        sim.emit(crate::sim::Emit {
            kind: "Service",
            meta: &meta,
            field_path: None,
            warning: false,
            reason: ev.reason(),
            message: format_args!("{}", ev.message()),
            component: "service-controller",
            host: None,
        });
    }
    for ((ns, name), rec) in sim.store.services.iter_mut() {
        let svc = &mut rec.obj;
        if let Some(alloc) = net.allocation(ns, name) {
            write_alloc(svc, alloc);
        }
        let hostname = net.ingress_hostname(ns, name).map(str::to_string);
        let status = svc.status.get_or_insert_with(Default::default);
        let current = status
            .load_balancer
            .ingress
            .first()
            .and_then(|i| i.hostname.clone());
        if current != hostname {
            status.load_balancer.ingress = hostname
                .map(|h| {
                    vec![kubeplay_api::kinds::service::LoadBalancerIngress {
                        hostname: Some(h),
                        ..Default::default()
                    }]
                })
                .unwrap_or_default();
        }
    }
}

/// Runs the Sim to `t_ms`, keeping the network in step (see the module docs).
pub fn run_until(sim: &mut Sim, net: &mut Network, t_ms: Ms) -> Result<(), Stalled> {
    run_until_within(sim, net, t_ms, &mut || true).map(|_| ())
}

/// [`run_until`], one Sim event at a time while `more()` says there is time left: returns
/// `Ok(false)` when it stopped early, with the Sim between two events (its clock at the last
/// one), and `Ok(true)` once at `t_ms`. At least one event runs per call, so a caller that
/// calls again until `Ok(true)` always gets there. Stopping and going on runs the very same
/// events in the same order as one straight call: `more` is the caller's clock (the
/// playground's frame budget) and never reaches the simulation.
pub fn run_until_within(
    sim: &mut Sim,
    net: &mut Network,
    t_ms: Ms,
    more: &mut dyn FnMut() -> bool,
) -> Result<bool, Stalled> {
    sync(sim, net);
    let mut steps = 0u64;
    loop {
        let next_sim = sim.next_event_ms().filter(|t| *t <= t_ms);
        let next_api = net.next_api_change().filter(|t| *t <= t_ms);
        match (next_sim, next_api) {
            (None, None) => break,
            // Sim events first on ties: the hostname shows up after what happened at that ms.
            (Some(a), b) if b.is_none_or(|b| a <= b) => {
                if steps >= sim.config.steps_max {
                    return Err(Stalled {
                        now_ms: sim.now_ms(),
                        pending: sim.queue.len(),
                    });
                }
                if steps > 0 && !more() {
                    return Ok(false);
                }
                sim.step();
                steps += 1;
            }
            (_, Some(b)) => sim.run_until(b)?,
            (_, None) => unreachable!("(Some, None) takes the step arm"),
        }
        sync(sim, net);
    }
    sim.run_until(t_ms)?;
    sync(sim, net);
    Ok(true)
}

/// `curl <url>` now. A 200's body is the Sim's app model's (`app::hello_body`).
pub fn curl(sim: &mut Sim, net: &mut Network, url: &str) -> CurlResult {
    sync(sim, net);
    let mut r = net.curl(sim.now_ms(), url);
    if r.status == Some(200) {
        if let (Some(pod), Some(ns)) = (&r.pod, &r.pod_namespace) {
            let rec = sim.store().pod(&(ns.clone(), pod.clone()));
            if let Some(rec) = rec.filter(|r| !r.pod.spec.containers.is_empty()) {
                r.stdout = crate::app::hello_body(&rec.pod, 0);
            }
        }
    }
    r
}

/// `sim load <url> --rps N --for D`, starting now; the traffic is replayed as the Sim runs.
pub fn start_load(sim: &mut Sim, net: &mut Network, spec: LoadSpec) -> Result<u32, String> {
    sync(sim, net);
    net.start_load(sim.now_ms(), spec)
}

/// A Sim and its network, for callers that want one value.
pub struct NetSim {
    /// The cluster.
    pub sim: Sim,
    /// Its network.
    pub net: Network,
}

impl NetSim {
    /// Attaches a network to `sim`.
    pub fn new(mut sim: Sim) -> NetSim {
        let net = attach(&mut sim);
        NetSim { sim, net }
    }

    /// See [`apply`].
    pub fn apply(&mut self, objects: Vec<Object>) -> Vec<ApplyOutcome> {
        apply(&mut self.sim, &mut self.net, objects)
    }

    /// See [`run_until`].
    pub fn run_until(&mut self, t_ms: Ms) -> Result<(), Stalled> {
        run_until(&mut self.sim, &mut self.net, t_ms)
    }

    /// Runs for `d_ms` more.
    pub fn run_for(&mut self, d_ms: Ms) -> Result<(), Stalled> {
        let t = self.sim.now_ms() + d_ms;
        self.run_until(t)
    }

    /// See [`curl`].
    pub fn curl(&mut self, url: &str) -> CurlResult {
        curl(&mut self.sim, &mut self.net, url)
    }

    /// See [`start_load`].
    pub fn start_load(&mut self, spec: LoadSpec) -> Result<u32, String> {
        start_load(&mut self.sim, &mut self.net, spec)
    }

    /// Hands the network the current state (after mutating `sim` directly).
    pub fn sync(&mut self) {
        sync(&mut self.sim, &mut self.net)
    }

    /// Node IP of a node, for building `nodeIP:nodePort` URLs.
    pub fn node_ip(&self, name: &str) -> Option<Ip> {
        self.sim.store().nodes.get(name).map(|n| n.rt.ip)
    }
}
