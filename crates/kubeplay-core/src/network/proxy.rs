//! kube-proxy in iptables mode: which backend a connection to a Service lands on.
//!
//! For every Service port kube-proxy writes a `KUBE-SVC-…` chain with one rule per endpoint
//! (`pkg/proxy/iptables/proxier.go` `writeServiceToEndpointRules`): rule *i* of *n* jumps to
//! its endpoint with `-m statistic --mode random --probability 1/(n-i)`, the last one
//! unconditionally. kube-proxy prints the probability with `%0.10f`; iptables parses it and the
//! kernel compares `(get_random_u32() & 0x7FFFFFFF) < lround(0x80000000 * p)`
//! (`net/netfilter/xt_statistic.c`, `extensions/libxt_statistic.c`). [`Chain::pick`] does
//! exactly that with integer thresholds, one 31-bit draw per rule tried, so the distribution
//! (uniform, up to the rounding iptables itself has) and the number of draws match.
//!
//! Which endpoints are in a chain is upstream's `CategorizeEndpoints` (`pkg/proxy/topology.go`):
//! ready endpoints, or, if there are none, the serving-and-terminating ones (KEP-1669,
//! `ProxyTerminatingEndpoints`, GA in 1.28). Traffic policy `Local` uses only the node's own
//! endpoints; with none, packets are dropped (`KUBE-MARK-DROP`), while a Service with no
//! endpoints at all is rejected (`REJECT --reject-with icmp-port-unreachable`, "connection
//! refused").

use super::endpoints::{ip_text_key, EndpointPort, EndpointSlice, SliceEndpoint};
use super::ip::{DisplayIp, Ip};
use super::model::{Protocol, ServicePortSpec};
use super::rng::NetRng;
use std::collections::BTreeMap;

/// One backend in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backend {
    /// Pod IP.
    pub ip: Ip,
    /// Resolved target port.
    pub port: u16,
}

/// A `KUBE-SVC-…`/`KUBE-SVL-…` chain: backends in rule order plus each rule's kernel threshold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    /// Backends in rule order.
    pub backends: Vec<Backend>,
    /// `lround(0x80000000 * p_i)` for rules `0..n-1` (the last rule has no statistic match).
    thresholds: Vec<u32>,
}

/// `%0.10f` of `1/k` as an integer count of 1e-10 (what kube-proxy writes), rounded half up.
fn probability_e10(k: u64) -> u64 {
    (2 * 10_000_000_000 + k) / (2 * k)
}

/// The `--probability` argument kube-proxy writes for a rule with `k` rules left (`1/k`).
pub fn probability_arg(k: u64) -> String {
    let p = probability_e10(k.max(1));
    format!("{}.{:010}", p / 10_000_000_000, p % 10_000_000_000)
}

/// The kernel's threshold for a rule with `k` rules left: `lround(0x80000000 * p)`.
fn threshold(k: u64) -> u32 {
    let p = u128::from(probability_e10(k));
    let num = (1u128 << 31) * p;
    ((2 * num + 10_000_000_000) / (2 * 10_000_000_000)) as u32
}

impl Chain {
    /// A chain over `backends` in the given order.
    pub fn new(backends: Vec<Backend>) -> Chain {
        let n = backends.len() as u64;
        let thresholds = (0..n.saturating_sub(1)).map(|i| threshold(n - i)).collect();
        Chain {
            backends,
            thresholds,
        }
    }

    /// Walks the rules as netfilter does, one 31-bit draw per rule tried (two draws come
    /// from each 64-bit output: halves the generator work on long chains); `None` when the
    /// chain is empty.
    #[inline]
    pub fn pick(&self, rng: &mut NetRng) -> Option<usize> {
        let n = self.backends.len();
        if n == 0 {
            return None;
        }
        let mut pairs = self.thresholds.chunks_exact(2);
        for (k, pair) in pairs.by_ref().enumerate() {
            let x = rng.next_u64();
            if (x as u32) & 0x7FFF_FFFF < pair[0] {
                return Some(2 * k);
            }
            if ((x >> 32) as u32) & 0x7FFF_FFFF < pair[1] {
                return Some(2 * k + 1);
            }
        }
        if let [t] = pairs.remainder() {
            if rng.next_u32() & 0x7FFF_FFFF < *t {
                return Some(n - 2);
            }
        }
        Some(n - 1)
    }

    /// Number of backends.
    pub fn len(&self) -> usize {
        self.backends.len()
    }

    /// No backends.
    pub fn is_empty(&self) -> bool {
        self.backends.is_empty()
    }

    /// Index of a backend by IP (session affinity lookups).
    pub fn position(&self, ip: Ip) -> Option<usize> {
        self.backends.iter().position(|b| b.ip == ip)
    }
}

/// One endpoint as kube-proxy holds it for a Service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyEndpoint {
    /// Backend address.
    pub backend: Backend,
    /// Node the pod runs on.
    pub node: Option<String>,
    /// EndpointSlice `ready`.
    pub ready: bool,
    /// EndpointSlice `serving`.
    pub serving: bool,
    /// EndpointSlice `terminating`.
    pub terminating: bool,
}

/// kube-proxy's programmed state for one Service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRules {
    /// Service port name.
    pub name: String,
    /// Protocol.
    pub protocol: Protocol,
    /// Service port (ClusterIP and load-balancer listener port).
    pub port: u16,
    /// Allocated NodePort, if any.
    pub node_port: Option<u16>,
    /// Every endpoint for the port, sorted as upstream's endpoint cache sorts (by `ip:port`
    /// string).
    pub endpoints: Vec<ProxyEndpoint>,
    /// The cluster-wide chain (`externalTrafficPolicy: Cluster`, and all ClusterIP traffic).
    pub cluster: Chain,
    /// Per-node chains for `Local` policy, sorted by node name.
    pub local: Vec<(String, Chain)>,
}

impl PortRules {
    /// The node's `Local` chain (empty if the node has no usable local endpoint).
    pub fn local_chain(&self, node: &str) -> Option<&Chain> {
        self.local
            .binary_search_by(|(n, _)| n.as_str().cmp(node))
            .ok()
            .map(|i| &self.local[i].1)
    }

    /// Whether the node has a usable local endpoint: what kube-proxy's health-check server
    /// (`pkg/proxy/healthcheck/service_health.go`) answers 200 for on `healthCheckNodePort`.
    pub fn has_local(&self, node: &str) -> bool {
        self.local_chain(node).is_some_and(|c| !c.is_empty())
    }
}

/// `CategorizeEndpoints`: ready ones, else serving+terminating ones.
fn usable<'a>(eps: impl Iterator<Item = &'a ProxyEndpoint> + Clone) -> Vec<Backend> {
    let ready: Vec<Backend> = eps.clone().filter(|e| e.ready).map(|e| e.backend).collect();
    if !ready.is_empty() {
        return ready;
    }
    eps.filter(|e| e.serving && e.terminating)
        .map(|e| e.backend)
        .collect()
}

/// Builds the rules for one Service port from the Service's EndpointSlices.
pub fn port_rules(
    sp: &ServicePortSpec,
    node_port: Option<u16>,
    slices: &[EndpointSlice],
) -> PortRules {
    port_rules_from(
        sp,
        node_port,
        slices
            .iter()
            .map(|s| (s.ports.as_slice(), s.endpoints.as_slice())),
    )
}

/// [`port_rules`] over `(ports, endpoints)` runs in slice order: the slices themselves, or
/// the groups they are cut from (same endpoints, same order).
pub fn port_rules_from<'a>(
    sp: &ServicePortSpec,
    node_port: Option<u16>,
    slices: impl Iterator<Item = (&'a [EndpointPort], &'a [SliceEndpoint])>,
) -> PortRules {
    rules_over(sp, node_port, proxy_endpoints(sp, slices))
}

/// The resolved port of a slice group for a Service port (`None`: the group's endpoints are
/// not in that port's chains).
#[inline]
fn group_port(sp: &ServicePortSpec, ports: &[EndpointPort]) -> Option<u16> {
    ports
        .iter()
        .find(|p| p.name == sp.name && p.protocol == sp.protocol)
        .map(|p| p.port)
}

/// A slice endpoint as kube-proxy holds it for a Service port.
fn proxy_endpoint(ep: &SliceEndpoint, port: u16) -> ProxyEndpoint {
    ProxyEndpoint {
        backend: Backend { ip: ep.ip, port },
        node: ep.node.clone(),
        ready: ep.ready,
        serving: ep.serving,
        terminating: ep.terminating,
    }
}

/// Every endpoint of one Service port over the slices (in slice order), sorted as upstream's
/// endpoint cache sorts, one per backend (the first in slice order).
pub fn proxy_endpoints<'a>(
    sp: &ServicePortSpec,
    slices: impl Iterator<Item = (&'a [EndpointPort], &'a [SliceEndpoint])>,
) -> Vec<ProxyEndpoint> {
    let mut endpoints: Vec<ProxyEndpoint> = Vec::new();
    for (ports, eps) in slices {
        let Some(port) = group_port(sp, ports) else {
            continue;
        };
        endpoints.extend(eps.iter().map(|ep| proxy_endpoint(ep, port)));
    }
    // By the `ip:port` string, as upstream sorts; the key compares as that string does.
    endpoints.sort_by_cached_key(|e| ip_text_key(e.backend.ip, Some(e.backend.port)));
    endpoints.dedup_by(|a, b| a.backend == b.backend);
    endpoints
}

/// The entry [`proxy_endpoints`] keeps for one backend of a Service port, over slice groups
/// each sorted by IP (what [`super::epstate`] holds): the first group's first endpoint with
/// that address. A binary search per group instead of a pass over every endpoint.
pub fn proxy_endpoint_for<'a>(
    sp: &ServicePortSpec,
    backend: Backend,
    groups: impl Iterator<Item = (&'a [EndpointPort], &'a [SliceEndpoint])>,
) -> Option<ProxyEndpoint> {
    for (ports, eps) in groups {
        if group_port(sp, ports) != Some(backend.port) {
            continue;
        }
        let at = eps.partition_point(|e| e.ip < backend.ip);
        if let Some(ep) = eps.get(at).filter(|e| e.ip == backend.ip) {
            return Some(proxy_endpoint(ep, backend.port));
        }
    }
    None
}

/// The backends a slice endpoint gives a Service's ports: `(port index, backend)`.
pub fn backends_of<'a>(
    ports: &'a [ServicePortSpec],
    group: &'a [EndpointPort],
    ip: Ip,
) -> impl Iterator<Item = (usize, Backend)> + 'a {
    ports
        .iter()
        .enumerate()
        .filter_map(move |(i, sp)| group_port(sp, group).map(|port| (i, Backend { ip, port })))
}

/// A Service port's rules over its endpoints as [`proxy_endpoints`] gives them.
pub fn rules_over(
    sp: &ServicePortSpec,
    node_port: Option<u16>,
    endpoints: Vec<ProxyEndpoint>,
) -> PortRules {
    let cluster = Chain::new(usable(endpoints.iter()));
    // Each node's endpoints in chain order, gathered in one pass (not one pass per node).
    let mut by_node: BTreeMap<&str, Vec<&ProxyEndpoint>> = BTreeMap::new();
    for e in &endpoints {
        if let Some(n) = e.node.as_deref() {
            by_node.entry(n).or_default().push(e);
        }
    }
    let local = by_node
        .into_iter()
        .map(|(n, eps)| (n.to_string(), Chain::new(usable(eps.into_iter()))))
        .collect();
    PortRules {
        name: sp.name.clone(),
        protocol: sp.protocol,
        port: sp.port,
        node_port,
        endpoints,
        cluster,
        local,
    }
}

/// kube-proxy's programmed state for a whole Service (one entry per `spec.ports[i]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceRules {
    /// Per-port rules, in `spec.ports` order.
    pub ports: Vec<PortRules>,
}

/// `iptables-save`-style lines of a chain, for the UI's "show kube-proxy rules" panel;
/// `sep` names each backend's `KUBE-SEP-…` chain suffix.
pub fn render_chain(
    chain_name: &str,
    comment: &str,
    chain: &Chain,
    sep: &dyn Fn(&Backend) -> String,
) -> Vec<String> {
    let n = chain.len() as u64;
    chain
        .backends
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let stat = if (i as u64) + 1 < n {
                format!(
                    " -m statistic --mode random --probability {}",
                    probability_arg(n - i as u64)
                )
            } else {
                String::new()
            };
            format!(
                "-A {chain_name} -m comment --comment \"{comment} -> {}:{}\"{stat} -j KUBE-SEP-{}",
                DisplayIp(b.ip),
                b.port,
                sep(b)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ip::ipv4;

    #[test]
    fn probabilities_are_what_kube_proxy_writes() {
        assert_eq!(probability_arg(2), "0.5000000000");
        assert_eq!(probability_arg(3), "0.3333333333");
        assert_eq!(probability_arg(7), "0.1428571429");
        // lround(0x80000000 * 0.5) and lround(0x80000000 * 0.3333333333)
        assert_eq!(threshold(2), 1 << 30);
        assert_eq!(threshold(3), 715_827_883);
    }

    #[test]
    fn cascade_is_uniform_over_backends() {
        let chain = Chain::new(
            (0..4)
                .map(|i| Backend {
                    ip: ipv4(10, 0, 0, i),
                    port: 80,
                })
                .collect(),
        );
        let mut rng = NetRng::new(3, 9);
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            counts[chain.pick(&mut rng).unwrap()] += 1;
        }
        assert!(
            counts.iter().all(|c| (9_500..10_500).contains(c)),
            "{counts:?}"
        );
        assert_eq!(Chain::new(vec![]).pick(&mut rng), None);
    }

    #[test]
    fn renders_iptables_rules() {
        let chain = Chain::new(vec![
            Backend {
                ip: ipv4(10, 0, 0, 1),
                port: 8080,
            },
            Backend {
                ip: ipv4(10, 0, 0, 2),
                port: 8080,
            },
        ]);
        let lines = render_chain("KUBE-SVC-X", "default/web:http", &chain, &|_| "0".into());
        assert_eq!(
            lines[0],
            "-A KUBE-SVC-X -m comment --comment \"default/web:http -> 10.0.0.1:8080\" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-0"
        );
        assert!(!lines[1].contains("statistic"));
    }
}
