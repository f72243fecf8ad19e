//! The Deployment controller (`pkg/controller/deployment`): `syncDeployment` → pause / scaling
//! event / rollout (RollingUpdate or Recreate), revision bookkeeping, history cleanup and the
//! rollout status with its Progressing/Available conditions.
//!
//! The arithmetic (fenceposts, new/old sizing, proportional scaling) is in
//! [`super::util`], transcribed from upstream and golden-tested there; this file wires it to the
//! store the way `rolling.go`, `recreate.go`, `sync.go` and `progress.go` do.
use super::util::{self, RsView, Strategy};
use crate::api::{
    Deployment, LabelSelector, OwnerReference, PodTemplateSpec, ReplicaSet, ReplicaSetSpec,
};
use crate::clock::{rfc3339, Ms, SECOND_MS};
use crate::sim::{key_str, Propagation, Sim};
use crate::store::{controller_uid, DCond, DeployRt, Key, Rec};
use crate::workqueue::ControllerId;

/// `deployment.kubernetes.io/revision`.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// `deployment.kubernetes.io/revision-history`.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// `deployment.kubernetes.io/desired-replicas`.
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
/// `deployment.kubernetes.io/max-replicas`.
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
/// `pod-template-hash`.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// The strategy numbers of a Deployment.
pub fn strategy_of(d: &Deployment) -> Strategy {
    let st = d.spec.strategy.clone().unwrap_or_default();
    let rolling = st.type_.as_deref() != Some("Recreate");
    let ru = st.rolling_update.unwrap_or_default();
    let pct = |v: Option<crate::api::IntOrString>| {
        Some(v.unwrap_or(crate::api::IntOrString::String("25%".into())))
    };
    Strategy {
        rolling,
        max_surge: if rolling { pct(ru.max_surge) } else { None },
        max_unavailable: if rolling {
            pct(ru.max_unavailable)
        } else {
            None
        },
    }
}

/// The template with the `pod-template-hash` label removed (`EqualIgnoreHash`).
pub fn template_without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    t.metadata.labels.remove(POD_TEMPLATE_HASH);
    t
}

fn revision_of(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .get(REVISION)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn view(rec: &Rec<ReplicaSet>) -> RsView {
    let st = rec.obj.status.clone().unwrap_or_default();
    RsView {
        name: rec.obj.metadata.name.clone(),
        created_ms: rec.created_ms,
        replicas: rec.obj.spec.replicas.unwrap_or(1),
        status_replicas: st.replicas,
        available: st.available_replicas.unwrap_or(0),
        max_replicas_annotation: rec
            .obj
            .metadata
            .annotations
            .get(MAX_REPLICAS)
            .and_then(|v| v.parse().ok()),
    }
}

/// Status numbers computed by `calculateStatus`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    replicas: i32,
    updated: i32,
    ready: i32,
    available: i32,
    unavailable: i32,
}

impl Sim {
    fn rs_views(&self, keys: &[Key]) -> Vec<RsView> {
        keys.iter()
            .filter_map(|k| self.store.replicasets.get(k))
            .map(view)
            .collect()
    }

    /// RSes controlled by a Deployment uid, oldest first (`ReplicaSetsByCreationTimestamp`).
    fn owned_replicasets(&self, uid: &str) -> Vec<Key> {
        let mut v: Vec<(Ms, String, Key)> = self
            .store
            .children_of(uid)
            .filter(|(k, _)| *k == crate::api::Kind::ReplicaSet)
            .filter_map(|(_, k)| self.store.replicasets.get(&k).map(|r| (k, r)))
            .filter(|(_, r)| controller_uid(&r.obj.metadata) == Some(uid))
            .map(|(k, r)| (r.created_ms, k.1.clone(), k.clone()))
            .collect();
        v.sort();
        v.into_iter().map(|(_, _, k)| k).collect()
    }

    fn adopt_orphan_replicasets(&mut self, key: &Key, d: &Deployment) {
        let Some(sel) = d.spec.selector.clone() else {
            return;
        };
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let orphans: Vec<Key> = self
            .store
            .replicasets
            .range((key.0.clone(), String::new())..)
            .take_while(|(k, _)| k.0 == key.0)
            .filter(|(_, r)| r.deleting_ms.is_none())
            .filter(|(_, r)| {
                r.obj
                    .metadata
                    .owner_references
                    .iter()
                    .all(|o| o.controller != Some(true))
            })
            .filter(|(_, r)| sel.matches(&r.obj.metadata.labels))
            .map(|(k, _)| k.clone())
            .collect();
        for k in orphans {
            let owner = OwnerReference {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: key.1.clone(),
                uid: uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            };
            let r: crate::store::ObjRef = (crate::api::Kind::ReplicaSet, k.clone());
            let rv = self.store.next_rv();
            if let Some(rec) = self.store.replicasets.get_mut(&k) {
                rec.obj.metadata.owner_references.push(owner.clone());
                rec.obj.metadata.resource_version = Some(rv);
            }
            let meta = self
                .store
                .replicasets
                .get(&k)
                .map(|r| r.obj.metadata.clone());
            if let Some(m) = meta {
                self.store.unindex_meta(&r, &m);
                self.store.index_meta(r, &m);
            }
            self.tr(
                "ReplicaSet",
                key_str(&k),
                "Adopted",
                format!("owner=Deployment/{}", key.1),
            );
        }
    }

    /// syncDeployment.
    pub(crate) fn sync_deployment(&mut self, key: &Key) {
        let Some((rec, _)) = self.store.deployments.get(key) else {
            return;
        };
        let d = rec.obj.clone();
        let deleting = rec.deleting_ms.is_some();
        let uid = d.metadata.uid.clone().unwrap_or_default();
        if !deleting {
            self.adopt_orphan_replicasets(key, &d);
        }
        let rs_keys = self.owned_replicasets(&uid);
        if deleting {
            let (new, _) = self.split_new_old(&d, &rs_keys);
            self.sync_deployment_status(key, &rs_keys, new.as_ref(), false);
            return;
        }
        self.check_paused_condition(key, &d);
        let paused = d.spec.paused == Some(true);
        if paused || self.is_scaling_event(&d, &rs_keys) {
            self.sync_scale(key, &d, &rs_keys, paused);
            return;
        }
        if strategy_of(&d).rolling {
            self.rollout_rolling(key, &d, &rs_keys);
        } else {
            self.rollout_recreate(key, &d, &rs_keys);
        }
    }

    fn split_new_old(&self, d: &Deployment, rs_keys: &[Key]) -> (Option<Key>, Vec<Key>) {
        let want = template_without_hash(&d.spec.template);
        // FindNewReplicaSet: oldest RS with an equal template (list is oldest first).
        let new = rs_keys
            .iter()
            .find(|k| {
                self.store
                    .replicasets
                    .get(*k)
                    .is_some_and(|r| template_without_hash(&r.obj.spec.template) == want)
            })
            .cloned();
        let old = rs_keys
            .iter()
            .filter(|k| Some(*k) != new.as_ref())
            .cloned()
            .collect();
        (new, old)
    }

    fn is_scaling_event(&self, d: &Deployment, rs_keys: &[Key]) -> bool {
        let want = d.spec.replicas.unwrap_or(1);
        rs_keys
            .iter()
            .filter_map(|k| self.store.replicasets.get(k))
            .filter(|r| r.obj.spec.replicas.unwrap_or(1) > 0)
            .any(|r| {
                r.obj
                    .metadata
                    .annotations
                    .get(DESIRED_REPLICAS)
                    .and_then(|v| v.parse::<i32>().ok())
                    .is_some_and(|v| v != want)
            })
    }

    fn set_cond(&mut self, key: &Key, c: DCond, refresh: bool) {
        let Some((_, rt)) = self.store.deployments.get_mut(key) else {
            return;
        };
        set_condition(rt, c, refresh);
    }

    fn check_paused_condition(&mut self, key: &Key, d: &Deployment) {
        if d.spec.progress_deadline_seconds.is_none() {
            return;
        }
        let paused = d.spec.paused == Some(true);
        let Some((_, rt)) = self.store.deployments.get(key) else {
            return;
        };
        let cur = rt.conds.iter().find(|c| c.type_ == "Progressing").cloned();
        let paused_now = cur.as_ref().is_some_and(|c| c.reason == "DeploymentPaused");
        let now = self.now;
        if paused && !paused_now {
            self.set_cond(
                key,
                DCond {
                    type_: "Progressing",
                    status: "Unknown",
                    reason: "DeploymentPaused",
                    message: "Deployment is paused".into(),
                    update_ms: now,
                    transition_ms: now,
                },
                false,
            );
        } else if !paused && paused_now {
            self.set_cond(
                key,
                DCond {
                    type_: "Progressing",
                    status: "Unknown",
                    reason: "DeploymentResumed",
                    message: "Deployment is resumed".into(),
                    update_ms: now,
                    transition_ms: now,
                },
                false,
            );
        }
    }

    /// `getNewReplicaSet` (+ revision sync of the existing new RS).
    fn get_new_rs(
        &mut self,
        key: &Key,
        d: &Deployment,
        rs_keys: &[Key],
        create: bool,
    ) -> Option<Key> {
        let (new, old) = self.split_new_old(d, rs_keys);
        let max_old_rev = old
            .iter()
            .filter_map(|k| self.store.replicasets.get(k))
            .map(|r| revision_of(&r.obj))
            .max()
            .unwrap_or(0);
        let new_rev = max_old_rev + 1;
        let strategy = strategy_of(d);
        let replicas = d.spec.replicas.unwrap_or(1);
        if let Some(nk) = new {
            // SetNewReplicaSetAnnotations on the existing new RS.
            let rec = self.store.replicasets.get(&nk)?;
            let old_rev = revision_of(&rec.obj);
            if old_rev < new_rev {
                let rv = self.store.next_rv();
                if let Some(r) = self.store.replicasets.get_mut(&nk) {
                    let a = &mut r.obj.metadata.annotations;
                    if old_rev > 0 {
                        let hist = a.get(REVISION_HISTORY).cloned().unwrap_or_default();
                        let hist = if hist.is_empty() {
                            old_rev.to_string()
                        } else {
                            format!("{hist},{old_rev}")
                        };
                        a.insert(REVISION_HISTORY.into(), hist);
                    }
                    a.insert(REVISION.into(), new_rev.to_string());
                    r.obj.metadata.resource_version = Some(rv);
                }
                self.tr(
                    "ReplicaSet",
                    key_str(&nk),
                    "Revision",
                    format!("revision={new_rev}"),
                );
            }
            let has_cond = self
                .store
                .deployments
                .get(key)
                .is_some_and(|(_, rt)| rt.conds.iter().any(|c| c.type_ == "Progressing"));
            if d.spec.progress_deadline_seconds.is_some() && !has_cond {
                let now = self.now;
                self.set_cond(
                    key,
                    DCond {
                        type_: "Progressing",
                        status: "True",
                        reason: "FoundNewReplicaSet",
                        message: format!("Found new replica set \"{}\"", nk.1),
                        update_ms: now,
                        transition_ms: now,
                    },
                    false,
                );
            }
            self.set_deployment_revision(key, new_rev);
            return Some(nk);
        }
        if !create {
            return None;
        }
        let all = self.rs_views(rs_keys);
        let mut collision = d
            .status
            .as_ref()
            .and_then(|s| s.collision_count)
            .unwrap_or(0)
            .max(0) as u32;
        let canonical = serde_json::to_string(&d.spec.template).unwrap_or_default();
        for _ in 0..8 {
            let hash = crate::hash::pod_template_hash(&canonical, collision);
            let name = format!("{}-{hash}", d.metadata.name);
            let nk = (key.0.clone(), name.clone());
            if self.store.replicasets.contains_key(&nk) {
                // Hash collision with a different template: bump collisionCount and retry.
                collision += 1;
                continue;
            }
            let mut template = d.spec.template.clone();
            template
                .metadata
                .labels
                .insert(POD_TEMPLATE_HASH.into(), hash.clone());
            let mut selector = d.spec.selector.clone().unwrap_or_default();
            selector
                .match_labels
                .get_or_insert_with(Default::default)
                .insert(POD_TEMPLATE_HASH.into(), hash.clone());
            let stub = RsView {
                name: name.clone(),
                created_ms: self.now,
                replicas: 0,
                status_replicas: 0,
                available: 0,
                max_replicas_annotation: None,
            };
            let new_replicas = util::new_rs_new_replicas(&strategy, replicas, &all, &stub);
            let mut annotations = d.metadata.annotations.clone();
            annotations.remove(crate::api::LAST_APPLIED_ANNOTATION);
            annotations.remove(REVISION);
            annotations.insert(REVISION.into(), new_rev.to_string());
            annotations.insert(DESIRED_REPLICAS.into(), replicas.to_string());
            annotations.insert(
                MAX_REPLICAS.into(),
                (replicas + util::max_surge(&strategy, replicas)).to_string(),
            );
            let mut labels = template.metadata.labels.clone();
            labels.insert(POD_TEMPLATE_HASH.into(), hash.clone());
            let rs = ReplicaSet {
                api_version: "apps/v1".into(),
                kind: "ReplicaSet".into(),
                metadata: crate::api::ObjectMeta {
                    name: name.clone(),
                    namespace: Some(key.0.clone()),
                    labels,
                    annotations,
                    owner_references: vec![OwnerReference {
                        api_version: "apps/v1".into(),
                        kind: "Deployment".into(),
                        name: key.1.clone(),
                        uid: d.metadata.uid.clone().unwrap_or_default(),
                        controller: Some(true),
                        block_owner_deletion: Some(true),
                    }],
                    ..Default::default()
                },
                spec: ReplicaSetSpec {
                    replicas: Some(new_replicas),
                    min_ready_seconds: d.spec.min_ready_seconds,
                    selector: Some(selector),
                    template,
                },
                status: None,
            };
            self.create_replicaset(rs);
            if new_replicas > 0 {
                self.controller_event(
                    "Deployment",
                    &d.metadata,
                    false,
                    "ScalingReplicaSet",
                    format_args!("Scaled up replica set {name} from 0 to {new_replicas}"),
                    "deployment-controller",
                );
            }
            if d.spec.progress_deadline_seconds.is_some() {
                let now = self.now;
                self.set_cond(
                    key,
                    DCond {
                        type_: "Progressing",
                        status: "True",
                        reason: "NewReplicaSetCreated",
                        message: format!("Created new replica set \"{name}\""),
                        update_ms: now,
                        transition_ms: now,
                    },
                    false,
                );
            }
            if collision > 0 {
                if let Some((r, _)) = self.store.deployments.get_mut(key) {
                    r.obj
                        .status
                        .get_or_insert_with(Default::default)
                        .collision_count = Some(collision as i32);
                }
            }
            self.set_deployment_revision(key, new_rev);
            return Some(nk);
        }
        None
    }

    fn set_deployment_revision(&mut self, key: &Key, rev: i64) {
        let Some((r, _)) = self.store.deployments.get(key) else {
            return;
        };
        if r.obj.metadata.annotations.get(REVISION).map(String::as_str)
            == Some(rev.to_string().as_str())
        {
            return;
        }
        let rv = self.store.next_rv();
        if let Some((r, _)) = self.store.deployments.get_mut(key) {
            r.obj
                .metadata
                .annotations
                .insert(REVISION.into(), rev.to_string());
            r.obj.metadata.resource_version = Some(rv);
        }
    }

    /// Store a new ReplicaSet (from the Deployment controller or `apply`).
    pub(crate) fn create_replicaset(&mut self, mut rs: ReplicaSet) -> Key {
        self.stamp_new(&mut rs.metadata, true);
        let key: Key = (
            rs.metadata.namespace_or_default().to_string(),
            rs.metadata.name.clone(),
        );
        self.store
            .index_meta((crate::api::Kind::ReplicaSet, key.clone()), &rs.metadata);
        let replicas = rs.spec.replicas.unwrap_or(1);
        self.store.replicasets.insert(
            key.clone(),
            Rec {
                obj: rs,
                created_ms: self.now,
                deleting_ms: None,
            },
        );
        self.tr(
            "ReplicaSet",
            key_str(&key),
            "Created",
            format!("replicas={replicas}"),
        );
        self.enqueue(ControllerId::ReplicaSet, &key, 0);
        key
    }

    /// `scaleReplicaSetAndRecordEvent`: returns true when the size changed.
    fn scale_rs(&mut self, d: &Deployment, rs_key: &Key, new_scale: i32) -> bool {
        let Some(rec) = self.store.replicasets.get(rs_key) else {
            return false;
        };
        let old = rec.obj.spec.replicas.unwrap_or(1);
        if old == new_scale {
            return false;
        }
        let strategy = strategy_of(d);
        let dr = d.spec.replicas.unwrap_or(1);
        let rv = self.store.next_rv();
        if let Some(r) = self.store.replicasets.get_mut(rs_key) {
            r.obj.spec.replicas = Some(new_scale);
            r.obj
                .metadata
                .annotations
                .insert(DESIRED_REPLICAS.into(), dr.to_string());
            r.obj.metadata.annotations.insert(
                MAX_REPLICAS.into(),
                (dr + util::max_surge(&strategy, dr)).to_string(),
            );
            r.obj.metadata.generation = Some(r.obj.metadata.generation.unwrap_or(1) + 1);
            r.obj.metadata.resource_version = Some(rv);
        }
        let op = if new_scale > old { "up" } else { "down" };
        self.controller_event(
            "Deployment",
            &d.metadata,
            false,
            "ScalingReplicaSet",
            format_args!(
                "Scaled {op} replica set {} from {old} to {new_scale}",
                rs_key.1
            ),
            "deployment-controller",
        );
        self.tr(
            "ReplicaSet",
            key_str(rs_key),
            "Scaled",
            format!("from={old} to={new_scale}"),
        );
        self.enqueue(ControllerId::ReplicaSet, rs_key, 0);
        true
    }

    /// `sync()`: scale (proportionally if needed), clean up history when paused, status.
    fn sync_scale(&mut self, key: &Key, d: &Deployment, rs_keys: &[Key], paused: bool) {
        let new = self.get_new_rs(key, d, rs_keys, false);
        let old: Vec<Key> = rs_keys
            .iter()
            .filter(|k| Some(*k) != new.as_ref())
            .cloned()
            .collect();
        self.scale_replica_sets(d, new.as_ref(), &old);
        if paused {
            self.cleanup_deployment(d, &old);
        }
        self.sync_deployment_status(key, rs_keys, new.as_ref(), false);
    }

    /// `scale()` of sync.go.
    fn scale_replica_sets(&mut self, d: &Deployment, new: Option<&Key>, old: &[Key]) {
        let replicas = d.spec.replicas.unwrap_or(1);
        let mut all: Vec<Key> = old.to_vec();
        if let Some(n) = new {
            all.push(n.clone());
        }
        let active: Vec<Key> = all
            .iter()
            .filter(|k| {
                self.store
                    .replicasets
                    .get(*k)
                    .is_some_and(|r| r.obj.spec.replicas.unwrap_or(1) > 0)
            })
            .cloned()
            .collect();
        // FindActiveOrLatest
        let target = match active.len() {
            0 => new.cloned().or_else(|| {
                all.iter()
                    .max_by_key(|k| {
                        self.store
                            .replicasets
                            .get(*k)
                            .map(|r| (r.created_ms, k.1.clone()))
                    })
                    .cloned()
            }),
            1 => Some(active[0].clone()),
            _ => None,
        };
        if let Some(t) = target {
            self.scale_rs(d, &t, replicas);
            return;
        }
        let saturated = new
            .and_then(|n| self.store.replicasets.get(n))
            .is_some_and(|r| {
                r.obj.spec.replicas.unwrap_or(1) == replicas
                    && r.obj
                        .metadata
                        .annotations
                        .get(DESIRED_REPLICAS)
                        .and_then(|v| v.parse::<i32>().ok())
                        == Some(replicas)
                    && r.obj
                        .status
                        .as_ref()
                        .and_then(|s| s.available_replicas)
                        .unwrap_or(0)
                        == replicas
            });
        if saturated {
            for k in old {
                if self
                    .store
                    .replicasets
                    .get(k)
                    .is_some_and(|r| r.obj.spec.replicas.unwrap_or(1) > 0)
                {
                    self.scale_rs(d, k, 0);
                }
            }
            return;
        }
        let strategy = strategy_of(d);
        if !strategy.rolling {
            return;
        }
        let views = self.rs_views(&active);
        let sizes = util::proportional_scale(&strategy, replicas, &views);
        for (k, s) in active.iter().zip(sizes) {
            // Upstream calls `scaleReplicaSet` here, not `scaleReplicaSetAndRecordEvent`: it
            // also rewrites stale desired/max-replicas annotations of a ReplicaSet whose size
            // does not change. Skipping that left `isScalingEvent` true for good, so a scale
            // during a rollout (e.g. 3 → 1 right after a restart) never finished it.
            if !self.scale_rs(d, k, s) {
                self.update_replicas_annotations(d, k);
            }
        }
    }

    /// The annotation half of `scaleReplicaSet` (sync.go): `ReplicasAnnotationsNeedUpdate`
    /// → `SetReplicasAnnotations` and an update without an event (the size is unchanged, so
    /// the spec and generation are too). The update wakes the Deployment (its ReplicaSet
    /// update handler enqueues the owner).
    fn update_replicas_annotations(&mut self, d: &Deployment, rs_key: &Key) {
        let dr = d.spec.replicas.unwrap_or(1);
        let max = (dr + util::max_surge(&strategy_of(d), dr)).to_string();
        let dr = dr.to_string();
        let Some(rec) = self.store.replicasets.get(rs_key) else {
            return;
        };
        let a = &rec.obj.metadata.annotations;
        if a.get(DESIRED_REPLICAS) == Some(&dr) && a.get(MAX_REPLICAS) == Some(&max) {
            return;
        }
        let rv = self.store.next_rv();
        if let Some(r) = self.store.replicasets.get_mut(rs_key) {
            let a = &mut r.obj.metadata.annotations;
            a.insert(DESIRED_REPLICAS.into(), dr.clone());
            a.insert(MAX_REPLICAS.into(), max.clone());
            r.obj.metadata.resource_version = Some(rv);
        }
        self.tr(
            "ReplicaSet",
            key_str(rs_key),
            "Annotated",
            format!("desired={dr} max={max}"),
        );
        let owner = (rs_key.0.clone(), d.metadata.name.clone());
        self.enqueue(ControllerId::Deployment, &owner, 0);
    }

    fn rollout_rolling(&mut self, key: &Key, d: &Deployment, rs_keys: &[Key]) {
        let Some(new) = self.get_new_rs(key, d, rs_keys, true) else {
            return;
        };
        let rs_keys = self.owned_replicasets(d.metadata.uid.as_deref().unwrap_or(""));
        let old: Vec<Key> = rs_keys.iter().filter(|k| **k != new).cloned().collect();
        let strategy = strategy_of(d);
        let replicas = d.spec.replicas.unwrap_or(1);
        let all_views = self.rs_views(&rs_keys);
        let new_view = self.rs_views(std::slice::from_ref(&new)).pop();
        if let Some(nv) = &new_view {
            if let Some(n) = util::reconcile_new_rs(&strategy, replicas, &all_views, nv) {
                if self.scale_rs(d, &new, n) {
                    self.sync_rollout_status(key, &rs_keys, Some(&new));
                    return;
                }
            }
        }
        let active_old: Vec<Key> = old
            .iter()
            .filter(|k| {
                self.store
                    .replicasets
                    .get(*k)
                    .is_some_and(|r| r.obj.spec.replicas.unwrap_or(1) > 0)
            })
            .cloned()
            .collect();
        let old_views = self.rs_views(&active_old);
        if let Some(sizes) = util::reconcile_old_rss(
            &strategy,
            replicas,
            &all_views,
            &old_views,
            new_view.as_ref(),
        ) {
            let mut scaled = false;
            for (k, s) in active_old.iter().zip(sizes) {
                scaled |= self.scale_rs(d, k, s);
            }
            if scaled {
                self.sync_rollout_status(key, &rs_keys, Some(&new));
                return;
            }
        }
        if self.deployment_complete(key, &rs_keys, Some(&new)) {
            self.cleanup_deployment(d, &old);
        }
        self.sync_rollout_status(key, &rs_keys, Some(&new));
    }

    fn rollout_recreate(&mut self, key: &Key, d: &Deployment, rs_keys: &[Key]) {
        let (new, old) = self.split_new_old(d, rs_keys);
        let new = match new {
            Some(_) => self.get_new_rs(key, d, rs_keys, false),
            None => None,
        };
        let mut scaled_down = false;
        for k in &old {
            if self
                .store
                .replicasets
                .get(k)
                .is_some_and(|r| r.obj.spec.replicas.unwrap_or(1) > 0)
            {
                scaled_down |= self.scale_rs(d, k, 0);
            }
        }
        if scaled_down {
            self.sync_rollout_status(key, rs_keys, new.as_ref());
            return;
        }
        // oldPodsRunning: status.replicas of old RSes, or any non-terminal pod of theirs.
        let old_running = old.iter().any(|k| {
            self.store.replicasets.get(k).is_some_and(|r| {
                r.obj.status.as_ref().is_some_and(|s| s.replicas > 0)
                    || self
                        .owned_pods(r.obj.metadata.uid.as_deref().unwrap_or(""))
                        .iter()
                        .any(|p| {
                            self.store.pod(p).is_some_and(|p| {
                                !matches!(
                                    p.rt.phase,
                                    crate::kubelet::PodPhase::Succeeded
                                        | crate::kubelet::PodPhase::Failed
                                )
                            })
                        })
            })
        });
        if old_running {
            self.sync_rollout_status(key, rs_keys, new.as_ref());
            return;
        }
        let new = match new {
            Some(n) => n,
            None => match self.get_new_rs(key, d, rs_keys, true) {
                Some(n) => n,
                None => return,
            },
        };
        let rs_keys = self.owned_replicasets(d.metadata.uid.as_deref().unwrap_or(""));
        self.scale_rs(d, &new, d.spec.replicas.unwrap_or(1));
        if self.deployment_complete(key, &rs_keys, Some(&new)) {
            self.cleanup_deployment(d, &old);
        }
        self.sync_rollout_status(key, &rs_keys, Some(&new));
    }

    fn calculate(&self, rs_keys: &[Key], new: Option<&Key>) -> Counts {
        let st = |k: &Key| {
            self.store.replicasets.get(k).map(|r| {
                (
                    r.obj.spec.replicas.unwrap_or(1),
                    r.obj.status.clone().unwrap_or_default(),
                )
            })
        };
        let mut c = Counts::default();
        let mut total_spec = 0;
        for k in rs_keys {
            if let Some((spec, s)) = st(k) {
                total_spec += spec;
                c.replicas += s.replicas;
                c.ready += s.ready_replicas.unwrap_or(0);
                c.available += s.available_replicas.unwrap_or(0);
            }
        }
        c.updated = new.and_then(st).map_or(0, |(_, s)| s.replicas);
        c.unavailable = (total_spec - c.available).max(0);
        c
    }

    /// `DeploymentComplete` against the status that would be written now.
    fn deployment_complete(&self, key: &Key, rs_keys: &[Key], new: Option<&Key>) -> bool {
        let Some((r, _)) = self.store.deployments.get(key) else {
            return false;
        };
        let c = self.calculate(rs_keys, new);
        let d = r.obj.spec.replicas.unwrap_or(1);
        c.updated == d && c.replicas == d && c.available == d
    }

    /// `cleanupDeployment`: delete idle old RSes beyond revisionHistoryLimit, lowest revision
    /// first.
    fn cleanup_deployment(&mut self, d: &Deployment, old: &[Key]) {
        let limit = d.spec.revision_history_limit.unwrap_or(10);
        if limit == i32::MAX {
            return;
        }
        let mut cands: Vec<(i64, Ms, String, Key)> = old
            .iter()
            .filter_map(|k| self.store.replicasets.get(k).map(|r| (k, r)))
            .filter(|(_, r)| r.deleting_ms.is_none())
            .map(|(k, r)| (revision_of(&r.obj), r.created_ms, k.1.clone(), k.clone()))
            .collect();
        let diff = cands.len() as i64 - i64::from(limit.max(0));
        if diff <= 0 {
            return;
        }
        cands.sort();
        let mut deleted = 0;
        for (_, _, _, k) in cands {
            if deleted >= diff {
                break;
            }
            let idle = self.store.replicasets.get(&k).is_some_and(|r| {
                r.obj.spec.replicas.unwrap_or(1) == 0
                    && r.obj.status.as_ref().is_none_or(|s| s.replicas == 0)
                    && r.obj
                        .status
                        .as_ref()
                        .and_then(|s| s.observed_generation)
                        .unwrap_or(0)
                        >= r.obj.metadata.generation.unwrap_or(0)
            });
            if idle {
                self.tr("ReplicaSet", key_str(&k), "HistoryCleanup", String::new());
                let _ = self.delete(
                    crate::api::Kind::ReplicaSet,
                    &k.0,
                    &k.1,
                    Propagation::Background,
                    None,
                );
                deleted += 1;
            }
        }
    }

    /// `syncRolloutStatus` (progress.go).
    fn sync_rollout_status(&mut self, key: &Key, rs_keys: &[Key], new: Option<&Key>) {
        self.sync_deployment_status(key, rs_keys, new, true);
    }

    fn sync_deployment_status(
        &mut self,
        key: &Key,
        rs_keys: &[Key],
        new: Option<&Key>,
        progress: bool,
    ) {
        let Some((r, rt)) = self.store.deployments.get(key) else {
            return;
        };
        let d = r.obj.clone();
        let mut rt = rt.clone();
        let c = self.calculate(rs_keys, new);
        let replicas = d.spec.replicas.unwrap_or(1);
        let strategy = strategy_of(&d);
        let now = self.now;
        let min_avail = replicas - util::max_unavailable(&strategy, replicas);
        let avail = if c.available >= min_avail {
            DCond {
                type_: "Available",
                status: "True",
                reason: "MinimumReplicasAvailable",
                message: "Deployment has minimum availability.".into(),
                update_ms: now,
                transition_ms: now,
            }
        } else {
            DCond {
                type_: "Available",
                status: "False",
                reason: "MinimumReplicasUnavailable",
                message: "Deployment does not have minimum availability.".into(),
                update_ms: now,
                transition_ms: now,
            }
        };
        set_condition(&mut rt, avail, false);
        let old_status = d.status.clone().unwrap_or_default();
        let gen = d.metadata.generation.unwrap_or(1);
        let mut requeue: Option<Ms> = None;
        let deadline = d.spec.progress_deadline_seconds;
        if progress && deadline.is_some() {
            let cur = rt.conds.iter().find(|c| c.type_ == "Progressing").cloned();
            let complete_already = c.replicas == c.updated
                && cur
                    .as_ref()
                    .is_some_and(|x| x.reason == "NewReplicaSetAvailable");
            if !complete_already {
                let new_name = new.map(|k| k.1.clone()).unwrap_or_default();
                let complete = c.updated == replicas
                    && c.replicas == replicas
                    && c.available == replicas
                    && old_status.observed_generation.unwrap_or(0).max(gen) >= gen;
                let progressing = c.updated > old_status.updated_replicas.unwrap_or(0)
                    || c.ready > old_status.ready_replicas.unwrap_or(0)
                    || c.available > old_status.available_replicas.unwrap_or(0)
                    || (old_status.replicas.unwrap_or(0)
                        - old_status.updated_replicas.unwrap_or(0))
                        > (c.replicas - c.updated);
                if complete {
                    set_condition(
                        &mut rt,
                        DCond {
                            type_: "Progressing",
                            status: "True",
                            reason: "NewReplicaSetAvailable",
                            message: format!(
                                "ReplicaSet \"{new_name}\" has successfully progressed."
                            ),
                            update_ms: now,
                            transition_ms: now,
                        },
                        false,
                    );
                } else if progressing {
                    let mut cond = DCond {
                        type_: "Progressing",
                        status: "True",
                        reason: "ReplicaSetUpdated",
                        message: format!("ReplicaSet \"{new_name}\" is progressing."),
                        update_ms: now,
                        transition_ms: now,
                    };
                    if let Some(cur) = &cur {
                        if cur.status == "True" {
                            cond.transition_ms = cur.transition_ms;
                        }
                    }
                    rt.conds.retain(|x| x.type_ != "Progressing");
                    set_condition(&mut rt, cond, false);
                } else if let Some(cur) = &cur {
                    let dl = Ms::from(deadline.unwrap_or(600).max(0) as u32) * SECOND_MS;
                    let timed_out = cur.reason == "ProgressDeadlineExceeded"
                        || (cur.reason != "NewReplicaSetAvailable" && cur.update_ms + dl < now);
                    if timed_out {
                        set_condition(
                            &mut rt,
                            DCond {
                                type_: "Progressing",
                                status: "False",
                                reason: "ProgressDeadlineExceeded",
                                message: format!(
                                    "ReplicaSet \"{new_name}\" has timed out progressing."
                                ),
                                update_ms: now,
                                transition_ms: now,
                            },
                            false,
                        );
                    }
                }
                // requeueStuckDeployment
                if let Some(cur) = rt.conds.iter().find(|c| c.type_ == "Progressing") {
                    if cur.reason != "ProgressDeadlineExceeded"
                        && cur.reason != "NewReplicaSetAvailable"
                        && deadline != Some(i32::MAX)
                    {
                        let dl = Ms::from(deadline.unwrap_or(600).max(0) as u32) * SECOND_MS;
                        let due = cur.update_ms + dl;
                        requeue = Some(if due <= now + SECOND_MS {
                            SECOND_MS
                        } else {
                            due - now + SECOND_MS
                        });
                    }
                }
            }
        }
        let status = crate::api::DeploymentStatus {
            observed_generation: Some(gen),
            replicas: Some(c.replicas),
            updated_replicas: Some(c.updated),
            ready_replicas: Some(c.ready),
            available_replicas: Some(c.available),
            unavailable_replicas: Some(c.unavailable),
            terminating_replicas: None,
            conditions: rt.conds.iter().map(render_cond).collect(),
            collision_count: old_status.collision_count,
        };
        if let Some(t) = requeue {
            self.enqueue(ControllerId::Deployment, key, t);
        }
        let changed = d.status.as_ref() != Some(&status);
        if let Some((r, drt)) = self.store.deployments.get_mut(key) {
            *drt = rt;
            if changed {
                r.obj.status = Some(status);
            }
        }
        if changed {
            let rv = self.store.next_rv();
            if let Some((r, _)) = self.store.deployments.get_mut(key) {
                r.obj.metadata.resource_version = Some(rv);
            }
            self.tr(
                "Deployment",
                key_str(key),
                "Status",
                format!(
                    "replicas={} updated={} ready={} available={}",
                    c.replicas, c.updated, c.ready, c.available
                ),
            );
        }
    }

    /// `kubectl rollout undo` (client-side in apps/v1): roll the template back to a revision
    /// (0 = the previous one). Returns kubectl's message.
    pub fn rollback(
        &mut self,
        namespace: &str,
        name: &str,
        to_revision: i64,
    ) -> Result<String, String> {
        let key: Key = (namespace.to_string(), name.to_string());
        let Some((r, _)) = self.store.deployments.get(&key) else {
            return Err(format!("deployments.apps \"{name}\" not found"));
        };
        let d = r.obj.clone();
        if d.spec.paused == Some(true) {
            return Err(format!("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{name}' and try again"));
        }
        let rs_keys = self.owned_replicasets(d.metadata.uid.as_deref().unwrap_or(""));
        let mut revs: Vec<(i64, Key)> = rs_keys
            .iter()
            .filter_map(|k| {
                self.store
                    .replicasets
                    .get(k)
                    .map(|r| (revision_of(&r.obj), k.clone()))
            })
            .collect();
        revs.sort();
        let target = if to_revision == 0 {
            if revs.len() < 2 {
                return Err(format!(
                    "no rollout history found for deployment \"{name}\""
                ));
            }
            revs[revs.len() - 2].clone()
        } else {
            match revs.iter().find(|(r, _)| *r == to_revision) {
                Some(t) => t.clone(),
                None => {
                    return Err(format!(
                        "unable to find specified revision {to_revision} in history"
                    ))
                }
            }
        };
        let rs = &self.store.replicasets[&target.1].obj;
        let template = template_without_hash(&rs.spec.template);
        if template == template_without_hash(&d.spec.template) {
            return Ok(format!("deployment.apps/{name} skipped rollback (current template already matches revision {})", target.0));
        }
        let rv = self.store.next_rv();
        if let Some((r, _)) = self.store.deployments.get_mut(&key) {
            r.obj.spec.template = template;
            r.obj.metadata.generation = Some(r.obj.metadata.generation.unwrap_or(1) + 1);
            r.obj.metadata.resource_version = Some(rv);
        }
        self.tr(
            "Deployment",
            key_str(&key),
            "RolledBack",
            format!("toRevision={}", target.0),
        );
        self.enqueue(ControllerId::Deployment, &key, 0);
        Ok(format!("deployment.apps/{name} rolled back"))
    }
}

/// `SetDeploymentCondition`: same status and reason → unchanged; same status → keep the
/// transition time.
fn set_condition(rt: &mut DeployRt, mut c: DCond, _refresh: bool) {
    if let Some(cur) = rt.conds.iter().find(|x| x.type_ == c.type_) {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.transition_ms = cur.transition_ms;
        }
    }
    rt.conds.retain(|x| x.type_ != c.type_);
    rt.conds.push(c);
}

fn render_cond(c: &DCond) -> crate::api::Condition {
    crate::api::Condition {
        type_: c.type_.into(),
        status: c.status.into(),
        last_update_time: Some(rfc3339(c.update_ms)),
        last_transition_time: Some(rfc3339(c.transition_ms)),
        reason: Some(c.reason.into()),
        message: Some(c.message.clone()),
        ..Default::default()
    }
}

/// `DeploymentTimedOut` on integer times: lastUpdate + deadline strictly before now.
pub fn timed_out(last_update_ms: Ms, deadline_s: Option<i32>, reason: &str, now: Ms) -> bool {
    match deadline_s {
        None | Some(i32::MAX) => false,
        Some(_) if reason == "NewReplicaSetAvailable" => false,
        Some(_) if reason == "ProgressDeadlineExceeded" => true,
        Some(s) => last_update_ms + Ms::from(s.max(0) as u32) * SECOND_MS < now,
    }
}

/// Selector of a Deployment as a LabelSelector reference.
pub fn selector_of(d: &Deployment) -> Option<&LabelSelector> {
    d.spec.selector.as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// upstream `deployment_util_test.go` `TestDeploymentTimedOut`: deadline 10 s, now
    /// 00:01:20; last update 00:01:09 → timed out, 00:01:11 → not; nil/MaxInt32 → never.
    #[test]
    fn golden_deployment_timed_out() {
        let t = |m: u64, s: u64| (m * 60 + s) * 1000;
        assert!(timed_out(t(1, 9), Some(10), "ReplicaSetUpdated", t(1, 20)));
        assert!(!timed_out(
            t(1, 11),
            Some(10),
            "ReplicaSetUpdated",
            t(1, 20)
        ));
        assert!(!timed_out(t(1, 9), None, "ReplicaSetUpdated", t(1, 20)));
        assert!(!timed_out(
            t(1, 9),
            Some(i32::MAX),
            "ReplicaSetUpdated",
            t(1, 20)
        ));
        assert!(!timed_out(
            t(1, 9),
            Some(10),
            "NewReplicaSetAvailable",
            t(1, 20)
        ));
    }
}
