//! Kind dispatch and API versions. Each simulated kind is decoded from the tree; Deployments and
//! ReplicaSets in the versions removed in Kubernetes 1.16 are still read (the seed article's
//! example is `extensions/v1beta1`), given that version's own defaults, converted to apps/v1 and
//! reported with a warning saying what to change.
use crate::{
    intstr::IntOrString,
    kinds::{
        deployment::{Deployment, DeploymentStrategy, RollingUpdateDeployment},
        replicaset::ReplicaSet,
    },
    object::{Kind, Object},
    selector::LabelSelector,
    yaml::{
        de::{decode as decode_node, DeError, UnknownField},
        tree::Node,
    },
};
use serde::de::DeserializeOwned;

/// The outcome of decoding one object.
pub struct Decoded {
    /// The object, or why it is not one.
    pub object: Result<Object, DeError>,
    /// Fields the kind does not have.
    pub unknown: Vec<UnknownField>,
    /// Version warnings.
    pub warnings: Vec<String>,
}

/// Decode `node` as `kind` in `api_version`.
pub fn decode(kind: Kind, api_version: &str, node: &Node) -> Decoded {
    let mut warnings = Vec::new();
    let legacy = legacy_version(kind, api_version);
    if !served(kind, api_version) && legacy.is_none() {
        let e = DeError {
            path: "apiVersion".into(),
            pos: node.get("apiVersion").map(|n| n.pos),
            message: format!(
                "no matches for kind {:?} in version {api_version:?} (use apiVersion: {})",
                kind.as_str(),
                kind.api_version()
            ),
        };
        return Decoded {
            object: Err(e),
            unknown: Vec::new(),
            warnings,
        };
    }
    if kind == Kind::InstanceGroup && api_version == "kops/v1alpha2" {
        warnings.push(
            "kops/v1alpha2 is the old name of kops.k8s.io/v1alpha2; loaded as kops.k8s.io/v1alpha2"
                .to_string(),
        );
    }
    let (object, unknown) = match kind {
        Kind::Deployment => typed(node, Object::Deployment),
        Kind::ReplicaSet => typed(node, Object::ReplicaSet),
        Kind::Pod => typed(node, Object::Pod),
        Kind::Service => typed(node, Object::Service),
        Kind::Node => typed(node, Object::Node),
        Kind::Namespace => typed(node, Object::Namespace),
        Kind::InstanceGroup => typed(node, Object::InstanceGroup),
    };
    let object = object.map(|mut o| {
        match (&mut o, legacy) {
            (Object::Deployment(d), Some(v)) => warnings.push(convert_deployment(d, v)),
            (Object::ReplicaSet(r), Some(v)) => warnings.push(convert_replicaset(r, v)),
            _ => {}
        }
        set_version(&mut o, kind);
        o
    });
    Decoded {
        object,
        unknown,
        warnings,
    }
}

fn typed<T: DeserializeOwned>(
    node: &Node,
    wrap: fn(T) -> Object,
) -> (Result<Object, DeError>, Vec<UnknownField>) {
    let (r, unknown) = decode_node::<T>(node);
    (r.map(wrap), unknown)
}

/// Versions served by a v1.34 API server (plus kops' own).
fn served(kind: Kind, api_version: &str) -> bool {
    match kind {
        Kind::InstanceGroup => matches!(api_version, "kops.k8s.io/v1alpha2" | "kops/v1alpha2"),
        _ => api_version == kind.api_version(),
    }
}

/// Removed workload versions we still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Legacy {
    ExtensionsV1beta1,
    AppsV1beta1,
    AppsV1beta2,
}

impl Legacy {
    fn as_str(self) -> &'static str {
        match self {
            Legacy::ExtensionsV1beta1 => "extensions/v1beta1",
            Legacy::AppsV1beta1 => "apps/v1beta1",
            Legacy::AppsV1beta2 => "apps/v1beta2",
        }
    }
}

fn legacy_version(kind: Kind, api_version: &str) -> Option<Legacy> {
    match (kind, api_version) {
        (Kind::Deployment | Kind::ReplicaSet, "extensions/v1beta1") => {
            Some(Legacy::ExtensionsV1beta1)
        }
        (Kind::Deployment, "apps/v1beta1") => Some(Legacy::AppsV1beta1),
        (Kind::Deployment | Kind::ReplicaSet, "apps/v1beta2") => Some(Legacy::AppsV1beta2),
        _ => None,
    }
}

fn set_version(o: &mut Object, kind: Kind) {
    let v = kind.api_version().to_string();
    let k = kind.as_str().to_string();
    match o {
        Object::Deployment(x) => (x.api_version, x.kind) = (v, k),
        Object::ReplicaSet(x) => (x.api_version, x.kind) = (v, k),
        Object::Pod(x) => (x.api_version, x.kind) = (v.into(), k.into()),
        Object::Service(x) => (x.api_version, x.kind) = (v, k),
        Object::Node(x) => (x.api_version, x.kind) = (v, k),
        Object::Namespace(x) => (x.api_version, x.kind) = (v, k),
        Object::InstanceGroup(x) => (x.api_version, x.kind) = (v, k),
    }
}

/// The selector the removed versions defaulted: the template labels (extensions/v1beta1 and
/// apps/v1beta1 only; apps/v1beta2 already required it).
fn default_selector(
    selector: &mut Option<LabelSelector>,
    template_labels: &crate::selector::Labels,
    v: Legacy,
) -> bool {
    if selector.is_none() && v != Legacy::AppsV1beta2 && !template_labels.is_empty() {
        *selector = Some(LabelSelector::from_labels(template_labels.clone()));
        return true;
    }
    false
}

/// Apply the removed version's defaults (`pkg/apis/extensions/v1beta1/defaults.go`,
/// `pkg/apis/apps/v1beta1/defaults.go`) so that what runs is what that version would have run,
/// and return the warning.
fn convert_deployment(d: &mut Deployment, v: Legacy) -> String {
    let labels = d.spec.template.metadata.labels.clone();
    let defaulted = default_selector(&mut d.spec.selector, &labels, v);
    if v != Legacy::AppsV1beta2 && d.metadata.labels.is_empty() {
        d.metadata.labels = labels.clone();
    }
    let spec = &mut d.spec;
    match v {
        Legacy::ExtensionsV1beta1 => {
            // extensions/v1beta1: maxUnavailable 1, maxSurge 1, no history limit, no deadline.
            let s = spec
                .strategy
                .get_or_insert_with(DeploymentStrategy::default);
            let t = s.type_.get_or_insert_with(|| "RollingUpdate".to_string());
            if t == "RollingUpdate" {
                let ru = s
                    .rolling_update
                    .get_or_insert_with(RollingUpdateDeployment::default);
                ru.max_unavailable.get_or_insert(IntOrString::Int(1));
                ru.max_surge.get_or_insert(IntOrString::Int(1));
            }
            spec.revision_history_limit.get_or_insert(i32::MAX);
            spec.progress_deadline_seconds.get_or_insert(i32::MAX);
        }
        Legacy::AppsV1beta1 => {
            spec.revision_history_limit.get_or_insert(2);
        }
        Legacy::AppsV1beta2 => {}
    }
    let mut msg = format!(
        "{} Deployment is no longer served since Kubernetes v1.16; loaded as apps/v1 with {} \
         defaults. To apply it to a real cluster, change apiVersion to apps/v1",
        v.as_str(),
        v.as_str()
    );
    if defaulted {
        msg.push_str(&format!(
            " and add spec.selector.matchLabels ({}), which apps/v1 requires",
            labels_text(&labels)
        ));
    }
    msg
}

fn convert_replicaset(r: &mut ReplicaSet, v: Legacy) -> String {
    let labels = r.spec.template.metadata.labels.clone();
    let defaulted = default_selector(&mut r.spec.selector, &labels, v);
    if v != Legacy::AppsV1beta2 && r.metadata.labels.is_empty() {
        r.metadata.labels = labels.clone();
    }
    let mut msg = format!(
        "{} ReplicaSet is no longer served since Kubernetes v1.16; loaded as apps/v1. To apply \
         it to a real cluster, change apiVersion to apps/v1",
        v.as_str()
    );
    if defaulted {
        msg.push_str(&format!(
            " and add spec.selector.matchLabels ({}), which apps/v1 requires",
            labels_text(&labels)
        ));
    }
    msg
}

fn labels_text(labels: &crate::selector::Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
