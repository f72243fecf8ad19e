//! Time the loader on hostile inputs (the README's table):
//! `cargo run --release -p kubeplay-api --example hostile`.
use std::time::Instant;

fn main() {
    let doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n";
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m}}}]}\n---\n";
    let cases: Vec<(&str, String)> = vec![
        ("5 MB paste", doc.repeat(5 * 1024 * 1024 / doc.len())),
        ("10,000 documents", doc.repeat(10_000)),
        ("1,000 Deployments (at the limit)", deploy.repeat(1000)),
        ("[ x 1,000,000", "[".repeat(1_000_000)),
        ("{a:  x 100,000", "{a: ".repeat(100_000)),
        (
            "block nesting 300 deep",
            (0..300).map(|i| format!("{}a:\n", " ".repeat(i))).collect(),
        ),
        ("billion laughs (9 x 9)", bomb),
        (
            "binary junk 1 MB",
            (0u8..=255)
                .cycle()
                .take(1_000_000)
                .map(char::from)
                .collect(),
        ),
    ];
    for (name, text) in cases {
        #[allow(clippy::disallowed_methods)] // measuring the loader from outside
        let start = Instant::now();
        let r = kubeplay_api::load(&text);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let first = r
            .diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        let first: String = first.chars().take(70).collect();
        println!(
            "| {name} | {} bytes | {ms:.1} ms | {} objects | {first} |",
            text.len(),
            r.objects.len()
        );
    }
}
