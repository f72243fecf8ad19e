//! Property test: the loader never panics, whatever the text, and what it loads prints back.
use proptest::prelude::*;

/// Fragments that steer random text towards YAML and Kubernetes shapes.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("apiVersion: apps/v1\n".to_string()),
        Just("apiVersion: v1\n".to_string()),
        Just("kind: Deployment\n".to_string()),
        Just("kind: Service\n".to_string()),
        Just("kind: Pod\n".to_string()),
        Just("kind: List\nitems:\n".to_string()),
        Just("metadata:\n  name: web\n".to_string()),
        Just("spec:\n  replicas: 3\n".to_string()),
        Just("  selector: {matchLabels: {app: web}}\n".to_string()),
        Just("  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}\n".to_string()),
        Just("  ports: [{port: 80, targetPort: http}]\n".to_string()),
        Just("    resources: {requests: {cpu: 0.5, memory: 1e3}}\n".to_string()),
        Just("---\n".to_string()),
        Just("- ".to_string()),
        Just("&a ".to_string()),
        Just("*a ".to_string()),
        Just("{".to_string()),
        Just("[".to_string()),
        Just("\t".to_string()),
        Just("\"".to_string()),
        "[ -~\n]{0,20}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn load_never_panics(parts in proptest::collection::vec(fragment(), 0..24)) {
        let text = parts.concat();
        let r = kubeplay_api::load(&text);
        for o in &r.objects {
            let yaml = o.object.to_yaml();
            let again = kubeplay_api::load(&yaml);
            prop_assert!(!again.has_errors(), "printed object does not reload: {yaml}\n{:?}", again.errors);
        }
        for d in &r.diagnostics {
            let _ = d.to_string();
        }
    }
}
