//! The CLI proper: clap arguments, scripts from disk, the interactive prompt, trace files.
use clap::{Parser, Subcommand};
use kubeplay_kubectl::{FileSource, Session};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Run Kubernetes cluster scenarios in a deterministic simulator.
///
/// With no command, kubeplay is an interactive kubectl-style prompt on a fresh default
/// cluster (3 t3.medium workers and a control-plane node); when standard input is not a
/// terminal it runs the lines it reads.
#[derive(Parser)]
#[command(name = "kubeplay", version = kubeplay_core::VERSION, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Seed of the simulation (same seed + same input = same output).
    #[arg(long, default_value_t = 1, global = true)]
    seed: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario script and print its transcript (`$ command` then its output).
    ///
    /// Script lines: blank lines and `# comments`; `kubectl …`; `sleep 500ms|30s|5m|1h`;
    /// `curl URL`; `sim terminate|stop|start node/NAME`; `sim crash pod/NAME`;
    /// `sim load URL --rps N --for D`; `sim time`; `kops get ig`;
    /// `kops edit ig NAME --min N --max N`. Paths in `apply -f` are relative to the
    /// script's folder.
    Run {
        /// Start from the Nodes/InstanceGroups in FILE instead of the default cluster.
        #[arg(long, value_name = "FILE")]
        cluster: Option<PathBuf>,
        /// Stop at the first failing command.
        #[arg(long)]
        fail_fast: bool,
        /// Write the simulation trace to FILE, one event per line, then its hash.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// The script to run (`-` for standard input).
        script: PathBuf,
    },
    /// Swarm-test the simulator: random clusters, manifests and faults per seed, checked
    /// against the safety and liveness invariants; a failure prints its seed and a shrunk
    /// script.
    Swarm {
        /// How many seeds to run.
        #[arg(long, default_value_t = 100)]
        seeds: u64,
        /// First seed.
        #[arg(long, default_value_t = 0)]
        start: u64,
        /// Go on after a failure and list every failing seed.
        #[arg(long)]
        keep_going: bool,
    },
}

/// Files for `apply -f`, relative to the script's folder; `-` is standard input.
struct DiskFiles {
    base: PathBuf,
    /// Whether `-` may read standard input (not when the script itself comes from it).
    stdin_free: bool,
    /// Standard input, read once on the first `-f -`.
    stdin: std::cell::RefCell<Option<String>>,
}

impl DiskFiles {
    fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }
}

impl FileSource for DiskFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        if path == "-" {
            if !self.stdin_free {
                return Err(
                    "reading from standard input: the script itself is standard input".into(),
                );
            }
            let mut cached = self.stdin.borrow_mut();
            if cached.is_none() {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                    .map_err(|e| format!("reading from standard input: {e}"))?;
                *cached = Some(text);
            }
            return Ok(cached.clone().unwrap_or_default());
        }
        let full = self.resolve(path);
        if !full.exists() {
            return Err(format!("the path \"{path}\" does not exist"));
        }
        std::fs::read_to_string(&full).map_err(|e| format!("open {path}: {e}"))
    }

    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let full = self.resolve(path);
        if !full.is_dir() {
            return None;
        }
        let mut names: Vec<String> = std::fs::read_dir(&full)
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Some(names)
    }
}

fn session_for(seed: u64, cluster: Option<&Path>) -> Result<Session, String> {
    let Some(path) = cluster else {
        return Ok(Session::new(seed));
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let loaded = kubeplay_api::load(&text);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {d}", path.display()))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let objects: Vec<_> = loaded.objects.into_iter().map(|o| o.object).collect();
    kubeplay_core::caps::admit_cluster(&objects).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Session::with_sim(kubeplay_core::Sim::with_cluster(
        seed, objects,
    )))
}

fn write_trace(session: &Session, path: &Path) -> Result<(), String> {
    let mut out = String::new();
    for ev in session.sim().trace() {
        out.push_str(&ev.render());
        out.push('\n');
    }
    out.push_str(&format!("hash {:016x}\n", session.sim().trace_hash()));
    std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(
    seed: u64,
    cluster: Option<&Path>,
    fail_fast: bool,
    trace: Option<&Path>,
    script: &Path,
) -> ExitCode {
    let from_stdin = script.as_os_str() == "-";
    let text = if from_stdin {
        let mut s = String::new();
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(l) => {
                    s.push_str(&l);
                    s.push('\n');
                }
                Err(e) => {
                    eprintln!("kubeplay: reading standard input: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        s
    } else {
        match std::fs::read_to_string(script) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("kubeplay: {}: {e}", script.display());
                return ExitCode::from(2);
            }
        }
    };
    let mut session = match session_for(seed, cluster) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    };
    let base = if from_stdin {
        PathBuf::from(".")
    } else {
        script
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let files = DiskFiles {
        base,
        stdin_free: !from_stdin,
        stdin: std::cell::RefCell::new(None),
    };
    let out = session.run_script(&text, &files, fail_fast);
    print!("{}", out.transcript);
    let _ = std::io::stdout().flush();
    if let Some(t) = trace {
        if let Err(e) = write_trace(&session, t) {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    }
    if out.failures.is_empty() {
        return ExitCode::SUCCESS;
    }
    for f in &out.failures {
        eprintln!(
            "kubeplay: {}:{}: command failed: {} (seed={seed})",
            script.display(),
            f.line,
            f.command
        );
    }
    ExitCode::from(1)
}

fn interactive(seed: u64) -> ExitCode {
    let mut session = Session::new(seed);
    let files = DiskFiles {
        base: PathBuf::from("."),
        stdin_free: false,
        stdin: std::cell::RefCell::new(None),
    };
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        println!("kubeplay {} — a simulated Kubernetes v1.34 cluster (seed={seed}). Type kubectl commands, `help`, or `exit`.", kubeplay_core::VERSION);
    }
    let mut failed = false;
    let mut lines = stdin.lock().lines();
    loop {
        if tty {
            print!("$ ");
            let _ = std::io::stdout().flush();
        }
        let Some(Ok(line)) = lines.next() else { break };
        let trimmed = line.trim();
        match trimmed {
            "exit" | "quit" => break,
            "help" => {
                println!("{}", kubeplay_kubectl::help::script_help());
                continue;
            }
            _ => {}
        }
        let out = session.run_line_with(trimmed, &files);
        print!("{}", out.text);
        let _ = std::io::stdout().flush();
        failed |= !out.ok;
    }
    if failed && !tty {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Parse arguments and run.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Run {
            cluster,
            fail_fast,
            trace,
            script,
        }) => run(
            cli.seed,
            cluster.as_deref(),
            fail_fast,
            trace.as_deref(),
            &script,
        ),
        Some(Command::Swarm {
            seeds,
            start,
            keep_going,
        }) => swarm(start, seeds, keep_going),
        None => interactive(cli.seed),
    }
}

/// `kubeplay swarm`: the sweep lives in kubeplay-swarm; here only timing and printing.
fn swarm(start: u64, seeds: u64, keep_going: bool) -> ExitCode {
    let t0 = std::time::Instant::now();
    let sweep = kubeplay_swarm::swarm(start, seeds, keep_going, |seed, r| {
        if let Err(f) = r {
            eprintln!("seed {seed}: {:?}: {}", f.invariant, f.message);
        }
    });
    if let Some(first) = &sweep.first {
        println!("{first}");
    }
    let s = sweep.stats;
    eprintln!(
        "kubeplay swarm: {} seeds from {start}, {} failed, {} lines ({} command errors), {} h virtual, {:.1} s",
        s.scenarios,
        sweep.failures.len(),
        s.lines,
        s.command_errors,
        s.virtual_ms / 3_600_000,
        t0.elapsed().as_secs_f64()
    );
    if sweep.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
