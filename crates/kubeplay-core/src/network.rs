//! Services and traffic: ClusterIP/NodePort allocation, Endpoints and EndpointSlices,
//! kube-proxy's iptables rules, an AWS-flavoured cloud load balancer, and requests through all
//! of them (`curl`, steady load) with their paths and statistics.
//!
//! The model is a state machine over *views* of the cluster ([`ClusterView`]) handed to
//! [`Network::sync`] at virtual times. Between two syncs the cluster is constant, so everything
//! time-driven that falls in between (ELB health-check rounds, load-generator requests) is
//! replayed in time order against the previous view when the next sync (or `curl`) arrives.
//! Nothing here reads a clock or OS entropy: randomness comes from two streams derived from
//! the seed ([`rng`]), iteration is over ordered maps, decisions use integers.
//!
//! The pieces, each in its own module: [`ipam`] (allocation), [`endpoints`] (Endpoints and
//! slices), [`proxy`] (iptables chains), [`lb`] (the ELB), [`curl`] (URLs, app answers, curl's
//! messages), [`stats`] (counters and percentiles), [`trace`] (records for the UI), [`route`]
//! (a request's walk through them), [`load`] (the load generator) and [`sim`] (the glue to
//! the Sim's object store).
//!
//! Propagation delays, because they make the failure windows users see: the API objects
//! (Endpoints, slices) update at the sync that saw the change; kube-proxy's rules follow
//! [`NetConfig::proxy_latency_ms`] later, but never sooner than
//! [`NetConfig::proxy_min_sync_ms`] after kube-proxy's previous sync (its
//! `BoundedFrequencyRunner`, `pkg/util/async/bounded_frequency_runner.go`: changes arriving
//! while a sync is pending ride along with it); the ELB follows its health checks ([`lb`]).

pub mod access;
pub mod curl;
pub mod endpoints;
pub mod epstate;
pub mod ip;
pub mod ipam;
pub mod lb;
pub mod load;
pub mod model;
pub mod proxy;
pub mod rng;
pub mod route;
pub mod sha;
pub mod sim;
pub mod stats;
pub mod trace;
pub mod view;

pub use curl::{CurlResult, Hop, Url};
pub use endpoints::{EndpointSlice, Endpoints};
pub use ip::{fmt_ip, ipv4, parse_ip, DisplayIp, Ip};
pub use lb::{CloudLb, LbConfig};
pub use load::{LoadReport, LoadSpec};
pub use model::{
    ClusterView, ContainerPortView, Labels, Listener, Ms, NodeView, PodPhase, PodView, Protocol,
    ServicePortSpec, ServiceSpec, ServiceType, ServiceView, SvcKey, TargetPort, TrafficPolicy,
};
pub use stats::{Failure, TrafficStats};
pub use trace::{NetEvent, NetEventKind};

use ipam::{cluster_ip_error, node_port_error, AllocError, ClusterIpAllocator, NodePortAllocator};
use lb::HealthCheck;
use proxy::ServiceRules;
use rng::NetRng;
use std::collections::BTreeMap;

/// Network timings and the latency model; defaults on each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    /// From a pod change to kube-proxy's rules reflecting it on every node when kube-proxy
    /// is idle: 100 ms. The EndpointSlice controller's pod handler queues the Service
    /// (`endpointUpdatesBatchPeriod` 0), its sync writes the slice (~30 ms with the API
    /// server's etcd round trip), the watch brings it to every kube-proxy (~10 ms), whose
    /// `OnEndpointSliceUpdate` → `Sync()` starts `syncProxyRules` and `iptables-restore`
    /// (~60 ms on a small cluster). An estimate for an idle small cluster; the structure
    /// (controller → API → watch → rate-limited sync) is upstream's.
    pub proxy_latency_ms: Ms,
    /// kube-proxy's iptables `minSyncPeriod`: 1 000 ms between the end of one rules sync and
    /// the start of the next (v1.34 default, `pkg/proxy/apis/config/v1alpha1/defaults.go`;
    /// enforced by `pkg/proxy/runner/bounded_frequency_runner.go`, which in v1.34 has no
    /// burst: a change arriving sooner waits, coalesced with the others, for the interval).
    pub proxy_min_sync_ms: Ms,
    /// The cloud load balancer.
    pub lb: LbConfig,
    /// How long `curl` waits for a SYN answer before giving up: 127 000 ms (Linux
    /// `tcp_syn_retries` = 6: 1+2+4+8+16+32+64 s).
    pub curl_connect_timeout_ms: Ms,
    /// Client timeout of the load generator: 10 000 ms.
    pub load_timeout_ms: Ms,
    /// A load run records one request per this many ms in the trace: 100.
    pub trace_sample_ms: Ms,
    /// Trace records kept before new request records are dropped (undrained trace): 100 000.
    pub trace_cap: usize,
    /// Latency model.
    pub latency: LatencyModel,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            proxy_latency_ms: 100,
            proxy_min_sync_ms: 1_000,
            lb: LbConfig::default(),
            curl_connect_timeout_ms: 127_000,
            load_timeout_ms: 10_000,
            trace_sample_ms: 100,
            trace_cap: 100_000,
            latency: LatencyModel::default(),
        }
    }
}

/// Round-trip costs, integer µs, summed along a request's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyModel {
    /// Client on the internet to the ELB and back: 8 000.
    pub client_lb_us: u64,
    /// Client in the VPC (bastion/debug pod) to a node: 300.
    pub client_node_us: u64,
    /// ELB to a node: 600.
    pub lb_node_us: u64,
    /// Node to another node (kube-proxy forwarded to a remote endpoint): 250.
    pub node_node_us: u64,
    /// Node to a local pod: 40.
    pub local_us: u64,
    /// App processing time, fixed part: 1 500.
    pub app_us: u64,
    /// App processing time, uniform jitter on top: 0..1 000.
    pub app_jitter_us: u64,
}

impl Default for LatencyModel {
    fn default() -> Self {
        LatencyModel {
            client_lb_us: 8_000,
            client_node_us: 300,
            lb_node_us: 600,
            node_node_us: 250,
            local_us: 40,
            app_us: 1_500,
            app_jitter_us: 1_000,
        }
    }
}

/// What the API server allocated for a Service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceAllocation {
    /// `spec.clusterIP` (None: headless or ExternalName).
    pub cluster_ip: Option<Ip>,
    /// `spec.ports[i].nodePort`.
    pub node_ports: Vec<Option<u16>>,
    /// `spec.healthCheckNodePort` (LoadBalancer + Local).
    pub health_check_node_port: Option<u16>,
}

/// Per-Service state.
#[derive(Debug, Clone)]
struct SvcState {
    key: SvcKey,
    view: ServiceView,
    alloc: ServiceAllocation,
    endpoints: Endpoints,
    /// The EndpointSlices as last published; cut from `ep` when first read after a change.
    slices: std::cell::OnceCell<Vec<EndpointSlice>>,
    /// Endpoints and slices kept sorted as members change ([`epstate`]).
    ep: epstate::EpState,
    /// Slice names per port set, by chunk index. Names are only ever added, each at the
    /// next index of its port set, so the list is a prefix: a lookup borrows the ports (no
    /// key copy per slice per reconcile, which a 50-slice Service paid on every change).
    slice_names: BTreeMap<Vec<endpoints::EndpointPort>, Vec<String>>,
    /// kube-proxy's rules over time, by effective time, ascending.
    programmed: Vec<Programmed>,
    lb: Option<CloudLb>,
    lb_announced: bool,
    /// Service-controller events handed out for this load balancer (see [`LbEvent`]).
    lb_events: Option<LbEvent>,
    stats: TrafficStats,
    /// Pods that belong in its endpoints or slices ([`view::member`]), key → slot: what a
    /// reconcile reads instead of every pod.
    members: BTreeMap<view::PodKey, usize>,
    /// What `members` was built for (`None`: not yet).
    members_for: Option<view::MembersFor>,
    /// Its inputs changed since the last reconcile.
    dirty: bool,
}

/// The service controller's events for a load balancer (`syncLoadBalancerIfNeeded` in
/// `staging/src/k8s.io/cloud-provider/controllers/service/controller.go`), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LbEvent {
    /// `EnsuringLoadBalancer` "Ensuring load balancer": the controller starts creating it.
    Ensuring,
    /// `EnsuredLoadBalancer` "Ensured load balancer": the cloud returned it and the status
    /// carries its hostname.
    Ensured,
    /// `DeletingLoadBalancer` "Deleting load balancer": the Service was deleted or no
    /// longer wants one.
    Deleting,
    /// `DeletedLoadBalancer` "Deleted load balancer": the cloud deleted it.
    Deleted,
}

impl LbEvent {
    /// The Event's reason.
    pub fn reason(self) -> &'static str {
        match self {
            LbEvent::Ensuring => "EnsuringLoadBalancer",
            LbEvent::Ensured => "EnsuredLoadBalancer",
            LbEvent::Deleting => "DeletingLoadBalancer",
            LbEvent::Deleted => "DeletedLoadBalancer",
        }
    }

    /// The Event's message.
    pub fn message(self) -> &'static str {
        match self {
            LbEvent::Ensuring => "Ensuring load balancer",
            LbEvent::Ensured => "Ensured load balancer",
            LbEvent::Deleting => "Deleting load balancer",
            LbEvent::Deleted => "Deleted load balancer",
        }
    }
}

/// One set of kube-proxy rules and when it takes effect.
///
/// The newest set is usually left uncut: during a scale-up it changes with every pod, and
/// building a 5,000-endpoint rule set per change (then comparing it with the last) was what
/// kept the scale-up quadratic. [`epstate::EpState`] tells whether the rules moved without
/// building them, and gives them back as of the last reconcile when something reads them (a
/// request routed, a health check, `iptables-save`), or when a newer set is about to follow
/// this one (then it is cut, once per kube-proxy sync, not per change).
#[derive(Debug, Clone)]
struct Programmed {
    at: Ms,
    /// The rules; empty only on the newest set while they are still cut from `ep` on read.
    rules: std::cell::OnceCell<ServiceRules>,
    /// The Service ports and NodePorts they were made for (what a cut needs).
    ports: Vec<ServicePortSpec>,
    node_ports: Vec<Option<u16>>,
}

impl SvcState {
    /// Rules kube-proxy has programmed at `t` (None before the first sync took effect).
    #[inline]
    fn rules_at(&self, t: Ms) -> Option<&ServiceRules> {
        self.programmed
            .iter()
            .rev()
            .find(|p| p.at <= t)
            .map(|p| self.cut(p))
    }

    /// A programmed set's rules, cut from the endpoint state if not yet.
    fn cut<'a>(&'a self, p: &'a Programmed) -> &'a ServiceRules {
        p.rules
            .get_or_init(|| self.ep.rules(&p.ports, &p.node_ports))
    }

    /// Cuts the newest rules now, before the endpoint state they come from moves on.
    fn freeze_last(&mut self) {
        if let Some(p) = self.programmed.last() {
            self.cut(p);
        }
    }
}

/// The whole network: see the module docs.
#[derive(Debug, Clone)]
pub struct Network {
    cfg: NetConfig,
    alloc_rng: NetRng,
    route_rng: NetRng,
    ips: ClusterIpAllocator,
    ports: NodePortAllocator,
    slots: Vec<Option<SvcState>>,
    by_key: BTreeMap<SvcKey, usize>,
    by_cluster_ip: BTreeMap<Ip, usize>,
    by_node_port: BTreeMap<u16, (usize, usize)>,
    by_hostname: BTreeMap<String, usize>,
    view: view::LiveView,
    node_by_name: BTreeMap<String, usize>,
    node_by_ip: BTreeMap<Ip, usize>,
    pod_by_ip: BTreeMap<Ip, usize>,
    /// Per pod slot: index of its node in the view (`usize::MAX` if unbound/unknown).
    pod_node: Vec<usize>,
    /// kube-proxy's latest (possibly still pending) rules sync.
    proxy_sync_at: Option<Ms>,
    now: Ms,
    generation: u64,
    /// iptables `recent` lists: (node IP, slot, port index, source IP) → (backend, last seen).
    affinity: BTreeMap<(Ip, usize, usize, Ip), (Ip, Ms)>,
    loads: Vec<load::LoadGen>,
    /// Load balancers deleted since the last [`Network::take_lb_events`]: (Service, uid).
    lbs_deleted: Vec<(SvcKey, String)>,
    /// The apps' access logs (load traffic).
    access: access::AccessLog,
    /// The source address the pod saw for the last request routed to it (kube-proxy's
    /// masquerade applied), for its access log; set by `route`.
    last_src: Ip,
    trace: Vec<NetEvent>,
    /// What the Sim adapter last synced from (resourceVersion, trace length): an unchanged
    /// store needs no new view.
    synced_from: Option<(u64, u64)>,
    /// The Sim adapter's bookkeeping (journal token, Services as last read).
    adapter: sim::Adapter,
    /// Rebuild everything on every sync, as before the view was incremental (tests compare
    /// the two; see [`Network::set_full_resync`]).
    full_resync: bool,
}

/// `The Service "x" is invalid: …` as kubectl prints it (one error bare, several in `[…]`).
pub fn invalid_message(name: &str, errors: &[String]) -> String {
    let body = if errors.len() == 1 {
        errors[0].clone()
    } else {
        format!("[{}]", errors.join(", "))
    };
    format!("The Service \"{name}\" is invalid: {body}")
}

impl Network {
    /// A network seeded from the sim seed.
    pub fn new(seed: u64) -> Network {
        Network::with_config(seed, NetConfig::default())
    }

    /// A network with explicit timings.
    pub fn with_config(seed: u64, cfg: NetConfig) -> Network {
        let mut ips = ClusterIpAllocator::default();
        // The `kubernetes` Service's address is never handed out to anyone else.
        ips.allocate(ipam::KUBERNETES_SERVICE_IP)
            .expect("fresh allocator has .1 free");
        Network {
            cfg,
            alloc_rng: NetRng::new(seed, 0x6e65_7401),
            route_rng: NetRng::new(seed, 0x6e65_7402),
            ips,
            ports: NodePortAllocator::default(),
            slots: Vec::new(),
            by_key: BTreeMap::new(),
            by_cluster_ip: BTreeMap::new(),
            by_node_port: BTreeMap::new(),
            by_hostname: BTreeMap::new(),
            view: view::LiveView::default(),
            node_by_name: BTreeMap::new(),
            node_by_ip: BTreeMap::new(),
            pod_by_ip: BTreeMap::new(),
            pod_node: Vec::new(),
            proxy_sync_at: None,
            now: 0,
            generation: 0,
            affinity: BTreeMap::new(),
            loads: Vec::new(),
            lbs_deleted: Vec::new(),
            access: access::AccessLog::default(),
            last_src: 0,
            trace: Vec::new(),
            synced_from: None,
            adapter: sim::Adapter::default(),
            full_resync: false,
        }
    }

    /// Makes every sync re-read every pod, node and Service and reconcile every Service from
    /// all pods: the old, quadratic path, kept as the reference the incremental one is
    /// tested against. Slow; for tests.
    #[doc(hidden)]
    pub fn set_full_resync(&mut self, on: bool) {
        self.full_resync = on;
    }

    /// The configuration.
    pub fn config(&self) -> &NetConfig {
        &self.cfg
    }

    /// Virtual time of the last sync / curl.
    pub fn now(&self) -> Ms {
        self.now
    }

    /// Allocates (or re-allocates, on update) a Service's ClusterIP and NodePorts, as the API
    /// server does on create/update. On error nothing changes and the errors are the API
    /// server's field errors (wrap with [`invalid_message`]).
    pub fn admit_service(&mut self, svc: &ServiceView) -> Result<ServiceAllocation, Vec<String>> {
        let key: SvcKey = (svc.namespace.clone(), svc.name.clone());
        let slot = self.by_key.get(&key).copied();
        let old = slot.map(|s| {
            let st = self.slots[s].as_ref().expect("indexed slot exists");
            (st.alloc.clone(), st.view.spec.clone())
        });
        if let Some((a, _)) = &old {
            self.release(a);
        }
        match self.allocate(svc, old.as_ref()) {
            Ok(alloc) => {
                self.install_alloc(&key, svc, slot, &alloc);
                Ok(alloc)
            }
            Err(errs) => {
                if let Some((a, _)) = &old {
                    self.reclaim(a);
                }
                Err(errs)
            }
        }
    }

    fn release(&mut self, a: &ServiceAllocation) {
        if let Some(ip) = a.cluster_ip.filter(|ip| *ip != ipam::KUBERNETES_SERVICE_IP) {
            self.ips.release(ip);
        }
        for p in a.node_ports.iter().flatten() {
            self.ports.release(*p);
        }
        if let Some(p) = a.health_check_node_port {
            self.ports.release(p);
        }
    }

    fn reclaim(&mut self, a: &ServiceAllocation) {
        // Just released by us in this call; nothing else ran in between.
        if let Some(ip) = a.cluster_ip.filter(|ip| *ip != ipam::KUBERNETES_SERVICE_IP) {
            self.ips.allocate(ip).expect("reclaiming own ClusterIP");
        }
        for p in a.node_ports.iter().flatten() {
            self.ports.allocate(*p).expect("reclaiming own NodePort");
        }
        if let Some(p) = a.health_check_node_port {
            self.ports
                .allocate(p)
                .expect("reclaiming own health-check port");
        }
    }

    /// The allocation steps of the Service REST strategy (`pkg/registry/core/service/storage`
    /// `alloc.go` `allocClusterIPs`, `initNodePorts`, `allocHealthCheckNodePort`).
    fn allocate(
        &mut self,
        svc: &ServiceView,
        old: Option<&(ServiceAllocation, ServiceSpec)>,
    ) -> Result<ServiceAllocation, Vec<String>> {
        let spec = &svc.spec;
        let mut errs = Vec::new();
        let mut got = ServiceAllocation::default();
        let is_kubernetes = svc.namespace == "default" && svc.name == "kubernetes";
        if spec.type_ != ServiceType::ExternalName {
            match spec.cluster_ip.as_deref() {
                Some("None") => {}
                // `.1` is reserved for the `kubernetes` Service at construction.
                Some(s) if is_kubernetes && parse_ip(s) == Some(ipam::KUBERNETES_SERVICE_IP) => {
                    got.cluster_ip = Some(ipam::KUBERNETES_SERVICE_IP);
                }
                Some(s) if !s.is_empty() => match parse_ip(s) {
                    Some(ip) => match self.ips.allocate(ip) {
                        Ok(()) => got.cluster_ip = Some(ip),
                        Err(e) => errs.push(cluster_ip_error(ip, e)),
                    },
                    None => errs.push(format!(
                        "spec.clusterIPs[0]: Invalid value: \"{s}\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
                    )),
                },
                _ => {
                    let keep = old.and_then(|(a, _)| a.cluster_ip);
                    let r = match keep {
                        Some(ip) if ip == ipam::KUBERNETES_SERVICE_IP => Ok(ip),
                        Some(ip) => self.ips.allocate(ip).map(|_| ip),
                        None if is_kubernetes => Ok(ipam::KUBERNETES_SERVICE_IP),
                        None => self.ips.allocate_next(&mut self.alloc_rng),
                    };
                    match r {
                        Ok(ip) => got.cluster_ip = Some(ip),
                        Err(_) => errs.push("spec.clusterIPs: Internal error: range is full".into()),
                    }
                }
            }
        }
        for (i, sp) in spec.ports.iter().enumerate() {
            if !spec.type_.has_node_ports() {
                if let Some(np) = sp.node_port {
                    errs.push(format!(
                        "spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is '{}'",
                        spec.type_.as_str()
                    ));
                    let _ = np;
                }
                got.node_ports.push(None);
                continue;
            }
            // On update an unspecified nodePort keeps the one the same port had.
            let kept = old.and_then(|(a, s)| {
                s.ports
                    .iter()
                    .position(|op| op.port == sp.port && op.protocol == sp.protocol)
                    .and_then(|j| a.node_ports.get(j).copied().flatten())
            });
            let r = match sp.node_port.or(kept) {
                Some(p) => self.ports.allocate(p).map(|_| p).map_err(|e| (p, e)),
                None => self
                    .ports
                    .allocate_next(&mut self.alloc_rng)
                    .map_err(|e| (0, e)),
            };
            match r {
                Ok(p) => got.node_ports.push(Some(p)),
                Err((p, e)) => {
                    errs.push(node_port_error(i, p, e));
                    got.node_ports.push(None);
                }
            }
        }
        if spec.type_ == ServiceType::LoadBalancer
            && spec.external_traffic_policy == TrafficPolicy::Local
        {
            let kept = old.and_then(|(a, _)| a.health_check_node_port);
            let r = match spec.health_check_node_port.or(kept) {
                Some(p) => self.ports.allocate(p).map(|_| p).map_err(|e| (p, e)),
                None => self
                    .ports
                    .allocate_next(&mut self.alloc_rng)
                    .map_err(|e| (0, e)),
            };
            match r {
                Ok(p) => got.health_check_node_port = Some(p),
                Err((p, AllocError::Allocated)) => errs.push(format!(
                    "spec.healthCheckNodePort: Invalid value: {p}: provided port is already allocated"
                )),
                Err((p, _)) => errs.push(format!(
                    "spec.healthCheckNodePort: Invalid value: {p}: provided port is not in the valid range. The range of valid ports is {}-{}",
                    ipam::NODE_PORT_MIN,
                    ipam::NODE_PORT_MAX
                )),
            }
        }
        if errs.is_empty() {
            Ok(got)
        } else {
            self.release(&got);
            Err(errs)
        }
    }

    fn install_alloc(
        &mut self,
        key: &SvcKey,
        svc: &ServiceView,
        slot: Option<usize>,
        alloc: &ServiceAllocation,
    ) {
        let s = match slot {
            Some(s) => s,
            None => {
                let s = match self.slots.iter().position(Option::is_none) {
                    Some(free) => free,
                    None => {
                        self.slots.push(None);
                        self.slots.len() - 1
                    }
                };
                self.slots[s] = Some(SvcState {
                    key: key.clone(),
                    view: svc.clone(),
                    alloc: ServiceAllocation::default(),
                    endpoints: Endpoints::default(),
                    slices: std::cell::OnceCell::new(),
                    ep: epstate::EpState::default(),
                    slice_names: BTreeMap::new(),
                    programmed: Vec::new(),
                    lb: None,
                    lb_announced: false,
                    lb_events: None,
                    stats: TrafficStats::default(),
                    members: BTreeMap::new(),
                    members_for: None,
                    dirty: true,
                });
                self.by_key.insert(key.clone(), s);
                s
            }
        };
        self.unindex(s);
        let st = self.slots[s].as_mut().expect("slot just ensured");
        let changed = slot.is_none() || st.alloc != *alloc;
        st.alloc = alloc.clone();
        st.view = svc.clone();
        st.dirty = true;
        self.index(s);
        if !changed {
            return;
        }
        self.push(NetEventKind::Allocated {
            svc: key.clone(),
            cluster_ip: alloc.cluster_ip,
            node_ports: alloc.node_ports.iter().flatten().copied().collect(),
        });
    }

    fn unindex(&mut self, s: usize) {
        self.by_cluster_ip.retain(|_, v| *v != s);
        self.by_node_port.retain(|_, v| v.0 != s);
        self.by_hostname.retain(|_, v| *v != s);
    }

    fn index(&mut self, s: usize) {
        let st = self.slots[s].as_ref().expect("indexing a live slot");
        if let Some(ip) = st.alloc.cluster_ip {
            self.by_cluster_ip.insert(ip, s);
        }
        for (i, p) in st.alloc.node_ports.iter().enumerate() {
            if let Some(p) = p {
                self.by_node_port.insert(*p, (s, i));
            }
        }
        if let Some(lb) = &st.lb {
            self.by_hostname.insert(lb.hostname.clone(), s);
        }
    }

    /// Forgets a deleted Service and returns its ClusterIP and ports to the pools.
    pub fn remove_service(&mut self, namespace: &str, name: &str) {
        let key = (namespace.to_string(), name.to_string());
        let Some(s) = self.by_key.remove(&key) else {
            return;
        };
        self.unindex(s);
        let st = self.slots[s].take().expect("indexed slot exists");
        if st.lb.is_some() {
            self.lbs_deleted.push((st.key.clone(), st.view.uid.clone()));
        }
        self.release(&st.alloc);
        self.affinity.retain(|k, _| k.1 != s);
    }

    fn push(&mut self, kind: NetEventKind) {
        self.trace.push(NetEvent {
            at_ms: self.now,
            kind,
        });
    }

    fn push_at(&mut self, at_ms: Ms, kind: NetEventKind) {
        self.trace.push(NetEvent { at_ms, kind });
    }

    /// Whether the current view was taken from a store with this fingerprint (the Sim
    /// adapter's cache key: resourceVersion and trace length).
    pub fn synced_at(&self, fingerprint: (u64, u64)) -> bool {
        self.synced_from == Some(fingerprint)
    }

    /// Records the fingerprint of the store the current view came from.
    pub fn set_synced_at(&mut self, fingerprint: (u64, u64)) {
        self.synced_from = Some(fingerprint);
    }

    /// Moves virtual time to `now` without a new view: replays due health checks and load.
    pub fn tick(&mut self, now: Ms) {
        self.advance(now);
        self.now = self.now.max(now);
    }

    /// The next instant after `now` at which something visible in the API changes on its own
    /// (a load balancer's hostname appearing), so the Sim can stop there and publish it.
    pub fn next_api_change(&self) -> Option<Ms> {
        self.slots
            .iter()
            .flatten()
            .filter_map(|st| st.lb.as_ref())
            .map(|lb| lb.ready_at)
            .filter(|t| *t > self.now)
            .min()
    }

    /// Drains the trace records produced since the last call.
    pub fn take_trace(&mut self) -> Vec<NetEvent> {
        std::mem::take(&mut self.trace)
    }

    /// Hands the network the cluster as it is at `now` (call after every change; `now` must
    /// not go backwards). Replays health checks and load traffic due before `now` against the
    /// previous view first.
    pub fn sync(&mut self, now: Ms, view: ClusterView) {
        // The Sim adapter's caches describe what it handed over last; after a hand-built
        // view they no longer do, so its next sync reads everything.
        self.adapter = sim::Adapter::default();
        let up = view::Update::full(self, view);
        self.apply_update(now, up);
    }

    /// Endpoints, slices, kube-proxy rules and the load balancer of one Service.
    fn reconcile(&mut self, s: usize) {
        let now = self.now;
        let rebuilt = self.refresh_members(s);
        let mut st = self.slots[s].take().expect("reconciling a live slot");
        st.dirty = false;
        let svc = st.view.clone();
        let same_inputs = st
            .programmed
            .last()
            .is_some_and(|p| p.ports == svc.spec.ports && p.node_ports == st.alloc.node_ports);
        let rebuild = rebuilt || !st.ep.valid_for(&svc);
        if self.full_resync || rebuild || !same_inputs {
            // Rules compared in full below: cut the last ones while `ep` still has them.
            st.freeze_last();
        }
        let pods = &self.view.pods;
        let members = || st.members.values().map(|&i| &pods[i]);
        let (endpoints_changed, slices_changed, rules) = if self.full_resync {
            // The definitions over every member: the reference the incremental state below
            // is tested against.
            let endpoints = endpoints::compute_endpoints(&svc, members());
            let groups = endpoints::compute_slices(&svc, members());
            let mut slices = Vec::with_capacity(groups.len());
            let mut counts: BTreeMap<Vec<endpoints::EndpointPort>, usize> = BTreeMap::new();
            for (ports, eps) in groups {
                let n = counts.entry(ports.clone()).or_insert(0);
                let chunk = *n;
                *n += 1;
                let names = st.slice_names.entry(ports.clone()).or_default();
                let name = match names.get(chunk) {
                    Some(name) => name.clone(),
                    None => {
                        debug_assert_eq!(names.len(), chunk, "slice names are a prefix");
                        let name = format!("{}-{}", svc.name, random_suffix(&mut self.alloc_rng));
                        names.push(name.clone());
                        name
                    }
                };
                slices.push(EndpointSlice {
                    name,
                    ports,
                    endpoints: eps,
                });
            }
            let rules = ServiceRules {
                ports: svc
                    .spec
                    .ports
                    .iter()
                    .enumerate()
                    .map(|(i, sp)| {
                        proxy::port_rules(
                            sp,
                            st.alloc.node_ports.get(i).copied().flatten(),
                            &slices,
                        )
                    })
                    .collect(),
            };
            let slices_changed = st.slices.get() != Some(&slices);
            st.slices = std::cell::OnceCell::from(slices);
            st.ep = epstate::EpState::default();
            let endpoints_changed = endpoints != st.endpoints;
            if endpoints_changed {
                st.endpoints = endpoints;
            }
            (endpoints_changed, slices_changed, Some(rules))
        } else {
            let slices_changed = if rebuild {
                // The old state is what the last reconcile published, plus any change noted
                // since (which alone means the slices moved: each pod has its own entry).
                let fresh = epstate::EpState::build(&svc, members());
                let changed = st.ep.take_slices_changed() || !fresh.same_slices(&st.ep);
                st.ep = fresh;
                changed
            } else {
                st.ep.take_slices_changed()
            };
            // Names for new slices, drawn in slice order as the slice controller's loop does.
            // Per port set, the chunks past its named prefix: one borrowed lookup per set.
            for (ports, chunks) in st.ep.slice_counts() {
                let have = st.slice_names.get(ports).map_or(0, Vec::len);
                if have >= chunks {
                    continue;
                }
                let names = st.slice_names.entry(ports.to_vec()).or_default();
                for _ in have..chunks {
                    let name = format!("{}-{}", svc.name, random_suffix(&mut self.alloc_rng));
                    names.push(name);
                }
            }
            if slices_changed {
                st.slices = std::cell::OnceCell::new();
            }
            let rules = if rebuild || !same_inputs {
                // A new Service, spec or allocation: built and compared in full (rare).
                st.ep.settle_rules();
                Some(st.ep.rules(&svc.spec.ports, &st.alloc.node_ports))
            } else {
                None
            };
            // Edited in place, and only when they moved: re-cutting the (up to 1,000)
            // addresses with a copy of every name was most of a scale-up's reconciles.
            let endpoints_changed = st.ep.update_endpoints(&mut st.endpoints);
            (endpoints_changed, slices_changed, rules)
        };
        // Whether the rules moved: in full, or, same inputs as the last set, from the
        // backends the changes touched (`rules` stays `None`: the new set is cut on read).
        let rules_changed = match &rules {
            Some(r) => st.programmed.last().map(|p| st.cut(p)) != Some(r),
            None => st.ep.rules_changed(&svc.spec.ports),
        };
        if !rules_changed {
            st.ep.settle_rules();
            // kube-proxy syncs on every EndpointSlice change (`OnEndpointSliceUpdate` →
            // `Sync()`), even one that leaves its rules alone (a not-ready endpoint added):
            // that sync still starts a new `minSyncPeriod`.
            if slices_changed {
                self.proxy_sync_for(now);
            }
        } else {
            // Drop entries that can no longer be the effective one at or after `now`.
            let keep_from = st.programmed.iter().rposition(|p| p.at <= now).unwrap_or(0);
            st.programmed.drain(..keep_from);
            let at = self.proxy_sync_for(now);
            if st.programmed.last().is_some_and(|p| p.at != at) {
                // It stays in effect until `at`: cut it while `ep` can still give it back.
                st.freeze_last();
            }
            st.ep.settle_rules();
            let set = Programmed {
                at,
                rules: rules.map_or_else(std::cell::OnceCell::new, std::cell::OnceCell::from),
                ports: svc.spec.ports.clone(),
                node_ports: st.alloc.node_ports.clone(),
            };
            match st.programmed.last_mut() {
                // Changes coalesced into one pending kube-proxy sync: only the last rules of
                // an instant ever take effect, so they replace, rather than pile up behind,
                // the ones queued for it (a scale-up queued thousands of 5,000-pod copies).
                Some(last) if last.at == at => *last = set,
                _ => st.programmed.push(set),
            }
        }
        if endpoints_changed {
            let programmed_at = st.programmed.last().map_or(now, |p| p.at);
            let (ready, not_ready) = (st.endpoints.ready_count(), st.endpoints.not_ready_count());
            self.push(NetEventKind::EndpointsChanged {
                svc: st.key.clone(),
                ready,
                not_ready,
                programmed_at,
            });
        }
        self.reconcile_lb(s, &mut st);
        self.slots[s] = Some(st);
    }

    /// When a change seen at `now` reaches kube-proxy's rules: a pending sync picks it up;
    /// otherwise after the latency, but not sooner than `minSyncPeriod` after the last sync.
    fn proxy_sync_for(&mut self, now: Ms) -> Ms {
        let earliest = now + self.cfg.proxy_latency_ms;
        let at = match self.proxy_sync_at {
            Some(p) if p >= earliest => p,
            Some(p) => earliest.max(p + self.cfg.proxy_min_sync_ms),
            None => earliest,
        };
        self.proxy_sync_at = Some(at);
        at
    }

    fn reconcile_lb(&mut self, s: usize, st: &mut SvcState) {
        if st.view.spec.type_ != ServiceType::LoadBalancer {
            if st.lb.take().is_some() {
                self.by_hostname.retain(|_, v| *v != s);
                self.lbs_deleted.push((st.key.clone(), st.view.uid.clone()));
            }
            return;
        }
        let hc = match st.alloc.health_check_node_port {
            Some(p) => HealthCheck::Http(p),
            None => HealthCheck::Tcp(st.alloc.node_ports.first().copied().flatten().unwrap_or(0)),
        };
        if st.lb.is_none() {
            let lb = CloudLb::new(
                &st.view.uid,
                hc,
                self.now,
                &self.cfg.lb,
                &mut self.alloc_rng,
            );
            self.by_hostname.insert(lb.hostname.clone(), s);
            self.push(NetEventKind::LbProvisioning {
                svc: st.key.clone(),
                name: lb.name.clone(),
            });
            st.lb = Some(lb);
        }
        let lb = st.lb.as_mut().expect("just ensured");
        lb.health_check = hc;
        // node_by_name iterates in name order, so instances come out sorted.
        let eligible: Vec<(&str, usize)> = self
            .node_by_name
            .iter()
            .filter(|(_, i)| !self.view.nodes[**i].exclude_from_lb)
            .map(|(n, i)| (n.as_str(), *i))
            .collect();
        lb.set_instances(&eligible);
    }

    fn fold_stats(&mut self) {
        let pods = &self.view.pods;
        let name_of = |i: usize| pods[i].name.as_str();
        for st in self.slots.iter_mut().flatten() {
            st.stats.fold(name_of);
        }
        for l in &mut self.loads {
            l.stats.fold(name_of);
        }
        self.access.fold(|i| pods.get(i));
    }

    /// The access-log entries of a pod's app for load traffic, oldest first, with the path
    /// each request asked for (see [`access`]).
    pub fn access_log(&self, namespace: &str, name: &str) -> Vec<(access::AccessEntry, &str)> {
        let index = self.view.pods.slot(namespace, name);
        self.access
            .entries(namespace, name, index)
            .into_iter()
            .map(|e| {
                let path = self
                    .loads
                    .iter()
                    .find(|l| l.id() == e.load)
                    .map_or("/", |l| l.path());
                (e, path)
            })
            .collect()
    }

    /// Runs every health-check round due at or before `t`.
    fn run_due_health_checks(&mut self, t: Ms) {
        for s in 0..self.slots.len() {
            while self.slots[s]
                .as_ref()
                .and_then(|st| st.lb.as_ref())
                .is_some_and(|lb| lb.next_check_at <= t)
            {
                self.run_health_checks(s);
            }
        }
    }

    /// Runs one ELB health-check round.
    fn run_health_checks(&mut self, s: usize) {
        let mut st = self.slots[s].take().expect("live slot");
        let mut lb = st
            .lb
            .take()
            .expect("health checks only run for load balancers");
        let at = lb.next_check_at;
        if !st.lb_announced {
            st.lb_announced = true;
            let hostname = lb.hostname.clone();
            self.push_at(
                at,
                NetEventKind::LbReady {
                    svc: st.key.clone(),
                    hostname,
                },
            );
        }
        let rules = st.rules_at(at);
        let hc = lb.health_check;
        let nodes = &self.view.nodes;
        let node_by_name = &self.node_by_name;
        let passes = |node: &str| -> bool {
            let Some(n) = node_by_name.get(node).map(|i| &nodes[*i]) else {
                return false;
            };
            if !n.alive {
                return false;
            }
            let Some(rules) = rules else { return false };
            match hc {
                // TCP connect to the NodePort: DNAT'd to some endpoint; with none, REJECT.
                HealthCheck::Tcp(_) => rules.ports.first().is_some_and(|p| !p.cluster.is_empty()),
                // kube-proxy's health server: 200 iff the node has a local endpoint.
                HealthCheck::Http(_) => rules.ports.iter().any(|p| p.has_local(node)),
            }
        };
        let flips = lb.run_checks(&self.cfg.lb, passes);
        st.lb = Some(lb);
        for (node, in_service) in flips {
            self.push_at(
                at,
                NetEventKind::LbInstance {
                    svc: st.key.clone(),
                    node,
                    in_service,
                },
            );
        }
        self.slots[s] = Some(st);
    }

    // ---- read side, for kubectl and the UI -------------------------------------------------

    fn state(&self, namespace: &str, name: &str) -> Option<&SvcState> {
        let s = self
            .by_key
            .get(&(namespace.to_string(), name.to_string()))?;
        self.slots[*s].as_ref()
    }

    /// What the API server allocated.
    pub fn allocation(&self, namespace: &str, name: &str) -> Option<&ServiceAllocation> {
        self.state(namespace, name).map(|s| &s.alloc)
    }

    /// v1 Endpoints (`kubectl get endpoints`).
    pub fn endpoints(&self, namespace: &str, name: &str) -> Option<&Endpoints> {
        self.state(namespace, name).map(|s| &s.endpoints)
    }

    /// EndpointSlices (`kubectl get endpointslices`).
    pub fn endpoint_slices(&self, namespace: &str, name: &str) -> Option<&[EndpointSlice]> {
        self.state(namespace, name).map(|st| {
            st.slices
                .get_or_init(|| st.ep.slices(|p, n| st.slice_names[p.as_slice()][n].clone()))
                .as_slice()
        })
    }

    /// The load balancer, if the Service is `type: LoadBalancer`.
    pub fn load_balancer(&self, namespace: &str, name: &str) -> Option<&CloudLb> {
        self.state(namespace, name).and_then(|s| s.lb.as_ref())
    }

    /// `status.loadBalancer.ingress[0].hostname` at the current time.
    pub fn ingress_hostname(&self, namespace: &str, name: &str) -> Option<&str> {
        self.load_balancer(namespace, name)
            .and_then(|lb| lb.ingress(self.now))
    }

    /// Service-controller events now due, each handed out once per load balancer: `Ensuring`
    /// when it is being created, `Ensured` once its hostname is in the status, `Deleting` and
    /// `Deleted` when the Service is gone or changed type. Entries: (Service, its uid, event).
    pub fn take_lb_events(&mut self) -> Vec<(SvcKey, String, LbEvent)> {
        let now = self.now;
        let mut out: Vec<(SvcKey, String, LbEvent)> = Vec::new();
        for (key, uid) in std::mem::take(&mut self.lbs_deleted) {
            out.push((key.clone(), uid.clone(), LbEvent::Deleting));
            out.push((key, uid, LbEvent::Deleted));
        }
        for st in self.slots.iter_mut().flatten() {
            let Some(lb) = &st.lb else {
                st.lb_events = None;
                continue;
            };
            if st.lb_events.is_none() {
                st.lb_events = Some(LbEvent::Ensuring);
                out.push((st.key.clone(), st.view.uid.clone(), LbEvent::Ensuring));
            }
            if st.lb_events == Some(LbEvent::Ensuring) && lb.ingress(now).is_some() {
                st.lb_events = Some(LbEvent::Ensured);
                out.push((st.key.clone(), st.view.uid.clone(), LbEvent::Ensured));
            }
        }
        // by Service, each one's events in the controller's order
        out.sort_by(|a, b| (&a.0, a.2).cmp(&(&b.0, b.2)));
        out
    }

    /// kube-proxy's rules in effect at the current time.
    pub fn proxy_rules(&self, namespace: &str, name: &str) -> Option<&ServiceRules> {
        self.state(namespace, name)
            .and_then(|s| s.rules_at(self.now))
    }

    /// kube-proxy's NAT rules for a Service as `iptables-save` would list them on `node` (the
    /// `KUBE-SVC-…` / `KUBE-SVL-…` chains, named with upstream's hashes), for the UI.
    pub fn iptables_save(&self, namespace: &str, name: &str, node: &str) -> Vec<String> {
        let Some(st) = self.state(namespace, name) else {
            return Vec::new();
        };
        let Some(rules) = st.rules_at(self.now) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, pr) in rules.ports.iter().enumerate() {
            let comment = format!("{namespace}/{name}:{}", pr.name);
            let proto = pr.protocol.as_str().to_lowercase();
            let tag = sha::port_proto_hash(&comment, &proto);
            if let Some(ip) = st.alloc.cluster_ip {
                out.push(format!(
                    "-A KUBE-SERVICES -d {}/32 -p {} -m comment --comment \"{comment} cluster IP\" -m {} --dport {} -j KUBE-SVC-{tag}",
                    fmt_ip(ip),
                    pr.protocol.as_str().to_lowercase(),
                    pr.protocol.as_str().to_lowercase(),
                    pr.port
                ));
            }
            if let Some(np) = st.alloc.node_ports.get(i).copied().flatten() {
                let local = st.view.spec.external_traffic_policy == TrafficPolicy::Local;
                let target = if local { "KUBE-EXT" } else { "KUBE-SVC" };
                out.push(format!(
                    "-A KUBE-NODEPORTS -p {} -m comment --comment \"{comment}\" -m {} --dport {np} -j {target}-{tag}",
                    pr.protocol.as_str().to_lowercase(),
                    pr.protocol.as_str().to_lowercase(),
                ));
            }
            if pr.cluster.is_empty() {
                out.push(format!(
                    "-A KUBE-SERVICES -m comment --comment \"{comment} has no endpoints\" -j REJECT --reject-with icmp-port-unreachable"
                ));
            }
            let sep = |b: &proxy::Backend| {
                sha::endpoint_hash(&comment, &proto, &format!("{}:{}", DisplayIp(b.ip), b.port))
            };
            out.extend(proxy::render_chain(
                &format!("KUBE-SVC-{tag}"),
                &comment,
                &pr.cluster,
                &sep,
            ));
            if let Some(chain) = pr.local_chain(node) {
                out.extend(proxy::render_chain(
                    &format!("KUBE-SVL-{tag}"),
                    &comment,
                    chain,
                    &sep,
                ));
            }
        }
        out
    }

    /// `CLUSTER-IP` column.
    pub fn cluster_ip_column(&self, namespace: &str, name: &str) -> String {
        match self.allocation(namespace, name).and_then(|a| a.cluster_ip) {
            Some(ip) => fmt_ip(ip),
            None => "None".into(),
        }
    }

    /// `EXTERNAL-IP` column: the hostname, `<pending>` while provisioning, `<none>` otherwise.
    pub fn external_ip_column(&self, namespace: &str, name: &str) -> String {
        match self.load_balancer(namespace, name) {
            Some(lb) => lb.ingress(self.now).unwrap_or("<pending>").to_string(),
            None => "<none>".into(),
        }
    }

    /// `PORT(S)` column: `80:31234/TCP,443:30443/TCP` or `80/TCP`.
    pub fn ports_column(&self, namespace: &str, name: &str) -> String {
        let Some(st) = self.state(namespace, name) else {
            return "<none>".into();
        };
        let cols: Vec<String> = st
            .view
            .spec
            .ports
            .iter()
            .enumerate()
            .map(
                |(i, p)| match st.alloc.node_ports.get(i).copied().flatten() {
                    Some(np) => format!("{}:{np}/{}", p.port, p.protocol.as_str()),
                    None => format!("{}/{}", p.port, p.protocol.as_str()),
                },
            )
            .collect();
        if cols.is_empty() {
            "<none>".into()
        } else {
            cols.join(",")
        }
    }

    /// Traffic statistics of a Service (everything that reached it: curl and loads).
    pub fn service_stats(&self, namespace: &str, name: &str) -> Option<TrafficStats> {
        let st = self.state(namespace, name)?;
        let mut stats = st.stats.clone();
        stats.fold(|i| self.view.pods[i].name.as_str());
        Some(stats)
    }
}

/// `generateName` suffix: 5 characters of apimachinery's `SafeEncodeString` alphabet.
fn random_suffix(rng: &mut NetRng) -> String {
    const ALPHABET: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char)
        .collect()
}
