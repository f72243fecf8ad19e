//! `kubeplay`: the native shell around the simulator. The only crate that touches files,
//! the terminal and the process exit code.
use clap::Parser;

/// Run Kubernetes cluster scenarios in a deterministic simulator.
#[derive(Parser)]
#[command(name = "kubeplay", version = kubeplay_core::VERSION)]
struct Cli {
    /// Manifest files to load and summarise.
    files: Vec<std::path::PathBuf>,
}

fn main() {
    let cli = Cli::parse();
    let mut failed = false;
    for f in &cli.files {
        match std::fs::read_to_string(f) {
            Ok(text) => {
                let loaded = kubeplay_api::load(&text);
                for d in &loaded.documents {
                    println!("{}/{}", d.kind, d.name);
                }
                for e in &loaded.errors {
                    eprintln!("{}:{e}", f.display());
                    failed = true;
                }
            }
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                failed = true;
            }
        }
    }
    std::process::exit(i32::from(failed));
}
