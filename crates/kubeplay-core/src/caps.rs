//! Cluster-wide scale caps, checked when an object is applied or scaled. A real API server
//! has no such limits, but Kubernetes is only tested up to a documented size (SIG
//! Scalability's thresholds: 150,000 pods and 5,000 nodes per cluster), and a simulator asked
//! for more would work for minutes and run out of memory. So an apply or scale that would
//! push the cluster's *desired* size past a cap is refused up front, with a message that
//! names the cap, the way a ResourceQuota refusal reads.
//!
//! Desired pods = the replicas of every Deployment, plus those of ReplicaSets no Deployment
//! owns, plus bare Pods (no controller). Desired nodes = every instance group's `minSize`,
//! plus nodes that belong to no instance group (the control plane, applied Nodes).
use kubeplay_api::{Kind, Object};

use crate::store::Store;

/// Most pods one cluster may ask for (Kubernetes' tested maximum).
pub const MAX_PODS: i64 = 150_000;
/// Most nodes one cluster may ask for (Kubernetes' tested maximum).
pub const MAX_NODES: i64 = 5_000;

const IG_LABEL: &str = "kops.k8s.io/instancegroup";

/// `Err(message)` when applying `obj` would make the cluster ask for more pods or nodes than
/// the caps allow. Shrinking, and objects that create neither, always pass.
pub fn admit(store: &Store, obj: &Object) -> Result<(), String> {
    let ns = obj.namespace().unwrap_or("").to_string();
    let key = (ns, obj.name().to_string());
    match obj {
        Object::Deployment(d) => {
            let old = store
                .deployments
                .get(&key)
                .map_or(0, |(r, _)| replicas(r.obj.spec.replicas));
            pods(
                "deployments.apps",
                &key.1,
                store,
                replicas(d.spec.replicas) - old,
            )
        }
        Object::ReplicaSet(r) if !owned(&r.metadata) => {
            let old = store
                .replicasets
                .get(&key)
                .filter(|r| !owned(&r.obj.metadata))
                .map_or(0, |r| replicas(r.obj.spec.replicas));
            pods(
                "replicasets.apps",
                &key.1,
                store,
                replicas(r.spec.replicas) - old,
            )
        }
        Object::Pod(p) if !owned(&p.metadata) && store.pod(&key).is_none() => {
            pods("pods", &key.1, store, 1)
        }
        Object::InstanceGroup(ig) => {
            let old = store
                .instance_groups
                .get(&key)
                .map_or(0, |r| min_size(r.obj.spec.min_size));
            nodes(
                "instancegroups.kops.k8s.io",
                &key.1,
                store,
                min_size(ig.spec.min_size) - old,
            )
        }
        Object::Node(_) if !store.nodes.contains_key(&key.1) => nodes("nodes", &key.1, store, 1),
        _ => Ok(()),
    }
}

/// `Err(message)` when scaling `kind` `key` to `to` replicas would pass [`MAX_PODS`].
pub fn admit_scale(
    store: &Store,
    kind: Kind,
    key: &(String, String),
    to: i32,
) -> Result<(), String> {
    let (resource, old) = match kind {
        Kind::Deployment => (
            "deployments.apps",
            store
                .deployments
                .get(key)
                .map(|(r, _)| replicas(r.obj.spec.replicas)),
        ),
        Kind::ReplicaSet => (
            "replicasets.apps",
            store
                .replicasets
                .get(key)
                .filter(|r| !owned(&r.obj.metadata))
                .map(|r| replicas(r.obj.spec.replicas)),
        ),
        _ => return Ok(()),
    };
    match old {
        Some(old) => pods(resource, &key.1, store, i64::from(to.max(0)) - old),
        // not found (reported by the caller) or owned by a Deployment (its Deployment decides)
        None => Ok(()),
    }
}

/// Pods the cluster asks for now.
pub fn desired_pods(store: &Store) -> i64 {
    let deployments: i64 = store
        .deployments
        .values()
        .filter(|(r, _)| r.deleting_ms.is_none())
        .map(|(r, _)| replicas(r.obj.spec.replicas))
        .sum();
    let replicasets: i64 = store
        .replicasets
        .values()
        .filter(|r| r.deleting_ms.is_none() && !owned(&r.obj.metadata))
        .map(|r| replicas(r.obj.spec.replicas))
        .sum();
    let bare = store
        .pods()
        .values()
        .filter(|r| !owned(&r.pod.metadata))
        .count();
    deployments + replicasets + i64::try_from(bare).unwrap_or(i64::MAX)
}

/// Nodes the cluster asks for now.
pub fn desired_nodes(store: &Store) -> i64 {
    let groups: i64 = store
        .instance_groups
        .values()
        .filter(|r| r.deleting_ms.is_none())
        .map(|r| min_size(r.obj.spec.min_size))
        .sum();
    let outside = store
        .nodes
        .values()
        .filter(|n| !n.node.metadata.labels.contains_key(IG_LABEL))
        .count();
    groups + i64::try_from(outside).unwrap_or(i64::MAX)
}

/// `Err(message)` when a cluster definition (`kubeplay run --cluster FILE`: instance groups
/// and Nodes) asks for more than [`MAX_NODES`]; checked before the sim is built, since
/// building it applies the objects without a caller to report a refusal to.
pub fn admit_cluster(objects: &[Object]) -> Result<(), String> {
    let total: i64 = objects
        .iter()
        .map(|o| match o {
            Object::InstanceGroup(ig) => min_size(ig.spec.min_size),
            Object::Node(_) => 1,
            _ => 0,
        })
        .sum();
    if total <= MAX_NODES {
        return Ok(());
    }
    Err(format!(
        "the cluster asks for {total} nodes; kubeplay's cap is {MAX_NODES} nodes per cluster (Kubernetes' tested maximum)"
    ))
}

fn pods(resource: &str, name: &str, store: &Store, delta: i64) -> Result<(), String> {
    if delta <= 0 {
        return Ok(());
    }
    let total = desired_pods(store).saturating_add(delta);
    if total <= MAX_PODS {
        return Ok(());
    }
    Err(format!(
        "{resource} \"{name}\" is forbidden: the cluster would ask for {total} pods; kubeplay's cap is {MAX_PODS} pods per cluster (Kubernetes' tested maximum)"
    ))
}

fn nodes(resource: &str, name: &str, store: &Store, delta: i64) -> Result<(), String> {
    if delta <= 0 {
        return Ok(());
    }
    let total = desired_nodes(store).saturating_add(delta);
    if total <= MAX_NODES {
        return Ok(());
    }
    Err(format!(
        "{resource} \"{name}\" is forbidden: the cluster would ask for {total} nodes; kubeplay's cap is {MAX_NODES} nodes per cluster (Kubernetes' tested maximum)"
    ))
}

fn replicas(r: Option<i32>) -> i64 {
    i64::from(r.unwrap_or(1).max(0))
}

fn min_size(m: Option<i32>) -> i64 {
    i64::from(m.unwrap_or(1).max(0))
}

/// Whether a controller (a Deployment for a ReplicaSet, a ReplicaSet for a Pod) owns it.
fn owned(meta: &kubeplay_api::ObjectMeta) -> bool {
    meta.owner_references
        .iter()
        .any(|o| o.controller == Some(true))
}
