//! The simulated apps' access logs: one entry per request a pod answered, so `kubectl logs`
//! shows load traffic as well as `curl`.
//!
//! Bounded like the kubelet's log rotation (`containerLogMaxSize`, 10 MiB by default, after
//! which `kubectl logs` only sees the newest file): each pod keeps its last
//! [`ACCESS_LOG_LINES`] entries, older ones are dropped. A load run at the `sim load` limit
//! therefore leaves at most that many entries per pod, whatever its length.
//!
//! Entries are compact (time, client address, load run) and are appended, with the view index
//! of the pod, to one time-ordered list while traffic is replayed (O(1) per request, no string
//! work); they are moved under the pod's name when the view changes, and formatted only when
//! someone reads them.

use super::ip::Ip;
use super::model::{Ms, PodView};
use std::collections::{BTreeMap, VecDeque};

/// Entries kept per pod: about 70 KB of log text, the tail `kubectl logs` shows after
/// rotation, small enough for hundreds of pods in a browser tab.
pub const ACCESS_LOG_LINES: usize = 1_000;

/// One answered request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessEntry {
    /// When the app answered (virtual ms).
    pub at_ms: Ms,
    /// The peer address the app saw (after kube-proxy's masquerade, if any).
    pub client: Ip,
    /// The load run that sent it.
    pub load: u32,
}

/// Pending entries kept before a compaction (at least; see [`AccessLog::push`]): ~6 MB.
const PENDING_MIN: usize = 1 << 18;

/// Per-pod rings of [`AccessEntry`]; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct AccessLog {
    /// Entries since the last fold, in time order, with the pod's index in the current view:
    /// one append per request, no per-pod bookkeeping in the replay loop. Still the log's
    /// whole cost: the traffic benchmark went from ~7.6 to ~6.2 M requests/s with it (A/B on
    /// the dev machine; per-pod rings measured the same).
    pending: Vec<(u32, AccessEntry)>,
    /// Compact `pending` when it reaches this length.
    compact_at: usize,
    /// Folded entries by (namespace, pod name).
    by_pod: BTreeMap<(String, String), VecDeque<AccessEntry>>,
}

fn push_bounded(q: &mut VecDeque<AccessEntry>, e: AccessEntry) {
    if q.len() >= ACCESS_LOG_LINES {
        q.pop_front();
    }
    q.push_back(e);
}

impl AccessLog {
    /// Records a request answered by the pod at view index `pod`.
    #[inline]
    pub fn push(&mut self, pod: usize, e: AccessEntry) {
        self.pending
            .push((u32::try_from(pod).unwrap_or(u32::MAX), e));
        if self.pending.len() >= self.compact_at.max(PENDING_MIN) {
            self.compact();
        }
    }

    /// Drops the pending entries that are no longer among their pod's newest
    /// [`ACCESS_LOG_LINES`], keeping time order; the next compaction waits until the survivors
    /// have doubled, so the work stays O(1) per request.
    fn compact(&mut self) {
        let n = self
            .pending
            .iter()
            .map(|(p, _)| *p as usize + 1)
            .max()
            .unwrap_or(0);
        let mut seen = vec![0usize; n];
        let mut keep = vec![false; self.pending.len()];
        for (k, (p, _)) in self.pending.iter().enumerate().rev() {
            let c = &mut seen[*p as usize];
            if *c < ACCESS_LOG_LINES {
                *c += 1;
                keep[k] = true;
            }
        }
        let mut k = 0;
        self.pending.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        self.compact_at = 2 * self.pending.len();
    }

    /// Moves the pending entries under their pods' names (`pods`: the view they were recorded
    /// against, by index), before the view changes.
    pub fn fold<'a>(&mut self, pods: impl Fn(usize) -> Option<&'a PodView>) {
        if self.pending.is_empty() {
            return;
        }
        self.compact();
        for (i, e) in std::mem::take(&mut self.pending) {
            let Some(p) = pods(i as usize) else {
                continue;
            };
            let dst = self
                .by_pod
                .entry((p.namespace.clone(), p.name.clone()))
                .or_default();
            push_bounded(dst, e);
        }
        self.compact_at = 0;
    }

    /// Forgets the log of a pod that is gone (the kubelet removes a deleted pod's container
    /// logs with it).
    pub fn forget(&mut self, namespace: &str, name: &str) {
        if !self.by_pod.is_empty() {
            self.by_pod
                .remove(&(namespace.to_string(), name.to_string()));
        }
    }

    /// Forgets the logs of pods no longer in `pods`.
    pub fn retain_pods(&mut self, pods: &[PodView]) {
        if self.by_pod.len() <= pods.len()
            && self
                .by_pod
                .keys()
                .all(|(ns, n)| pods.iter().any(|p| &p.namespace == ns && &p.name == n))
        {
            return;
        }
        let live: std::collections::BTreeSet<(&str, &str)> = pods
            .iter()
            .map(|p| (p.namespace.as_str(), p.name.as_str()))
            .collect();
        self.by_pod
            .retain(|(ns, n), _| live.contains(&(ns.as_str(), n.as_str())));
    }

    /// The entries of a pod, oldest first (`index`: its index in the current view, for the
    /// entries not folded yet).
    pub fn entries(&self, namespace: &str, name: &str, index: Option<usize>) -> Vec<AccessEntry> {
        let mut out: Vec<AccessEntry> = self
            .by_pod
            .get(&(namespace.to_string(), name.to_string()))
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default();
        if let Some(i) = index.and_then(|i| u32::try_from(i).ok()) {
            out.extend(
                self.pending
                    .iter()
                    .filter(|(p, _)| *p == i)
                    .map(|(_, e)| *e),
            );
        }
        let drop = out.len().saturating_sub(ACCESS_LOG_LINES);
        out.drain(..drop);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str) -> PodView {
        PodView {
            namespace: "default".into(),
            name: name.into(),
            labels: Default::default(),
            ip: None,
            node: None,
            phase: crate::network::PodPhase::Running,
            ready: true,
            terminating: false,
            listeners: Vec::new(),
            body: None,
            ports: Vec::new(),
            image: String::new(),
            env: Vec::new(),
        }
    }

    #[test]
    fn rings_keep_the_newest_entries_across_folds() {
        let mut log = AccessLog::default();
        let pods = [pod("a"), pod("b")];
        let e = |t: Ms| AccessEntry {
            at_ms: t,
            client: 1,
            load: 1,
        };
        for t in 0..(ACCESS_LOG_LINES as Ms + 10) {
            log.push(1, e(t));
        }
        let got = log.entries("default", "b", Some(1));
        assert_eq!(got.len(), ACCESS_LOG_LINES);
        assert_eq!(got[0].at_ms, 10);
        log.fold(|i| pods.get(i));
        log.push(1, e(5_000));
        let got = log.entries("default", "b", Some(1));
        assert_eq!(got.len(), ACCESS_LOG_LINES);
        assert_eq!((got[0].at_ms, got[got.len() - 1].at_ms), (11, 5_000));
        assert!(log.entries("default", "a", Some(0)).is_empty());
        log.fold(|i| pods.get(i));
        log.retain_pods(&pods[..1]);
        assert!(log.entries("default", "b", None).is_empty());
    }

    #[test]
    fn compaction_bounds_memory_and_keeps_the_tail() {
        let mut log = AccessLog::default();
        let total = 3 * PENDING_MIN as Ms;
        for t in 0..total {
            let pod = if t % 100 == 0 { 1 } else { 0 };
            log.push(
                pod,
                AccessEntry {
                    at_ms: t,
                    client: 1,
                    load: 1,
                },
            );
        }
        assert!(log.pending.len() < PENDING_MIN + 2 * ACCESS_LOG_LINES);
        let a = log.entries("default", "a", Some(0));
        let b = log.entries("default", "b", Some(1));
        assert_eq!((a.len(), b.len()), (ACCESS_LOG_LINES, ACCESS_LOG_LINES));
        assert_eq!(a[a.len() - 1].at_ms, total - 1);
        assert_eq!(b[b.len() - 1].at_ms, (total - 1) / 100 * 100);
        assert!(a.windows(2).all(|w| w[0].at_ms < w[1].at_ms));
        let pods = [pod("a"), pod("b")];
        log.fold(|i| pods.get(i));
        assert_eq!(log.entries("default", "b", None), b);
    }
}
