//! Pod lifecycle at the API level: creation (with the admission defaults a real API server
//! adds), graceful deletion, and the final removal once the kubelet has stopped the containers.
use crate::api::{Container, OwnerReference, Pod, PodTemplateSpec, Toleration};
use crate::clock::{rfc3339, SECOND_MS};
use crate::kubelet::{KAct, PodRt};
use crate::sim::{Emit, Sim};
use crate::store::{Key, PodRec};
use crate::workqueue::ControllerId;
use kubeplay_api::Shared;
use std::sync::OnceLock;

/// `DefaultTolerationSeconds` admission: not-ready/unreachable NoExecute tolerations of 300 s
/// unless the pod already tolerates them (semantics doc §6 rule 8).
pub fn add_default_tolerations(pod: &mut Pod) {
    const KEYS: [&str; 2] = [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ];
    let Some(tols) = pod.spec.tolerations.as_mut() else {
        // The common case (a template without tolerations): every such pod gets the same
        // two, so they all hold one shared list instead of a copy each.
        static DEFAULT: OnceLock<Shared<Vec<Toleration>>> = OnceLock::new();
        let shared = DEFAULT.get_or_init(|| Shared::new(KEYS.map(not_ready_toleration).to_vec()));
        pod.spec.tolerations = Some(shared.clone());
        return;
    };
    for key in KEYS {
        let covered = tols.iter().any(|t| {
            let k = t.key.as_deref().unwrap_or("");
            let e = t.effect.as_deref().unwrap_or("");
            (k.is_empty() || k == key) && (e.is_empty() || e == "NoExecute")
        });
        if !covered {
            tols.push(not_ready_toleration(key));
        }
    }
}

/// Tolerate the taint `key` for 300 s (DefaultTolerationSeconds admission).
fn not_ready_toleration(key: &str) -> Toleration {
    Toleration {
        key: Some(key.into()),
        operator: Some("Exists".into()),
        value: None,
        effect: Some("NoExecute".into()),
        toleration_seconds: Some(300),
    }
}

/// Pod defaults the API server fills on create (`SetDefaults_Pod`/`_PodSpec`, Priority and
/// ServiceAccount admission), for whatever the loader left unset.
pub fn default_pod(pod: &mut Pod) {
    let s = &mut pod.spec;
    s.restart_policy.get_or_insert_with(|| "Always".into());
    s.termination_grace_period_seconds.get_or_insert(30);
    s.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    s.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    s.service_account_name
        .get_or_insert_with(|| "default".into());
    s.service_account.get_or_insert_with(|| "default".into());
    s.enable_service_links.get_or_insert(true);
    s.priority.get_or_insert(0);
    s.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    // A ReplicaSet's pods share their template's containers (`Shared`): touch them only when
    // a default is missing, so an already defaulted template is not copied once per pod.
    if s.containers.iter().any(container_needs_defaults) {
        default_containers(&mut s.containers);
    }
    add_default_tolerations(pod);
}

/// Whether [`default_containers`] would change `c`.
fn container_needs_defaults(c: &Container) -> bool {
    c.image_pull_policy.is_none()
        || c.termination_message_path.is_none()
        || c.termination_message_policy.is_none()
        || c.ports.iter().any(|p| p.protocol.is_none())
        || c.resources
            .limits
            .keys()
            .any(|k| !c.resources.requests.contains_key(k))
}

/// Container admission defaults (pull policy from the tag, termination message, port
/// protocol, requests from limits).
fn default_containers(containers: &mut [Container]) {
    for c in containers {
        if c.image_pull_policy.is_none() {
            let (_, tag) = crate::app::split_image(c.image.as_deref().unwrap_or(""));
            c.image_pull_policy = Some(
                if tag == "latest" {
                    "Always"
                } else {
                    "IfNotPresent"
                }
                .into(),
            );
        }
        c.termination_message_path
            .get_or_insert_with(|| "/dev/termination-log".into());
        c.termination_message_policy
            .get_or_insert_with(|| "File".into());
        for p in &mut c.ports {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
        // A limit without a request sets the request (pods only).
        let limits = c.resources.limits.clone();
        for (k, v) in limits {
            c.resources.requests.entry(k).or_insert(v);
        }
    }
}

impl Sim {
    /// Create a pod object: stamp identity, apply admission defaults, store it, and hand it
    /// to the scheduler (or straight to its node when `spec.nodeName` is set).
    pub(crate) fn create_pod(&mut self, mut pod: Pod) -> Key {
        self.stamp_new(&mut pod.metadata, true);
        // Set only when needed: a template's pods arrive with both already (two allocations
        // and two frees per pod otherwise).
        if pod.api_version != "v1" {
            pod.api_version = "v1".into();
        }
        if pod.kind != "Pod" {
            pod.kind = "Pod".into();
        }
        default_pod(&mut pod);
        let key: Key = (
            pod.metadata.namespace_or_default().to_string(),
            pod.metadata.name.clone(),
        );
        let mut rt = PodRt::new(&pod, self.now);
        let bound_to = rt.node.take();
        // The status is rendered with the other pending ones before the public call returns
        // (nothing reads it inside a step, and a ReplicaSet's pod is usually bound in the same
        // step, which would make a render here wasted work).
        rt.status_stale = true;
        self.store.insert_pod(
            key.clone(),
            PodRec {
                pod,
                rt,
                decision: None,
            },
        );
        let h = self.store.pods().handle(&key);
        debug_assert_ne!(h, crate::store::PodHandle::NONE);
        self.stale_pods.push(h);
        self.tr_key("Pod", &key, "Created", format_args!(""));
        match bound_to {
            Some(node) => self.bind(&key, &node, None),
            None => self.sched_enqueue(&key),
        }
        key
    }

    /// A pod from a controller's template, named `<prefix><5 random chars>`, owned by `owner`.
    pub(crate) fn pod_from_template(
        &mut self,
        namespace: &str,
        prefix: &str,
        template: &PodTemplateSpec,
        owner: OwnerReference,
    ) -> Pod {
        // The key looked up is then taken apart into the pod's name and namespace (no copies).
        let mut key: Key = (
            namespace.to_string(),
            crate::names::generate_name(&mut self.rng, prefix),
        );
        // Bounded retry on the (astronomically rare) name collision, as the API server's
        // generateName retries.
        for _ in 0..8 {
            if !self.store.pods().contains_key(&key) {
                break;
            }
            key.1 = crate::names::generate_name(&mut self.rng, prefix);
        }
        let mut meta = template.metadata.clone();
        meta.name = key.1;
        meta.generate_name = Some(prefix.to_string());
        meta.namespace = Some(key.0);
        meta.owner_references = vec![owner];
        Pod {
            api_version: "v1".into(),
            kind: "Pod".into(),
            metadata: meta,
            spec: template.spec.clone(),
            status: None,
        }
    }

    /// Graceful deletion of a pod (`grace_s` None: the pod's terminationGracePeriodSeconds).
    pub(crate) fn delete_pod(&mut self, key: &Key, grace_s: Option<i64>) -> bool {
        let Some(rec) = self.store.pod(key) else {
            return false;
        };
        if rec.rt.deleting_ms.is_some() && grace_s != Some(0) {
            return true;
        }
        let grace = grace_s
            .or(rec.pod.spec.termination_grace_period_seconds)
            .unwrap_or(30)
            .max(0);
        let node_alive = rec
            .rt
            .node
            .as_ref()
            .is_some_and(|n| self.store.nodes.contains_key(n));
        if !node_alive
            || grace == 0
            || rec.rt.sandbox_ms.is_none() && rec.rt.start_ms.is_none() && rec.rt.node.is_none()
        {
            self.finalize_pod_deletion(key);
            return true;
        }
        let now = self.now;
        self.pod_update(key, |rec, now_ms| {
            rec.pod.metadata.deletion_timestamp = Some(rfc3339(now + grace as u64 * SECOND_MS));
            rec.pod.metadata.deletion_grace_period_seconds = Some(grace);
            rec.rt.deleting_ms = Some(now_ms);
            rec.rt.grace_ms = grace as u64 * SECOND_MS;
        });
        self.tr_key("Pod", key, "Terminating", format_args!("grace={grace}s"));
        self.scheduler.cache.set_pod_terminating(&key.0, &key.1);
        self.kubelet_at(key, self.now, KAct::Sync);
        self.sched_cluster_changed();
        true
    }

    /// Remove a pod from the store for good (kubelet confirmed, force delete, or node gone).
    pub(crate) fn finalize_pod_deletion(&mut self, key: &Key) {
        self.pod_watchers(key);
        let Some(rec) = self.store.remove_pod(key) else {
            return;
        };
        self.store.next_rv();
        if let (Some(node), Some(ip)) = (&rec.rt.node, rec.rt.ip) {
            if let Some(n) = self.store.nodes.get_mut(node) {
                n.rt.release_ip(ip);
            }
        }
        self.scheduler.cache.remove_pod(&key.0, &key.1);
        self.sched.unschedulable.remove(key);
        self.sched.tried.remove(key);
        self.tr_key("Pod", key, "Deleted", format_args!(""));
        for o in &rec.pod.metadata.owner_references {
            self.queue.push(self.now, crate::sim::Ev::Gc(o.uid.clone()));
            // The Deployment controller's deletePod handler: a Recreate rollout waits for the
            // last old pod to be gone, so the owning Deployment must look again.
            let deploy = self
                .store
                .replicaset_deployment(&key.0, &o.name)
                .map(str::to_string);
            if let Some(d) = deploy {
                self.enqueue(ControllerId::Deployment, &(key.0.clone(), d), 0);
            }
        }
        self.sched_cluster_changed();
    }

    /// Emit an event about a controller-managed object.
    pub(crate) fn controller_event(
        &mut self,
        kind: &'static str,
        meta: &crate::api::ObjectMeta,
        warning: bool,
        reason: &'static str,
        message: std::fmt::Arguments<'_>,
        component: &'static str,
    ) {
        self.emit(Emit {
            kind,
            meta,
            field_path: None,
            warning,
            reason,
            message,
            component,
            host: None,
        });
    }

    /// Wake the ReplicaSet controller for every ReplicaSet in a namespace (adoption of a new
    /// orphan pod).
    pub(crate) fn enqueue_replicasets_in(&mut self, namespace: &str) {
        let keys: Vec<Key> = self
            .store
            .replicasets
            .range((namespace.to_string(), String::new())..)
            .take_while(|(k, _)| k.0 == namespace)
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.enqueue(ControllerId::ReplicaSet, &k, 0);
        }
    }
}
