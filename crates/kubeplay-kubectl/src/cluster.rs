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
                    .map(Object::to_value)
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
            Some(k) => self.sim.get(k, ns, name).map(|o| o.to_value()),
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

    /// EndpointSlices as the network's EndpointSlice controller keeps them.
    pub(crate) fn endpoint_slices_json(&self) -> Vec<Value> {
        use kubeplay_core::network::fmt_ip;
        let mut out = Vec::new();
        for svc in self
            .sim
            .objects_of(Kind::Service)
            .iter()
            .map(Object::to_value)
        {
            let (ns, name) = (s(&svc, "metadata.namespace"), s(&svc, "metadata.name"));
            let Some(slices) = self.net.endpoint_slices(ns, name) else {
                continue;
            };
            for sl in slices {
                let ports: Vec<Value> = sl
                    .ports
                    .iter()
                    .map(|p| {
                        let mut v = json!({"port": p.port, "protocol": p.protocol.as_str()});
                        if !p.name.is_empty() {
                            v["name"] = json!(p.name);
                        }
                        v
                    })
                    .collect();
                let endpoints: Vec<Value> = sl
                    .endpoints
                    .iter()
                    .map(|e| {
                        let mut v = json!({
                            "addresses": [fmt_ip(e.ip)],
                            "conditions": {"ready": e.ready, "serving": e.serving, "terminating": e.terminating},
                            "targetRef": {"kind": "Pod", "name": e.pod, "namespace": ns},
                        });
                        if let Some(n) = &e.node {
                            v["nodeName"] = json!(n);
                        }
                        v
                    })
                    .collect();
                out.push(json!({
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": sl.name,
                        "namespace": ns,
                        "creationTimestamp": s(&svc, "metadata.creationTimestamp"),
                        "labels": {
                            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                            "kubernetes.io/service-name": name,
                        },
                        "ownerReferences": [{
                            "apiVersion": "v1",
                            "kind": "Service",
                            "name": name,
                            "uid": s(&svc, "metadata.uid"),
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
        let address = |a: &EndpointAddress| {
            let mut target = json!({"kind": "Pod", "name": a.pod, "namespace": ns});
            if let Some(uid) = self
                .sim
                .pod(ns, &a.pod)
                .and_then(|p| p.metadata.uid.as_deref())
            {
                target["uid"] = json!(uid);
            }
            let mut v = json!({"ip": fmt_ip(a.ip), "targetRef": target});
            if let Some(node) = &a.node {
                v["nodeName"] = json!(node);
            }
            v
        };
        let port = |p: &EndpointPort| {
            let mut v = json!({"port": p.port, "protocol": p.protocol.as_str()});
            if !p.name.is_empty() {
                v["name"] = json!(p.name);
            }
            v
        };
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
        let mut labels: serde_json::Map<String, Value> = svc
            .metadata
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        if svc.spec.cluster_ip.as_deref() == Some("None") {
            labels.insert("service.kubernetes.io/headless".into(), json!(""));
        }
        if !labels.is_empty() {
            meta["labels"] = Value::Object(labels);
        }
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
