//! The network's copy of the cluster, kept up to date by changes rather than rebuilt.
//!
//! A Sim step changes a pod or two; the model used to be handed a fresh [`ClusterView`] of
//! every pod after each one and to recompute every Service's endpoints from all pods, which
//! made a 5,000-pod scale-up quadratic. Here the model is handed an [`Update`]: the pods that
//! changed (the store's journal says which), and the nodes and Services only when they
//! differ. Each changed pod is compared with its previous view; only a change that can move
//! a Service's endpoints marks that Service for reconciling, and a Service reconciles over
//! its own member pods, kept as they change, not over the cluster.
//!
//! Same answers as a rebuild, by construction: a reconcile is a pure function of the
//! Service, its member pods and the nodes, so skipping one whose inputs did not change skips
//! nothing, and the reconciles that run still run in Service-key order, drawing from the
//! random streams in the order they always did. Pods live in stable slots (what the traffic
//! counters index) and are iterated in key order, the order the store's views had. The test
//! `incremental_view_matches_full_rebuild` (tests/network_sim.rs) holds the two paths to it.

use super::endpoints::{selects, should_pod_be_in_endpoints};
use super::ip::Ip;
use super::model::{ClusterView, Labels, Ms, NodeView, PodView, ServiceType, ServiceView};
use super::trace::NetEventKind;
use super::{invalid_message, Network};
use std::collections::{BTreeMap, BTreeSet};

/// `(namespace, name)` of a pod.
pub type PodKey = (String, String);

/// What changed since the previous sync.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Every node, when any differs from the previous sync (`None`: unchanged).
    pub nodes: Option<Vec<NodeView>>,
    /// Pods that may have changed: the new view, or `None` when the pod is gone. Keys not
    /// listed are unchanged.
    pub pods: Vec<(PodKey, Option<PodView>)>,
    /// Every live Service, when any differs (`None`: unchanged).
    pub services: Option<Vec<ServiceView>>,
}

impl Update {
    /// The update that turns whatever the network holds into `view` (every key is looked at).
    pub fn full(net: &Network, view: ClusterView) -> Update {
        let mut pods: BTreeMap<PodKey, Option<PodView>> = net
            .view
            .pods
            .by_key
            .keys()
            .map(|k| (k.clone(), None))
            .collect();
        for p in view.pods {
            pods.insert((p.namespace.clone(), p.name.clone()), Some(p));
        }
        Update {
            nodes: Some(view.nodes),
            pods: pods.into_iter().collect(),
            services: Some(view.services),
        }
    }
}

/// Pods in stable slots, indexable by slot like the old `Vec<PodView>`.
#[derive(Debug, Clone, Default)]
pub struct PodSlab {
    slots: Vec<Option<PodView>>,
    free: Vec<usize>,
    by_key: BTreeMap<PodKey, usize>,
}

impl std::ops::Index<usize> for PodSlab {
    type Output = PodView;
    #[inline]
    fn index(&self, i: usize) -> &PodView {
        self.slots[i].as_ref().expect("live pod slot")
    }
}

impl PodSlab {
    /// The pod in slot `i`, if live.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&PodView> {
        self.slots.get(i).and_then(Option::as_ref)
    }

    /// The slot of a pod.
    pub fn slot(&self, namespace: &str, name: &str) -> Option<usize> {
        self.by_key
            .get(&(namespace.to_string(), name.to_string()))
            .copied()
    }

    /// Live pods with their slots, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &PodView)> + '_ {
        self.by_key.values().map(|&i| (i, &self[i]))
    }

    /// Number of slots (live or free).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }
}

/// The cluster as the network last saw it.
#[derive(Debug, Clone, Default)]
pub struct LiveView {
    /// Nodes, in the order given (the Sim's: by name).
    pub nodes: Vec<NodeView>,
    /// Pods.
    pub pods: PodSlab,
    /// Live Services, sorted by key.
    pub services: Vec<ServiceView>,
    /// Per pod IP, every slot holding it, in pod-key order (two only when a stale pod kept
    /// an address that was handed out again).
    holders: BTreeMap<Ip, Vec<usize>>,
    /// IPs with several holders: which one answers depends on the time, decided each sync.
    contested: BTreeSet<Ip>,
}

/// Whether a pod belongs in a Service's endpoints or slices at all: selected, and with an
/// address, not finished (terminating ones stay: the slices keep them).
#[inline]
pub fn member(svc: &ServiceView, pod: &PodView) -> bool {
    selects(svc, pod) && should_pod_be_in_endpoints(pod, true)
}

/// Whether two views of one member pod give it the same endpoints and slice entries: the
/// fields `compute_endpoints`, `compute_slices` and kube-proxy read.
#[inline]
fn same_endpoint(a: &PodView, b: &PodView) -> bool {
    a.ip == b.ip
        && a.ready == b.ready
        && a.terminating == b.terminating
        && a.node == b.node
        && a.ports == b.ports
}

impl Network {
    /// Applies one sync's changes (see the module docs); `now` must not go back.
    pub(crate) fn apply_update(&mut self, now: Ms, up: Update) {
        self.advance(now);
        self.now = self.now.max(now);
        self.fold_stats();
        self.generation += 1;
        let nodes_changed = match up.nodes {
            Some(nodes) if nodes != self.view.nodes => {
                self.set_nodes(nodes);
                true
            }
            _ => false,
        };
        for (key, pod) in up.pods {
            self.set_pod(key, pod);
        }
        self.decide_contested(now);
        if self.full_resync {
            for st in self.slots.iter_mut().flatten() {
                st.dirty = true;
                st.members_for = None;
            }
        }
        if let Some(mut services) = up.services {
            services.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
            self.view.services = services;
        }
        self.sync_services(nodes_changed);
    }

    fn set_nodes(&mut self, nodes: Vec<NodeView>) {
        let same_names = nodes.len() == self.view.nodes.len()
            && nodes
                .iter()
                .zip(&self.view.nodes)
                .all(|(a, b)| a.name == b.name);
        self.view.nodes = nodes;
        self.node_by_ip = self
            .view
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.ip, i))
            .collect();
        if same_names {
            // Indexes by name and slot stay; only fields (alive, ready, …) moved.
            return;
        }
        self.node_by_name = self
            .view
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        for i in 0..self.view.pods.slots.len() {
            self.pod_node[i] = self.node_index(self.view.pods.get(i));
        }
    }

    fn node_index(&self, pod: Option<&PodView>) -> usize {
        pod.and_then(|p| p.node.as_ref())
            .and_then(|n| self.node_by_name.get(n))
            .copied()
            .unwrap_or(usize::MAX)
    }

    /// One pod's new view (`None`: gone): slot, IP and node indexes, Service membership.
    fn set_pod(&mut self, key: PodKey, new: Option<PodView>) {
        let slot = self.view.pods.by_key.get(&key).copied();
        if let (Some(s), Some(v)) = (slot, &new) {
            if self.view.pods.slots[s].as_ref() == Some(v) {
                return;
            }
        }
        let Some(slot) = slot.or_else(|| new.as_ref().map(|_| self.alloc_pod_slot(&key))) else {
            return;
        };
        let old = self.view.pods.slots[slot].take();
        for st in self.slots.iter_mut().flatten() {
            let was = old.as_ref().filter(|p| member(&st.view, p));
            let is = new.as_ref().filter(|p| member(&st.view, p));
            match (was, is) {
                (None, None) => continue,
                (Some(a), Some(b)) if same_endpoint(a, b) => continue,
                (_, Some(_)) => {
                    st.members.insert(key.clone(), slot);
                }
                (Some(_), None) => {
                    st.members.remove(&key);
                }
            }
            // Kept in step only while it describes this Service and these members; else
            // the reconcile rebuilds it.
            let members_current = st
                .members_for
                .as_ref()
                .is_some_and(|(ns, sel)| *ns == st.view.namespace && *sel == st.view.spec.selector);
            if members_current && st.ep.valid_for(&st.view) {
                st.ep.change(&st.view, was, is);
            } else {
                // A change it did not take: rebuild it, even if the Service (re-admitted by
                // `apply` before this sync) ends up as it was.
                st.ep.invalidate();
            }
            st.dirty = true;
        }
        let old_ip = old.as_ref().and_then(|p| p.ip);
        let new_ip = new.as_ref().and_then(|p| p.ip);
        if old_ip != new_ip {
            if let Some(ip) = old_ip {
                self.unhold(ip, slot);
            }
        }
        match new {
            Some(p) => {
                self.view.pods.slots[slot] = Some(p);
                self.pod_node[slot] = self.node_index(self.view.pods.get(slot));
                if old_ip != new_ip {
                    if let Some(ip) = new_ip {
                        self.hold(ip, slot);
                    }
                }
            }
            None => {
                self.view.pods.by_key.remove(&key);
                self.view.pods.free.push(slot);
                self.pod_node[slot] = usize::MAX;
                // The kubelet removes a deleted pod's container logs with it.
                self.access.forget(&key.0, &key.1);
            }
        }
    }

    fn alloc_pod_slot(&mut self, key: &PodKey) -> usize {
        let s = match self.view.pods.free.pop() {
            Some(s) => s,
            None => {
                self.view.pods.slots.push(None);
                self.pod_node.push(usize::MAX);
                self.view.pods.slots.len() - 1
            }
        };
        self.view.pods.by_key.insert(key.clone(), s);
        s
    }

    fn hold(&mut self, ip: Ip, slot: usize) {
        let pods = &self.view.pods;
        let h = self.view.holders.entry(ip).or_default();
        let key = |i: usize| (&pods[i].namespace, &pods[i].name);
        let at = h.partition_point(|&j| key(j) < key(slot));
        h.insert(at, slot);
        self.after_holders_change(ip);
    }

    fn unhold(&mut self, ip: Ip, slot: usize) {
        if let Some(h) = self.view.holders.get_mut(&ip) {
            h.retain(|&j| j != slot);
        }
        self.after_holders_change(ip);
    }

    fn after_holders_change(&mut self, ip: Ip) {
        match self.view.holders.get(&ip).map(Vec::as_slice) {
            None | Some([]) => {
                self.view.holders.remove(&ip);
                self.view.contested.remove(&ip);
                self.pod_by_ip.remove(&ip);
            }
            Some([only]) => {
                self.view.contested.remove(&ip);
                self.pod_by_ip.insert(ip, *only);
            }
            Some(_) => {
                self.view.contested.insert(ip);
            }
        }
    }

    /// Two pods cannot hold one IP; if the store ever has that, the last one (key order)
    /// that accepts connections at `now` answers, else the last one: what a rebuild in key
    /// order, letting a live pod win, gave.
    fn decide_contested(&mut self, now: Ms) {
        for ip in &self.view.contested {
            let h = &self.view.holders[ip];
            let pods = &self.view.pods;
            let winner = h
                .iter()
                .rev()
                .find(|&&i| pods[i].accepting_at(now))
                .or(h.last())
                .copied()
                .expect("contested IPs have holders");
            self.pod_by_ip.insert(*ip, winner);
        }
    }

    /// Admission, removal and reconciling of Services, in key order as a rebuild did it;
    /// only Services whose inputs changed are reconciled.
    fn sync_services(&mut self, nodes_changed: bool) {
        let services = std::mem::take(&mut self.view.services);
        let live = |k: &super::SvcKey| {
            services
                .binary_search_by(|s| (s.namespace.as_str(), s.name.as_str()).cmp(&(&k.0, &k.1)))
                .is_ok()
        };
        let gone: Vec<super::SvcKey> = self.by_key.keys().filter(|k| !live(k)).cloned().collect();
        for (ns, name) in gone {
            self.remove_service(&ns, &name);
        }
        for svc in &services {
            let key = (svc.namespace.clone(), svc.name.clone());
            let needs_admit = match self.by_key.get(&key) {
                None => true,
                Some(s) => self.slots[*s].as_ref().expect("live").view.spec != svc.spec,
            };
            if needs_admit {
                if let Err(errs) = self.admit_service(svc) {
                    let message = invalid_message(&svc.name, &errs);
                    self.push(NetEventKind::Rejected { svc: key, message });
                    continue;
                }
            }
            let s = self.by_key[&key];
            let st = self.slots[s].as_mut().expect("live");
            // The uid is stamped after admission (`apply` admits before the store creates).
            if st.view.uid != svc.uid {
                st.view.uid.clone_from(&svc.uid);
                st.dirty = true;
            }
            if st.dirty {
                self.reconcile(s);
            } else if nodes_changed && st.view.spec.type_ == ServiceType::LoadBalancer {
                let mut st = self.slots[s].take().expect("live");
                self.reconcile_lb(s, &mut st);
                self.slots[s] = Some(st);
            }
        }
        self.view.services = services;
    }

    /// Brings a Service's member set in line with its selector, if that changed since the
    /// set was built (a new Service, or an edited selector): one pass over the pods.
    pub(super) fn refresh_members(&mut self, s: usize) -> bool {
        let st = self.slots[s].as_mut().expect("live slot");
        let want = (&st.view.namespace, &st.view.spec.selector);
        if st
            .members_for
            .as_ref()
            .is_some_and(|(ns, sel)| (ns, sel) == want)
        {
            return false;
        }
        let members: BTreeMap<PodKey, usize> = self
            .view
            .pods
            .by_key
            .iter()
            .filter(|(_, &i)| member(&st.view, &self.view.pods[i]))
            .map(|(k, &i)| (k.clone(), i))
            .collect();
        st.members = members;
        st.members_for = Some((st.view.namespace.clone(), st.view.spec.selector.clone()));
        true
    }
}

/// `(namespace, selector)` a member set was built for.
pub type MembersFor = (String, Option<Labels>);
