//! One test per validation message of semantics §9 (and the decode errors before validation):
//! the exact text kubectl prints, the field path, and the line the editor underlines.
use kubeplay_api::{load, Category, Severity};

/// Errors of `text` as `(kubectl text, line)`.
fn errors(text: &str) -> Vec<(String, u32)> {
    load(text)
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.render(), d.position.map_or(0, |p| p.line)))
        .collect()
}

/// Assert that `text` has an error rendering exactly as `want`, reported on `line`.
#[track_caller]
fn assert_error(text: &str, want: &str, line: u32) {
    let got = errors(text);
    assert!(
        got.iter().any(|(t, l)| t == want && *l == line),
        "wanted {want:?} on line {line}, got {got:#?}"
    );
}

/// A valid apps/v1 Deployment with `{spec}` spliced in at the spec level (two-space indent).
fn deployment(spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n{spec}  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
    )
}

const DEPLOY: &str = "The Deployment \"web\" is invalid: ";

#[test]
fn valid_deployment_has_no_errors() {
    assert_eq!(errors(&deployment("")), vec![]);
}

#[test]
fn deployment_without_selector() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web, image: nginx}]\n";
    assert_eq!(
        errors(text),
        vec![(format!("{DEPLOY}spec.selector: Required value"), 5)]
    );
}

#[test]
fn deployment_with_empty_selector() {
    let text = deployment("").replace(
        "  selector:\n    matchLabels:\n      app: web\n",
        "  selector: {}\n",
    );
    assert_error(
        &text,
        &format!("{DEPLOY}spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: empty selector is invalid for deployment"),
        6,
    );
}

#[test]
fn selector_not_matching_template_labels() {
    let text = deployment("").replace("        app: web\n", "        app: other\n");
    assert_error(
        &text,
        &format!("{DEPLOY}spec.template.metadata.labels: Invalid value: map[string]string{{\"app\":\"other\"}}: `selector` does not match template `labels`"),
        12,
    );
}

/// Regression (swarm): `replicas: 100000000` made the simulator create pods for minutes.
#[test]
fn replicas_above_kubeplays_cap() {
    assert_error(
        &deployment("  replicas: 100000000\n"),
        &format!("{DEPLOY}spec.replicas: Invalid value: 100000000: must be no more than 150000 (kubeplay's cap: Kubernetes is tested to 150,000 pods per cluster)"),
        6,
    );
}

#[test]
fn negative_counts() {
    assert_error(
        &deployment("  replicas: -1\n"),
        &format!("{DEPLOY}spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        6,
    );
    assert_error(
        &deployment("  minReadySeconds: -1\n"),
        &format!(
            "{DEPLOY}spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"
        ),
        6,
    );
    assert_error(&deployment("  revisionHistoryLimit: -1\n"), &format!("{DEPLOY}spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"), 6);
    assert_error(&deployment("  progressDeadlineSeconds: -1\n"), &format!("{DEPLOY}spec.progressDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"), 6);
}

#[test]
fn progress_deadline_must_exceed_min_ready() {
    let text = deployment("  minReadySeconds: 10\n  progressDeadlineSeconds: 5\n");
    assert_error(&text, &format!("{DEPLOY}spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"), 7);
}

#[test]
fn rolling_update_parameters() {
    let ru = |mu: &str, ms: &str| {
        deployment(&format!(
            "  strategy:\n    rollingUpdate:\n      maxUnavailable: {mu}\n      maxSurge: {ms}\n"
        ))
    };
    assert_error(&ru("0", "0"), &format!("{DEPLOY}spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"), 8);
    assert_error(&ru("110%", "1"), &format!("{DEPLOY}spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"110%\": must not be greater than 100%"), 8);
    assert_error(&ru("1", "\"25\""), &format!("{DEPLOY}spec.strategy.rollingUpdate.maxSurge: Invalid value: \"25\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"), 9);
    assert_error(&ru("1", "-1"), &format!("{DEPLOY}spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"), 9);
}

#[test]
fn recreate_with_rolling_update_and_bad_type() {
    let text = deployment("  strategy:\n    type: Recreate\n    rollingUpdate: {maxSurge: 1}\n");
    assert_error(&text, &format!("{DEPLOY}spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"), 8);
    let text = deployment("  strategy:\n    type: BlueGreen\n");
    assert_error(&text, &format!("{DEPLOY}spec.strategy: Unsupported value: apps.DeploymentStrategy{{Type:\"BlueGreen\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}: supported values: \"Recreate\", \"RollingUpdate\""), 7);
}

#[test]
fn template_restart_policy_must_be_always() {
    let text = deployment("").replace(
        "      containers:\n",
        "      restartPolicy: Never\n      containers:\n",
    );
    assert_error(&text, &format!("{DEPLOY}spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""), 14);
}

#[test]
fn names() {
    let text = deployment("").replace("name: web\nspec", "name: My_App\nspec");
    assert_error(&text, "The Deployment \"My_App\" is invalid: metadata.name: Invalid value: \"My_App\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')", 4);
    let text = deployment("").replace("metadata:\n  name: web\n", "metadata:\n  labels: {a: b}\n");
    assert_error(&text, "The Deployment \"\" is invalid: metadata.name: Required value: name or generateName is required", 3);
    let text = deployment("").replace(
        "  name: web\nspec",
        "  name: web\n  namespace: Team_A\nspec",
    );
    assert_error(&text, &format!("{DEPLOY}metadata.namespace: Invalid value: \"Team_A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"), 5);
    let ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev.team\n";
    assert_error(ns, "The Namespace \"dev.team\" is invalid: metadata.name: Invalid value: \"dev.team\": must not contain dots", 4);
}

#[test]
fn container_checks() {
    let text = deployment("").replace("        image: nginx:1.25\n", "");
    assert_error(
        &text,
        &format!("{DEPLOY}spec.template.spec.containers[0].image: Required value"),
        15,
    );
    let text = deployment("").replace(
        "image: nginx:1.25\n",
        "image: nginx:1.25\n        ports:\n        - containerPort: 0\n",
    );
    assert_error(&text, &format!("{DEPLOY}spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive"), 18);
    let text = deployment("").replace("image: nginx:1.25\n", "image: nginx:1.25\n        ports:\n        - containerPort: 80\n          protocol: HTTP\n");
    assert_error(&text, &format!("{DEPLOY}spec.template.spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""), 19);
    let text = deployment("").replace("- name: web\n", "- name: Web\n");
    assert_error(&text, &format!("{DEPLOY}spec.template.spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"), 15);
    let text = deployment("").replace(
        "      containers:\n      - name: web\n        image: nginx:1.25\n",
        "      containers: []\n",
    );
    assert_error(
        &text,
        &format!("{DEPLOY}spec.template.spec.containers: Required value"),
        14,
    );
    let text = deployment("").replace(
        "image: nginx:1.25\n",
        "image: nginx:1.25\n        imagePullPolicy: Sometimes\n",
    );
    assert_error(&text, &format!("{DEPLOY}spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\""), 17);
}

#[test]
fn selector_expressions() {
    let with = |expr: &str| {
        deployment("").replace(
            "    matchLabels:\n      app: web\n",
            &format!("    matchLabels:\n      app: web\n    matchExpressions:\n    - {expr}\n"),
        )
    };
    assert_error(&with("{key: tier, operator: In}"), &format!("{DEPLOY}spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"), 10);
    assert_error(&with("{key: tier, operator: Exists, values: [a]}"), &format!("{DEPLOY}spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"), 10);
    assert_error(&with("{key: tier, operator: Foo, values: [a]}"), &format!("{DEPLOY}spec.selector.matchExpressions[0].operator: Invalid value: \"Foo\": not a valid selector operator"), 10);
}

#[test]
fn label_values() {
    let text = deployment("").replace(
        "name: web\nspec",
        "name: web\n  labels:\n    team: \"a b\"\nspec",
    );
    assert_error(&text, &format!("{DEPLOY}metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"), 6);
    let long = "x".repeat(64);
    let text = deployment("").replace(
        "name: web\nspec",
        &format!("name: web\n  labels:\n    team: {long}\nspec"),
    );
    assert_error(&text, &format!("{DEPLOY}metadata.labels: Invalid value: \"{long}\": must be no more than 63 characters"), 6);
}

fn service(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {{app: web}}\n{spec}")
}

const SVC: &str = "The Service \"web\" is invalid: ";

#[test]
fn service_name_is_a_dns_1035_label() {
    let text = service("  ports: [{port: 80}]\n").replace("name: web", "name: 1svc");
    assert_error(&text, "The Service \"1svc\" is invalid: metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')", 4);
}

#[test]
fn service_ports() {
    assert_error(
        &service("  ports:\n  - port: 70000\n"),
        &format!(
            "{SVC}spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
        ),
        8,
    );
    assert_error(&service("  ports:\n  - port: 80\n    targetPort: 70000\n"), &format!("{SVC}spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"), 9);
    assert_error(&service("  ports:\n  - port: 80\n    targetPort: http-web-frontend\n"), &format!("{SVC}spec.ports[0].targetPort: Invalid value: \"http-web-frontend\": must be no more than 15 characters"), 9);
    assert_error(&service("  ports:\n  - port: 80\n    targetPort: web--port\n"), &format!("{SVC}spec.ports[0].targetPort: Invalid value: \"web--port\": must not contain consecutive hyphens"), 9);
    assert_error(
        &service("  ports:\n  - {name: http, port: 80}\n  - {name: http, port: 81}\n"),
        &format!("{SVC}spec.ports[1].name: Duplicate value: \"http\""),
        9,
    );
    assert_error(
        &service("  ports:\n  - {name: http, port: 80}\n  - {port: 81}\n"),
        &format!("{SVC}spec.ports[1].name: Required value"),
        9,
    );
    assert_error(&service("  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 80}\n"), &format!("{SVC}spec.ports[1]: Duplicate value: core.ServicePort{{Name:\"b\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{{Type:0, IntVal:80, StrVal:\"\"}}, NodePort:0}}"), 9);
    assert_error(&service("  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 8080\n"), &format!("{SVC}spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767"), 10);
    assert_error(
        &service("  ports:\n  - port: 80\n    nodePort: 30080\n"),
        &format!(
            "{SVC}spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
        ),
        9,
    );
    assert_error(&service(""), &format!("{SVC}spec.ports: Required value"), 5);
    assert_error(&service("  ports:\n  - port: 80\n    protocol: HTTP\n"), &format!("{SVC}spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""), 9);
    assert_error(&service("  type: Ingress\n  ports: [{port: 80}]\n"), &format!("{SVC}spec.type: Unsupported value: \"Ingress\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""), 7);
    assert_error(&service("  sessionAffinity: Sticky\n  ports: [{port: 80}]\n"), &format!("{SVC}spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\""), 7);
}

#[test]
fn headless_service_needs_no_ports() {
    assert_eq!(errors(&service("  clusterIP: None\n")), vec![]);
}

fn pod(container_extra: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n{container_extra}")
}

const POD: &str = "The Pod \"p\" is invalid: ";

#[test]
fn resources() {
    let r = |req: &str, lim: &str| {
        pod(&format!(
            "    resources:\n      requests: {{cpu: {req}}}\n      limits: {{cpu: {lim}}}\n"
        ))
    };
    assert_error(&r("\"2\"", "\"1\""), &format!("{POD}spec.containers[0].resources.requests[cpu]: Invalid value: \"2\": must be less than or equal to cpu limit of 1"), 10);
    assert_error(&r("-1", "1"), &format!("{POD}spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0"), 10);
    let text = pod("    resources:\n      limits:\n        cpus: 1\n");
    assert_error(&text, &format!("{POD}spec.containers[0].resources.limits[cpus]: Invalid value: \"cpus\": must be a standard resource type or fully qualified"), 11);
    assert_eq!(
        errors(&pod(
            "    resources:\n      limits: {nvidia.com/gpu: 1, memory: 1Gi}\n"
        )),
        vec![]
    );
}

#[test]
fn invalid_quantity_is_a_decode_error_with_position() {
    let text = pod("    resources:\n      requests:\n        memory: 1KB\n");
    assert_error(&text, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", 11);
    let r = load(&text);
    assert_eq!(
        r.diagnostics[0].path,
        "spec.containers[0].resources.requests[memory]"
    );
    assert_eq!(r.diagnostics[0].category, Category::Decode);
}

#[test]
fn pod_spec_checks() {
    assert_error(
        &pod("  - name: c\n    image: busybox\n"),
        &format!("{POD}spec.containers[1].name: Duplicate value: \"c\""),
        9,
    );
    assert_error(&pod("  restartPolicy: Sometimes\n"), &format!("{POD}spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""), 9);
    assert_error(
        &pod("    livenessProbe: {periodSeconds: 5}\n"),
        &format!(
            "{POD}spec.containers[0].livenessProbe: Required value: must specify a handler type"
        ),
        9,
    );
    assert_error(
        &pod("    livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}\n"),
        &format!(
            "{POD}spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"
        ),
        9,
    );
    assert_error(&pod("  tolerations:\n  - {key: k, operator: Gt, value: \"5\"}\n"), &format!("{POD}spec.tolerations[0].operator: Unsupported value: \"Gt\": supported values: \"Equal\", \"Exists\""), 10);
    assert_error(&pod("  tolerations:\n  - {key: k, effect: NoRun}\n"), &format!("{POD}spec.tolerations[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""), 10);
    assert_error(
        &pod("    env:\n    - value: x\n"),
        &format!("{POD}spec.containers[0].env[0].name: Required value"),
        10,
    );
}

#[test]
fn node_namespace_and_instance_group() {
    let node = "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nspec:\n  taints:\n  - {key: gpu, effect: NoRun}\n";
    assert_error(node, "The Node \"n1\" is invalid: spec.taints[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"", 7);
    let ig = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  role: Worker\n  minSize: 3\n  maxSize: 2\n";
    assert_error(ig, "The InstanceGroup \"nodes\" is invalid: spec.role: Unsupported value: \"Worker\": supported values: \"APIServer\", \"Bastion\", \"ControlPlane\", \"Master\", \"Node\"", 6);
    assert_error(ig, "The InstanceGroup \"nodes\" is invalid: spec.maxSize: Invalid value: 2: maxSize must be greater than or equal to minSize.", 8);
}

#[test]
fn decode_errors_name_the_go_field() {
    let text = deployment("  replicas: \"2\"\n");
    assert_error(&text, "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32", 6);
    let text = deployment("").replace(
        "image: nginx:1.25\n",
        "image: nginx:1.25\n        env:\n        - name: DEBUG\n          value: yes\n",
    );
    assert_error(&text, "json: cannot unmarshal bool into Go struct field EnvVar.spec.template.spec.containers.env.value of type string", 19);
    let text = deployment("").replace(
        "        app: web\n",
        "        app: web\n        version: 1.0\n",
    );
    assert_error(&text, "json: cannot unmarshal number 1.0 into Go struct field ObjectMeta.spec.template.metadata.labels of type string", 13);
}

#[test]
fn wrong_version_missing_kind() {
    let text = deployment("").replace("apps/v1", "v1");
    assert_error(
        &text,
        "no matches for kind \"Deployment\" in version \"v1\" (use apiVersion: apps/v1)",
        1,
    );
    assert_error(
        "apiVersion: v1\nmetadata: {name: x}\n",
        "error validating data: [kind not set]",
        1,
    );
    assert_error(
        "kind: Pod\nmetadata: {name: x}\n",
        "error validating data: [apiVersion not set]",
        1,
    );
    assert_error("- just\n- a list\n", "error: the document is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)", 1);
}

#[test]
fn unknown_fields_are_warnings_with_position() {
    let text = deployment("  replica: 3\n").replace(
        "image: nginx:1.25\n",
        "image: nginx:1.25\n        imagePullPolcy: Always\n",
    );
    let r = load(&text);
    assert_eq!(r.objects.len(), 1, "warnings do not block");
    let w: Vec<(String, String, u32)> = r
        .warnings()
        .map(|d| (d.render(), d.path.clone(), d.position.map_or(0, |p| p.line)))
        .collect();
    assert_eq!(
        w,
        vec![
            (
                "Warning: unknown field \"spec.replica\"".to_string(),
                "spec.replica".to_string(),
                6
            ),
            (
                "Warning: unknown field \"spec.template.spec.containers[0].imagePullPolcy\""
                    .to_string(),
                "spec.template.spec.containers[0].imagePullPolcy".to_string(),
                18
            ),
        ]
    );
}

#[test]
fn several_errors_on_one_object_are_all_reported() {
    let text = deployment("  replicas: -1\n  minReadySeconds: -2\n");
    let got = errors(&text);
    assert_eq!(got.len(), 2, "{got:?}");
    let r = load(&text);
    assert!(r.objects.is_empty(), "an invalid object is not applied");
    assert_eq!(
        r.kubectl_errors(),
        vec![format!("{DEPLOY}[spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0]")]
    );
}

#[test]
fn cluster_scoped_kinds_drop_a_namespace() {
    let r = load("apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  namespace: default\n");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.objects[0].object.meta().namespace, None);
}

#[test]
fn legacy_versions_keep_their_defaults() {
    // apps/v1beta2 already required the selector.
    let text = "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web, image: nginx}]\n";
    assert_error(text, &format!("{DEPLOY}spec.selector: Required value"), 5);
    let r = load(&text.replace("apps/v1beta2", "apps/v1beta1"));
    assert!(!r.has_errors(), "{:?}", r.errors);
    let kubeplay_api::Object::Deployment(d) = &r.objects[0].object else {
        panic!("not a deployment")
    };
    assert_eq!(d.spec.revision_history_limit, Some(2));
    assert!(d.spec.selector.is_some());
    assert_eq!(r.warnings().count(), 1);
}

/// The corpus' deployment-update.yaml changes an apps/v1 selector: rejected on update.
#[test]
fn selector_is_immutable_on_update() {
    let old = load(&deployment("")).into_objects();
    let changed = deployment("")
        .replace("      app: web\n  template", "      app: api\n  template")
        .replace("        app: web\n", "        app: api\n");
    let new = load(&changed).into_objects();
    let errs = kubeplay_api::validate::validate_update(&old[0], &new[0]);
    assert_eq!(
        errs.iter().map(|e| e.text()).collect::<Vec<_>>(),
        vec!["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"api\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]
    );
    assert!(kubeplay_api::validate::validate_update(&old[0], &old[0]).is_empty());
}

/// Go's JSON decoder leaves a missing field at its zero value, so a probe without a port is a
/// validation error on the port, not a decode error.
#[test]
fn missing_required_fields_are_zero_values() {
    assert_error(
        &pod("    livenessProbe: {tcpSocket: {}}\n"),
        &format!("{POD}spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive"),
        9,
    );
}

#[test]
fn pre_stop_sleep_longer_than_the_grace_period() {
    let hook = |s: i64| {
        deployment("").replace(
            "        image: nginx:1.25\n",
            &format!("        image: nginx:1.25\n        lifecycle:\n          preStop:\n            sleep:\n              seconds: {s}\n"),
        )
    };
    assert_error(
        &hook(40),
        &format!("{DEPLOY}spec.template.spec.containers[0].lifecycle.preStop.sleep: Invalid value: 40: must be non-negative and less than terminationGracePeriodSeconds (30)"),
        19,
    );
    // zero is allowed in v1.34 (PodLifecycleSleepActionAllowZero), so is the whole period
    assert_eq!(errors(&hook(0)), vec![]);
    assert_eq!(errors(&hook(30)), vec![]);
}
