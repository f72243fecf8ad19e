//! The API-server side of the sim: `apply`, `delete` (with propagation), cluster bootstrap,
//! node registration, the garbage collector, and chaos actions on nodes.
//!
//! Garbage collection follows `pkg/controller/garbagecollector`: background deletion removes the
//! owner at once and deletes dependents afterwards; foreground deletion marks the owner
//! (deletionTimestamp + `foregroundDeletion` finalizer), deletes dependents (in foreground too),
//! and removes the owner when none remain; orphan removes the ownerReferences and the owner.
use crate::api::{Kind, Labels, Node, Object, ObjectMeta};
use crate::clock::{rfc3339, Ms};
use crate::kubelet::HEARTBEAT_MS;
use crate::node::{self, NodeRt};
use crate::sim::{key_str, ApplyAction, ApplyOutcome, Emit, Ev, Propagation, Sim};
use crate::store::{Key, NodeRec, ObjRef, Rec};
use crate::workqueue::ControllerId;

/// Zone of the default cluster.
pub const DEFAULT_ZONE: &str = "us-east-1a";
/// Kubelet version nodes report.
pub const KUBELET_VERSION: &str = "v1.34.2";

fn not_found(kind: Kind, name: &str) -> String {
    let g = kind.group();
    if g.is_empty() {
        format!("{} \"{name}\" not found", kind.plural())
    } else {
        format!("{}.{g} \"{name}\" not found", kind.plural())
    }
}

/// kops-style instance IP for the i-th instance: a permutation of 172.20.32.3–172.20.255.252
/// (unique for the first 56,000 instances) so names look like a real VPC's.
pub fn instance_ip(i: u32) -> u32 {
    let off = (u64::from(i) * 7919 + 1234) % (224 * 250);
    (172 << 24) | (20 << 16) | (((32 + off / 250) as u32) << 8) | ((off % 250) as u32 + 3)
}

impl Sim {
    pub(crate) fn bootstrap(&mut self, objects: Vec<Object>) {
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            self.create_namespace(ns, namespace_labels(ns, &Labels::new()), Labels::new());
        }
        let defines_cluster = objects
            .iter()
            .any(|o| matches!(o, Object::Node(_) | Object::InstanceGroup(_)));
        if !defines_cluster {
            let cp = node::build_instance_group(
                "control-plane-us-east-1a",
                "ControlPlane",
                "t3.medium",
                1,
                DEFAULT_ZONE,
            );
            let nodes = node::build_instance_group("nodes", "Node", "t3.medium", 3, DEFAULT_ZONE);
            self.apply(vec![
                Object::InstanceGroup(cp),
                Object::InstanceGroup(nodes),
            ]);
        }
        // Cluster objects first so workloads find their nodes, then the rest in order.
        let (cluster, rest): (Vec<Object>, Vec<Object>) = objects.into_iter().partition(|o| {
            matches!(
                o,
                Object::Node(_) | Object::InstanceGroup(_) | Object::Namespace(_)
            )
        });
        self.apply(cluster);
        self.apply(rest);
    }

    /// Create a namespace with these labels (see [`namespace_labels`]) and annotations.
    fn create_namespace(&mut self, name: &str, labels: Labels, annotations: Labels) {
        let mut meta = ObjectMeta {
            name: name.into(),
            labels: labels.into(),
            annotations,
            ..Default::default()
        };
        self.stamp_new(&mut meta, false);
        meta.generation = None;
        let ns = crate::api::Namespace {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            metadata: meta,
            spec: Some(crate::api::NamespaceSpec {
                finalizers: vec!["kubernetes".into()],
            }),
            status: Some(crate::api::NamespaceStatus {
                phase: Some("Active".into()),
                conditions: Vec::new(),
            }),
        };
        self.store.index_meta(
            (Kind::Namespace, (String::new(), name.into())),
            &ns.metadata,
        );
        self.store.namespaces.insert(
            name.into(),
            Rec {
                obj: ns,
                created_ms: self.now,
                deleting_ms: None,
            },
        );
        self.tr("Namespace", name.into(), "Created", String::new());
    }

    /// Register a node (kubelet joins): identity, conditions, runtime, first heartbeat.
    pub fn add_node(&mut self, mut n: Node) -> Result<(), String> {
        let name = n.metadata.name.clone();
        if self.store.nodes.contains_key(&name) {
            return Err(format!("nodes \"{name}\" already exists"));
        }
        self.stamp_new(&mut n.metadata, false);
        n.metadata.generation = None;
        n.api_version = "v1".into();
        n.kind = "Node".into();
        let index = self.node_seq;
        self.node_seq += 1;
        let mut rt = NodeRt {
            index,
            kubelet_running: true,
            last_heartbeat_ms: self.now,
            ..NodeRt::default()
        };
        if n.status
            .as_ref()
            .is_none_or(|s| s.capacity.is_empty() && s.allocatable.is_empty())
        {
            let m = n
                .metadata
                .labels
                .get("node.kubernetes.io/instance-type")
                .and_then(|t| node::machine_type(t))
                .unwrap_or(node::MACHINE_TYPES[2]);
            let template = node::build_node(&name, m, "", DEFAULT_ZONE, 0, "node");
            let st = n.status.get_or_insert_with(Default::default);
            st.capacity = template.status.clone().unwrap_or_default().capacity;
            st.allocatable = template.status.unwrap_or_default().allocatable;
        }
        let (cpu, mem, pods) = node::node_allocatable(&n);
        rt.alloc_cpu_milli = cpu;
        rt.alloc_memory_bytes = mem;
        rt.alloc_pods = pods;
        rt.ip = n
            .status
            .as_ref()
            .and_then(|s| s.addresses.iter().find(|a| a.type_ == "InternalIP"))
            .and_then(|a| parse_ip(&a.address))
            .unwrap_or_else(|| instance_ip(index));
        n.metadata
            .labels
            .entry("kubernetes.io/hostname".into())
            .or_insert_with(|| name.clone());
        n.spec.pod_cidr = Some(rt.pod_cidr());
        n.spec.pod_cidrs = Some(vec![rt.pod_cidr()]);
        let now = rfc3339(self.now);
        let st = n.status.get_or_insert_with(Default::default);
        if st.allocatable.is_empty() {
            st.allocatable = st.capacity.clone();
        }
        if !st.addresses.iter().any(|a| a.type_ == "InternalIP") {
            st.addresses.insert(
                0,
                crate::api::NodeAddress {
                    type_: "InternalIP".into(),
                    address: node::ip_string(rt.ip),
                },
            );
        }
        st.phase = None;
        st.conditions = vec![
            node::node_condition(
                "NetworkUnavailable",
                "False",
                "RouteCreated",
                "RouteController created a route",
                &now,
            ),
            node::node_condition(
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
                &now,
            ),
            node::node_condition(
                "DiskPressure",
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
                &now,
            ),
            node::node_condition(
                "PIDPressure",
                "False",
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
                &now,
            ),
            node::node_condition(
                "Ready",
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
                &now,
            ),
        ];
        st.node_info = Some(serde_json::json!({
            "architecture": "amd64",
            "bootID": crate::names::uid(&mut self.rng),
            "containerRuntimeVersion": "containerd://1.7.28",
            "kernelVersion": "6.8.0-1040-aws",
            // no kubeProxyVersion: since v1.33 the kubelet leaves it unset
            // (DisableNodeKubeProxyVersion on by default, kubernetes#129713)
            "kubeletVersion": KUBELET_VERSION,
            "machineID": format!("ec2{:029x}", u128::from(rt.ip) * 104_729),
            "operatingSystem": "linux",
            "osImage": "Ubuntu 22.04.5 LTS",
            "systemUUID": format!("ec2{:05x}-{:04x}-{:04x}-{:04x}-{:012x}", index, rt.ip & 0xffff, 0x4000 | (index & 0xfff), 0x8000 | (rt.ip >> 20), u64::from(rt.ip) * 31),
        }));
        self.store
            .index_meta((Kind::Node, (String::new(), name.clone())), &n.metadata);
        let meta = n.metadata.clone();
        let epoch = rt.kubelet_epoch;
        self.store
            .nodes
            .insert(name.clone(), NodeRec { node: n, rt });
        self.store.node_changed(&name);
        self.tr(
            "Node",
            name.clone(),
            "Registered",
            format!("cidr={}", self.store.nodes[&name].rt.pod_cidr()),
        );
        self.emit(Emit {
            kind: "Node",
            meta: &meta,
            field_path: None,
            warning: false,
            reason: "Starting",
            message: format_args!("Starting kubelet."),
            component: "kubelet",
            host: Some(&name),
        });
        self.emit(Emit {
            kind: "Node",
            meta: &meta,
            field_path: None,
            warning: false,
            reason: "RegisteredNode",
            message: format_args!("Node {name} event: Registered Node {name} in Controller"),
            component: "node-controller",
            host: None,
        });
        // Kubelets are not synchronised: spread first renewals over the period.
        let offset = (Ms::from(index) * 1_237) % HEARTBEAT_MS;
        self.queue
            .push(self.now + offset, Ev::Heartbeat(name.clone(), epoch));
        self.sched_upsert_node(&name);
        self.sched_cluster_changed();
        Ok(())
    }

    /// Create the `minSize` instances of an instance group now.
    pub fn materialize_instance_group(&mut self, ig: &crate::api::InstanceGroup) {
        let spec = &ig.spec;
        let m = spec
            .machine_type
            .as_deref()
            .and_then(node::machine_type)
            .unwrap_or(node::MACHINE_TYPES[2]);
        let zone = spec
            .zones
            .first()
            .or(spec.subnets.first())
            .cloned()
            .unwrap_or_else(|| DEFAULT_ZONE.into());
        let role = match spec.role.as_deref() {
            Some("ControlPlane") | Some("Master") => "control-plane",
            _ => "node",
        };
        for _ in 0..spec.min_size.unwrap_or(1).max(0) {
            let ip = instance_ip(self.node_seq);
            let name = node::ec2_name(ip);
            let mut n = node::build_node(&name, m, &ig.metadata.name, &zone, ip, role);
            for (k, v) in &spec.node_labels {
                n.metadata.labels.insert(k.clone(), v.clone());
            }
            for t in &spec.taints {
                if let Some(taint) = parse_taint(t) {
                    n.spec.taints.push(taint);
                }
            }
            let _ = self.add_node(n);
        }
    }

    /// `kubectl apply`: create or update each object.
    pub fn apply(&mut self, objects: Vec<Object>) -> Vec<ApplyOutcome> {
        let out = objects.into_iter().map(|o| self.apply_one(o)).collect();
        self.flush_pod_status();
        out
    }

    fn apply_one(&mut self, obj: Object) -> ApplyOutcome {
        let kind = obj.kind();
        let name = obj.name().to_string();
        let namespace = obj.namespace().map(str::to_string);
        let result = self.apply_inner(obj);
        ApplyOutcome {
            kind,
            namespace,
            name,
            result,
        }
    }

    fn apply_inner(&mut self, obj: Object) -> Result<ApplyAction, String> {
        let name = obj.name().to_string();
        if name.is_empty() {
            return Err("resource name may not be empty".into());
        }
        if let Some(ns) = obj.namespace() {
            if !self.store.namespaces.contains_key(ns) {
                return Err(format!("namespaces \"{ns}\" not found"));
            }
        }
        crate::caps::admit(&self.store, &obj)?;
        let ns = obj.namespace().unwrap_or("").to_string();
        let key: Key = (ns.clone(), name.clone());
        match obj {
            Object::Namespace(applied) => {
                // the manifest's labels and annotations (kubectl apply's last-applied among
                // them)
                let labels = namespace_labels(&name, &applied.metadata.labels);
                let annotations = applied.metadata.annotations;
                if let Some(cur) = self.store.namespaces.get(&name) {
                    if *cur.obj.metadata.labels == labels
                        && cur.obj.metadata.annotations == annotations
                    {
                        return Ok(ApplyAction::Unchanged);
                    }
                    let rv = self.store.next_rv();
                    if let Some(cur) = self.store.namespaces.get_mut(&name) {
                        cur.obj.metadata.labels = labels.into();
                        cur.obj.metadata.annotations = annotations;
                        cur.obj.metadata.resource_version = Some(rv);
                    }
                    self.tr("Namespace", name.clone(), "Updated", String::new());
                    return Ok(ApplyAction::Configured);
                }
                self.create_namespace(&name, labels, annotations);
                Ok(ApplyAction::Created)
            }
            Object::Node(n) => {
                let Some(cur) = self.store.nodes.get(&name) else {
                    self.add_node(n)?;
                    return Ok(ApplyAction::Created);
                };
                let same = cur.node.metadata.labels == n.metadata.labels
                    && cur.node.spec.taints == n.spec.taints
                    && cur.node.spec.unschedulable == n.spec.unschedulable
                    && cur.node.metadata.annotations == n.metadata.annotations;
                if same {
                    return Ok(ApplyAction::Unchanged);
                }
                let rv = self.store.next_rv();
                if let Some(cur) = self.store.nodes.get_mut(&name) {
                    cur.node.metadata.labels = n.metadata.labels;
                    cur.node.metadata.annotations = n.metadata.annotations;
                    cur.node.spec.taints = n.spec.taints;
                    cur.node.spec.unschedulable = n.spec.unschedulable;
                    cur.node.metadata.resource_version = Some(rv);
                }
                self.tr("Node", name.clone(), "Updated", String::new());
                self.sched_upsert_node(&name);
                self.sched_cluster_changed();
                Ok(ApplyAction::Configured)
            }
            Object::InstanceGroup(mut ig) => {
                if let Some(cur) = self.store.instance_groups.get(&key) {
                    if cur.obj.spec == ig.spec && cur.obj.metadata.labels == ig.metadata.labels {
                        return Ok(ApplyAction::Unchanged);
                    }
                    let rv = self.store.next_rv();
                    if let Some(cur) = self.store.instance_groups.get_mut(&key) {
                        cur.obj.spec = ig.spec;
                        cur.obj.metadata.labels = ig.metadata.labels;
                        cur.obj.metadata.resource_version = Some(rv);
                        cur.obj.metadata.generation =
                            Some(cur.obj.metadata.generation.unwrap_or(1) + 1);
                    }
                    self.tr("InstanceGroup", key_str(&key), "Updated", String::new());
                    return Ok(ApplyAction::Configured);
                }
                self.stamp_new(&mut ig.metadata, true);
                self.store
                    .index_meta((Kind::InstanceGroup, key.clone()), &ig.metadata);
                self.store.instance_groups.insert(
                    key.clone(),
                    Rec {
                        obj: ig.clone(),
                        created_ms: self.now,
                        deleting_ms: None,
                    },
                );
                self.tr(
                    "InstanceGroup",
                    key_str(&key),
                    "Created",
                    format!("minSize={}", ig.spec.min_size.unwrap_or(1)),
                );
                self.materialize_instance_group(&ig);
                Ok(ApplyAction::Created)
            }
            Object::Deployment(mut d) => {
                if let Some((cur, _)) = self.store.deployments.get(&key) {
                    if cur.deleting_ms.is_some() {
                        return Err(format!(
                            "object is being deleted: deployments.apps \"{name}\" already exists"
                        ));
                    }
                    if cur.obj.spec.selector != d.spec.selector {
                        let sel = serde_json::to_string(&d.spec.selector).unwrap_or_default();
                        return Err(format!("Deployment.apps \"{name}\" is invalid: spec.selector: Invalid value: {sel}: field is immutable"));
                    }
                    let spec_changed = cur.obj.spec != d.spec;
                    let mut annotations = d.metadata.annotations.clone();
                    for (k, v) in &cur.obj.metadata.annotations {
                        if k.starts_with("deployment.kubernetes.io/") {
                            annotations.insert(k.clone(), v.clone());
                        }
                    }
                    let meta_changed = cur.obj.metadata.labels != d.metadata.labels
                        || cur.obj.metadata.annotations != annotations;
                    if !spec_changed && !meta_changed {
                        return Ok(ApplyAction::Unchanged);
                    }
                    let rv = self.store.next_rv();
                    if let Some((cur, _)) = self.store.deployments.get_mut(&key) {
                        cur.obj.metadata.labels = d.metadata.labels;
                        cur.obj.metadata.annotations = annotations;
                        if spec_changed {
                            cur.obj.spec = d.spec;
                            cur.obj.metadata.generation =
                                Some(cur.obj.metadata.generation.unwrap_or(1) + 1);
                        }
                        cur.obj.metadata.resource_version = Some(rv);
                    }
                    self.tr(
                        "Deployment",
                        key_str(&key),
                        "Updated",
                        format!("specChanged={spec_changed}"),
                    );
                    self.enqueue(ControllerId::Deployment, &key, 0);
                    return Ok(ApplyAction::Configured);
                }
                self.stamp_new(&mut d.metadata, true);
                d.api_version = "apps/v1".into();
                d.kind = "Deployment".into();
                self.store
                    .index_meta((Kind::Deployment, key.clone()), &d.metadata);
                self.store.deployments.insert(
                    key.clone(),
                    (
                        Rec {
                            obj: d,
                            created_ms: self.now,
                            deleting_ms: None,
                        },
                        Default::default(),
                    ),
                );
                self.tr("Deployment", key_str(&key), "Created", String::new());
                self.enqueue(ControllerId::Deployment, &key, 0);
                Ok(ApplyAction::Created)
            }
            Object::ReplicaSet(rs) => {
                if let Some(cur) = self.store.replicasets.get(&key) {
                    if cur.obj.spec == rs.spec && cur.obj.metadata.labels == rs.metadata.labels {
                        return Ok(ApplyAction::Unchanged);
                    }
                    let rv = self.store.next_rv();
                    if let Some(cur) = self.store.replicasets.get_mut(&key) {
                        if cur.obj.spec != rs.spec {
                            cur.obj.metadata.generation =
                                Some(cur.obj.metadata.generation.unwrap_or(1) + 1);
                        }
                        cur.obj.spec = rs.spec;
                        cur.obj.metadata.labels = rs.metadata.labels;
                        cur.obj.metadata.resource_version = Some(rv);
                    }
                    self.tr("ReplicaSet", key_str(&key), "Updated", String::new());
                    self.enqueue(ControllerId::ReplicaSet, &key, 0);
                    return Ok(ApplyAction::Configured);
                }
                self.create_replicaset(rs);
                Ok(ApplyAction::Created)
            }
            Object::Pod(mut p) => {
                if let Some(cur) = self.store.pod(&key) {
                    let mut want = p.clone();
                    crate::pods::default_pod(&mut want);
                    want.spec.node_name = cur.pod.spec.node_name.clone();
                    if want.spec != cur.pod.spec {
                        return Err(format!("Pod \"{name}\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
                    }
                    if cur.pod.metadata.labels == p.metadata.labels
                        && cur.pod.metadata.annotations == p.metadata.annotations
                    {
                        return Ok(ApplyAction::Unchanged);
                    }
                    self.pod_update_meta(&key, |rec, _| {
                        rec.pod.metadata.labels = p.metadata.labels;
                        rec.pod.metadata.annotations = p.metadata.annotations;
                    });
                    self.tr("Pod", key_str(&key), "Updated", String::new());
                    self.pod_watchers(&key);
                    return Ok(ApplyAction::Configured);
                }
                p.metadata.namespace = Some(ns.clone());
                p.status = None;
                self.create_pod(p);
                self.enqueue_replicasets_in(&ns);
                Ok(ApplyAction::Created)
            }
            Object::Service(mut s) => {
                if let Some(cur) = self.store.services.get(&key) {
                    if cur.obj.spec == s.spec
                        && cur.obj.metadata.labels == s.metadata.labels
                        && cur.obj.metadata.annotations == s.metadata.annotations
                    {
                        return Ok(ApplyAction::Unchanged);
                    }
                    let rv = self.store.next_rv();
                    if let Some(cur) = self.store.services.get_mut(&key) {
                        cur.obj.spec = s.spec;
                        cur.obj.metadata.labels = s.metadata.labels;
                        cur.obj.metadata.annotations = s.metadata.annotations;
                        cur.obj.metadata.resource_version = Some(rv);
                    }
                    self.tr("Service", key_str(&key), "Updated", String::new());
                    return Ok(ApplyAction::Configured);
                }
                self.stamp_new(&mut s.metadata, true);
                s.metadata.generation = None;
                s.api_version = "v1".into();
                s.kind = "Service".into();
                self.store
                    .index_meta((Kind::Service, key.clone()), &s.metadata);
                self.store.services.insert(
                    key.clone(),
                    Rec {
                        obj: s,
                        created_ms: self.now,
                        deleting_ms: None,
                    },
                );
                self.tr("Service", key_str(&key), "Created", String::new());
                Ok(ApplyAction::Created)
            }
        }
    }

    /// `kubectl delete`: `grace_s` overrides the pod grace period (0 = force).
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        propagation: Propagation,
        grace_s: Option<i64>,
    ) -> Result<(), String> {
        let out = self.delete_inner(kind, namespace, name, propagation, grace_s);
        self.flush_pod_status();
        out
    }

    fn delete_inner(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        propagation: Propagation,
        grace_s: Option<i64>,
    ) -> Result<(), String> {
        let key: Key = if kind.namespaced() {
            (namespace.to_string(), name.to_string())
        } else {
            (String::new(), name.to_string())
        };
        if !self.store.exists(kind, &key) {
            return Err(not_found(kind, name));
        }
        match kind {
            Kind::Pod => {
                self.delete_pod(&key, grace_s);
                Ok(())
            }
            Kind::Node => {
                self.remove_node(name);
                Ok(())
            }
            Kind::Namespace => {
                if matches!(
                    name,
                    "default" | "kube-system" | "kube-public" | "kube-node-lease"
                ) {
                    return Err(format!(
                        "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
                    ));
                }
                let inside: Vec<(Kind, Key)> = self.objects_in_namespace(name);
                for (k, key) in inside {
                    let _ = self.delete(k, &key.0, &key.1, Propagation::Background, grace_s);
                }
                if let Some(r) = self.store.namespaces.remove(name) {
                    self.store
                        .unindex_meta(&(Kind::Namespace, key.clone()), &r.obj.metadata);
                }
                self.tr("Namespace", name.into(), "Deleted", String::new());
                Ok(())
            }
            Kind::InstanceGroup => {
                let nodes: Vec<String> = self
                    .store
                    .nodes
                    .iter()
                    .filter(|(_, n)| {
                        n.node
                            .metadata
                            .labels
                            .get("kops.k8s.io/instancegroup")
                            .map(String::as_str)
                            == Some(name)
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for n in nodes {
                    self.remove_node(&n);
                }
                self.remove_object(Kind::InstanceGroup, &key);
                Ok(())
            }
            Kind::Deployment | Kind::ReplicaSet | Kind::Service => {
                match propagation {
                    Propagation::Background => self.remove_object(kind, &key),
                    Propagation::Orphan => {
                        let uid = self
                            .meta_of(kind, &key)
                            .and_then(|m| m.uid.clone())
                            .unwrap_or_default();
                        let children: Vec<ObjRef> = self.store.children_of(&uid).collect();
                        for c in children {
                            self.drop_owner_ref(&c, &uid);
                        }
                        self.remove_object(kind, &key);
                    }
                    Propagation::Foreground => {
                        self.mark_foreground(kind, &key);
                    }
                }
                Ok(())
            }
        }
    }

    fn objects_in_namespace(&self, ns: &str) -> Vec<(Kind, Key)> {
        let s = &self.store;
        let in_ns = |k: &Key| k.0 == ns;
        let mut v: Vec<(Kind, Key)> = Vec::new();
        v.extend(
            s.deployments
                .keys()
                .filter(|k| in_ns(k))
                .map(|k| (Kind::Deployment, k.clone())),
        );
        v.extend(
            s.replicasets
                .keys()
                .filter(|k| in_ns(k))
                .map(|k| (Kind::ReplicaSet, k.clone())),
        );
        v.extend(
            s.pods()
                .keys()
                .filter(|k| in_ns(k))
                .map(|k| (Kind::Pod, k.clone())),
        );
        v.extend(
            s.services
                .keys()
                .filter(|k| in_ns(k))
                .map(|k| (Kind::Service, k.clone())),
        );
        v
    }

    /// Metadata of a stored object.
    pub fn meta_of(&self, kind: Kind, key: &Key) -> Option<&ObjectMeta> {
        let s = &self.store;
        match kind {
            Kind::Namespace => s.namespaces.get(&key.1).map(|r| &r.obj.metadata),
            Kind::Node => s.nodes.get(&key.1).map(|r| &r.node.metadata),
            Kind::InstanceGroup => s.instance_groups.get(key).map(|r| &r.obj.metadata),
            Kind::Deployment => s.deployments.get(key).map(|r| &r.0.obj.metadata),
            Kind::ReplicaSet => s.replicasets.get(key).map(|r| &r.obj.metadata),
            Kind::Pod => s.pod(key).map(|r| &r.pod.metadata),
            Kind::Service => s.services.get(key).map(|r| &r.obj.metadata),
        }
    }

    fn edit_meta(&mut self, r: &ObjRef, f: impl FnOnce(&mut ObjectMeta)) {
        let (kind, key) = r;
        let before = self.meta_of(*kind, key).cloned();
        let Some(before) = before else { return };
        if *kind == Kind::Pod {
            self.pod_update_meta(key, |rec, _| f(&mut rec.pod.metadata));
            return;
        }
        self.store.unindex_meta(r, &before);
        let rv = self.store.next_rv();
        let s = &mut self.store;
        let m = match kind {
            Kind::Deployment => s.deployments.get_mut(key).map(|x| &mut x.0.obj.metadata),
            Kind::ReplicaSet => s.replicasets.get_mut(key).map(|x| &mut x.obj.metadata),
            Kind::Service => s.services.get_mut(key).map(|x| &mut x.obj.metadata),
            Kind::InstanceGroup => s.instance_groups.get_mut(key).map(|x| &mut x.obj.metadata),
            Kind::Node => s.nodes.get_mut(&key.1).map(|x| &mut x.node.metadata),
            Kind::Namespace => s.namespaces.get_mut(&key.1).map(|x| &mut x.obj.metadata),
            Kind::Pod => None,
        };
        if let Some(m) = m {
            f(m);
            m.resource_version = Some(rv);
        }
        if let Some(after) = self.meta_of(*kind, key).cloned() {
            self.store.index_meta(r.clone(), &after);
        }
    }

    fn drop_owner_ref(&mut self, child: &ObjRef, uid: &str) {
        let u = uid.to_string();
        self.edit_meta(child, |m| m.owner_references.retain(|o| o.uid != u));
        self.tr(
            child.0.as_str(),
            key_str(&child.1),
            "Orphaned",
            String::new(),
        );
        match child.0 {
            Kind::Pod => self.enqueue_replicasets_in(&child.1 .0.clone()),
            Kind::ReplicaSet => {
                self.enqueue(ControllerId::ReplicaSet, &child.1, 0);
            }
            _ => {}
        }
    }

    fn mark_foreground(&mut self, kind: Kind, key: &Key) {
        let now = self.now;
        let stamp = rfc3339(now);
        let uid = self
            .meta_of(kind, key)
            .and_then(|m| m.uid.clone())
            .unwrap_or_default();
        self.edit_meta(&(kind, key.clone()), |m| {
            m.deletion_timestamp.get_or_insert(stamp);
            m.deletion_grace_period_seconds = Some(0);
            if !m.finalizers.iter().any(|f| f == "foregroundDeletion") {
                m.finalizers.push("foregroundDeletion".into());
            }
        });
        match kind {
            Kind::Deployment => {
                if let Some(r) = self.store.deployments.get_mut(key) {
                    r.0.deleting_ms.get_or_insert(now);
                }
            }
            Kind::ReplicaSet => {
                if let Some(r) = self.store.replicasets.get_mut(key) {
                    r.deleting_ms.get_or_insert(now);
                }
            }
            Kind::Service => {
                if let Some(r) = self.store.services.get_mut(key) {
                    r.deleting_ms.get_or_insert(now);
                }
            }
            _ => {}
        }
        self.tr(
            kind.as_str(),
            key_str(key),
            "DeletingForeground",
            String::new(),
        );
        self.queue.push(self.now, Ev::Gc(uid));
    }

    /// Remove a non-pod object for good and let the GC look at its dependents and owners.
    fn remove_object(&mut self, kind: Kind, key: &Key) {
        let Some(meta) = self.meta_of(kind, key).cloned() else {
            return;
        };
        self.store.unindex_meta(&(kind, key.clone()), &meta);
        match kind {
            Kind::Deployment => {
                self.store.deployments.remove(key);
            }
            Kind::ReplicaSet => {
                self.store.replicasets.remove(key);
            }
            Kind::Service => {
                self.store.services.remove(key);
            }
            Kind::InstanceGroup => {
                self.store.instance_groups.remove(key);
            }
            _ => {}
        }
        self.store.next_rv();
        self.tr(kind.as_str(), key_str(key), "Deleted", String::new());
        if let Some(uid) = meta.uid {
            self.queue.push(self.now, Ev::Gc(uid));
        }
        for o in &meta.owner_references {
            self.queue.push(self.now, Ev::Gc(o.uid.clone()));
            if o.kind == "Deployment" {
                self.enqueue(
                    ControllerId::Deployment,
                    &(key.0.clone(), o.name.clone()),
                    0,
                );
            }
        }
    }

    /// Garbage collector: look at the dependents of owner `uid`.
    pub(crate) fn gc_owner(&mut self, uid: &str) {
        let owner = self.store.by_uid(uid).cloned();
        let children: Vec<ObjRef> = self.store.children_of(uid).collect();
        match owner {
            None => {
                for c in children {
                    let Some(meta) = self.meta_of(c.0, &c.1).cloned() else {
                        continue;
                    };
                    let other_owner_alive = meta
                        .owner_references
                        .iter()
                        .any(|o| o.uid != uid && self.store.by_uid(&o.uid).is_some());
                    if other_owner_alive {
                        self.drop_owner_ref(&c, uid);
                    } else if meta.deletion_timestamp.is_none() {
                        self.tr(
                            c.0.as_str(),
                            key_str(&c.1),
                            "GarbageCollected",
                            format!("owner={uid}"),
                        );
                        let _ = self.delete(c.0, &c.1 .0, &c.1 .1, Propagation::Background, None);
                    }
                }
            }
            Some((kind, key)) => {
                let foreground = self
                    .meta_of(kind, &key)
                    .is_some_and(|m| m.finalizers.iter().any(|f| f == "foregroundDeletion"));
                if !foreground {
                    return;
                }
                let blocking: Vec<ObjRef> = children
                    .into_iter()
                    .filter(|c| {
                        self.meta_of(c.0, &c.1).is_some_and(|m| {
                            m.owner_references
                                .iter()
                                .any(|o| o.uid == uid && o.block_owner_deletion == Some(true))
                        })
                    })
                    .collect();
                if blocking.is_empty() {
                    self.edit_meta(&(kind, key.clone()), |m| {
                        m.finalizers.retain(|f| f != "foregroundDeletion")
                    });
                    self.remove_object(kind, &key);
                    return;
                }
                for c in blocking {
                    let deleting = self
                        .meta_of(c.0, &c.1)
                        .is_some_and(|m| m.deletion_timestamp.is_some());
                    if !deleting {
                        let _ = self.delete(c.0, &c.1 .0, &c.1 .1, Propagation::Foreground, None);
                    }
                }
            }
        }
    }

    /// Remove a Node object. Pods bound to it stay bound to the missing node, as in the API
    /// server, until pod GC (run by [`crate::controllers::failures::Failures`]) force-deletes
    /// them after its 40 s quarantine.
    pub fn remove_node(&mut self, name: &str) {
        let Some(n) = self.store.nodes.remove(name) else {
            return;
        };
        self.store.node_changed(name);
        self.store.unindex_meta(
            &(Kind::Node, (String::new(), name.to_string())),
            &n.node.metadata,
        );
        self.store.next_rv();
        self.tr("Node", name.into(), "Deleted", String::new());
        self.scheduler.cache.remove_node(name);
        self.sched_cluster_changed();
    }

    /// Chaos: stop a node's kubelet (heartbeats and pod syncs stop; containers keep running).
    pub fn stop_kubelet(&mut self, name: &str) -> Result<(), String> {
        let n = self
            .store
            .nodes
            .get_mut(name)
            .ok_or_else(|| not_found(Kind::Node, name))?;
        if !n.rt.kubelet_running {
            return Ok(());
        }
        n.rt.kubelet_running = false;
        n.rt.kubelet_epoch += 1;
        self.store.node_changed(name);
        self.tr("Sim", name.into(), "KubeletStopped", String::new());
        Ok(())
    }

    /// Chaos: start a stopped kubelet again (heartbeat now, resync every pod).
    pub fn start_kubelet(&mut self, name: &str) -> Result<(), String> {
        let n = self
            .store
            .nodes
            .get_mut(name)
            .ok_or_else(|| not_found(Kind::Node, name))?;
        if n.rt.kubelet_running {
            return Ok(());
        }
        if n.rt.terminated {
            return Err(format!("node {name} was terminated"));
        }
        n.rt.kubelet_running = true;
        n.rt.kubelet_epoch += 1;
        let epoch = n.rt.kubelet_epoch;
        self.store.node_changed(name);
        self.tr("Sim", name.into(), "KubeletStarted", String::new());
        self.heartbeat_now(name, epoch);
        let pods: Vec<Key> = self.store.pods_on(name).collect();
        for p in pods {
            self.kubelet_resync_pod(&p);
        }
        self.flush_pod_status();
        Ok(())
    }

    fn heartbeat_now(&mut self, name: &str, epoch: u32) {
        self.queue
            .push(self.now, Ev::Heartbeat(name.to_string(), epoch));
    }

    /// Chaos: terminate the EC2 instance behind a node. The machine is gone (kubelet stops for
    /// good, its pods stop answering); the Node object stays until the cloud node controller
    /// removes it.
    pub fn terminate_node(&mut self, name: &str) -> Result<(), String> {
        self.stop_kubelet(name)?;
        if let Some(n) = self.store.nodes.get_mut(name) {
            n.rt.terminated = true;
        }
        self.tr("Sim", name.into(), "InstanceTerminated", String::new());
        Ok(())
    }

    /// `kubectl scale`: set replicas of a Deployment or ReplicaSet.
    pub fn scale(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        replicas: i32,
    ) -> Result<(), String> {
        if replicas > kubeplay_api::validate::REPLICAS_MAX {
            return Err(format!(
                "spec.replicas: Invalid value: {replicas}: {}",
                kubeplay_api::validate::replicas_max_detail()
            ));
        }
        let key: Key = (namespace.to_string(), name.to_string());
        crate::caps::admit_scale(&self.store, kind, &key, replicas)?;
        match kind {
            Kind::Deployment => {
                let rv = self.store.next_rv();
                let (r, _) = self
                    .store
                    .deployments
                    .get_mut(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                if r.obj.spec.replicas == Some(replicas) {
                    return Ok(());
                }
                r.obj.spec.replicas = Some(replicas);
                r.obj.metadata.generation = Some(r.obj.metadata.generation.unwrap_or(1) + 1);
                r.obj.metadata.resource_version = Some(rv);
                self.tr(
                    "Deployment",
                    key_str(&key),
                    "Scaled",
                    format!("replicas={replicas}"),
                );
                self.enqueue(ControllerId::Deployment, &key, 0);
                Ok(())
            }
            Kind::ReplicaSet => {
                let rv = self.store.next_rv();
                let r = self
                    .store
                    .replicasets
                    .get_mut(&key)
                    .ok_or_else(|| not_found(kind, name))?;
                r.obj.spec.replicas = Some(replicas);
                r.obj.metadata.generation = Some(r.obj.metadata.generation.unwrap_or(1) + 1);
                r.obj.metadata.resource_version = Some(rv);
                self.tr(
                    "ReplicaSet",
                    key_str(&key),
                    "Scaled",
                    format!("replicas={replicas}"),
                );
                self.enqueue(ControllerId::ReplicaSet, &key, 0);
                Ok(())
            }
            _ => Err(format!(
                "the server could not find the requested resource (scale {})",
                kind.plural()
            )),
        }
    }

    /// `kubectl rollout pause|resume`.
    pub fn set_paused(&mut self, namespace: &str, name: &str, paused: bool) -> Result<(), String> {
        let key: Key = (namespace.to_string(), name.to_string());
        let rv = self.store.next_rv();
        let (r, _) = self
            .store
            .deployments
            .get_mut(&key)
            .ok_or_else(|| not_found(Kind::Deployment, name))?;
        if r.obj.spec.paused.unwrap_or(false) == paused {
            return Ok(());
        }
        r.obj.spec.paused = Some(paused);
        r.obj.metadata.generation = Some(r.obj.metadata.generation.unwrap_or(1) + 1);
        r.obj.metadata.resource_version = Some(rv);
        self.tr(
            "Deployment",
            key_str(&key),
            if paused { "Paused" } else { "Resumed" },
            String::new(),
        );
        self.enqueue(ControllerId::Deployment, &key, 0);
        Ok(())
    }
}

/// Parse `key=value:Effect` / `key:Effect` (kops taint strings).
pub fn parse_taint(s: &str) -> Option<crate::api::Taint> {
    let (kv, effect) = s.rsplit_once(':')?;
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k.to_string(), Some(v.to_string())),
        None => (kv.to_string(), None),
    };
    Some(crate::api::Taint {
        key,
        value,
        effect: effect.to_string(),
        time_added: None,
    })
}

/// Parse a dotted quad.
pub fn parse_ip(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut n = 0;
    for p in s.split('.') {
        out = (out << 8) | p.parse::<u8>().ok()? as u32;
        n += 1;
    }
    (n == 4).then_some(out)
}

/// A namespace's labels: the given ones plus `kubernetes.io/metadata.name`, which the API
/// server sets to the name whatever a manifest says (NamespaceDefaultLabelName).
fn namespace_labels(name: &str, given: &Labels) -> Labels {
    let mut labels = given.clone();
    labels.insert("kubernetes.io/metadata.name".into(), name.into());
    labels
}
