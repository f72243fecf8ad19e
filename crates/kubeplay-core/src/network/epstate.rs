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
//! directly ([`super::proxy::port_rules_from`]). The reconcile in full-resync mode still
//! uses the definitions, and the test `incremental_view_matches_full_rebuild` holds the two
//! to the same answers.

use super::endpoints::{
    ip_text_key, resolved_ports, should_pod_be_in_endpoints, truncated_lens, EndpointAddress,
    EndpointPort, EndpointSlice, EndpointSubset, Endpoints, SliceEndpoint, MAX_ENDPOINTS_PER_SLICE,
    MAX_ENDPOINT_ADDRESSES,
};
use super::ip::Ip;
use super::model::{PodView, ServiceSpec, ServiceView};
use std::collections::BTreeMap;

type Ports = Vec<EndpointPort>;

/// One address list of a subset, sorted by (IP text, pod), duplicates of an IP kept (the
/// first one is the one shown), with the number of distinct IPs at hand for truncation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct AddrList {
    entries: Vec<EndpointAddress>,
    ips: BTreeMap<Ip, u32>,
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
    }

    fn remove(&mut self, a: &EndpointAddress) {
        if let Ok(at) = self.entries.binary_search_by(|x| addr_order(x, a)) {
            self.entries.remove(at);
            if let Some(n) = self.ips.get_mut(&a.ip) {
                *n -= 1;
                if *n == 0 {
                    self.ips.remove(&a.ip);
                }
            }
        }
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

    /// The v1 Endpoints (what `compute_endpoints` gives over the members).
    pub fn endpoints(&self) -> Endpoints {
        let lens: Vec<(usize, usize)> = self
            .subsets
            .values()
            .map(|[r, nr]| (r.ips.len(), nr.ips.len()))
            .collect();
        let keep = truncated_lens(&lens, MAX_ENDPOINT_ADDRESSES);
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

    /// `(ports, chunk index)` of every slice, in order: the keys slice names are kept under.
    pub fn slice_keys(&self) -> impl Iterator<Item = (&Ports, usize)> + '_ {
        self.groups
            .iter()
            .flat_map(|(p, e)| (0..e.len().div_ceil(MAX_ENDPOINTS_PER_SLICE)).map(move |n| (p, n)))
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
