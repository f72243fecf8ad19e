//! `metav1.ObjectMeta` and `OwnerReference`: the fields every object carries. Identity fields the
//! API server fills (uid, resourceVersion, generation, creationTimestamp) are plain optional
//! values here; the engine sets them when it stores an object, so output looks like a live one.
use crate::selector::Labels;
use crate::shared::Shared;
use serde::{Deserialize, Serialize};

/// Any JSON value kept as written: fields we accept and echo back but do not simulate.
pub type Raw = serde_json::Value;

/// Standard object metadata (`metav1.ObjectMeta`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name, unique per kind and namespace. Empty when only `generateName` was given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Prefix for a server-generated name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    /// Namespace; None means `default` for namespaced kinds (filled by the loader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Deprecated self link, accepted and ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_link: Option<String>,
    /// Unique id assigned by the engine on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Opaque version string the engine bumps on every change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    /// Spec generation, bumped by the engine on every spec change (1 on create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    /// RFC 3339 creation time in virtual time (`2024-01-01T00:00:00Z` + ticks), set by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    /// RFC 3339 time at which graceful deletion started, set by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<String>,
    /// Grace period of a pending deletion, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    /// Labels (selected on by selectors).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Shared<Labels>,
    /// Annotations (not selectable).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub annotations: Labels,
    /// Owners of this object (ReplicaSet → Deployment, Pod → ReplicaSet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<OwnerReference>,
    /// Finalizers that block deletion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
    /// Server-side apply bookkeeping, accepted and echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_fields: Option<Raw>,
}

/// `kubectl.kubernetes.io/last-applied-configuration` (`v1.LastAppliedConfigAnnotation`):
/// the manifest `kubectl apply` last sent. kubectl writes it, `describe` hides it, and the
/// Deployment controller does not copy it onto ReplicaSets.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

impl ObjectMeta {
    /// The namespace, or `default` when unset.
    pub fn namespace_or_default(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// The managing controller's owner reference, if any (upstream `metav1.GetControllerOf`).
    pub fn controller_of(&self) -> Option<&OwnerReference> {
        self.owner_references
            .iter()
            .find(|o| o.controller == Some(true))
    }
}

/// `metav1.OwnerReference`: who owns (and garbage-collects) this object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    /// API version of the owner (`apps/v1`). A `Cow` so the controllers' constant owner
    /// kinds and versions are borrowed, not copied into each of 150,000 pods.
    #[serde(default)]
    pub api_version: std::borrow::Cow<'static, str>,
    /// Kind of the owner (`ReplicaSet`).
    #[serde(default)]
    pub kind: std::borrow::Cow<'static, str>,
    /// Name of the owner.
    #[serde(default)]
    pub name: String,
    /// UID of the owner.
    #[serde(default)]
    pub uid: String,
    /// True when the owner is the managing controller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    /// True when the owner cannot be deleted before this object (foreground deletion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// A status condition in the shape most kinds share (`type`, `status`, reasons, times).
/// `type` and `reason` are `Cow<'static, str>`: the engine writes them from constants (five
/// conditions on each of 150,000 pods), so they borrow instead of allocating a string each;
/// values read from YAML are owned, and the output is the same text. (`status` stays a
/// `String`: callers clone it as one; its few bytes are allocated once per condition.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Condition type (`Available`, `Ready`, `Progressing`).
    #[serde(default, rename = "type")]
    pub type_: std::borrow::Cow<'static, str>,
    /// `True`, `False` or `Unknown`.
    #[serde(default)]
    pub status: String,
    /// Last time the condition was probed (pods).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<String>,
    /// Last heartbeat (nodes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_time: Option<String>,
    /// Last update (deployments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<String>,
    /// Last time `status` changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<String>,
    /// Machine-readable reason (`MinimumReplicasAvailable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<std::borrow::Cow<'static, str>>,
    /// Human-readable message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Generation the condition was computed for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}
