//! Print what the loader makes of files: `cargo run -p kubeplay-api --example dump -- FILE...`.
fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let r = kubeplay_api::load(&text);
        println!("== {path}");
        for o in &r.objects {
            println!(
                "object {} {}/{}",
                o.doc_index,
                o.object.kind(),
                o.object.name()
            );
        }
        for n in &r.not_simulated {
            println!("notsim {}", n.render());
        }
        for d in &r.diagnostics {
            println!("{:?} {d}", d.severity);
        }
        if std::env::var("YAML").is_ok() {
            for o in &r.objects {
                println!("---\n{}", o.object.to_yaml());
            }
        }
    }
}
