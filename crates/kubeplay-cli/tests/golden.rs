//! Golden transcripts: every `tests/scripts/*.kp` is run through the real `kubeplay` binary
//! and its stdout, stderr and exit code are compared with `*.out` next to it.
//! `KUBEPLAY_BLESS=1 cargo test -p kubeplay-cli` rewrites the expected files.
#![cfg(feature = "engine")]
use std::path::{Path, PathBuf};
use std::process::Command;

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

fn run(script: &Path, extra: &[&str]) -> (String, String, i32) {
    // run from the script's folder, as a user would, so paths in messages are short
    let dir = script.parent().unwrap_or(Path::new("."));
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .current_dir(dir)
        .args(["run", "--seed", "1"])
        .args(extra)
        .arg(script.file_name().unwrap_or_default())
        .output()
        .expect("run kubeplay");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn render(stdout: &str, stderr: &str, code: i32, dir: &Path) -> String {
    let mut s = stdout.to_string();
    if !stderr.is_empty() {
        s.push_str("--- stderr\n");
        // paths in messages are machine-specific; keep them relative to tests/scripts
        s.push_str(&stderr.replace(&format!("{}/", dir.display()), ""));
    }
    s.push_str(&format!("--- exit {code}\n"));
    s
}

#[test]
fn golden_transcripts() {
    let dir = scripts_dir();
    let bless = std::env::var_os("KUBEPLAY_BLESS").is_some();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scripts")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 5,
        "expected the golden scripts in {}",
        dir.display()
    );
    let mut failed = Vec::new();
    for script in &scripts {
        // `X.args` next to `X.kp` holds extra CLI flags (e.g. `--cluster small.yaml`)
        let args_text = std::fs::read_to_string(script.with_extension("args")).unwrap_or_default();
        let extra: Vec<&str> = args_text.split_whitespace().collect();
        let (stdout, stderr, code) = run(script, &extra);
        let got = render(&stdout, &stderr, code, &dir);
        let expected_path = script.with_extension("out");
        if bless {
            std::fs::write(&expected_path, &got).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
            failed.push(format!(
                "{} differs from {} at line {} (seed=1):\n  got:  {:?}\n  want: {:?}",
                script.display(),
                expected_path.display(),
                line + 1,
                got.lines().nth(line).unwrap_or(""),
                want.lines().nth(line).unwrap_or("")
            ));
        }
    }
    assert!(
        failed.is_empty(),
        "{}\n(re-bless with KUBEPLAY_BLESS=1)",
        failed.join("\n")
    );
}

#[test]
fn same_seed_same_transcript() {
    let script = scripts_dir().join("hello-world.kp");
    let a = run(&script, &[]);
    let b = run(&script, &[]);
    assert_eq!(a, b, "seed=1");
}

#[test]
fn seed_story_manifest_is_the_shipped_example() {
    let ours = std::fs::read_to_string(scripts_dir().join("hello-world.yaml")).expect("copy");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/examples/hello-world.yaml"),
    )
    .expect("static example");
    assert_eq!(
        ours, shipped,
        "tests/scripts/hello-world.yaml must be a copy of the example"
    );
}

#[test]
fn exit_codes_and_fail_fast() {
    let dir = std::env::temp_dir().join(format!("kubeplay-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let script = dir.join("s.kp");
    std::fs::write(
        &script,
        "kubectl get nodes\nkubectl get pdos\nkubectl get ns\n",
    )
    .expect("write");
    let (out, err, code) = run(&script, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("s.kp:2: command failed: kubectl get pdos (seed=1)"),
        "{err}"
    );
    assert!(out.contains("$ kubectl get ns"), "{out}");
    let (out, _, code) = run(&script, &["--fail-fast"]);
    assert_eq!(code, 1);
    assert!(!out.contains("$ kubectl get ns"), "{out}");
    // bad usage exits 2
    let bad = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(["run", "--seed", "x", "s.kp"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    let missing = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(["run", "/nonexistent/x.kp"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    // --trace writes one event per line and the hash
    let trace = dir.join("trace.txt");
    let ok_script = dir.join("ok.kp");
    std::fs::write(
        &ok_script,
        "kubectl create deployment web --image=nginx\nsleep 30s\nkubectl get pods\n",
    )
    .expect("write");
    let (_, err, code) = run(&ok_script, &["--trace", trace.to_str().expect("utf8")]);
    assert_eq!(code, 0, "{err}");
    let t = std::fs::read_to_string(&trace).expect("trace");
    assert!(t.lines().count() > 10);
    assert!(
        t.lines().last().is_some_and(|l| l.starts_with("hash ")),
        "{}",
        t.lines().last().unwrap_or("")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdin_prompt_runs_lines() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"kubectl get ns\nkubectl get pdos\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kube-system"), "{text}");
    assert!(
        text.contains("error: the server doesn't have a resource type \"pdos\""),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1));
}
