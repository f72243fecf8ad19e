//! Simulated containers: what an image does when it runs.
//!
//! By default every image is a well-behaved HTTP server on its containerPorts (port 80 when it
//! declares none) that answers `Hello World from <pod> (<image>)` followed by its environment,
//! so the seed's `MESSAGE` shows. Teaching failures is done with pod-template annotations:
//!
//! | annotation | effect |
//! |---|---|
//! | `kubeplay.dev/crash-after: 30s` | the process exits 30 s after each start |
//! | `kubeplay.dev/exit-code: "2"` | exit code of those crashes (default 1; 0 = Completed) |
//! | `kubeplay.dev/startup-time: 20s` | the server listens only 20 s after start |
//! | `kubeplay.dev/fail-readiness-after: 60s` | from 60 s after start, `/` answers 503 |
//! | `kubeplay.dev/cpu-per-request: 5m` | CPU each request costs (for load) |
//!
//! An image whose tag is `broken` (`nginx:broken`) does not exist in the registry: pulls fail
//! with ErrImagePull and back off as ImagePullBackOff.
use crate::api::Pod;
use crate::clock::Ms;

/// Behaviour knobs of a pod's containers, from its annotations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// Exit this long after each start.
    pub crash_after_ms: Option<Ms>,
    /// Exit code of those exits.
    pub exit_code: i32,
    /// Time from start until the server listens.
    pub startup_ms: Ms,
    /// From this long after start, readiness (and `/`) answers 503.
    pub fail_readiness_after_ms: Option<Ms>,
    /// CPU per request, millicores·s per 1000 requests (millicores for one request-second).
    pub cpu_per_request_milli: i64,
}

/// Annotation keys.
pub const CRASH_AFTER: &str = "kubeplay.dev/crash-after";
/// See [`CRASH_AFTER`].
pub const EXIT_CODE: &str = "kubeplay.dev/exit-code";
/// See [`CRASH_AFTER`].
pub const STARTUP_TIME: &str = "kubeplay.dev/startup-time";
/// See [`CRASH_AFTER`].
pub const FAIL_READINESS_AFTER: &str = "kubeplay.dev/fail-readiness-after";
/// See [`CRASH_AFTER`].
pub const CPU_PER_REQUEST: &str = "kubeplay.dev/cpu-per-request";

/// Parse a Go-style duration (`30s`, `1m30s`, `500ms`, `2h`) or bare seconds (`30`).
pub fn parse_duration_ms(s: &str) -> Option<Ms> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<Ms>().ok()?.checked_mul(1000);
    }
    let (mut total, mut num, mut rest) = (0u64, String::new(), s);
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let c = rest.chars().next()?;
        if c.is_ascii_digit() {
            num.push(c);
            rest = &rest[1..];
            continue;
        }
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match c {
                'h' => (3_600_000, 1),
                'm' => (60_000, 1),
                's' => (1000, 1),
                _ => return None,
            }
        };
        let n: u64 = num.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        num.clear();
        rest = &rest[len..];
    }
    num.is_empty().then_some(total)
}

impl Behaviour {
    /// Read the annotations of a pod (unparsable values are ignored, as a typo'd annotation is
    /// in a real cluster).
    pub fn of(pod: &Pod) -> Behaviour {
        let a = &pod.metadata.annotations;
        let dur = |k: &str| a.get(k).and_then(|v| parse_duration_ms(v));
        Behaviour {
            crash_after_ms: dur(CRASH_AFTER),
            exit_code: a
                .get(EXIT_CODE)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(1),
            startup_ms: dur(STARTUP_TIME).unwrap_or(0),
            fail_readiness_after_ms: dur(FAIL_READINESS_AFTER),
            cpu_per_request_milli: a
                .get(CPU_PER_REQUEST)
                .and_then(|v| crate::api::Quantity::parse(v).ok())
                .map_or(1, |q| q.milli_value()),
        }
    }
}

/// Image facts the kubelet needs: does it exist, how big is it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// False for `:broken` tags (the registry answers "not found").
    pub exists: bool,
    /// Compressed size in bytes (what `Pulled` reports).
    pub size_bytes: u64,
}

/// Sizes of well-known images (compressed, amd64), MB; anything else is 50 MB.
const IMAGE_SIZES_MB: &[(&str, u64)] = &[
    ("google/python-hello", 116),
    ("nginx", 72),
    ("httpd", 58),
    ("busybox", 2),
    ("alpine", 4),
    ("redis", 45),
    ("postgres", 155),
    ("mysql", 170),
    ("python", 380),
    ("node", 390),
    ("golang", 300),
    ("registry.k8s.io/pause", 1),
    ("hashicorp/http-echo", 3),
    ("gcr.io/google-samples/hello-app", 11),
    ("k8s.gcr.io/echoserver", 46),
];

/// Split `repo[:tag][@digest]` into (repository, tag) with the tag defaulting to `latest`.
pub fn split_image(image: &str) -> (&str, &str) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].rfind(':') {
        Some(i) => (
            &no_digest[..last_slash + i],
            &no_digest[last_slash + i + 1..],
        ),
        None => (no_digest, if image.contains('@') { "" } else { "latest" }),
    }
}

/// What the registry knows about an image.
pub fn image_info(image: &str) -> ImageInfo {
    let (repo, tag) = split_image(image);
    let repo = repo
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let mb = IMAGE_SIZES_MB
        .iter()
        .find(|(r, _)| *r == repo)
        .map_or(50, |(_, mb)| *mb);
    ImageInfo {
        exists: tag != "broken",
        size_bytes: mb * 1_000_000 + 123_456,
    }
}

/// Pull time: registry round trips plus the bytes at 40 MB/s; a cached image only checks the
/// manifest (what `imagePullPolicy: Always` costs on a warm node).
pub fn pull_ms(info: ImageInfo, cached: bool) -> Ms {
    if cached {
        return 420;
    }
    800 + info.size_bytes / 40_000
}

/// Fully qualified reference the way containerd prints it in pull errors.
pub fn qualified(image: &str) -> String {
    QualifiedFmt(image).to_string()
}

/// Displays an image reference as [`qualified`] renders it, without allocating.
pub struct QualifiedFmt<'a>(pub &'a str);

impl std::fmt::Display for QualifiedFmt<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let image = self.0;
        let first = image.split('/').next().unwrap_or("");
        let has_registry = image.contains('/') && (first.contains('.') || first.contains(':'));
        if has_registry {
            f.write_str(image)
        } else if image.contains('/') {
            write!(f, "docker.io/{image}")
        } else {
            write!(f, "docker.io/library/{image}")
        }
    }
}

/// The body the simulated server answers with on `/`.
pub fn hello_body(pod: &Pod, container: usize) -> String {
    let c = &pod.spec.containers[container];
    let mut s = format!(
        "Hello World from {} ({})\n",
        pod.metadata.name,
        c.image.as_deref().unwrap_or("")
    );
    for e in &c.env {
        if let Some(v) = &e.value {
            s.push_str(&format!("{}={}\n", e.name, v));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go() {
        assert_eq!(parse_duration_ms("30s"), Some(30_000));
        assert_eq!(parse_duration_ms("1m30s"), Some(90_000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("45"), Some(45_000));
        assert_eq!(parse_duration_ms("x"), None);
        assert_eq!(parse_duration_ms("10"), Some(10_000));
    }

    #[test]
    fn images_split_and_broken_tags_do_not_exist() {
        assert_eq!(split_image("nginx"), ("nginx", "latest"));
        assert_eq!(split_image("nginx:1.25"), ("nginx", "1.25"));
        assert_eq!(
            split_image("localhost:5000/app"),
            ("localhost:5000/app", "latest")
        );
        assert!(!image_info("nginx:broken").exists);
        assert_eq!(image_info("google/python-hello").size_bytes, 116_123_456);
        assert_eq!(qualified("nginx:broken"), "docker.io/library/nginx:broken");
    }
}
