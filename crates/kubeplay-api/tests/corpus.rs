//! The acceptance tests of issue 3 that read shared files: every manifest of the Kubernetes
//! website corpus loads (errors only where a v1.34 API server rejects), and the seed article's
//! hello-world example runs as written with one deprecation warning.
use kubeplay_api::{load, Category, Object, Severity};
use std::path::Path;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/k8s-website"
);
const HELLO: &str = include_str!("../../../static/examples/hello-world.yaml");

/// Files a v1.34 API server rejects, with the error each must get.
const REJECTED: &[(&str, &str)] = &[(
    // Toleration operators Gt/Lt are alpha in v1.35; v1.34 only knows Equal and Exists.
    "pods__pod-with-numeric-toleration.yaml",
    "The Pod \"nginx-numeric-toleration\" is invalid: spec.tolerations[0].operator: Unsupported \
     value: \"Gt\": supported values: \"Equal\", \"Exists\"",
)];

#[test]
fn every_corpus_file_loads_like_the_api_server() {
    let dir = Path::new(CORPUS);
    let Ok(index) = std::fs::read_to_string(dir.join("INDEX.tsv")) else {
        eprintln!("SKIPPED: corpus folder {CORPUS} is absent");
        return;
    };
    let mut files = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, kinds) = (cols[0], cols[3]);
        let text = std::fs::read_to_string(dir.join(file)).expect("file listed in INDEX.tsv");
        let r = load(&text);
        files += 1;
        let errors: Vec<String> = r
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render())
            .collect();
        let expected: Vec<String> = REJECTED
            .iter()
            .filter(|(f, _)| *f == file)
            .map(|(_, e)| e.replace("\\\n", ""))
            .collect();
        assert_eq!(errors, expected, "{file}");
        let warnings: Vec<String> = r.warnings().map(|d| d.to_string()).collect();
        assert!(
            warnings.is_empty(),
            "{file}: unexpected warnings {warnings:?}"
        );
        // Every document is accounted for, in order, as an object, a notice or a rejection.
        let found: Vec<&str> = r.documents.iter().map(|d| d.kind.as_str()).collect();
        if kinds == "List" {
            assert!(
                !found.is_empty() && found.iter().all(|k| *k == "ResourceQuota"),
                "{file}"
            );
        } else {
            assert_eq!(found, kinds.split(',').collect::<Vec<_>>(), "{file}");
        }
        for n in &r.not_simulated {
            let doc = r
                .documents
                .iter()
                .find(|d| d.doc_index == n.doc_index && d.item_index == n.item_index);
            assert!(
                doc.is_some_and(|d| !d.simulated && d.position == n.position),
                "{file}"
            );
        }
        let simulated = r.documents.iter().filter(|d| d.simulated).count();
        assert_eq!(simulated, r.objects.len() + expected.len(), "{file}");
    }
    assert!(files >= 60, "only {files} corpus files");
}

#[test]
fn shirts_are_reported_as_not_simulated_at_documents_1_2_3() {
    let Ok(text) = std::fs::read_to_string(
        Path::new(CORPUS).join("customresourcedefinition__shirt-resources.yaml"),
    ) else {
        eprintln!("SKIPPED: corpus folder {CORPUS} is absent");
        return;
    };
    let r = load(&text);
    let docs: Vec<usize> = r.not_simulated.iter().map(|n| n.doc_index + 1).collect();
    assert_eq!(docs, vec![1, 2, 3]);
    assert!(r.not_simulated[0].render().contains("not simulated yet"));
}

#[test]
fn hello_world_loads_with_a_defaulted_selector_and_one_warning() {
    let r = load(HELLO);
    assert!(!r.has_errors(), "{:?}", r.errors);
    assert_eq!(r.objects.len(), 2);
    let Object::Deployment(d) = &r.objects[0].object else {
        panic!(
            "first object is not a Deployment: {:?}",
            r.objects[0].object.kind()
        );
    };
    assert_eq!(d.api_version, "apps/v1");
    let sel = d
        .spec
        .selector
        .as_ref()
        .expect("selector defaulted from the template labels");
    let want: kubeplay_api::Labels = [("app".to_string(), "hello-world".to_string())].into();
    assert_eq!(sel.match_labels.as_ref(), Some(&want));
    assert_eq!(d.spec.replicas, Some(2));
    let warnings: Vec<_> = r.warnings().collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].category, Category::Deprecated);
    assert_eq!(warnings[0].severity, Severity::Warning);
    assert!(
        warnings[0].message.contains("apps/v1"),
        "{}",
        warnings[0].message
    );
    assert!(warnings[0].message.contains("extensions/v1beta1"));
    assert_eq!(warnings[0].position.map(|p| p.line), Some(7));
    let Object::Service(s) = &r.objects[1].object else {
        panic!("second object is not a Service");
    };
    assert_eq!(s.spec.type_.as_deref(), Some("LoadBalancer"));
    assert_eq!(s.spec.external_traffic_policy.as_deref(), Some("Cluster"));
}

#[test]
fn hello_world_round_trips_like_kubectl_get() {
    let r = load(HELLO);
    let yaml = r.objects[0].object.to_yaml();
    assert!(
        yaml.starts_with("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"),
        "{yaml}"
    );
    for line in [
        "      app: hello-world",
        "  progressDeadlineSeconds: 2147483647",
        "      maxSurge: 1",
        "      - env:",
        "        imagePullPolicy: Always",
        "        - containerPort: 8080\n          protocol: TCP",
        "      dnsPolicy: ClusterFirst",
        "      terminationGracePeriodSeconds: 30",
    ] {
        assert!(yaml.contains(line), "missing {line:?} in\n{yaml}");
    }
    // What we print loads back to the same object.
    let again = load(&yaml);
    assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    assert_eq!(again.objects[0].object, r.objects[0].object);
    let json: serde_json::Value =
        serde_json::from_str(&r.objects[1].object.to_json()).expect("json");
    assert_eq!(json["spec"]["ports"][0]["targetPort"], 8080);
}

/// What `kubectl get pod -o yaml` prints (uid, ownerReferences, status…) loads without a single
/// warning and prints back the same.
#[test]
fn a_live_object_from_kubectl_get_loads_cleanly() {
    let r = load(include_str!("get-pod.yaml"));
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let pod = &r.objects[0].object;
    assert_eq!(pod.meta().uid.as_deref(), Some("0a1b2c3d"));
    assert_eq!(pod.meta().owner_references[0].kind, "ReplicaSet");
    let again = load(&pod.to_yaml());
    assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    assert_eq!(&again.objects[0].object, pod);
}
