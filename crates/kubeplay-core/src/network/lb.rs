//! The simulated cloud load balancer: an AWS Classic ELB, as kops on AWS gets for a
//! `type: LoadBalancer` Service from the AWS cloud provider.
//!
//! What it models, and the numbers it uses (all in [`LbConfig`]):
//! * **Name and hostname.** The cloud provider names the ELB `"a" + uid without dashes`,
//!   truncated to 32 characters (`cloudprovider.DefaultLoadBalancerName`); AWS appends a
//!   number and the region: `a1b2…-1234567890.us-east-1.elb.amazonaws.com`.
//! * **Provisioning delay.** `status.loadBalancer.ingress` stays empty (`<pending>` in
//!   `kubectl get svc`) for [`LbConfig::provision_ms`] (30 s by default, a typical
//!   CreateLoadBalancer + DNS time); the hostname does not resolve before that.
//! * **Targets.** Every node except those labelled
//!   `node.kubernetes.io/exclude-from-external-load-balancers` (kops puts it on control-plane
//!   nodes). Since v1.30 (KEP-3458, `StableLoadBalancerNodeSet`) the service controller no
//!   longer removes NotReady nodes, so a dead node stays registered and only the ELB's health
//!   check takes it out of service: the real failure window.
//! * **Health checks.** The provider's defaults (`legacy-cloud-providers/aws`:
//!   interval 10 s, timeout 5 s, healthy threshold 2, unhealthy threshold 6). The target is
//!   `TCP:<nodePort>` for `externalTrafficPolicy: Cluster` and `HTTP:<healthCheckNodePort>/healthz`
//!   for `Local`, which kube-proxy answers 200 only on nodes with a ready local endpoint. A newly
//!   registered instance starts OutOfService until it passes `healthy_threshold` checks.
//! * **Balancing.** A TCP listener round-robins over InService instances; with none, the ELB
//!   accepts the connection and closes it (`curl: (52) Empty reply from server`).

use super::ip::{ipv4, Ip};
use super::model::Ms;
use super::rng::NetRng;

/// Load-balancer timings; defaults documented on each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LbConfig {
    /// Time from Service creation to the ingress hostname appearing and resolving: 30 000 ms.
    pub provision_ms: Ms,
    /// Health-check interval: 10 000 ms.
    pub hc_interval_ms: Ms,
    /// Consecutive passing checks to go InService: 2.
    pub healthy_threshold: u32,
    /// Consecutive failing checks to go OutOfService: 6.
    pub unhealthy_threshold: u32,
    /// How long the ELB waits on a backend connection that gets no answer before giving up
    /// and closing the client's connection: 10 000 ms (AWS does not publish it; assumed).
    pub backend_connect_timeout_ms: Ms,
    /// AWS region in the hostname: `us-east-1`.
    pub region: &'static str,
}

impl Default for LbConfig {
    fn default() -> Self {
        LbConfig {
            provision_ms: 30_000,
            hc_interval_ms: 10_000,
            healthy_threshold: 2,
            unhealthy_threshold: 6,
            backend_connect_timeout_ms: 10_000,
            region: "us-east-1",
        }
    }
}

/// The ELB health-check target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthCheck {
    /// `TCP:<nodePort>` (`externalTrafficPolicy: Cluster`).
    Tcp(u16),
    /// `HTTP:<healthCheckNodePort>/healthz` (`externalTrafficPolicy: Local`).
    Http(u16),
}

impl HealthCheck {
    /// AWS console spelling: `TCP:31234`, `HTTP:32001/healthz`.
    pub fn target(&self) -> String {
        match self {
            HealthCheck::Tcp(p) => format!("TCP:{p}"),
            HealthCheck::Http(p) => format!("HTTP:{p}/healthz"),
        }
    }
}

/// A registered instance (a node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Node name.
    pub node: String,
    /// Index of the node in the current cluster view (refreshed on every sync).
    pub node_idx: usize,
    /// InService (true) or OutOfService.
    pub in_service: bool,
    ok_streak: u32,
    fail_streak: u32,
}

/// One simulated ELB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudLb {
    /// ELB name: `a` + 31 hex characters of the Service UID.
    pub name: String,
    /// DNS name published in `status.loadBalancer.ingress[0].hostname`.
    pub hostname: String,
    /// When the hostname appears and starts resolving.
    pub ready_at: Ms,
    /// Health-check target.
    pub health_check: HealthCheck,
    /// Registered instances, sorted by node name.
    pub instances: Vec<Instance>,
    /// The ELB's private address in the VPC: what nodes see as the source (a Classic ELB
    /// TCP listener proxies, so the client's address never reaches the node).
    pub private_ip: Ip,
    /// Next health-check round.
    pub next_check_at: Ms,
    in_service: Vec<usize>,
    rr: usize,
}

/// `cloudprovider.DefaultLoadBalancerName`: `"a" + uid without "-"`, cut to 32 characters.
pub fn lb_name(uid: &str) -> String {
    let mut s: String = std::iter::once('a')
        .chain(uid.chars().filter(|c| *c != '-'))
        .collect();
    s.truncate(32);
    s
}

impl CloudLb {
    /// Starts provisioning at `now`. `uid` should be the Service's UID; if it is too short to
    /// fill the name (hand-built views) the rest is drawn from `rng`.
    pub fn new(
        uid: &str,
        health_check: HealthCheck,
        now: Ms,
        cfg: &LbConfig,
        rng: &mut NetRng,
    ) -> Self {
        let mut name = lb_name(uid);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        while name.len() < 32 {
            name.push(HEX[rng.below(16) as usize] as char);
        }
        let number = 1_000_000_000 + rng.below(9_000_000_000);
        let hostname = format!("{name}-{number}.{}.elb.amazonaws.com", cfg.region);
        let private_ip = ipv4(172, 20, 200 + rng.below(50) as u8, 1 + rng.below(250) as u8);
        CloudLb {
            name,
            hostname,
            ready_at: now + cfg.provision_ms,
            health_check,
            instances: Vec::new(),
            private_ip,
            next_check_at: now + cfg.provision_ms,
            in_service: Vec::new(),
            rr: 0,
        }
    }

    /// The ingress hostname at `now`, `None` while provisioning (`<pending>`).
    pub fn ingress(&self, now: Ms) -> Option<&str> {
        (now >= self.ready_at).then_some(self.hostname.as_str())
    }

    /// Reconciles the registered instances with the eligible nodes (`(name, view index)`,
    /// sorted by name); existing instances keep their health state, new ones start
    /// OutOfService.
    pub fn set_instances(&mut self, nodes: &[(&str, usize)]) {
        // Usually the same nodes as last time (every reconcile of the Service lands here):
        // then nothing moves, and the per-node search below, quadratic in nodes, is skipped.
        if self.instances.len() == nodes.len()
            && self
                .instances
                .iter()
                .zip(nodes)
                .all(|(i, (n, idx))| i.node == *n && i.node_idx == *idx)
        {
            return;
        }
        let mut next: Vec<Instance> = Vec::with_capacity(nodes.len());
        for (n, idx) in nodes {
            match self.instances.iter().find(|i| i.node == *n) {
                Some(i) => next.push(Instance {
                    node_idx: *idx,
                    ..i.clone()
                }),
                None => next.push(Instance {
                    node: (*n).to_string(),
                    node_idx: *idx,
                    in_service: false,
                    ok_streak: 0,
                    fail_streak: 0,
                }),
            }
        }
        self.instances = next;
        self.refresh_in_service();
    }

    fn refresh_in_service(&mut self) {
        self.in_service = (0..self.instances.len())
            .filter(|i| self.instances[*i].in_service)
            .collect();
    }

    /// Runs the health-check round due at `next_check_at`; `passes(node)` says whether the
    /// node answers the check. Returns the instances whose state flipped, as
    /// `(node, now_in_service)`.
    pub fn run_checks(
        &mut self,
        cfg: &LbConfig,
        mut passes: impl FnMut(&str) -> bool,
    ) -> Vec<(String, bool)> {
        let mut flips = Vec::new();
        for inst in &mut self.instances {
            if passes(&inst.node) {
                inst.ok_streak += 1;
                inst.fail_streak = 0;
                if !inst.in_service && inst.ok_streak >= cfg.healthy_threshold {
                    inst.in_service = true;
                    flips.push((inst.node.clone(), true));
                }
            } else {
                inst.fail_streak += 1;
                inst.ok_streak = 0;
                if inst.in_service && inst.fail_streak >= cfg.unhealthy_threshold {
                    inst.in_service = false;
                    flips.push((inst.node.clone(), false));
                }
            }
        }
        self.next_check_at += cfg.hc_interval_ms;
        if !flips.is_empty() {
            self.refresh_in_service();
        }
        flips
    }

    /// Round-robin over InService instances; `None` when there are none.
    #[inline]
    pub fn pick(&mut self) -> Option<&Instance> {
        if self.in_service.is_empty() {
            return None;
        }
        if self.rr >= self.in_service.len() {
            self.rr = 0;
        }
        let i = self.in_service[self.rr];
        self.rr += 1;
        Some(&self.instances[i])
    }

    /// Names of InService instances.
    pub fn healthy_nodes(&self) -> Vec<&str> {
        self.in_service
            .iter()
            .map(|i| self.instances[*i].node.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_hostname_follow_the_aws_provider() {
        let uid = "6ba268a2-c775-605d-9f1e-0123456789ab";
        assert_eq!(lb_name(uid), "a6ba268a2c775605d9f1e0123456789a");
        let mut rng = NetRng::new(1, 2);
        let lb = CloudLb::new(
            uid,
            HealthCheck::Tcp(31000),
            5_000,
            &LbConfig::default(),
            &mut rng,
        );
        assert!(lb.hostname.starts_with("a6ba268a2c775605d9f1e0123456789a-"));
        assert!(lb.hostname.ends_with(".us-east-1.elb.amazonaws.com"));
        assert_eq!(lb.ingress(34_999), None);
        assert!(lb.ingress(35_000).is_some());
    }

    #[test]
    fn thresholds_gate_in_and_out_of_service() {
        let cfg = LbConfig::default();
        let mut rng = NetRng::new(1, 2);
        let mut lb = CloudLb::new("x", HealthCheck::Tcp(31000), 0, &cfg, &mut rng);
        lb.set_instances(&[("n1", 0), ("n2", 1)]);
        assert!(lb.pick().is_none());
        assert!(lb.run_checks(&cfg, |_| true).is_empty());
        assert_eq!(lb.run_checks(&cfg, |_| true).len(), 2);
        assert_eq!(lb.healthy_nodes(), vec!["n1", "n2"]);
        for round in 1..=6 {
            let flips = lb.run_checks(&cfg, |n| n == "n1");
            assert_eq!(flips.is_empty(), round < 6, "round {round}");
        }
        assert_eq!(lb.healthy_nodes(), vec!["n1"]);
        assert_eq!(lb.next_check_at, 30_000 + 8 * 10_000);
    }
}
