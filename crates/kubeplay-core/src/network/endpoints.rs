//! Endpoints and EndpointSlices of a Service, computed from its selected pods (semantics §5).
//!
//! Two pure functions over a [`ServiceView`] and the pods:
//! [`compute_endpoints`] is the v1 Endpoints controller (`pkg/controller/endpoint/
//! endpoints_controller.go` `syncService`), still what `kubectl get endpoints` prints;
//! [`compute_slices`] is the EndpointSlice controller (`staging/src/k8s.io/endpointslice/
//! reconciler.go`, `utils.go` `podToEndpoint`), which is what kube-proxy actually reads. They
//! differ on purpose, as upstream does: Endpoints drops terminating pods, slices keep them with
//! `terminating=true` so kube-proxy can fall back to them.

use super::ip::{DisplayIp, Ip};
use super::model::{PodPhase, PodView, Protocol, ServicePortSpec, ServiceView, TargetPort};

/// A port of an endpoint (`subsets[].ports[]` / `endpointslice.ports[]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EndpointPort {
    /// The Service port's name.
    pub name: String,
    /// Resolved target port number.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
}

/// An address in v1 Endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointAddress {
    /// Pod IP.
    pub ip: Ip,
    /// `nodeName`.
    pub node: Option<String>,
    /// `targetRef.name` (the pod).
    pub pod: String,
}

/// One subset: addresses that share the same resolved ports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointSubset {
    /// Ready addresses (the only ones kube-proxy routes to).
    pub addresses: Vec<EndpointAddress>,
    /// Addresses of pods that are not ready.
    pub not_ready_addresses: Vec<EndpointAddress>,
    /// Ports, sorted.
    pub ports: Vec<EndpointPort>,
}

/// v1 Endpoints of one Service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoints {
    /// Repacked subsets.
    pub subsets: Vec<EndpointSubset>,
    /// More than [`MAX_ENDPOINT_ADDRESSES`] addresses were cut: the object carries the
    /// annotation `endpoints.kubernetes.io/over-capacity: truncated`.
    pub truncated: bool,
}

impl Endpoints {
    /// The ENDPOINTS column of `kubectl get endpoints`: `10.0.1.5:8080,10.0.2.7:8080`, at most
    /// three then ` + N more...`, `<none>` when there are no ready addresses
    /// (`pkg/printers/internalversion/printers.go` `formatEndpoints`).
    pub fn kubectl_column(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut count = 0;
        for ss in &self.subsets {
            let ports: Vec<u16> = if ss.ports.is_empty() {
                vec![0]
            } else {
                ss.ports.iter().map(|p| p.port).collect()
            };
            for port in ports {
                for a in &ss.addresses {
                    count += 1;
                    if out.len() < 3 {
                        if port == 0 {
                            out.push(DisplayIp(a.ip).to_string());
                        } else {
                            out.push(format!("{}:{port}", DisplayIp(a.ip)));
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            return "<none>".into();
        }
        let mut s = out.join(",");
        if count > 3 {
            s.push_str(&format!(" + {} more...", count - 3));
        }
        s
    }

    /// Number of ready addresses over all subsets.
    pub fn ready_count(&self) -> usize {
        self.subsets.iter().map(|s| s.addresses.len()).sum()
    }

    /// Number of not-ready addresses over all subsets.
    pub fn not_ready_count(&self) -> usize {
        self.subsets
            .iter()
            .map(|s| s.not_ready_addresses.len())
            .sum()
    }
}

/// One endpoint in an EndpointSlice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SliceEndpoint {
    /// `addresses[0]`.
    pub ip: Ip,
    /// `conditions.ready`.
    pub ready: bool,
    /// `conditions.serving`.
    pub serving: bool,
    /// `conditions.terminating`.
    pub terminating: bool,
    /// `nodeName`.
    pub node: Option<String>,
    /// `targetRef.name`.
    pub pod: String,
}

/// An EndpointSlice (name assigned by the caller, see [`super::Network`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSlice {
    /// `metadata.name`: `<service>-<5 random chars>`.
    pub name: String,
    /// Ports shared by every endpoint in the slice.
    pub ports: Vec<EndpointPort>,
    /// Endpoints, sorted by address.
    pub endpoints: Vec<SliceEndpoint>,
}

impl EndpointSlice {
    /// `PORTS` column of `kubectl get endpointslices` (`formatDiscoveryPorts`): port numbers
    /// joined by `,`, `<unset>` when the slice has none.
    pub fn ports_column(&self) -> String {
        if self.ports.is_empty() {
            return "<unset>".into();
        }
        let ports: Vec<String> = self.ports.iter().map(|p| p.port.to_string()).collect();
        ports.join(",")
    }

    /// `ENDPOINTS` column (`formatDiscoveryEndpoints`): up to three addresses, then
    /// ` + N more...`; `<unset>` when empty.
    pub fn endpoints_column(&self) -> String {
        if self.endpoints.is_empty() {
            return "<unset>".into();
        }
        let shown: Vec<String> = self
            .endpoints
            .iter()
            .take(3)
            .map(|e| DisplayIp(e.ip).to_string())
            .collect();
        let mut s = shown.join(",");
        if self.endpoints.len() > 3 {
            s.push_str(&format!(" + {} more...", self.endpoints.len() - 3));
        }
        s
    }
}

/// Upstream's `maxEndpointsPerSlice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;
/// Upstream's `maxCapacity` for v1 Endpoints (over it: truncated + annotation).
pub const MAX_ENDPOINT_ADDRESSES: usize = 1000;

/// Whether the Service's selector selects the pod (same namespace, labels ⊇ selector).
/// A nil or empty selector selects nothing (no controller-managed endpoints).
pub fn selects(svc: &ServiceView, pod: &PodView) -> bool {
    let Some(sel) = &svc.spec.selector else {
        return false;
    };
    !sel.is_empty()
        && pod.namespace == svc.namespace
        && sel.iter().all(|(k, v)| pod.labels.get(k) == Some(v))
}

/// `ShouldPodBeInEndpoints` (`endpointslice/util/controller_utils.go`).
pub fn should_pod_be_in_endpoints(pod: &PodView, include_terminating: bool) -> bool {
    if matches!(pod.phase, PodPhase::Succeeded | PodPhase::Failed) {
        return false;
    }
    if pod.ip.is_none() {
        return false;
    }
    include_terminating || !pod.terminating
}

/// `FindPort` (`pkg/api/v1/pod/util.go`): a numeric targetPort is used as is (not checked
/// against the container's ports); a named one is the container port with the same name
/// **and protocol**; `None` when there is none, which omits the pod for that port only.
pub fn find_port(pod: &PodView, sp: &ServicePortSpec) -> Option<u16> {
    match &sp.target_port {
        TargetPort::Number(n) => Some(*n),
        TargetPort::Name(name) => pod
            .ports
            .iter()
            .find(|cp| cp.name.as_deref() == Some(name.as_str()) && cp.protocol == sp.protocol)
            .map(|cp| cp.port),
    }
}

/// An address's dotted-quad text as a fixed, zero-padded byte array, optionally followed by
/// `:port`: compares exactly as the strings do (a shorter string is a prefix padded with
/// zeros, and zero sorts before every digit, `.` and `:`), without allocating.
pub fn ip_text_key(ip: super::ip::Ip, port: Option<u16>) -> [u8; 21] {
    fn put(out: &mut [u8; 21], n: &mut usize, v: u32) {
        let digits = match v {
            0..=9 => 1,
            10..=99 => 2,
            100..=999 => 3,
            1_000..=9_999 => 4,
            _ => 5,
        };
        let mut x = v;
        for d in (0..digits).rev() {
            out[*n + d] = b'0' + (x % 10) as u8;
            x /= 10;
        }
        *n += digits;
    }
    let mut out = [0u8; 21];
    let mut n = 0;
    for (i, octet) in ip.to_be_bytes().into_iter().enumerate() {
        if i > 0 {
            out[n] = b'.';
            n += 1;
        }
        put(&mut out, &mut n, u32::from(octet));
    }
    if let Some(p) = port {
        out[n] = b':';
        n += 1;
        put(&mut out, &mut n, u32::from(p));
    }
    out
}

/// Address order used by upstream's `RepackSubsets` (by IP *string*, so `10.0.0.10` sorts
/// before `10.0.0.9`, exactly as `kubectl get endpoints` shows it), then pod name.
fn sort_addresses(list: &mut [EndpointAddress]) {
    list.sort_by_cached_key(|a| (ip_text_key(a.ip, None), a.pod.clone()));
}

/// The pod's resolved ports for the Service's ports, sorted (ports with no match left out).
pub fn resolved_ports(svc: &ServiceView, pod: &PodView) -> Vec<EndpointPort> {
    let mut ports: Vec<EndpointPort> = svc
        .spec
        .ports
        .iter()
        .filter_map(|sp| {
            find_port(pod, sp).map(|port| EndpointPort {
                name: sp.name.clone(),
                port,
                protocol: sp.protocol,
            })
        })
        .collect();
    ports.sort();
    ports
}

/// The Endpoints controller's `syncService` for one Service over the pods (all of them, or
/// any superset of the ones it selects, in key order).
pub fn compute_endpoints<'a>(
    svc: &ServiceView,
    pods: impl IntoIterator<Item = &'a PodView>,
) -> Endpoints {
    let tolerate_unready = svc.spec.publish_not_ready_addresses;
    // (address, ready, port) triples, then repacked by port set.
    let mut per_addr: Vec<(EndpointAddress, bool, Vec<EndpointPort>)> = Vec::new();
    for pod in pods.into_iter().filter(|p| selects(svc, p)) {
        if !should_pod_be_in_endpoints(pod, tolerate_unready) {
            continue;
        }
        let ip = pod.ip.expect("checked by should_pod_be_in_endpoints");
        let addr = EndpointAddress {
            ip,
            node: pod.node.clone(),
            pod: pod.name.clone(),
        };
        let ready = tolerate_unready || pod.ready;
        if svc.spec.ports.is_empty() {
            // Headless Service without ports: addresses without ports.
            per_addr.push((addr, ready, Vec::new()));
            continue;
        }
        let ports = resolved_ports(svc, pod);
        if ports.is_empty() {
            continue;
        }
        per_addr.push((addr, ready, ports));
    }
    repack(per_addr)
}

/// `RepackSubsets`: one subset per distinct port set, addresses sorted.
fn repack(per_addr: Vec<(EndpointAddress, bool, Vec<EndpointPort>)>) -> Endpoints {
    let mut subsets: Vec<EndpointSubset> = Vec::new();
    // (subset, ready, ip) already listed: the first pod with an address keeps it. A set, not
    // a scan of the list, which made a 5,000-pod Service quadratic per reconcile.
    let mut seen: std::collections::BTreeSet<(usize, bool, super::ip::Ip)> =
        std::collections::BTreeSet::new();
    for (addr, ready, ports) in per_addr {
        let idx = match subsets.iter().position(|s| s.ports == ports) {
            Some(i) => i,
            None => {
                subsets.push(EndpointSubset {
                    ports,
                    ..EndpointSubset::default()
                });
                subsets.len() - 1
            }
        };
        let ss = &mut subsets[idx];
        let list = if ready {
            &mut ss.addresses
        } else {
            &mut ss.not_ready_addresses
        };
        if seen.insert((idx, ready, addr.ip)) {
            list.push(addr);
        }
    }
    for ss in &mut subsets {
        sort_addresses(&mut ss.addresses);
        sort_addresses(&mut ss.not_ready_addresses);
    }
    subsets.sort_by(|a, b| a.ports.cmp(&b.ports));
    let mut ep = Endpoints {
        subsets,
        truncated: false,
    };
    ep.truncated = truncate(&mut ep.subsets, MAX_ENDPOINT_ADDRESSES);
    ep
}

/// `truncateEndpoints` (endpoints_controller.go): over capacity, keep each subset's share
/// (rounded up, capped by what is left), ready addresses first; if the ready ones alone are
/// over, every not-ready address goes.
fn truncate(subsets: &mut [EndpointSubset], max_capacity: usize) -> bool {
    let lens: Vec<(usize, usize)> = subsets
        .iter()
        .map(|s| (s.addresses.len(), s.not_ready_addresses.len()))
        .collect();
    let Some(keep) = truncated_lens(&lens, max_capacity) else {
        return false;
    };
    for (ss, (r, nr)) in subsets.iter_mut().zip(keep) {
        ss.addresses.truncate(r);
        ss.not_ready_addresses.truncate(nr);
    }
    true
}

/// What [`truncate`] keeps of subsets with these `(ready, not ready)` lengths: `None` when
/// nothing is cut, else the kept lengths per subset.
pub fn truncated_lens(lens: &[(usize, usize)], max_capacity: usize) -> Option<Vec<(usize, usize)>> {
    let total_ready: usize = lens.iter().map(|l| l.0).sum();
    let total_not_ready: usize = lens.iter().map(|l| l.1).sum();
    if total_ready + total_not_ready <= max_capacity {
        return None;
    }
    let truncate_ready = total_ready > max_capacity;
    let (max, num_total) = if truncate_ready {
        (max_capacity, total_ready)
    } else {
        (max_capacity - total_ready, total_not_ready)
    };
    let mut can_be_added = max;
    let mut out = Vec::with_capacity(lens.len());
    for &(r, nr) in lens {
        let in_subset = if truncate_ready { r } else { nr };
        // math.Ceil(in/total * max), in integers.
        let to_add = (in_subset * max)
            .div_ceil(num_total.max(1))
            .min(can_be_added);
        if truncate_ready {
            let kept = r.min(to_add);
            out.push((kept, 0));
            can_be_added -= kept;
        } else {
            let kept = nr.min(to_add);
            out.push((r, kept));
            can_be_added -= kept;
        }
    }
    Some(out)
}

/// Slice contents before naming: `(ports, endpoints)` groups of at most
/// [`MAX_ENDPOINTS_PER_SLICE`], in a stable order (`pods` as for [`compute_endpoints`]).
pub fn compute_slices<'a>(
    svc: &ServiceView,
    pods: impl IntoIterator<Item = &'a PodView>,
) -> Vec<(Vec<EndpointPort>, Vec<SliceEndpoint>)> {
    let mut groups: Vec<(Vec<EndpointPort>, Vec<SliceEndpoint>)> = Vec::new();
    for pod in pods.into_iter().filter(|p| selects(svc, p)) {
        // The slice controller keeps terminating pods (includeTerminating = true).
        if !should_pod_be_in_endpoints(pod, true) {
            continue;
        }
        let ports = resolved_ports(svc, pod);
        // podToEndpoint: ready is never true for a terminating pod unless
        // publishNotReadyAddresses is set; serving is the pod's readiness regardless.
        let publish = svc.spec.publish_not_ready_addresses;
        let ep = SliceEndpoint {
            ip: pod.ip.expect("checked by should_pod_be_in_endpoints"),
            ready: publish || (pod.ready && !pod.terminating),
            serving: publish || pod.ready,
            terminating: pod.terminating,
            node: pod.node.clone(),
            pod: pod.name.clone(),
        };
        match groups.iter_mut().find(|(p, _)| *p == ports) {
            Some((_, eps)) => eps.push(ep),
            None => groups.push((ports, vec![ep])),
        }
    }
    let mut out = Vec::new();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    for (ports, mut eps) in groups {
        eps.sort_by(|a, b| a.ip.cmp(&b.ip).then_with(|| a.pod.cmp(&b.pod)));
        for chunk in eps.chunks(MAX_ENDPOINTS_PER_SLICE) {
            out.push((ports.clone(), chunk.to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ip::ipv4;
    use crate::network::model::{ContainerPortView, Labels, Listener, ServiceSpec};

    fn svc(target: TargetPort) -> ServiceView {
        ServiceView {
            namespace: "default".into(),
            name: "web".into(),
            uid: "u".into(),
            spec: ServiceSpec {
                selector: Some(Labels::from([("app".into(), "web".into())])),
                ports: vec![ServicePortSpec {
                    name: String::new(),
                    protocol: Protocol::Tcp,
                    port: 80,
                    target_port: target,
                    node_port: None,
                }],
                ..ServiceSpec::default()
            },
        }
    }

    fn pod(name: &str, last: u8) -> PodView {
        PodView {
            namespace: "default".into(),
            name: name.into(),
            labels: Labels::from([("app".into(), "web".into())]),
            ip: Some(ipv4(10, 0, 0, last)),
            node: Some("n1".into()),
            phase: PodPhase::Running,
            ready: true,
            terminating: false,
            listeners: vec![Listener::up(9376)],
            body: None,
            ports: vec![ContainerPortView {
                name: Some("http".into()),
                port: 9376,
                protocol: Protocol::Tcp,
            }],
            image: "nginx".into(),
            env: vec![],
        }
    }

    /// Golden cases EP1–EP10 of semantics §5.
    #[test]
    fn golden_endpoint_cases() {
        let s = svc(TargetPort::Number(8080));
        // EP1
        let e = compute_endpoints(&s, &[pod("a", 1)]);
        assert_eq!(e.kubectl_column(), "10.0.0.1:8080");
        // EP2
        let mut p = pod("a", 1);
        p.ready = false;
        let e = compute_endpoints(&s, std::slice::from_ref(&p));
        assert_eq!((e.ready_count(), e.not_ready_count()), (0, 1));
        assert_eq!(e.kubectl_column(), "<none>");
        // EP3 / EP4
        let mut p = pod("a", 1);
        p.ip = None;
        p.phase = PodPhase::Pending;
        assert!(compute_endpoints(&s, &[p]).subsets.is_empty());
        let mut p = pod("a", 1);
        p.phase = PodPhase::Succeeded;
        assert!(compute_endpoints(&s, &[p]).subsets.is_empty());
        // EP5 / publishNotReady variant
        let mut p = pod("a", 1);
        p.terminating = true;
        assert!(compute_endpoints(&s, std::slice::from_ref(&p))
            .subsets
            .is_empty());
        let mut sp = s.clone();
        sp.spec.publish_not_ready_addresses = true;
        assert_eq!(
            compute_endpoints(&sp, std::slice::from_ref(&p)).ready_count(),
            1
        );
        // EP6
        let mut p = pod("a", 1);
        p.ready = false;
        assert_eq!(compute_endpoints(&sp, &[p]).ready_count(), 1);
        // EP7
        let mut p = pod("a", 1);
        p.namespace = "other".into();
        assert!(compute_endpoints(&s, &[p]).subsets.is_empty());
        // EP8
        let mut p = pod("a", 1);
        p.labels.insert("tier".into(), "x".into());
        assert_eq!(compute_endpoints(&s, &[p]).ready_count(), 1);
        // EP9 / EP10
        let named = svc(TargetPort::Name("http".into()));
        assert_eq!(
            compute_endpoints(&named, &[pod("a", 1)]).kubectl_column(),
            "10.0.0.1:9376"
        );
        let mut p = pod("a", 1);
        p.ports[0].name = Some("metrics".into());
        assert!(compute_endpoints(&named, &[p]).subsets.is_empty());
    }

    #[test]
    fn named_ports_resolve_per_pod_into_separate_subsets_and_slices() {
        let named = svc(TargetPort::Name("http".into()));
        let mut b = pod("b", 2);
        b.ports[0].port = 8080;
        let e = compute_endpoints(&named, &[pod("a", 1), b.clone()]);
        assert_eq!(e.subsets.len(), 2);
        assert_eq!(e.kubectl_column(), "10.0.0.2:8080,10.0.0.1:9376");
        let slices = compute_slices(&named, &[pod("a", 1), b]);
        assert_eq!(slices.len(), 2);
    }

    #[test]
    fn addresses_sort_as_strings_and_column_truncates() {
        let s = svc(TargetPort::Number(80));
        let pods: Vec<PodView> = (1..=10).map(|i| pod(&format!("p{i}"), i)).collect();
        let e = compute_endpoints(&s, &pods);
        assert_eq!(
            e.kubectl_column(),
            "10.0.0.1:80,10.0.0.10:80,10.0.0.2:80 + 7 more..."
        );
    }

    #[test]
    fn over_capacity_endpoints_are_truncated_ready_first() {
        let s = svc(TargetPort::Number(80));
        let pods: Vec<PodView> = (0..1100u32)
            .map(|i| {
                let mut p = pod(&format!("p{i}"), 0);
                p.ip = Some(ipv4(10, 1, (i / 250) as u8, (i % 250) as u8 + 1));
                p.ready = i < 900;
                p
            })
            .collect();
        let e = compute_endpoints(&s, &pods);
        assert!(e.truncated);
        assert_eq!((e.ready_count(), e.not_ready_count()), (900, 100));
        assert!(!compute_endpoints(&s, &pods[..1000]).truncated);
    }

    #[test]
    fn ip_text_keys_sort_as_the_strings_do() {
        let mut ips: Vec<(u32, Option<u16>)> = Vec::new();
        for a in [0u8, 1, 9, 10, 99, 100, 255] {
            for d in [0u8, 5, 10, 100, 250] {
                for port in [None, Some(0), Some(8), Some(80), Some(8080), Some(65535)] {
                    ips.push((ipv4(10, a, 0, d), port));
                }
            }
        }
        let text = |(ip, port): &(u32, Option<u16>)| match port {
            Some(p) => format!("{}:{p}", DisplayIp(*ip)),
            None => DisplayIp(*ip).to_string(),
        };
        let mut by_text = ips.clone();
        by_text.sort_by_key(text);
        let mut by_key = ips;
        by_key.sort_by_key(|(ip, port)| ip_text_key(*ip, *port));
        assert_eq!(by_text, by_key);
    }

    #[test]
    fn slices_keep_terminating_pods_as_serving_not_ready() {
        let s = svc(TargetPort::Number(80));
        let mut p = pod("a", 1);
        p.terminating = true;
        let slices = compute_slices(&s, &[p]);
        let ep = &slices[0].1[0];
        assert!(!ep.ready && ep.serving && ep.terminating);
    }
}
