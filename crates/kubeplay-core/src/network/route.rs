//! A request's walk: DNS → ELB → node → kube-proxy → pod, or the point where it fails.
//!
//! [`Network::curl`] is the single-request entry point; the load generator ([`super::load`])
//! uses the same [`Network::route`] with a cached resolution so that a million requests cost a
//! million table walks and nothing else. Where the client stands: LoadBalancer hostnames are
//! reached from the internet ([`EXTERNAL_CLIENT`]); NodePorts, ClusterIPs and pod IPs from a
//! machine inside the VPC, ClusterIPs (and Service DNS names such as `http://web`) through the
//! kube-proxy rules of the first live node (as if from a debug pod in `default` there), since
//! a ClusterIP exists only in nodes' iptables.

use super::curl::{app_response, curl_error, parse_url, CurlResult, Hop, Url};
use super::ip::{ipv4, Ip};
use super::model::{Ms, TrafficPolicy};
use super::stats::Failure;
use super::trace::NetEventKind;
use super::Network;

/// Address of the playground user's machine on the internet (TEST-NET-3).
pub const EXTERNAL_CLIENT: Ip = ipv4(203, 0, 113, 10);
/// Address of the bastion in the VPC used for NodePort and pod-IP requests.
pub const VPC_CLIENT: Ip = ipv4(172, 20, 0, 5);

/// Where a URL leads, resolved once per cluster view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// A load balancer's hostname; `port` = index of the Service port listening on the URL's
    /// port.
    Lb {
        /// Service slot.
        slot: usize,
        /// Matching Service port index.
        port: Option<usize>,
    },
    /// `nodeIP:nodePort`.
    NodePort {
        /// Node index in the view.
        node: usize,
        /// Service slot.
        slot: usize,
        /// Service port index.
        port: usize,
    },
    /// A node IP on a port nothing listens on.
    NodeClosed {
        /// Node index in the view.
        node: usize,
    },
    /// `clusterIP:port`.
    ClusterIp {
        /// Service slot.
        slot: usize,
        /// Matching Service port index.
        port: Option<usize>,
    },
    /// A pod IP.
    Pod {
        /// Pod index in the view.
        pod: usize,
        /// Port.
        port: u16,
    },
    /// An address nobody has.
    Unroutable,
    /// A hostname that does not exist.
    Unknown,
}

impl Resolved {
    /// The Service slot the request is addressed to, if any.
    pub fn slot(&self) -> Option<usize> {
        match self {
            Resolved::Lb { slot, .. }
            | Resolved::NodePort { slot, .. }
            | Resolved::ClusterIp { slot, .. } => Some(*slot),
            _ => None,
        }
    }
}

impl Network {
    /// Resolves a URL against the current view.
    pub fn resolve(&self, url: &Url) -> Resolved {
        let Some(ip) = url.ip else {
            return match self.by_hostname.get(&url.host) {
                Some(slot) => {
                    let st = self.slots[*slot].as_ref().expect("indexed slot");
                    let port = st.view.spec.ports.iter().position(|p| p.port == url.port);
                    Resolved::Lb { slot: *slot, port }
                }
                None => self.resolve_service_dns(url),
            };
        };
        if let Some(slot) = self.by_cluster_ip.get(&ip) {
            let st = self.slots[*slot].as_ref().expect("indexed slot");
            let port = st.view.spec.ports.iter().position(|p| p.port == url.port);
            return Resolved::ClusterIp { slot: *slot, port };
        }
        if let Some(node) = self.node_by_ip.get(&ip) {
            return match self.by_node_port.get(&url.port) {
                Some((slot, port)) => Resolved::NodePort {
                    node: *node,
                    slot: *slot,
                    port: *port,
                },
                None => Resolved::NodeClosed { node: *node },
            };
        }
        match self.pod_by_ip.get(&ip) {
            Some(pod) => Resolved::Pod {
                pod: *pod,
                port: url.port,
            },
            None => Resolved::Unroutable,
        }
    }

    /// Cluster DNS (`web`, `web.shop`, `web.shop.svc`, `web.shop.svc.cluster.local`) as a
    /// debug pod in `default` resolves it: a Service's ClusterIP (headless Services and
    /// unknown names do not resolve here).
    fn resolve_service_dns(&self, url: &Url) -> Resolved {
        let parts: Vec<&str> = url.host.trim_end_matches('.').split('.').collect();
        let (name, ns) = match parts.as_slice() {
            [name] => (*name, "default"),
            [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => (*name, *ns),
            _ => return Resolved::Unknown,
        };
        let Some(slot) = self.by_key.get(&(ns.to_string(), name.to_string())) else {
            return Resolved::Unknown;
        };
        let st = self.slots[*slot].as_ref().expect("indexed slot");
        if st.alloc.cluster_ip.is_none() {
            return Resolved::Unknown;
        }
        let port = st.view.spec.ports.iter().position(|p| p.port == url.port);
        Resolved::ClusterIp { slot: *slot, port }
    }

    /// Routes one request sent at `t`. Returns the answering pod's index in the view, or the
    /// failure, and the client-side latency in µs. `timeout_us` is how long the client waits
    /// for an unanswered connection. Pushes hops when `hops` is given.
    pub fn route(
        &mut self,
        t: Ms,
        r: Resolved,
        client: Ip,
        timeout_us: u64,
        mut hops: Option<&mut Vec<Hop>>,
    ) -> (Result<usize, Failure>, u64) {
        let lat = self.cfg.latency;
        match r {
            Resolved::Unknown => (Err(Failure::CouldNotResolve), 0),
            Resolved::Unroutable => {
                note(&mut hops, || {
                    Hop::Dropped("no route to this address".into())
                });
                (Err(Failure::Timeout), timeout_us)
            }
            Resolved::NodeClosed { node } => {
                let n = &self.view.nodes[node];
                note(&mut hops, || Hop::Node(n.name.clone()));
                if n.alive {
                    note(&mut hops, || {
                        Hop::Dropped("nothing listens on this port".into())
                    });
                    (Err(Failure::Refused), lat.client_node_us)
                } else {
                    note(&mut hops, || Hop::Dropped("node is down".into()));
                    (Err(Failure::Timeout), timeout_us)
                }
            }
            Resolved::Pod { pod, port } => {
                let p = &self.view.pods[pod];
                let node_alive = p
                    .node
                    .as_ref()
                    .and_then(|n| self.node_by_name.get(n))
                    .is_some_and(|i| self.view.nodes[*i].alive);
                if !node_alive {
                    note(&mut hops, || Hop::Dropped("pod's node is down".into()));
                    return (Err(Failure::Timeout), timeout_us);
                }
                let Some(l) = p.listener_at(port, t) else {
                    note(&mut hops, || Hop::Dropped("pod is not listening".into()));
                    return (Err(Failure::Refused), lat.client_node_us);
                };
                let failing = l.failing_from.is_some_and(|f| t >= f);
                note(&mut hops, || Hop::Pod {
                    name: p.name.clone(),
                    source: VPC_CLIENT,
                });
                let jitter = self.jitter(&lat);
                let us = lat.client_node_us + lat.app_us + jitter;
                if failing {
                    (Err(Failure::Unavailable), us)
                } else {
                    self.last_src = VPC_CLIENT;
                    (Ok(pod), us)
                }
            }
            Resolved::ClusterIp { slot, port } => {
                let Some(port) = port else {
                    note(&mut hops, || {
                        Hop::Dropped("no kube-proxy rule for this port".into())
                    });
                    return (Err(Failure::Timeout), timeout_us);
                };
                let Some(node) = self.client_node() else {
                    return (Err(Failure::Timeout), timeout_us);
                };
                let src = self.view.nodes[node].ip;
                match self.proxy(t, slot, port, node, false, src, &mut hops) {
                    Ok((pod, us)) => (Ok(pod), us),
                    Err(Failure::Unavailable) => (Err(Failure::Unavailable), lat.app_us),
                    Err(Failure::Timeout) => (Err(Failure::Timeout), timeout_us),
                    Err(f) => (Err(f), lat.local_us),
                }
            }
            Resolved::NodePort { node, slot, port } => {
                let n = &self.view.nodes[node];
                note(&mut hops, || Hop::Node(n.name.clone()));
                if !n.alive {
                    note(&mut hops, || Hop::Dropped("node is down".into()));
                    return (Err(Failure::Timeout), timeout_us);
                }
                match self.proxy(t, slot, port, node, true, client, &mut hops) {
                    Ok((pod, us)) => (Ok(pod), lat.client_node_us + us),
                    Err(Failure::Unavailable) => {
                        (Err(Failure::Unavailable), lat.client_node_us + lat.app_us)
                    }
                    Err(Failure::Timeout) => (Err(Failure::Timeout), timeout_us),
                    Err(f) => (Err(f), lat.client_node_us),
                }
            }
            Resolved::Lb { slot, port } => self.route_lb(t, slot, port, timeout_us, hops),
        }
    }

    fn route_lb(
        &mut self,
        t: Ms,
        slot: usize,
        port: Option<usize>,
        timeout_us: u64,
        mut hops: Option<&mut Vec<Hop>>,
    ) -> (Result<usize, Failure>, u64) {
        let lat = self.cfg.latency;
        let backend_timeout_us = self.cfg.lb.backend_connect_timeout_ms * 1_000;
        let st = self.slots[slot].as_mut().expect("resolved slot");
        let Some(lb) = st.lb.as_mut() else {
            return (Err(Failure::CouldNotResolve), 0);
        };
        if t < lb.ready_at {
            return (Err(Failure::CouldNotResolve), 0);
        }
        note(&mut hops, || Hop::Dns(lb.hostname.clone()));
        let Some(port) = port else {
            // No listener on that port: the ELB's security group drops the SYN.
            note(&mut hops, || {
                Hop::Dropped("no listener on this port".into())
            });
            return (Err(Failure::Timeout), timeout_us);
        };
        let node_port = st
            .alloc
            .node_ports
            .get(port)
            .copied()
            .flatten()
            .unwrap_or(0);
        let src = lb.private_ip;
        let Some(inst) = lb.pick() else {
            note(&mut hops, || Hop::Dropped("no InService instances".into()));
            return (Err(Failure::EmptyReply), lat.client_lb_us);
        };
        let node = Some(inst.node_idx).filter(|i| *i < self.view.nodes.len());
        if hops.is_some() {
            let node_name = inst.node.clone();
            let lb_name = lb.name.clone();
            note(&mut hops, || Hop::Elb {
                lb: lb_name,
                node: node_name,
                node_port,
            });
        }
        let Some(node) = node else {
            return (
                Err(Failure::EmptyReply),
                lat.client_lb_us + backend_timeout_us,
            );
        };
        if !self.view.nodes[node].alive {
            note(&mut hops, || Hop::Dropped("instance is down".into()));
            return (
                Err(Failure::EmptyReply),
                lat.client_lb_us + backend_timeout_us,
            );
        }
        match self.proxy(t, slot, port, node, true, src, &mut hops) {
            Ok((pod, us)) => (Ok(pod), lat.client_lb_us + lat.lb_node_us + us),
            // A 503 is an answer: the TCP listener passes it through.
            Err(Failure::Unavailable) => (
                Err(Failure::Unavailable),
                lat.client_lb_us + lat.lb_node_us + lat.app_us,
            ),
            Err(Failure::Timeout) => (
                Err(Failure::EmptyReply),
                lat.client_lb_us + backend_timeout_us,
            ),
            Err(_) => (Err(Failure::EmptyReply), lat.client_lb_us + lat.lb_node_us),
        }
    }

    /// kube-proxy on `node` handles a connection to Service port `port` from `src`.
    #[allow(clippy::too_many_arguments)]
    fn proxy(
        &mut self,
        t: Ms,
        slot: usize,
        port: usize,
        node: usize,
        external: bool,
        src: Ip,
        hops: &mut Option<&mut Vec<Hop>>,
    ) -> Result<(usize, u64), Failure> {
        let lat = self.cfg.latency;
        let st = self.slots[slot].as_ref().expect("resolved slot");
        let n = &self.view.nodes[node];
        let Some(rules) = st.rules_at(t) else {
            // kube-proxy has not written this Service yet.
            note(hops, || {
                Hop::Dropped("kube-proxy has no rules for it yet".into())
            });
            return Err(if external {
                Failure::Refused
            } else {
                Failure::Timeout
            });
        };
        let pr = &rules.ports[port];
        let local_policy = external && st.view.spec.external_traffic_policy == TrafficPolicy::Local;
        // KUBE-EXT-… masquerades external traffic under `Cluster`; `Local` keeps the source.
        let seen_src = if external && !local_policy { n.ip } else { src };
        let chain = if local_policy {
            match pr.local_chain(&n.name) {
                Some(c) if !c.is_empty() => c,
                _ => {
                    note(hops, || {
                        Hop::Dropped("no local endpoints (KUBE-MARK-DROP)".into())
                    });
                    return Err(Failure::Timeout);
                }
            }
        } else {
            &pr.cluster
        };
        if chain.is_empty() {
            note(hops, || {
                Hop::Dropped("service has no endpoints (REJECT)".into())
            });
            return Err(Failure::Refused);
        }
        let (idx, affinity) = match st.view.spec.session_affinity_timeout_s {
            Some(timeout_s) => {
                let key = (n.ip, slot, port, src);
                let hit = self
                    .affinity
                    .get(&key)
                    .filter(|(_, last)| t.saturating_sub(*last) <= u64::from(timeout_s) * 1_000)
                    .and_then(|(ip, _)| chain.position(*ip));
                let i = match hit {
                    Some(i) => i,
                    None => chain.pick(&mut self.route_rng).expect("non-empty chain"),
                };
                self.affinity.insert(key, (chain.backends[i].ip, t));
                (i, hit.is_some())
            }
            None => (
                chain.pick(&mut self.route_rng).expect("non-empty chain"),
                false,
            ),
        };
        let backend = chain.backends[idx];
        note(hops, || Hop::KubeProxy {
            node: n.name.clone(),
            backend: backend.ip,
            port: backend.port,
            rule: idx,
            rules: chain.len(),
            affinity,
        });
        let Some(&p) = self.pod_by_ip.get(&backend.ip) else {
            note(hops, || {
                Hop::Dropped("endpoint address no longer exists".into())
            });
            return Err(Failure::Timeout);
        };
        let pod = &self.view.pods[p];
        let pod_node = self.pod_node[p];
        let mut us = if pod_node == node {
            lat.local_us
        } else {
            lat.node_node_us
        };
        let pod_node_alive = self.view.nodes.get(pod_node).is_some_and(|n| n.alive);
        if !pod_node_alive {
            note(hops, || Hop::Dropped("endpoint's node is down".into()));
            return Err(Failure::Timeout);
        }
        let Some(listener) = pod.listener_at(backend.port, t) else {
            note(hops, || {
                Hop::Dropped(format!("{} is not listening on {}", pod.name, backend.port))
            });
            return Err(Failure::Refused);
        };
        let failing = listener.failing_from.is_some_and(|f| t >= f);
        note(hops, || Hop::Pod {
            name: pod.name.clone(),
            source: seen_src,
        });
        if failing {
            return Err(Failure::Unavailable);
        }
        us += lat.app_us;
        if lat.app_jitter_us > 0 {
            us += self.route_rng.below(lat.app_jitter_us);
        }
        self.last_src = seen_src;
        Ok((p, us))
    }

    fn jitter(&mut self, lat: &super::LatencyModel) -> u64 {
        if lat.app_jitter_us > 0 {
            self.route_rng.below(lat.app_jitter_us)
        } else {
            0
        }
    }

    /// The node a ClusterIP request is issued from: the first live node by name.
    fn client_node(&self) -> Option<usize> {
        self.node_by_name
            .values()
            .copied()
            .find(|i| self.view.nodes[*i].alive)
    }

    /// `curl <url>` at virtual time `now`: replays due traffic, then sends one request and
    /// records it (trace, Service stats).
    pub fn curl(&mut self, now: Ms, url: &str) -> CurlResult {
        self.advance(now);
        self.now = self.now.max(now);
        // Health-check rounds due at this very instant have happened by the time we connect.
        self.run_due_health_checks(self.now);
        let parsed = match parse_url(url) {
            Ok(u) => u,
            Err(stderr) => {
                let code = stderr
                    .strip_prefix("curl: (")
                    .and_then(|s| s.split(')').next())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(3);
                return CurlResult {
                    exit_code: code,
                    status: None,
                    stdout: String::new(),
                    stderr,
                    pod: None,
                    pod_namespace: None,
                    elapsed_us: 0,
                    failure: None,
                    hops: Vec::new(),
                };
            }
        };
        let r = self.resolve(&parsed);
        let client = match r {
            Resolved::Lb { .. } | Resolved::Unknown => EXTERNAL_CLIENT,
            _ => VPC_CLIENT,
        };
        let mut hops = vec![Hop::Client(client)];
        let timeout_us = self.cfg.curl_connect_timeout_ms * 1_000;
        let (res, us) = self.route(self.now, r, client, timeout_us, Some(&mut hops));
        let out = match res {
            Ok(p) => {
                let pod = &self.view.pods[p];
                let (status, body) = app_response(pod, &parsed.path);
                CurlResult {
                    exit_code: 0,
                    status: Some(status),
                    stdout: body,
                    stderr: String::new(),
                    pod: Some(pod.name.clone()),
                    pod_namespace: Some(pod.namespace.clone()),
                    elapsed_us: us,
                    failure: None,
                    hops,
                }
            }
            Err(f) => CurlResult {
                exit_code: f.curl_exit_code(),
                status: (f == Failure::Unavailable).then_some(503),
                stdout: if f == Failure::Unavailable {
                    "Service Unavailable\n".to_string()
                } else {
                    String::new()
                },
                stderr: curl_error(f, &parsed, us),
                pod: None,
                pod_namespace: None,
                elapsed_us: us,
                failure: Some(f),
                hops,
            },
        };
        if let Some(slot) = r.slot() {
            let st = self.slots[slot].as_mut().expect("resolved slot");
            match (&out.pod, out.failure) {
                (Some(p), _) => st.stats.ok(p, us),
                (None, Some(f)) => st.stats.fail(f, us),
                _ => {}
            }
        }
        self.push(NetEventKind::Request {
            load: None,
            url: url.to_string(),
            hops: out.hops.clone(),
            pod: out.pod.clone(),
            failure: out.failure,
            latency_us: us,
        });
        out
    }
}

#[inline]
fn note(hops: &mut Option<&mut Vec<Hop>>, hop: impl FnOnce() -> Hop) {
    if let Some(h) = hops.as_deref_mut() {
        h.push(hop());
    }
}
