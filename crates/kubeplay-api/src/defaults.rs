//! Defaults applied on create (semantics §8): what `kubectl get -o yaml` shows that the user did
//! not write. Values the API server allocates from cluster state (clusterIP, nodePort, uid,
//! timestamps) are the engine's job, not this module's.
use crate::{
    intstr::IntOrString,
    kinds::{
        deployment::{Deployment, DeploymentStrategy, RollingUpdateDeployment},
        pod::{Container, Pod, PodSpec, Probe, Toleration},
        service::Service,
    },
    meta::ObjectMeta,
    object::Object,
};

/// Apply every default for the object's kind.
pub fn apply(object: &mut Object) {
    let namespaced = object.kind().namespaced();
    default_namespace(object.meta_mut(), namespaced);
    match object {
        Object::Deployment(d) => deployment(d),
        Object::ReplicaSet(r) => {
            r.spec.replicas.get_or_insert(1);
            pod_spec(&mut r.spec.template.spec);
        }
        Object::Pod(p) => pod(p),
        Object::Service(s) => service(s),
        Object::Node(n) => {
            if let Some(st) = &mut n.status {
                if st.allocatable.is_empty() {
                    st.allocatable = st.capacity.clone();
                }
            }
        }
        Object::Namespace(ns) => {
            let name = ns.metadata.name.clone();
            ns.metadata
                .labels
                .insert("kubernetes.io/metadata.name".into(), name);
            let spec = ns.spec.get_or_insert_with(Default::default);
            if spec.finalizers.is_empty() {
                spec.finalizers.push("kubernetes".into());
            }
        }
        Object::InstanceGroup(_) => {}
    }
}

/// Namespaced kinds without a namespace go to `default`; cluster-scoped kinds lose a namespace
/// silently, as the API server's `BeforeCreate` clears it.
fn default_namespace(meta: &mut ObjectMeta, namespaced: bool) {
    if !namespaced {
        meta.namespace = None;
    } else if meta.namespace.as_deref().unwrap_or("").is_empty() {
        meta.namespace = Some("default".into());
    }
}

/// `SetDefaults_Deployment` (apps/v1).
fn deployment(d: &mut Deployment) {
    let spec = &mut d.spec;
    spec.replicas.get_or_insert(1);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    let t = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
    if t == "RollingUpdate" {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable
            .get_or_insert_with(|| IntOrString::String("25%".into()));
        ru.max_surge
            .get_or_insert_with(|| IntOrString::String("25%".into()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    pod_spec(&mut spec.template.spec);
}

/// Pod-only defaults (admission plugins and `SetDefaults_Pod`), then the shared spec defaults.
fn pod(p: &mut Pod) {
    let spec = &mut p.spec;
    pod_spec(spec);
    spec.enable_service_links.get_or_insert(true);
    spec.priority.get_or_insert(0);
    // ServiceAccount admission sets both the field and its deprecated alias.
    let sa = spec
        .service_account_name
        .get_or_insert_with(|| "default".into())
        .clone();
    spec.service_account.get_or_insert(sa);
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut())
    {
        // A limit without a request requests the limit (pods only, not templates).
        for (name, q) in &c.resources.limits {
            c.resources
                .requests
                .entry(name.clone())
                .or_insert_with(|| q.clone());
        }
    }
    default_tolerations(spec.tolerations.get_or_insert_with(Default::default));
}

/// DefaultTolerationSeconds admission: tolerate not-ready/unreachable for 300 s unless the pod
/// already tolerates that taint with NoExecute.
fn default_tolerations(tolerations: &mut Vec<Toleration>) {
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let covered = tolerations.iter().any(|t| {
            let effect_ok = t
                .effect
                .as_deref()
                .is_none_or(|e| e.is_empty() || e == "NoExecute");
            let key_ok = match t.key.as_deref() {
                None | Some("") => t.operator.as_deref() == Some("Exists"),
                Some(k) => k == key,
            };
            effect_ok && key_ok
        });
        if !covered {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                value: None,
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
            });
        }
    }
}

/// `SetDefaults_PodSpec` and the container defaults, shared by pods and templates.
pub fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context
        .get_or_insert_with(|| Box::new(serde_json::json!({})));
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut())
    {
        container(c);
    }
    if let Some(serde_json::Value::Array(volumes)) = spec.volumes.as_deref_mut() {
        for v in volumes.iter_mut() {
            volume(v);
        }
    }
}

/// Volume defaults on the raw value: no source means `emptyDir: {}`; secret, configMap,
/// downwardAPI and projected sources get `defaultMode: 420` (0644).
fn volume(v: &mut serde_json::Value) {
    let Some(map) = v.as_object_mut() else { return };
    if map.keys().all(|k| k == "name") {
        map.insert("emptyDir".into(), serde_json::json!({}));
    }
    for source in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(serde_json::Value::Object(s)) = map.get_mut(source) {
            s.entry("defaultMode").or_insert(serde_json::json!(420));
        }
    }
}

/// `SetDefaults_Container`, ports, probes.
pub fn container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        if let Some(image) = &c.image {
            c.image_pull_policy = Some(pull_policy_for(image).into());
        }
    }
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    for p in &mut c.ports {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        probe_defaults(probe);
    }
}

fn probe_defaults(p: &mut Probe) {
    p.timeout_seconds.get_or_insert(1);
    p.period_seconds.get_or_insert(10);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
    if let Some(h) = &mut p.http_get {
        h.path.get_or_insert_with(|| "/".into());
        h.scheme.get_or_insert_with(|| "HTTP".into());
    }
}

/// `ParseImageName` → tag; `latest` (also implied by no tag and no digest) pulls `Always`.
pub fn pull_policy_for(image: &str) -> &'static str {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    // The tag is after the last ':' that comes after the last '/' (a registry port is not a tag).
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.rsplit_once(':').map(|(_, t)| t);
    match (tag, digest) {
        (Some("latest"), _) => "Always",
        (Some(_), _) => "IfNotPresent",
        (None, true) => "IfNotPresent",
        (None, false) => "Always",
    }
}

/// `SetDefaults_Service` plus the single-stack IPv4 cluster's ip family defaults.
fn service(s: &mut Service) {
    let spec = &mut s.spec;
    let t = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
    let affinity = spec.session_affinity.get_or_insert_with(|| "None".into());
    if affinity == "ClientIP" && spec.session_affinity_config.is_none() {
        spec.session_affinity_config =
            Some(serde_json::json!({"clientIP": {"timeoutSeconds": 10800}}));
    }
    if t == "ExternalName" {
        return;
    }
    for p in &mut spec.ports {
        p.protocol.get_or_insert_with(|| "TCP".into());
        let unset = match &p.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            Some(IntOrString::Int(_)) => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    spec.internal_traffic_policy
        .get_or_insert_with(|| "Cluster".into());
    if t == "NodePort" || t == "LoadBalancer" {
        spec.external_traffic_policy
            .get_or_insert_with(|| "Cluster".into());
    }
    if t == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
    let headless = spec.cluster_ip.as_deref() == Some("None");
    if !headless || spec.selector.as_ref().is_some_and(|s| !s.is_empty()) {
        spec.ip_family_policy
            .get_or_insert_with(|| "SingleStack".into());
        spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(pull_policy_for("nginx"), "Always");
        assert_eq!(pull_policy_for("nginx:latest"), "Always");
        assert_eq!(pull_policy_for("nginx:1.25"), "IfNotPresent");
        assert_eq!(pull_policy_for("nginx@sha256:abc"), "IfNotPresent");
        assert_eq!(pull_policy_for("nginx:1.25@sha256:abc"), "IfNotPresent");
        assert_eq!(pull_policy_for("localhost:5000/app"), "Always");
        assert_eq!(pull_policy_for("localhost:5000/app:v2"), "IfNotPresent");
    }
}
