//! Fuzz the script runner: any script (lossy UTF-8, first 64 lines) runs to the end on a
//! fresh session without panicking, whatever the lines ask for (huge sleeps, replicas, loads
//! are bounded by the command layer). One small manifest is available as `web.yaml` so
//! inputs can reach the workload verbs.
#![no_main]
use libfuzzer_sys::fuzz_target;

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: LoadBalancer\n  selector:\n    app: web\n  ports:\n  - port: 80\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let script: String = text.lines().take(64).map(|l| format!("{l}\n")).collect();
    let mut session = kubeplay_kubectl::Session::new(1);
    let files = kubeplay_kubectl::MemFiles {
        files: vec![("web.yaml".into(), WEB.into())],
    };
    let _ = session.run_script(&script, &files, false);
});
