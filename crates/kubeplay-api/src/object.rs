//! [`Object`]: one loaded object of a simulated kind, and [`Kind`], the ordered kind key the
//! engine files objects under. Output helpers print an object the way `kubectl get -o yaml|json`
//! does: keys sorted, defaults filled, empty fields omitted.
use crate::{
    kinds::{
        deployment::Deployment, instancegroup::InstanceGroup, namespace::Namespace, node::Node,
        pod::Pod, replicaset::ReplicaSet, service::Service,
    },
    meta::ObjectMeta,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kinds the simulator runs. Ordered so it can key a `BTreeMap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// `Namespace` (v1, cluster-scoped).
    Namespace,
    /// `Node` (v1, cluster-scoped).
    Node,
    /// kops `InstanceGroup` (kops.k8s.io/v1alpha2).
    InstanceGroup,
    /// `Deployment` (apps/v1).
    Deployment,
    /// `ReplicaSet` (apps/v1).
    ReplicaSet,
    /// `Pod` (v1).
    Pod,
    /// `Service` (v1).
    Service,
}

impl Kind {
    /// Every simulated kind, in `Ord` order.
    pub const ALL: [Kind; 7] = [
        Kind::Namespace,
        Kind::Node,
        Kind::InstanceGroup,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::Pod,
        Kind::Service,
    ];

    /// The `kind` string (`Deployment`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::InstanceGroup => "InstanceGroup",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
        }
    }

    /// The `kind` string to Kind (exact, case-sensitive like the API).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The API version objects of this kind are stored and printed in.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Namespace | Kind::Node | Kind::Pod | Kind::Service => "v1",
            Kind::Deployment | Kind::ReplicaSet => "apps/v1",
            Kind::InstanceGroup => "kops.k8s.io/v1alpha2",
        }
    }

    /// The API group for error messages (`Deployment.apps`), empty for the core group.
    pub fn group(self) -> &'static str {
        match self {
            Kind::Deployment | Kind::ReplicaSet => "apps",
            Kind::InstanceGroup => "kops.k8s.io",
            _ => "",
        }
    }

    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Namespace | Kind::Node)
    }

    /// Lower-case plural resource name (`deployments`), as kubectl accepts it.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Node => "nodes",
            Kind::InstanceGroup => "instancegroups",
            Kind::Deployment => "deployments",
            Kind::ReplicaSet => "replicasets",
            Kind::Pod => "pods",
            Kind::Service => "services",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object of a simulated kind. Serializes as the plain Kubernetes object (untagged): the
/// `apiVersion` and `kind` fields inside each struct say which it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Object {
    /// A Deployment.
    Deployment(Deployment),
    /// A ReplicaSet.
    ReplicaSet(ReplicaSet),
    /// A Pod.
    Pod(Pod),
    /// A Service.
    Service(Service),
    /// A Node.
    Node(Node),
    /// A Namespace.
    Namespace(Namespace),
    /// A kops InstanceGroup.
    InstanceGroup(InstanceGroup),
}

impl Object {
    /// The kind of this object.
    pub fn kind(&self) -> Kind {
        match self {
            Object::Deployment(_) => Kind::Deployment,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::Pod(_) => Kind::Pod,
            Object::Service(_) => Kind::Service,
            Object::Node(_) => Kind::Node,
            Object::Namespace(_) => Kind::Namespace,
            Object::InstanceGroup(_) => Kind::InstanceGroup,
        }
    }

    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        match self {
            Object::Deployment(o) => &o.metadata,
            Object::ReplicaSet(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::Node(o) => &o.metadata,
            Object::Namespace(o) => &o.metadata,
            Object::InstanceGroup(o) => &o.metadata,
        }
    }

    /// The object's metadata, mutable (the engine sets uid, resourceVersion, timestamps).
    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Deployment(o) => &mut o.metadata,
            Object::ReplicaSet(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::Service(o) => &mut o.metadata,
            Object::Node(o) => &mut o.metadata,
            Object::Namespace(o) => &mut o.metadata,
            Object::InstanceGroup(o) => &mut o.metadata,
        }
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.meta().name
    }

    /// The namespace for namespaced kinds (`default` when unset), None for cluster-scoped ones.
    pub fn namespace(&self) -> Option<&str> {
        self.kind()
            .namespaced()
            .then(|| self.meta().namespace_or_default())
    }

    /// The object as a JSON value with sorted keys (serde_json's map is a BTreeMap).
    pub fn to_value(&self) -> serde_json::Value {
        // Serializing plain structs of strings, integers and maps cannot fail.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Print like `kubectl get -o json` (two-space indent, sorted keys, trailing newline).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_value()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Print like `kubectl get -o yaml` (sorted keys, block style, lists not indented).
    pub fn to_yaml(&self) -> String {
        crate::yaml::emit::to_yaml(&self.to_value())
    }
}
