//! The adapter between kubectl's view (objects as JSON, addressed by resource type) and the
//! engine's API (typed objects, `Kind`). Everything that calls into `kubeplay-core` for reads
//! lives here, so engine API changes touch one file.
use crate::duration::{format_rfc3339, parse_rfc3339_ms};
use crate::printers::{s, Ctx};
use crate::resource::Resource;
use crate::session::Session;
use kubeplay_api::{Kind, Object};
use serde_json::{json, Value};

/// The engine kind behind a resource type, if the engine stores it.
pub fn kind_of(res: &Resource) -> Option<Kind> {
    Kind::from_name(res.kind)
}

/// A typed object from its JSON (after a kubectl-side edit such as `label` or `scale`).
pub fn object_from_value(v: Value) -> Result<Object, String> {
    let kind = s(&v, "kind").to_string();
    let r = match kind.as_str() {
        "Deployment" => serde_json::from_value(v).map(Object::Deployment),
        "ReplicaSet" => serde_json::from_value(v).map(Object::ReplicaSet),
        "Pod" => serde_json::from_value(v).map(Object::Pod),
        "Service" => serde_json::from_value(v).map(Object::Service),
        "Node" => serde_json::from_value(v).map(Object::Node),
        "Namespace" => serde_json::from_value(v).map(Object::Namespace),
        "InstanceGroup" => serde_json::from_value(v).map(Object::InstanceGroup),
        other => return Err(format!("kind {other:?} cannot be updated in the simulator")),
    };
    r.map_err(|e| e.to_string())
}

impl Session {
    /// Virtual now as Unix milliseconds (the engine's clock starts at a fixed epoch).
    pub(crate) fn now_unix_ms(&self) -> i64 {
        let epoch = parse_rfc3339_ms(&kubeplay_core::clock::rfc3339(0)).unwrap_or(0);
        epoch + i64::try_from(self.sim.now_ms()).unwrap_or(i64::MAX / 2)
    }

    /// Printer context at the current virtual time.
    pub(crate) fn ctx(&self, wide: bool) -> Ctx {
        Ctx {
            now_ms: self.now_unix_ms(),
            wide,
        }
    }

    /// Every object of a resource type, in every namespace, sorted by namespace and name.
    pub(crate) fn list_all(&self, res: &Resource) -> Vec<Value> {
        let mut out: Vec<Value> = match res.kind {
            "Event" => self.events_json(),
            "Endpoints" => self.endpoints_json(),
            "EndpointSlice" => self.endpoint_slices_json(),
            _ => match kind_of(res) {
                Some(k) => self
                    .sim
                    .objects_of(k)
                    .iter()
                    .map(|o| as_served(o.to_value()))
                    .collect(),
                None => Vec::new(),
            },
        };
        out.sort_by(|a, b| {
            (s(a, "metadata.namespace"), s(a, "metadata.name"))
                .cmp(&(s(b, "metadata.namespace"), s(b, "metadata.name")))
        });
        out
    }

    /// Objects of a resource type in `ns` (or all namespaces for `None` and cluster-scoped).
    pub(crate) fn list_in(&self, res: &Resource, ns: Option<&str>) -> Vec<Value> {
        let all = self.list_all(res);
        match ns {
            Some(n) if res.namespaced => all
                .into_iter()
                .filter(|o| s(o, "metadata.namespace") == n)
                .collect(),
            _ => all,
        }
    }

    /// One object by name.
    pub(crate) fn get_one(&self, res: &Resource, ns: &str, name: &str) -> Option<Value> {
        if res.kind == "Endpoints" {
            return self.endpoints_of(ns, name);
        }
        match kind_of(res) {
            Some(k) => self.sim.get(k, ns, name).map(|o| as_served(o.to_value())),
            None => self
                .list_in(res, Some(ns))
                .into_iter()
                .find(|o| s(o, "metadata.name") == name),
        }
    }

    /// Kubernetes Events as v1 Event objects.
    pub(crate) fn events_json(&self) -> Vec<Value> {
        let epoch = parse_rfc3339_ms(&kubeplay_core::clock::rfc3339(0)).unwrap_or(0);
        let ts = |ms: u64| format_rfc3339(epoch + i64::try_from(ms).unwrap_or(0));
        self.sim
            .events()
            .map(|e| {
                // The core's EventLog names every event it keeps (client-go's `%v.%x` of the
                // object and creation time in Unix ns), so list_all's name sort is API order.
                let name = e.name.clone();
                let api_version = crate::resource::by_kind(e.involved_kind)
                    .map_or("v1".to_string(), Resource::api_version);
                let mut involved = json!({
                    "apiVersion": api_version,
                    "kind": e.involved_kind,
                    "name": e.involved_name,
                    "uid": e.involved_uid,
                });
                if crate::resource::by_kind(e.involved_kind).is_some_and(|r| r.namespaced) {
                    involved["namespace"] = json!(e.namespace);
                }
                if let Some(fp) = &e.field_path {
                    involved["fieldPath"] = json!(fp);
                }
                let mut source = json!({"component": e.source_component});
                if let Some(h) = &e.source_host {
                    source["host"] = json!(h);
                }
                json!({
                    "apiVersion": "v1",
                    "kind": "Event",
                    "metadata": {
                        "name": name,
                        "namespace": e.namespace,
                        "creationTimestamp": ts(e.first_ms),
                    },
                    "involvedObject": involved,
                    "reason": e.reason,
                    "message": e.message,
                    "type": e.type_,
                    "count": e.count,
                    "firstTimestamp": ts(e.first_ms),
                    "lastTimestamp": ts(e.last_ms),
                    "source": source,
                    "reportingComponent": e.source_component,
                    "reportingInstance": e.source_host.clone().unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Events about one object, oldest first.
    pub(crate) fn events_about(&self, kind: &str, ns: &str, name: &str) -> Vec<Value> {
        self.events_json()
            .into_iter()
            .filter(|e| {
                s(e, "involvedObject.kind") == kind
                    && s(e, "involvedObject.name") == name
                    && (s(e, "involvedObject.namespace").is_empty()
                        || s(e, "involvedObject.namespace") == ns)
            })
            .collect()
    }

    /// EndpointSlices as the network's EndpointSlice controller keeps them, rendered as
    /// `newEndpointSlice`, `setEndpointSliceLabels` and `podToEndpoint`
    /// (`staging/src/k8s.io/endpointslice/utils.go`) write them: `generateName` `<service>-`,
    /// the Service's labels (less the reserved ones) plus the headless, service-name and
    /// managed-by labels, and per endpoint the pod's uid, node, zone and hostname.
    pub(crate) fn endpoint_slices_json(&self) -> Vec<Value> {
        use kubeplay_core::network::fmt_ip;
        let mut out = Vec::new();
        for svc in self.sim.services() {
            let (ns, name) = (
                svc.metadata.namespace_or_default(),
                svc.metadata.name.as_str(),
            );
            let Some(slices) = self.net.endpoint_slices(ns, name) else {
                continue;
            };
            // `setEndpointSliceLabels`
            let labels = controller_labels(
                svc,
                &SLICE_RESERVED_LABELS,
                &[
                    ("kubernetes.io/service-name", name),
                    (
                        "endpointslice.kubernetes.io/managed-by",
                        "endpointslice-controller.k8s.io",
                    ),
                ],
            );
            for sl in slices {
                let ports: Vec<Value> = sl
                    .ports
                    .iter()
                    .map(|p| endpoint_port(svc, &p.name, p.port, p.protocol.as_str(), true))
                    .collect();
                let endpoints: Vec<Value> = sl
                    .endpoints
                    .iter()
                    .map(|e| {
                        let mut v = json!({
                            "addresses": [fmt_ip(e.ip)],
                            "conditions": {"ready": e.ready, "serving": e.serving, "terminating": e.terminating},
                            "targetRef": self.pod_ref(ns, &e.pod),
                        });
                        if let Some(h) = self.pod_hostname(svc, &e.pod) {
                            v["hostname"] = json!(h);
                        }
                        if let Some(n) = &e.node {
                            v["nodeName"] = json!(n);
                            if let Some(zone) = self.node_zone(n) {
                                v["zone"] = json!(zone);
                            }
                        }
                        v
                    })
                    .collect();
                out.push(json!({
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": sl.name,
                        "generateName": format!("{name}-"),
                        "namespace": ns,
                        "creationTimestamp": svc.metadata.creation_timestamp.as_deref().unwrap_or_default(),
                        "labels": labels.clone(),
                        "ownerReferences": [{
                            "apiVersion": "v1",
                            "kind": "Service",
                            "name": name,
                            "uid": svc.metadata.uid.as_deref().unwrap_or_default(),
                            "controller": true,
                            "blockOwnerDeletion": true,
                        }],
                    },
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                }));
            }
        }
        out
    }

    /// `targetRef` of an endpoint: the pod, with its uid while the pod exists.
    fn pod_ref(&self, ns: &str, pod: &str) -> Value {
        let mut target = json!({"kind": "Pod", "name": pod, "namespace": ns});
        if let Some(uid) = self
            .sim
            .pod(ns, pod)
            .and_then(|p| p.metadata.uid.as_deref())
        {
            target["uid"] = json!(uid);
        }
        target
    }

    /// The endpoint's `hostname`: `ShouldSetHostname` (`k8s.io/endpointslice/util`,
    /// `pkg/controller/util/endpoint`) — the pod sets `spec.hostname` and its `spec.subdomain`
    /// names this Service (same namespace: the pod was selected from it).
    fn pod_hostname(&self, svc: &kubeplay_api::Service, pod: &str) -> Option<String> {
        let p = self.sim.pod(svc.metadata.namespace_or_default(), pod)?;
        let host = p.spec.hostname.as_deref().filter(|h| !h.is_empty())?;
        (p.spec.subdomain.as_deref() == Some(svc.metadata.name.as_str())).then(|| host.to_string())
    }

    /// The node's `topology.kubernetes.io/zone` label, if set and not empty.
    fn node_zone(&self, node: &str) -> Option<String> {
        let rec = self.sim.store().nodes.get(node)?;
        rec.node
            .metadata
            .labels
            .get(kubeplay_core::scheduler::types::LABEL_ZONE)
            .filter(|z| !z.is_empty())
            .cloned()
    }

    /// Endpoints objects, one per Service with a selector: the object the network's
    /// endpoints controller keeps (`kubeplay_core::network::endpoints`), rendered as the API
    /// server returns it.
    pub(crate) fn endpoints_json(&self) -> Vec<Value> {
        self.sim
            .services()
            .filter_map(|svc| self.endpoints_value(svc))
            .collect()
    }

    /// The Endpoints object of one Service, if the endpoints controller keeps one for it.
    pub(crate) fn endpoints_of(&self, ns: &str, name: &str) -> Option<Value> {
        let svc = self
            .sim
            .services()
            .find(|svc| svc.metadata.namespace_or_default() == ns && svc.metadata.name == name)?;
        self.endpoints_value(svc)
    }

    /// v1 Endpoints of a Service as `syncService` (`pkg/controller/endpoint/
    /// endpoints_controller.go`) writes it: the Service's labels (plus
    /// `service.kubernetes.io/headless` for `clusterIP: None`), the over-capacity annotation
    /// when more than 1,000 addresses were cut, the repacked subsets. A Service without a
    /// selector gets none from the controller (`None`).
    fn endpoints_value(&self, svc: &kubeplay_api::Service) -> Option<Value> {
        use kubeplay_core::network::endpoints::{EndpointAddress, EndpointPort};
        use kubeplay_core::network::fmt_ip;
        if svc.spec.selector.as_ref().is_none_or(|sel| sel.is_empty()) {
            return None;
        }
        let ns = svc.metadata.namespace_or_default();
        let name = svc.metadata.name.as_str();
        let ep = self.net.endpoints(ns, name)?;
        // `podToEndpointAddressForService`: ip, nodeName when set, targetRef to the pod
        // (hostname when `ShouldSetHostname`)
        let address = |a: &EndpointAddress| {
            let mut v = json!({"ip": fmt_ip(a.ip), "targetRef": self.pod_ref(ns, &a.pod)});
            if let Some(h) = self.pod_hostname(svc, &a.pod) {
                v["hostname"] = json!(h);
            }
            if let Some(node) = &a.node {
                v["nodeName"] = json!(node);
            }
            v
        };
        // `endpointPortFromServicePort`: name, resolved port, protocol, appProtocol
        let port =
            |p: &EndpointPort| endpoint_port(svc, &p.name, p.port, p.protocol.as_str(), false);
        let subsets: Vec<Value> = ep
            .subsets
            .iter()
            .map(|ss| {
                let mut v = serde_json::Map::new();
                if !ss.addresses.is_empty() {
                    v.insert(
                        "addresses".into(),
                        ss.addresses.iter().map(address).collect(),
                    );
                }
                if !ss.not_ready_addresses.is_empty() {
                    v.insert(
                        "notReadyAddresses".into(),
                        ss.not_ready_addresses.iter().map(address).collect(),
                    );
                }
                if !ss.ports.is_empty() {
                    v.insert("ports".into(), ss.ports.iter().map(port).collect());
                }
                Value::Object(v)
            })
            .collect();
        let mut meta = json!({
            "name": name,
            "namespace": ns,
            "creationTimestamp": svc.metadata.creation_timestamp.as_deref().unwrap_or_default(),
        });
        // `LabelManagedBy` = `ControllerName`, set on every Endpoints the controller writes
        // (since v1.33, with the Endpoints API's deprecation)
        let labels = controller_labels(
            svc,
            &[HEADLESS_LABEL],
            &[("endpoints.kubernetes.io/managed-by", "endpoint-controller")],
        );
        meta["labels"] = Value::Object(labels);
        if ep.truncated {
            meta["annotations"] = json!({"endpoints.kubernetes.io/over-capacity": "truncated"});
        }
        let mut out = json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": meta});
        if !subsets.is_empty() {
            out["subsets"] = Value::Array(subsets);
        }
        Some(out)
    }
}

/// An object as the API server serializes it, with the fields Go's JSON encoder writes that
/// the engine's types leave out: a container's `resources: {}` (a struct, never omitted), and
/// in a pod's status `podIPs`/`hostIPs` (the lists `podIP`/`hostIP` mirror), `lastProbeTime:
/// null` on each condition (a `metav1.Time` without `omitempty`) and `lastState: {}` on each
/// container status; and `observedGeneration` (PodObservedGenerationTracking, beta and on
/// since v1.34, kubernetes#132912) on each condition and, once a kubelet reports the pod, on
/// its status. The engine's kubelet and scheduler report at once, so the generation they
/// observed is the pod's. Only what every v1.34 pod shows; nothing here reaches the engine.
pub(crate) fn as_served(mut v: Value) -> Value {
    fn containers_resources(pod_spec: Option<&mut Value>) {
        let Some(spec) = pod_spec else { return };
        for list in ["initContainers", "containers"] {
            if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
                for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                    c.entry("resources").or_insert_with(|| json!({}));
                }
            }
        }
    }
    fn ip_list(status: &mut serde_json::Map<String, Value>, one: &str, list: &str) {
        if let Some(ip) = status.get(one).cloned().filter(|ip| ip.is_string()) {
            status.entry(list).or_insert_with(|| json!([{"ip": ip}]));
        }
    }
    match v.get("kind").and_then(Value::as_str) {
        Some("Pod") => {
            containers_resources(v.get_mut("spec"));
            let generation = v.pointer("/metadata/generation").cloned();
            let on_node = v
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty());
            if let Some(status) = v.get_mut("status").and_then(Value::as_object_mut) {
                ip_list(status, "podIP", "podIPs");
                ip_list(status, "hostIP", "hostIPs");
                if let (Some(g), true) = (&generation, on_node) {
                    status
                        .entry("observedGeneration")
                        .or_insert_with(|| g.clone());
                }
                if let Some(cs) = status.get_mut("conditions").and_then(Value::as_array_mut) {
                    for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                        c.entry("lastProbeTime").or_insert(Value::Null);
                        if let Some(g) = &generation {
                            c.entry("observedGeneration").or_insert_with(|| g.clone());
                        }
                    }
                }
                for list in ["initContainerStatuses", "containerStatuses"] {
                    if let Some(cs) = status.get_mut(list).and_then(Value::as_array_mut) {
                        for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                            c.entry("lastState").or_insert_with(|| json!({}));
                        }
                    }
                }
            }
        }
        Some("Deployment" | "ReplicaSet") => {
            containers_resources(v.pointer_mut("/spec/template/spec"));
        }
        _ => {}
    }
    v
}

/// `service.kubernetes.io/headless` (`v1.IsHeadlessService`).
const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// Labels the EndpointSlice controller owns and never copies from the Service
/// (`isReservedLabelKey`).
const SLICE_RESERVED_LABELS: [&str; 3] = [
    "kubernetes.io/service-name",
    "endpointslice.kubernetes.io/managed-by",
    HEADLESS_LABEL,
];

/// The labels the endpoints and EndpointSlice controllers write on what they keep for a
/// Service: the Service's own less the keys the controller reserves, the headless label
/// exactly when the Service has no cluster IP, then the controller's own labels.
fn controller_labels(
    svc: &kubeplay_api::Service,
    reserved: &[&str],
    own: &[(&str, &str)],
) -> serde_json::Map<String, Value> {
    let mut labels: serde_json::Map<String, Value> = svc
        .metadata
        .labels
        .iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if !service_ip_set(svc) {
        labels.insert(HEADLESS_LABEL.into(), json!(""));
    }
    for (k, v) in own {
        labels.insert((*k).into(), json!(v));
    }
    labels
}

/// `helper.IsServiceIPSet`: the Service has a cluster IP (not `None`, not empty).
fn service_ip_set(svc: &kubeplay_api::Service) -> bool {
    svc.spec
        .cluster_ip
        .as_deref()
        .is_some_and(|ip| !ip.is_empty() && ip != "None")
}

/// An endpoint port as both controllers write it (`endpointPortFromServicePort`,
/// `getEndpointPorts`): the Service port's name, the port resolved on the pod, the protocol,
/// and the Service port's `appProtocol`. An empty name is omitted from v1 Endpoints (a plain
/// string with `omitempty`) but kept as `name: ""` in an EndpointSlice (a pointer there,
/// always set): `slice_name`.
fn endpoint_port(
    svc: &kubeplay_api::Service,
    name: &str,
    port: u16,
    protocol: &str,
    slice_name: bool,
) -> Value {
    let mut v = json!({"port": port, "protocol": protocol});
    if slice_name || !name.is_empty() {
        v["name"] = json!(name);
    }
    let app_protocol = svc
        .spec
        .ports
        .iter()
        .find(|p| p.name.as_deref().unwrap_or("") == name)
        .and_then(|p| p.app_protocol.as_deref());
    if let Some(ap) = app_protocol {
        v["appProtocol"] = json!(ap);
    }
    v
}
