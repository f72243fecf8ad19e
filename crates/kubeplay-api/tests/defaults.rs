//! One test per default of semantics §8, read back from the loaded objects.
use kubeplay_api::{load, IntOrString, Object};

fn one(text: &str) -> Object {
    let r = load(text);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.objects.len(), 1);
    r.objects
        .into_iter()
        .next()
        .map(|o| o.object)
        .expect("one object")
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        ports: [{containerPort: 80}]\n        readinessProbe: {httpGet: {port: 80}}\n";

#[test]
fn deployment_defaults() {
    let Object::Deployment(d) = one(DEPLOY) else {
        panic!("not a deployment")
    };
    assert_eq!(d.metadata.namespace.as_deref(), Some("default"));
    let s = &d.spec;
    assert_eq!(s.replicas, Some(1));
    let strategy = s.strategy.as_ref().expect("strategy");
    assert_eq!(strategy.type_.as_deref(), Some("RollingUpdate"));
    let ru = strategy.rolling_update.as_ref().expect("rollingUpdate");
    assert_eq!(ru.max_unavailable, Some(IntOrString::String("25%".into())));
    assert_eq!(ru.max_surge, Some(IntOrString::String("25%".into())));
    assert_eq!(s.revision_history_limit, Some(10));
    assert_eq!(s.progress_deadline_seconds, Some(600));
    assert_eq!(
        s.min_ready_seconds, None,
        "zero values stay unset, as kubectl omits them"
    );
}

#[test]
fn recreate_gets_no_rolling_update() {
    let text = DEPLOY.replace(
        "spec:\n  selector",
        "spec:\n  strategy: {type: Recreate}\n  selector",
    );
    let Object::Deployment(d) = one(&text) else {
        panic!("not a deployment")
    };
    assert_eq!(d.spec.strategy.and_then(|s| s.rolling_update), None);
}

#[test]
fn pod_template_and_container_defaults() {
    let Object::Deployment(d) = one(DEPLOY) else {
        panic!("not a deployment")
    };
    let spec = &d.spec.template.spec;
    assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
    assert_eq!(spec.dns_policy.as_deref(), Some("ClusterFirst"));
    assert_eq!(spec.termination_grace_period_seconds, Some(30));
    assert_eq!(spec.scheduler_name.as_deref(), Some("default-scheduler"));
    assert_eq!(spec.security_context, Some(Box::new(serde_json::json!({}))));
    assert_eq!(
        spec.tolerations, None,
        "admission tolerations are for pods, not templates"
    );
    let c = &spec.containers[0];
    assert_eq!(
        c.image_pull_policy.as_deref(),
        Some("Always"),
        "nginx = nginx:latest"
    );
    assert_eq!(
        c.termination_message_path.as_deref(),
        Some("/dev/termination-log")
    );
    assert_eq!(c.termination_message_policy.as_deref(), Some("File"));
    assert_eq!(c.ports[0].protocol.as_deref(), Some("TCP"));
    let p = c.readiness_probe.as_ref().expect("probe");
    assert_eq!(
        (
            p.timeout_seconds,
            p.period_seconds,
            p.success_threshold,
            p.failure_threshold
        ),
        (Some(1), Some(10), Some(1), Some(3))
    );
    let h = p.http_get.as_ref().expect("httpGet");
    assert_eq!(
        (h.path.as_deref(), h.scheme.as_deref()),
        (Some("/"), Some("HTTP"))
    );
}

#[test]
fn pod_only_defaults() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    resources: {limits: {cpu: 500m, memory: 128Mi}}\n  volumes:\n  - name: scratch\n  - name: cfg\n    configMap: {name: cfg}\n";
    let Object::Pod(p) = one(text) else {
        panic!("not a pod")
    };
    let s = &p.spec;
    assert_eq!(s.enable_service_links, Some(true));
    assert_eq!(s.priority, Some(0));
    assert_eq!(s.service_account_name.as_deref(), Some("default"));
    let c = &s.containers[0];
    assert_eq!(c.image_pull_policy.as_deref(), Some("IfNotPresent"));
    assert_eq!(c.resources.cpu_request_millis(), 500, "request := limit");
    assert_eq!(c.resources.memory_request_bytes(), 128 * 1024 * 1024);
    let tolerations = s.tolerations.as_ref().expect("default tolerations");
    let keys: Vec<_> = tolerations
        .iter()
        .map(|t| (t.key.as_deref(), t.effect.as_deref(), t.toleration_seconds))
        .collect();
    assert_eq!(
        keys,
        vec![
            (
                Some("node.kubernetes.io/not-ready"),
                Some("NoExecute"),
                Some(300)
            ),
            (
                Some("node.kubernetes.io/unreachable"),
                Some("NoExecute"),
                Some(300)
            ),
        ]
    );
    let volumes = s.volumes.as_ref().expect("volumes");
    assert_eq!(volumes[0]["emptyDir"], serde_json::json!({}));
    assert_eq!(volumes[1]["configMap"]["defaultMode"], 420);
}

#[test]
fn service_defaults() {
    let text = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let Object::Service(s) = one(text) else {
        panic!("not a service")
    };
    let spec = &s.spec;
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    assert_eq!(spec.session_affinity.as_deref(), Some("None"));
    assert_eq!(spec.ports[0].protocol.as_deref(), Some("TCP"));
    assert_eq!(spec.ports[0].target_port, Some(IntOrString::Int(80)));
    assert_eq!(spec.internal_traffic_policy.as_deref(), Some("Cluster"));
    assert_eq!(
        spec.external_traffic_policy, None,
        "only for NodePort/LoadBalancer"
    );
    assert_eq!(spec.ip_family_policy.as_deref(), Some("SingleStack"));
    assert_eq!(spec.ip_families.as_deref(), Some(&["IPv4".to_string()][..]));
    let lb = text.replace(
        "spec:\n",
        "spec:\n  type: LoadBalancer\n  sessionAffinity: ClientIP\n",
    );
    let Object::Service(s) = one(&lb) else {
        panic!("not a service")
    };
    assert_eq!(s.spec.external_traffic_policy.as_deref(), Some("Cluster"));
    assert_eq!(s.spec.allocate_load_balancer_node_ports, Some(true));
    assert_eq!(
        s.spec.session_affinity_config,
        Some(serde_json::json!({"clientIP": {"timeoutSeconds": 10800}}))
    );
}

#[test]
fn named_target_port_is_kept() {
    let text = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n";
    let Object::Service(s) = one(text) else {
        panic!("not a service")
    };
    assert_eq!(
        s.spec.ports[0].target_port,
        Some(IntOrString::String("http".into()))
    );
}

#[test]
fn namespace_node_replicaset_defaults() {
    let Object::Namespace(ns) = one("apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n")
    else {
        panic!()
    };
    assert_eq!(
        ns.metadata
            .labels
            .get("kubernetes.io/metadata.name")
            .map(String::as_str),
        Some("dev")
    );
    assert_eq!(ns.metadata.namespace, None, "cluster-scoped");
    let node = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n  capacity: {cpu: \"2\", memory: 4Gi, pods: \"110\"}\n";
    let Object::Node(n) = one(node) else { panic!() };
    let st = n.status.expect("status");
    assert_eq!(st.allocatable, st.capacity);
    assert_eq!(
        st.allocatable.get("cpu").map(|q| q.milli_value()),
        Some(2000)
    );
    let rs = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: nginx}]}\n";
    let Object::ReplicaSet(r) = one(rs) else {
        panic!()
    };
    assert_eq!(r.spec.replicas, Some(1));
}

#[test]
fn kind_list_expands_items() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n";
    let r = load(text);
    assert_eq!(r.objects.len(), 1);
    assert_eq!(r.objects[0].item_index, Some(0));
    assert_eq!(r.not_simulated.len(), 1);
    assert_eq!(
        (
            r.not_simulated[0].item_index,
            r.not_simulated[0].position.line
        ),
        (Some(1), 7)
    );
}

#[test]
fn instance_group_loads() {
    let text = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes-eu-west-1a\n  labels: {kops.k8s.io/cluster: demo.k8s.local}\nspec:\n  role: Node\n  machineType: t3.medium\n  minSize: 2\n  maxSize: 4\n  nodeLabels: {pool: general}\n  taints: [\"dedicated=gpu:NoSchedule\"]\n  subnets: [eu-west-1a]\n";
    let Object::InstanceGroup(ig) = one(text) else {
        panic!()
    };
    assert_eq!((ig.spec.min_size, ig.spec.max_size), (Some(2), Some(4)));
    assert_eq!(ig.spec.machine_type.as_deref(), Some("t3.medium"));
}
