//! A Service's endpoints and slices kept sorted as its pods change, instead of recomputed
//! from every member on every change.
//!
//! [`super::endpoints::compute_endpoints`] and [`super::endpoints::compute_slices`] are
//! the definitions; this is the same result maintained by insertion and removal: per port
//! set, the v1 addresses (ready and not ready) sorted as `RepackSubsets` sorts them and the
//! slice endpoints sorted as the slice controller sorts them, each pod's entry found by
//! binary search. A change costs a search and a shift, not a pass with a string copy per
//! pod, which is what made a 5,000-pod Service's scale-up quadratic in practice.
//!
//! Reading back: [`EpState::endpoints`] cuts the (at most 1,000) addresses the Endpoints
//! object keeps, deduplicating and truncating as the controller does; [`EpState::slices`]
//! cuts the groups into slices of 100; kube-proxy's rules are built from the groups
//! directly ([`super::proxy::port_rules_from`]), and only when read: a change notes, per
//! backend it touches, kube-proxy's entry before it, which answers "did the rules move?"
//! with one lookup per touched backend and gives the rules back as of the last reconcile
//! ([`EpState::rules`]) without a copy per change. The reconcile in full-resync mode still
//! uses the definitions, and the test `incremental_view_matches_full_rebuild` holds the two
//! to the same answers (`lazy_rules_match_rebuilt_ones` below does for the rules alone).

use super::endpoints::{
    ip_text_key, resolved_ports, should_pod_be_in_endpoints, truncated_lens, EndpointAddress,
    EndpointPort, EndpointSlice, EndpointSubset, Endpoints, SliceEndpoint, MAX_ENDPOINTS_PER_SLICE,
    MAX_ENDPOINT_ADDRESSES,
};
use super::ip::Ip;
use super::model::{PodView, ServicePortSpec, ServiceSpec, ServiceView};
use super::proxy::{self, Backend, ProxyEndpoint, ServiceRules};
use std::collections::BTreeMap;

type Ports = Vec<EndpointPort>;

/// One address list of a subset, sorted by (IP text, pod), duplicates of an IP kept (the
/// first one is the one shown), with the number of distinct IPs at hand for truncation.
#[derive(Debug, Clone, Default)]
struct AddrList {
    entries: Vec<EndpointAddress>,
    ips: BTreeMap<Ip, u32>,
    /// `entries[..low]` are as they were at the last [`EpState::update_endpoints`] (a new
    /// list: none are): the Endpoints' addresses cut from them need no second look.
    low: usize,
}

fn addr_order(a: &EndpointAddress, b: &EndpointAddress) -> std::cmp::Ordering {
    ip_text_key(a.ip, None)
        .cmp(&ip_text_key(b.ip, None))
        .then_with(|| a.pod.cmp(&b.pod))
}

impl AddrList {
    fn add(&mut self, a: EndpointAddress) {
        *self.ips.entry(a.ip).or_insert(0) += 1;
        let at = self
            .entries
            .binary_search_by(|x| addr_order(x, &a))
            .unwrap_or_else(|i| i);
        self.entries.insert(at, a);
        self.low = self.low.min(at);
    }

    fn remove(&mut self, a: &EndpointAddress) {
        if let Ok(at) = self.entries.binary_search_by(|x| addr_order(x, a)) {
            self.entries.remove(at);
            self.low = self.low.min(at);
            if let Some(n) = self.ips.get_mut(&a.ip) {
                *n -= 1;
                if *n == 0 {
                    self.ips.remove(&a.ip);
                }
            }
        }
    }

    /// What [`AddrList::distinct`] gives, without the copy.
    fn distinct_iter(&self, n: usize) -> impl Iterator<Item = &EndpointAddress> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|&(j, a)| j == 0 || self.entries[j - 1].ip != a.ip)
            .map(|(_, a)| a)
            .take(n)
    }

    /// Turns `out` (what this gave at the last [`EpState::update_endpoints`], or empty)
    /// into what [`AddrList::distinct`]`(n)` gives now; whether it changed. The addresses
    /// cut from `entries[..low]` are the same as then and are left alone; past them, an
    /// old address equal to the next new one is moved across rather than copied (a copy
    /// is two strings), so a change costs a walk from where it landed, not a re-cut.
    fn update_distinct(&self, n: usize, out: &mut Vec<EndpointAddress>) -> bool {
        let e = &self.entries;
        let first = |j: usize| j == 0 || e[j - 1].ip != e[j].ip;
        let (unchanged, cap) = (self.low.min(e.len()), n.min(out.len()));
        let (mut kept, mut j) = (0, 0);
        while j < unchanged && kept < cap {
            kept += usize::from(first(j));
            j += 1;
        }
        let mut old = out.split_off(kept).into_iter().peekable();
        let mut changed = false;
        for a in (j..e.len()).filter(|&k| first(k)).map(|k| &e[k]) {
            if out.len() >= n {
                break;
            }
            loop {
                match old.peek() {
                    Some(o) if o == a => {
                        out.extend(old.next());
                        break;
                    }
                    // Gone since: dropped.
                    Some(o) if addr_order(o, a).is_lt() => {
                        old.next();
                        changed = true;
                    }
                    _ => {
                        out.push(a.clone());
                        changed = true;
                        break;
                    }
                }
            }
        }
        changed || old.next().is_some()
    }

    /// The first `n` addresses with distinct IPs (the repack keeps one per IP: the first
    /// pod in key order, which within a namespace is the first by name).
    fn distinct(&self, n: usize) -> Vec<EndpointAddress> {
        let mut out: Vec<EndpointAddress> = Vec::with_capacity(n.min(self.entries.len()));
        for a in &self.entries {
            if out.len() >= n {
                break;
            }
            if out.last().is_some_and(|l| l.ip == a.ip) {
                continue;
            }
            out.push(a.clone());
        }
        out
    }
}

/// The endpoint side of one Service; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct EpState {
    /// The Service (namespace and spec) the entries were computed for.
    built_for: Option<(String, ServiceSpec)>,
    /// v1 Endpoints: per port set, [ready, not ready].
    subsets: BTreeMap<Ports, [AddrList; 2]>,
    /// Slice endpoints per port set, sorted by (IP, pod).
    groups: BTreeMap<Ports, Vec<SliceEndpoint>>,
    /// A slice entry was added or removed since [`EpState::take_slices_changed`].
    slices_changed: bool,
    /// kube-proxy's entry for each backend a change touched since
    /// [`EpState::settle_rules`], as it was before the first such change: keyed by
    /// (Service port index, IP, port). What tells, without rebuilding them, whether the
    /// rules moved, and what gives back the rules as they were.
    touched: BTreeMap<(usize, Ip, u16), Option<ProxyEndpoint>>,
}

/// A pod's v1 address: (ports, ready, address), or `None` when the Endpoints leave it out.
fn address_of(svc: &ServiceView, pod: &PodView) -> Option<(Ports, bool, EndpointAddress)> {
    let tolerate = svc.spec.publish_not_ready_addresses;
    if !should_pod_be_in_endpoints(pod, tolerate) {
        return None;
    }
    let ports = if svc.spec.ports.is_empty() {
        Vec::new()
    } else {
        let p = resolved_ports(svc, pod);
        if p.is_empty() {
            return None;
        }
        p
    };
    let addr = EndpointAddress {
        ip: pod.ip?,
        node: pod.node.clone(),
        pod: pod.name.clone(),
    };
    Some((ports, tolerate || pod.ready, addr))
}

/// A pod's slice endpoint: (ports, endpoint), or `None` when no slice lists it.
fn slice_entry_of(svc: &ServiceView, pod: &PodView) -> Option<(Ports, SliceEndpoint)> {
    if !should_pod_be_in_endpoints(pod, true) {
        return None;
    }
    let publish = svc.spec.publish_not_ready_addresses;
    let ep = SliceEndpoint {
        ip: pod.ip?,
        ready: publish || (pod.ready && !pod.terminating),
        serving: publish || pod.ready,
        terminating: pod.terminating,
        node: pod.node.clone(),
        pod: pod.name.clone(),
    };
    Some((resolved_ports(svc, pod), ep))
}

fn slice_order(a: &SliceEndpoint, b: &SliceEndpoint) -> std::cmp::Ordering {
    a.ip.cmp(&b.ip).then_with(|| a.pod.cmp(&b.pod))
}

impl EpState {
    /// Whether the entries were computed for this Service as it is now.
    pub fn valid_for(&self, svc: &ServiceView) -> bool {
        self.built_for
            .as_ref()
            .is_some_and(|(ns, spec)| *ns == svc.namespace && *spec == svc.spec)
    }

    /// Marks the entries as no longer following the members (the next reconcile rebuilds).
    /// Changes noted so far are kept: they still count as slice changes.
    pub fn invalidate(&mut self) {
        self.built_for = None;
    }

    /// The state for `svc` over its member pods.
    pub fn build<'a>(svc: &ServiceView, pods: impl IntoIterator<Item = &'a PodView>) -> EpState {
        let mut st = EpState {
            built_for: Some((svc.namespace.clone(), svc.spec.clone())),
            ..EpState::default()
        };
        for p in pods {
            st.change(svc, None, Some(p));
        }
        st.slices_changed = false;
        st.touched.clear();
        st
    }

    /// Whether the slice groups equal another state's (the slices then do too: names are
    /// per group and index).
    pub fn same_slices(&self, other: &EpState) -> bool {
        self.groups == other.groups
    }

    /// One member pod changed from `old` to `new` (`None`: not a member).
    pub fn change(&mut self, svc: &ServiceView, old: Option<&PodView>, new: Option<&PodView>) {
        let (a_old, a_new) = (
            old.and_then(|p| address_of(svc, p)),
            new.and_then(|p| address_of(svc, p)),
        );
        if a_old != a_new {
            if let Some((ports, ready, a)) = a_old {
                if let Some(lists) = self.subsets.get_mut(&ports) {
                    lists[usize::from(!ready)].remove(&a);
                    if lists.iter().all(|l| l.entries.is_empty()) {
                        self.subsets.remove(&ports);
                    }
                }
            }
            if let Some((ports, ready, a)) = a_new {
                self.subsets.entry(ports).or_default()[usize::from(!ready)].add(a);
            }
        }
        let (s_old, s_new) = (
            old.and_then(|p| slice_entry_of(svc, p)),
            new.and_then(|p| slice_entry_of(svc, p)),
        );
        if s_old != s_new {
            self.slices_changed = true;
            for (ports, e) in s_old.iter().chain(&s_new) {
                for (i, b) in proxy::backends_of(&svc.spec.ports, ports, e.ip) {
                    if !self.touched.contains_key(&(i, b.ip, b.port)) {
                        let before = self.proxy_endpoint(&svc.spec.ports[i], b);
                        self.touched.insert((i, b.ip, b.port), before);
                    }
                }
            }
            if let Some((ports, e)) = s_old {
                if let Some(eps) = self.groups.get_mut(&ports) {
                    if let Ok(at) = eps.binary_search_by(|x| slice_order(x, &e)) {
                        eps.remove(at);
                    }
                    if eps.is_empty() {
                        self.groups.remove(&ports);
                    }
                }
            }
            if let Some((ports, e)) = s_new {
                let eps = self.groups.entry(ports).or_default();
                let at = eps
                    .binary_search_by(|x| slice_order(x, &e))
                    .unwrap_or_else(|i| i);
                eps.insert(at, e);
            }
        }
    }

    /// Whether a slice entry changed since the last call.
    pub fn take_slices_changed(&mut self) -> bool {
        std::mem::take(&mut self.slices_changed)
    }

    /// kube-proxy's entry for one backend of a Service port as the groups are now.
    fn proxy_endpoint(&self, sp: &ServicePortSpec, b: Backend) -> Option<ProxyEndpoint> {
        proxy::proxy_endpoint_for(sp, b, self.groups())
    }

    /// Whether kube-proxy's rules for `ports` (the Service's ports, as when the changes
    /// since the last [`EpState::settle_rules`] were noted) differ from what they were then.
    /// Exact: the rules are a function of the per-backend entries, and every entry that can
    /// have moved is compared with what it was.
    pub fn rules_changed(&self, ports: &[ServicePortSpec]) -> bool {
        self.touched.iter().any(|(&(i, ip, port), before)| {
            self.proxy_endpoint(&ports[i], Backend { ip, port }) != *before
        })
    }

    /// Starts the next interval: [`EpState::rules`] gives the rules as the groups are now.
    pub fn settle_rules(&mut self) {
        self.touched.clear();
    }

    /// kube-proxy's rules over the groups as they were at the last
    /// [`EpState::settle_rules`] (the changes since undone backend by backend): what
    /// the newest programmed rules are, cut only when something reads them.
    pub fn rules(&self, ports: &[ServicePortSpec], node_ports: &[Option<u16>]) -> ServiceRules {
        ServiceRules {
            ports: ports
                .iter()
                .enumerate()
                .map(|(i, sp)| {
                    let mut eps = proxy::proxy_endpoints(sp, self.groups());
                    let key = |b: &Backend| ip_text_key(b.ip, Some(b.port));
                    for ((_, ip, port), before) in
                        self.touched.range((i, 0, 0)..=(i, Ip::MAX, u16::MAX))
                    {
                        let b = Backend {
                            ip: *ip,
                            port: *port,
                        };
                        let at = eps.binary_search_by(|e| key(&e.backend).cmp(&key(&b)));
                        match (at, before) {
                            (Ok(k), Some(e)) => eps[k] = e.clone(),
                            (Ok(k), None) => {
                                eps.remove(k);
                            }
                            (Err(k), Some(e)) => eps.insert(k, e.clone()),
                            (Err(_), None) => {}
                        }
                    }
                    proxy::rules_over(sp, node_ports.get(i).copied().flatten(), eps)
                })
                .collect(),
        }
    }

    /// Whether `e` is what [`EpState::endpoints`] gives now, compared in place: most changes
    /// of a big Service leave its (at most 1,000) addresses as they were, and cutting them
    /// afresh per change to find that out was most of what a change cost.
    pub fn endpoints_are(&self, e: &Endpoints) -> bool {
        let (lens, keep) = self.kept_lens();
        e.truncated == keep.is_some()
            && e.subsets.len() == self.subsets.len()
            && self
                .subsets
                .iter()
                .zip(&e.subsets)
                .enumerate()
                .all(|(i, ((ports, [r, nr]), ss))| {
                    let (kr, knr) = keep.as_ref().map_or(lens[i], |k| k[i]);
                    ss.ports == *ports
                        && r.distinct_iter(kr).eq(&ss.addresses)
                        && nr.distinct_iter(knr).eq(&ss.not_ready_addresses)
                })
    }

    /// Brings `e` to what [`EpState::endpoints`] gives, editing it in place; whether it
    /// changed. `e` must be what this state's last call left (or what any other state
    /// left, if this one is newly built: then nothing of it is trusted). A scale-up moves a
    /// big Service's kept addresses on most changes, and cutting them afresh each time,
    /// then comparing, copied and compared every name.
    pub fn update_endpoints(&mut self, e: &mut Endpoints) -> bool {
        let (lens, keep) = self.kept_lens();
        let mut old = std::mem::take(&mut e.subsets);
        let mut changed = e.truncated != keep.is_some() || old.len() != self.subsets.len();
        e.subsets = self
            .subsets
            .iter()
            .enumerate()
            .map(|(i, (ports, [r, nr]))| {
                let (kr, knr) = keep.as_ref().map_or(lens[i], |k| k[i]);
                let (mut a, mut na) = match old.iter_mut().position(|s| s.ports == *ports) {
                    Some(at) => {
                        changed |= at != i;
                        (
                            std::mem::take(&mut old[at].addresses),
                            std::mem::take(&mut old[at].not_ready_addresses),
                        )
                    }
                    None => {
                        changed = true;
                        Default::default()
                    }
                };
                changed |= r.update_distinct(kr, &mut a);
                changed |= nr.update_distinct(knr, &mut na);
                EndpointSubset {
                    addresses: a,
                    not_ready_addresses: na,
                    ports: ports.clone(),
                }
            })
            .collect();
        e.truncated = keep.is_some();
        for l in self.subsets.values_mut().flatten() {
            l.low = l.entries.len();
        }
        changed
    }

    /// Per subset, the distinct (ready, not ready) addresses, and what truncation keeps.
    #[allow(clippy::type_complexity)]
    fn kept_lens(&self) -> (Vec<(usize, usize)>, Option<Vec<(usize, usize)>>) {
        let lens: Vec<(usize, usize)> = self
            .subsets
            .values()
            .map(|[r, nr]| (r.ips.len(), nr.ips.len()))
            .collect();
        let keep = truncated_lens(&lens, MAX_ENDPOINT_ADDRESSES);
        (lens, keep)
    }

    /// The v1 Endpoints (what `compute_endpoints` gives over the members).
    pub fn endpoints(&self) -> Endpoints {
        let (lens, keep) = self.kept_lens();
        let subsets = self
            .subsets
            .iter()
            .enumerate()
            .map(|(i, (ports, [r, nr]))| {
                let (kr, knr) = keep.as_ref().map_or(lens[i], |k| k[i]);
                EndpointSubset {
                    addresses: r.distinct(kr),
                    not_ready_addresses: nr.distinct(knr),
                    ports: ports.clone(),
                }
            })
            .collect();
        Endpoints {
            subsets,
            truncated: keep.is_some(),
        }
    }

    /// Slice groups in slice order: `(ports, endpoints)`.
    pub fn groups(&self) -> impl Iterator<Item = (&[EndpointPort], &[SliceEndpoint])> + '_ {
        self.groups
            .iter()
            .map(|(p, e)| (p.as_slice(), e.as_slice()))
    }

    /// Per port set, in order, how many slices it is cut into (slice names are kept per
    /// port set and chunk index).
    pub fn slice_counts(&self) -> impl Iterator<Item = (&[EndpointPort], usize)> + '_ {
        self.groups
            .iter()
            .map(|(p, e)| (p.as_slice(), e.len().div_ceil(MAX_ENDPOINTS_PER_SLICE)))
    }

    /// The EndpointSlices, named by `name(ports, chunk index)`.
    pub fn slices(&self, name: impl Fn(&Ports, usize) -> String) -> Vec<EndpointSlice> {
        let mut out = Vec::new();
        for (ports, eps) in &self.groups {
            for (n, chunk) in eps.chunks(MAX_ENDPOINTS_PER_SLICE).enumerate() {
                out.push(EndpointSlice {
                    name: name(ports, n),
                    ports: ports.clone(),
                    endpoints: chunk.to_vec(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::endpoints::compute_slices;
    use crate::network::ip::ipv4;
    use crate::network::model::{
        ContainerPortView, Labels, PodPhase, Protocol, ServiceSpec, TargetPort,
    };
    use crate::network::rng::NetRng;

    fn svc() -> ServiceView {
        let port = |name: &str, port: u16, target: TargetPort| ServicePortSpec {
            name: name.into(),
            protocol: Protocol::Tcp,
            port,
            target_port: target,
            node_port: None,
        };
        ServiceView {
            namespace: "default".into(),
            name: "web".into(),
            uid: "u".into(),
            spec: ServiceSpec {
                selector: Some(Labels::from([("app".into(), "web".into())])),
                ports: vec![
                    port("a", 80, TargetPort::Number(8080)),
                    port("b", 81, TargetPort::Name("http".into())),
                ],
                ..ServiceSpec::default()
            },
        }
    }

    /// A pod in a random state: few addresses (shared ones, `10.0.0.10` before `10.0.0.9`
    /// as text), nodes, readiness, and a named port only some have (two slice groups).
    fn pod(rng: &mut NetRng, i: u64) -> Option<PodView> {
        if rng.below(8) == 0 {
            return None;
        }
        let ports = if rng.below(3) == 0 {
            vec![]
        } else {
            vec![ContainerPortView {
                name: Some("http".into()),
                port: 9000 + rng.below(2) as u16,
                protocol: Protocol::Tcp,
            }]
        };
        Some(PodView {
            namespace: "default".into(),
            name: format!("p{i:02}"),
            labels: Labels::from([("app".into(), "web".into())]),
            ip: (rng.below(6) != 0)
                .then(|| ipv4(10, 0, 0, [1, 2, 9, 10, 11, 100][rng.below(6) as usize])),
            node: Some(format!("n{}", rng.below(3))),
            phase: PodPhase::Running,
            ready: rng.below(3) != 0,
            terminating: rng.below(4) == 0,
            listeners: vec![],
            body: None,
            ports,
            image: "nginx".into(),
            env: vec![],
        })
    }

    fn full_rules(svc: &ServiceView, pods: &[Option<PodView>]) -> ServiceRules {
        let groups = compute_slices(svc, pods.iter().flatten());
        ServiceRules {
            ports: svc
                .spec
                .ports
                .iter()
                .map(|sp| {
                    proxy::port_rules_from(
                        sp,
                        None,
                        groups.iter().map(|(p, e)| (p.as_slice(), e.as_slice())),
                    )
                })
                .collect(),
        }
    }

    /// Endpoints edited in place are the ones cut afresh, and the change answer is exact,
    /// whatever the changes (addresses shared, pods moving between lists and subsets).
    #[test]
    fn endpoints_edited_in_place_match_cut_ones() {
        let mut svc = svc();
        for seed in 1..=6 {
            // Publishing not-ready addresses moves every pod between lists at once.
            svc.spec.publish_not_ready_addresses = seed % 2 == 0;
            let mut rng = NetRng::new(seed, 9);
            let mut pods: Vec<Option<PodView>> = (0..24).map(|i| pod(&mut rng, i)).collect();
            let mut st = EpState::build(&svc, pods.iter().flatten());
            let mut e = Endpoints::default();
            assert_eq!(
                st.update_endpoints(&mut e),
                st.endpoints() != Endpoints::default()
            );
            assert_eq!(e, st.endpoints());
            for _ in 0..400 {
                for _ in 0..=rng.below(3) {
                    let i = rng.below(24);
                    let new = pod(&mut rng, i);
                    st.change(&svc, pods[i as usize].as_ref(), new.as_ref());
                    pods[i as usize] = new;
                }
                let want = st.endpoints();
                let moved = want != e;
                assert_eq!(st.endpoints_are(&e), !moved, "seed {seed}");
                assert_eq!(st.update_endpoints(&mut e), moved, "seed {seed}");
                assert_eq!(e, want, "seed {seed}");
            }
        }
    }

    /// The same past the 1,000-address cap: the kept addresses shift as pods come and go
    /// ahead of the cut, and the cut itself moves between the two lists.
    #[test]
    fn endpoints_edited_in_place_match_cut_ones_when_truncated() {
        let svc = svc();
        let mut rng = NetRng::new(3, 11);
        let spread = |rng: &mut NetRng, i: u64| {
            pod(rng, i).map(|mut p| {
                p.ip = p.ip.map(|_| ipv4(10, 1, (i / 200) as u8, (i % 200) as u8));
                p
            })
        };
        let n = 2_000;
        let mut pods: Vec<Option<PodView>> = (0..n).map(|i| spread(&mut rng, i)).collect();
        let mut st = EpState::build(&svc, pods.iter().flatten());
        let mut e = Endpoints::default();
        st.update_endpoints(&mut e);
        assert!(e.truncated);
        for _ in 0..150 {
            for _ in 0..=rng.below(4) {
                let i = rng.below(n);
                let new = spread(&mut rng, i);
                st.change(&svc, pods[i as usize].as_ref(), new.as_ref());
                pods[i as usize] = new;
            }
            let want = st.endpoints();
            let moved = want != e;
            assert_eq!(st.update_endpoints(&mut e), moved);
            assert_eq!(e, want);
        }
    }

    /// The rules-moved answer and the rules given back as of the last settle are what a
    /// rebuild from every pod gives, whatever the changes between (contested addresses,
    /// changes that cancel out, endpoints moving between groups).
    #[test]
    fn lazy_rules_match_rebuilt_ones() {
        let svc = svc();
        let nps = [None, None];
        for seed in 1..=6 {
            let mut rng = NetRng::new(seed, 7);
            let mut pods: Vec<Option<PodView>> = (0..24).map(|i| pod(&mut rng, i)).collect();
            let mut st = EpState::build(&svc, pods.iter().flatten());
            let mut before = full_rules(&svc, &pods);
            assert_eq!(st.rules(&svc.spec.ports, &nps), before);
            for _ in 0..400 {
                for _ in 0..=rng.below(3) {
                    let i = rng.below(24);
                    let new = pod(&mut rng, i);
                    st.change(&svc, pods[i as usize].as_ref(), new.as_ref());
                    pods[i as usize] = new;
                }
                assert_eq!(st.rules(&svc.spec.ports, &nps), before, "seed {seed}");
                let now = full_rules(&svc, &pods);
                assert_eq!(
                    st.rules_changed(&svc.spec.ports),
                    now != before,
                    "seed {seed}"
                );
                st.settle_rules();
                assert_eq!(st.rules(&svc.spec.ports, &nps), now, "seed {seed}");
                before = now;
            }
        }
    }
}
