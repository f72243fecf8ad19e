//! `kubectl get endpoints` shows the Endpoints object the network's endpoints controller keeps:
//! repacked subsets (named target ports resolved per pod), `notReadyAddresses`,
//! `publishNotReadyAddresses`, and the 1,000-address cap with its over-capacity annotation.
#![cfg(feature = "engine")]
use kubeplay_kubectl::{MemFiles, Session};
use serde_json::Value;

fn files(name: &str, text: &str) -> MemFiles {
    MemFiles {
        files: vec![(name.into(), text.into())],
    }
}

fn apply(s: &mut Session, yaml: &str) {
    let out = s.run_line_with("kubectl apply -f m.yaml", &files("m.yaml", yaml));
    assert!(out.ok, "{}", out.text);
}

fn run(s: &mut Session, line: &str) -> String {
    let out = s.run_line(line);
    assert!(out.ok, "{line}: {}", out.text);
    out.text
}

/// The output without kubectl's deprecation warning (stderr in a real terminal).
fn json(s: &mut Session, line: &str) -> Value {
    let out = run(s, line);
    let text = out
        .strip_prefix(
            "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n",
        )
        .unwrap_or(&out);
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{line}: {e}\n{text}"))
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A Deployment of `replicas` pods labelled `app: <app>` whose one container port is named
/// `http` on `port`, with small requests so many fit.
fn deployment(name: &str, app: &str, replicas: usize, port: u16) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {app}\n      deploy: {name}\n  template:\n    metadata:\n      labels:\n        app: {app}\n        deploy: {name}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        ports:\n        - name: http\n          containerPort: {port}\n        resources:\n          requests:\n            cpu: 1m\n            memory: 4Mi\n---\n"
    )
}

#[test]
fn over_capacity_endpoints_keep_1000_addresses_and_say_so() {
    let cluster = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: control-plane\nspec:\n  role: ControlPlane\n  machineType: t3.medium\n  minSize: 1\n  maxSize: 1\n  subnets: [us-east-1a]\n---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata:\n  name: nodes\nspec:\n  role: Node\n  machineType: m5.xlarge\n  minSize: 12\n  maxSize: 12\n  subnets: [us-east-1a]\n";
    let objects = kubeplay_api::load(cluster)
        .objects
        .into_iter()
        .map(|o| o.object)
        .collect();
    // without the per-step invariant checks of debug builds: 1,050 pods take 30 s with them
    let config = kubeplay_core::SimConfig {
        check_invariants: false,
        ..kubeplay_core::SimConfig::default()
    };
    let mut s = Session::with_sim(kubeplay_core::Sim::with_config(1, config, objects));
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: big\n  labels:\n    team: web\nspec:\n  selector:\n    app: big\n  ports:\n  - port: 80\n    targetPort: http\n";
    apply(
        &mut s,
        &format!("{}{svc}", deployment("big", "big", 1050, 8080)),
    );
    run(
        &mut s,
        "kubectl rollout status deployment/big --timeout=10m",
    );
    let ep = json(&mut s, "kubectl get endpoints big -o json");
    assert_eq!(
        ep["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"], "truncated",
        "{ep}"
    );
    assert_eq!(
        ep["metadata"]["labels"]["team"], "web",
        "the Service's labels"
    );
    let subsets = arr(&ep, "subsets");
    assert_eq!(subsets.len(), 1);
    assert_eq!(arr(&subsets[0], "addresses").len(), 1000);
    assert!(subsets[0].get("notReadyAddresses").is_none());
    // the YAML a user reads carries it too
    let yaml = run(&mut s, "kubectl get endpoints big -o yaml");
    assert!(
        yaml.contains("    endpoints.kubernetes.io/over-capacity: truncated\n"),
        "{yaml}"
    );
    assert_eq!(yaml.matches("\n  - ip: ").count(), 1000, "{yaml}");
    // the table counts what the object holds
    let table = run(&mut s, "kubectl get endpoints big --no-headers");
    assert!(table.contains(" + 997 more..."), "{table}");
    // the network's column and kubectl's agree
    let col = s
        .net()
        .endpoints("default", "big")
        .map(|e| e.kubectl_column());
    assert!(
        col.is_some_and(|c| table.contains(&c)),
        "{table} vs the network's column"
    );
}

#[test]
fn named_target_port_resolves_per_pod_into_subsets() {
    let mut s = Session::new(2);
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: http\n";
    apply(
        &mut s,
        &format!(
            "{}{}{svc}",
            deployment("web-a", "web", 1, 8080),
            deployment("web-b", "web", 2, 9090)
        ),
    );
    run(&mut s, "kubectl rollout status deployment/web-a");
    run(&mut s, "kubectl rollout status deployment/web-b");
    let ep = json(&mut s, "kubectl get endpoints web -o json");
    let subsets = arr(&ep, "subsets");
    assert_eq!(subsets.len(), 2, "one subset per resolved port: {ep}");
    let ports: Vec<&Value> = subsets.iter().map(|ss| &ss["ports"]).collect();
    assert_eq!(
        ports,
        [
            &serde_json::json!([{"port": 8080, "protocol": "TCP"}]),
            &serde_json::json!([{"port": 9090, "protocol": "TCP"}]),
        ],
        "no port name when the Service port has none"
    );
    assert_eq!(arr(&subsets[0], "addresses").len(), 1);
    assert_eq!(arr(&subsets[1], "addresses").len(), 2);
    for a in arr(&subsets[0], "addresses") {
        let pod = a["targetRef"]["name"].as_str().unwrap_or_default();
        assert!(pod.starts_with("web-a-"), "{a}");
        assert!(!a["nodeName"].as_str().unwrap_or_default().is_empty());
        let uid = run(
            &mut s,
            &format!("kubectl get pod {pod} -o jsonpath={{.metadata.uid}}"),
        );
        assert_eq!(a["targetRef"]["uid"], uid.trim(), "{a}");
        assert_eq!(a["targetRef"]["kind"], "Pod");
        assert_eq!(a["targetRef"]["namespace"], "default");
    }
    // ENDPOINTS lists the 8080 subset first, then 9090's addresses
    let table = run(&mut s, "kubectl get endpoints web --no-headers");
    let row = table
        .lines()
        .find(|l| l.starts_with("web "))
        .unwrap_or_default();
    let col = row
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let parts: Vec<&str> = col.split(',').collect();
    assert_eq!(parts.len(), 3, "{table}");
    assert!(
        parts[0].ends_with(":8080") && parts[1].ends_with(":9090"),
        "{table}"
    );
    assert_eq!(
        s.net()
            .endpoints("default", "web")
            .map(|e| e.kubectl_column()),
        Some(col),
        "the printer and the network's column agree"
    );
}

/// A pod that runs but never passes its readiness probe (the server listens only after 10 min).
fn unready_pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: slow\n  annotations:\n    kubeplay.dev/startup-time: 10m\nspec:\n  containers:\n  - name: app\n    image: nginx\n    ports:\n    - containerPort: 80\n    readinessProbe:\n      httpGet:\n        path: /\n        port: 80\n      periodSeconds: 5\n---\n"
    )
}

#[test]
fn not_ready_pods_are_not_ready_addresses_unless_published() {
    let mut s = Session::new(3);
    let svcs = "apiVersion: v1\nkind: Service\nmetadata:\n  name: slow\nspec:\n  selector:\n    app: slow\n  ports:\n  - name: web\n    port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: slow-published\nspec:\n  publishNotReadyAddresses: true\n  selector:\n    app: slow\n  ports:\n  - name: web\n    port: 80\n";
    apply(&mut s, &format!("{}{svcs}", unready_pod("slow")));
    run(&mut s, "sleep 30s");
    let pod = json(&mut s, "kubectl get pod slow -o json");
    assert_eq!(pod["status"]["phase"], "Running", "{pod}");
    let ip = pod["status"]["podIP"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(!ip.is_empty());

    let ep = json(&mut s, "kubectl get endpoints slow -o json");
    let subsets = arr(&ep, "subsets");
    assert_eq!(subsets.len(), 1, "{ep}");
    assert!(subsets[0].get("addresses").is_none(), "{ep}");
    let nr = arr(&subsets[0], "notReadyAddresses");
    assert_eq!(nr.len(), 1, "{ep}");
    assert_eq!(nr[0]["ip"], ip.as_str());
    assert_eq!(nr[0]["targetRef"]["name"], "slow");
    assert_eq!(
        subsets[0]["ports"],
        serde_json::json!([{"name": "web", "port": 80, "protocol": "TCP"}])
    );
    assert!(ep["metadata"].get("annotations").is_none(), "{ep}");

    let published = json(&mut s, "kubectl get endpoints slow-published -o json");
    let subsets = arr(&published, "subsets");
    assert_eq!(subsets.len(), 1, "{published}");
    assert!(subsets[0].get("notReadyAddresses").is_none(), "{published}");
    assert_eq!(arr(&subsets[0], "addresses")[0]["ip"], ip.as_str());

    let table = run(&mut s, "kubectl get endpoints");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| !l.starts_with("Warning"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["NAME", "ENDPOINTS", "AGE"]);
    assert_eq!(rows[1][..2], ["slow", "<none>"], "{table}");
    let published_col = format!("{ip}:80");
    assert_eq!(
        rows[2][..2],
        ["slow-published", published_col.as_str()],
        "{table}"
    );
    // describe svc lists ready addresses only, per port
    let d = run(&mut s, "kubectl describe svc slow-published");
    assert!(
        d.contains(&format!("Endpoints:                {ip}:80\n")),
        "{d}"
    );
}

#[test]
fn a_service_without_selector_has_no_endpoints() {
    let mut s = Session::new(4);
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: external\nspec:\n  ports:\n  - port: 80\n";
    apply(&mut s, svc);
    let out = s.run_line("kubectl get endpoints external");
    assert!(!out.ok);
    assert!(
        out.text
            .contains("Error from server (NotFound): endpoints \"external\" not found"),
        "{}",
        out.text
    );
}

#[test]
fn a_headless_service_s_endpoints_carry_the_headless_label() {
    let mut s = Session::new(5);
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  clusterIP: None\n  selector:\n    app: db\n  ports:\n  - port: 5432\n";
    apply(&mut s, svc);
    let ep = json(&mut s, "kubectl get endpoints db -o json");
    assert_eq!(
        ep["metadata"]["labels"],
        serde_json::json!({
            "endpoints.kubernetes.io/managed-by": "endpoint-controller",
            "service.kubernetes.io/headless": "",
        }),
        "{ep}"
    );
    assert!(ep.get("subsets").is_none(), "no pods, no subsets: {ep}");
}

/// What the two controllers write beyond addresses, as a real v1.34 cluster shows it: the
/// Endpoints' managed-by label; the slice's `generateName`, copied Service labels (reserved
/// ones excepted) and controller labels; per endpoint the pod's uid, node, zone and — for a
/// pod whose `subdomain` names the Service — hostname; ports with `appProtocol`, and an
/// unnamed port as `name: ""` in the slice but without a name in Endpoints.
#[test]
fn endpoints_and_slices_carry_what_the_controllers_write() {
    let mut s = Session::new(6);
    let manifests = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    team: blue\n    kubernetes.io/service-name: spoofed\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n    appProtocol: http\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-0\n  labels:\n    app: web\nspec:\n  hostname: web-0\n  subdomain: web\n  containers:\n  - name: app\n    image: nginx\n    ports:\n    - containerPort: 8080\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  labels:\n    app: web\nspec:\n  hostname: web-1\n  subdomain: other\n  containers:\n  - name: app\n    image: nginx\n    ports:\n    - containerPort: 8080\n";
    apply(&mut s, manifests);
    run(
        &mut s,
        "kubectl wait --for=condition=Ready pod/web-0 pod/web-1 --timeout=120s",
    );
    let uid = |s: &mut Session, pod: &str| {
        run(
            s,
            &format!("kubectl get pod {pod} -o jsonpath={{.metadata.uid}}"),
        )
    };
    let (uid0, uid1) = (uid(&mut s, "web-0"), uid(&mut s, "web-1"));
    assert!(!uid0.is_empty() && uid0 != uid1);

    let ep = json(&mut s, "kubectl get endpoints web -o json");
    assert_eq!(
        ep["metadata"]["labels"],
        serde_json::json!({
            "endpoints.kubernetes.io/managed-by": "endpoint-controller",
            "kubernetes.io/service-name": "spoofed",
            "team": "blue",
        }),
        "the Endpoints controller copies every Service label: {ep}"
    );
    let subset = &arr(&ep, "subsets")[0];
    assert_eq!(
        arr(subset, "ports"),
        [serde_json::json!({"port": 8080, "protocol": "TCP", "appProtocol": "http"})],
        "{ep}"
    );
    // an address or slice endpoint names its pod by uid; only web-0's subdomain is the Service
    let check_pod = |v: &Value| {
        let pod = v["targetRef"]["name"].as_str().unwrap();
        let want_uid = if pod == "web-0" { &uid0 } else { &uid1 };
        assert_eq!(
            v["targetRef"]["uid"].as_str(),
            Some(want_uid.as_str()),
            "{v}"
        );
        let hostname = (pod == "web-0").then(|| serde_json::json!("web-0"));
        assert_eq!(v.get("hostname"), hostname.as_ref(), "{v}");
    };
    let addrs = arr(subset, "addresses");
    assert_eq!(addrs.len(), 2, "{ep}");
    addrs.iter().for_each(check_pod);

    let list = json(
        &mut s,
        "kubectl get endpointslices -l kubernetes.io/service-name=web -o json",
    );
    let items = arr(&list, "items");
    assert_eq!(items.len(), 1, "{list}");
    let slice = &items[0];
    let meta = &slice["metadata"];
    assert_eq!(meta["generateName"], "web-", "{meta}");
    assert!(meta["name"].as_str().unwrap().starts_with("web-"), "{meta}");
    assert_eq!(
        meta["labels"],
        serde_json::json!({
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            "kubernetes.io/service-name": "web",
            "team": "blue",
        }),
        "reserved labels are the controller's: {meta}"
    );
    assert_eq!(
        arr(slice, "ports"),
        [serde_json::json!({"name": "", "port": 8080, "protocol": "TCP", "appProtocol": "http"})],
        "{slice}"
    );
    let endpoints = arr(slice, "endpoints");
    assert_eq!(endpoints.len(), 2, "{slice}");
    for e in endpoints {
        check_pod(e);
        let node = e["nodeName"].as_str().unwrap().to_string();
        let zone = run(
            &mut s,
            &format!("kubectl get node {node} -o jsonpath='{{.metadata.labels.topology\\.kubernetes\\.io/zone}}'"),
        );
        assert!(!zone.is_empty(), "kops nodes are zoned");
        assert_eq!(e["zone"].as_str(), Some(zone.as_str()), "{e}");
    }
}
