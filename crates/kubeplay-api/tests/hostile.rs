//! Bad input never hurts: each hostile paste gets one clear error quickly and no panic. Times
//! are asserted loosely (debug build, shared machine); the README lists release-build numbers.
use kubeplay_api::{load, Category, Diagnostic};
use std::time::{Duration, Instant};

/// Debug builds on a loaded 2-core machine are slow; release is ~10× faster than this bound.
const BUDGET: Duration = Duration::from_secs(3);

fn timed(text: &str) -> (kubeplay_api::LoadResult, Duration) {
    #[allow(clippy::disallowed_methods)] // a test measuring itself, not the loader's logic
    let start = Instant::now();
    let r = load(text);
    (r, start.elapsed())
}

fn only_error(r: &kubeplay_api::LoadResult) -> &Diagnostic {
    let errors: Vec<&Diagnostic> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{:?}", r.diagnostics);
    errors[0]
}

#[test]
fn five_megabytes_is_refused_before_parsing() {
    let doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n";
    let text = doc.repeat(5 * 1024 * 1024 / doc.len());
    let (r, t) = timed(&text);
    let e = only_error(&r);
    assert_eq!(e.category, Category::Limit);
    assert!(
        e.message.contains("limit is 1048576 bytes"),
        "{}",
        e.message
    );
    assert!(t < BUDGET, "{t:?}");
}

#[test]
fn ten_thousand_documents_stop_at_the_document_limit() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n".repeat(10_000);
    let (r, t) = timed(&text);
    let e = only_error(&r);
    assert_eq!(e.category, Category::Limit);
    assert!(
        e.message.contains("more than 1000 YAML documents"),
        "{}",
        e.message
    );
    assert_eq!(e.position.map(|p| p.line), Some(4001));
    assert!(t < BUDGET, "{t:?}");
}

#[test]
fn deep_nesting_is_refused() {
    for text in [
        "[".repeat(1_000_000),
        "{a: ".repeat(100_000),
        (0..300)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect::<String>(),
        "- ".repeat(5000) + "x",
    ] {
        let (r, t) = timed(&text);
        let e = only_error(&r);
        assert_eq!(e.category, Category::Limit, "{e:?}");
        assert!(e.message.contains("nest"), "{}", e.message);
        assert!(t < BUDGET, "{t:?}");
    }
}

#[test]
fn billion_laughs_is_refused() {
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n");
    bomb.push_str("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    let (r, t) = timed(&bomb);
    let e = only_error(&r);
    assert_eq!(e.category, Category::Limit);
    assert!(e.message.contains("aliases"), "{}", e.message);
    assert!(t < BUDGET, "{t:?}");
}

#[test]
fn binary_junk_is_refused_with_its_position() {
    let junk: String = (0u8..=255).cycle().take(100_000).map(char::from).collect();
    let (r, t) = timed(&junk);
    let e = only_error(&r);
    assert_eq!(e.category, Category::Limit);
    assert!(e.message.contains("binary"), "{}", e.message);
    assert_eq!(e.position.map(|p| (p.line, p.column)), Some((1, 1)));
    assert!(t < BUDGET, "{t:?}");
}

#[test]
fn tabs_get_a_hint() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n";
    let r = load(text);
    let e = only_error(&r);
    assert_eq!(e.category, Category::Syntax);
    assert!(e.message.contains("tabs"), "{}", e.message);
    assert_eq!(e.position.map(|p| p.line), Some(4));
}

/// The seed article's example as its web page shows it: every line at column 1.
#[test]
fn the_seed_articles_unindented_example_gets_a_hint() {
    let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nname: hello-world-deployment\n\
                replicas: 2\napp: \"hello-world\"\n- name: \"hello-world-container\"\n\
                image: \"google/python-hello\"\nimagePullPolicy: Always\n- containerPort: 8080\n\
                - name: NODE_ENV\nvalue: production\nvalue: \"Kubernetes is awesome!\"\n\
                apiVersion: v1\nkind: Service\nname: hello-world-lb\nrun: hello-world\n\
                app: hello-world\ntype: LoadBalancer\n- name: \"http\"\nport: 80\n\
                targetPort: 8080\n\nprotocol: \"TCP\"\n";
    let (r, t) = timed(text);
    let e = only_error(&r);
    assert_eq!(e.category, Category::Syntax);
    assert!(e.message.contains("indentation"), "{}", e.message);
    assert_eq!(e.position.map(|p| p.line), Some(6));
    assert!(r.objects.is_empty());
    assert!(t < BUDGET, "{t:?}");
}

#[test]
fn a_syntax_error_keeps_the_documents_before_it() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [\n";
    let r = load(text);
    assert_eq!(r.objects.len(), 1);
    let e = only_error(&r);
    assert_eq!((e.category, e.doc_index), (Category::Syntax, 1));
    assert!(e.message.starts_with("yaml: line "), "{}", e.message);
}

#[test]
fn duplicate_keys_are_rejected_like_kubectl() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n";
    let r = load(text);
    let e = only_error(&r);
    assert_eq!(
        e.message,
        "error converting YAML to JSON: yaml: line 5: key \"name\" already set in map"
    );
    assert_eq!(e.position.map(|p| p.line), Some(5));
}
