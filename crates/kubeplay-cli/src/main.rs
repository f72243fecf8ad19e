//! `kubeplay`: the native shell around the simulator. The only crate that touches files,
//! the terminal and the process exit code; everything it runs goes through the same
//! command layer as the browser terminal, so a script behaves identically in both.
//!
//! Exit codes: 0 when every command succeeded, 1 when one failed (the failing lines are named
//! on stderr with the seed), 2 on bad usage (clap's convention).
#[cfg(feature = "engine")]
mod run;

/// mimalloc rather than the system allocator: the simulator makes many small short-lived
/// allocations (pod records, event strings), and glibc's malloc spent ~15% of the 150,000-pod
/// benchmark in its free-list upkeep. The browser build keeps Rust's default wasm allocator.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    #[cfg(feature = "engine")]
    {
        run::main()
    }
    #[cfg(not(feature = "engine"))]
    {
        eprintln!("kubeplay: built without the `engine` feature (the simulator session); rebuild with --features engine");
        std::process::ExitCode::from(2)
    }
}
