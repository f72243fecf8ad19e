//! What a client sees: URL parsing, the simulated apps' answers, and `curl`'s output.
//!
//! [`CurlResult`] carries what `curl` would print (body on stdout, `curl: (N) …` on stderr,
//! exit code) plus the path the request took ([`Hop`]s) for the UI's packet animation. Error
//! texts are curl 8's: `(6) Could not resolve host`, `(7) Failed to connect … Couldn't connect
//! to server` (refused), `(28) … after N ms` (no answer: the kernel gives up after
//! `tcp_syn_retries` = 6, about 127 s), `(52) Empty reply from server` (the ELB closed).

use super::ip::{parse_ip, DisplayIp, Ip};
use super::model::PodView;
use super::stats::Failure;

/// A parsed `http://host[:port][/path]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// Host as typed (hostname or dotted quad).
    pub host: String,
    /// The host as an address, when it is one.
    pub ip: Option<Ip>,
    /// Port (80 when omitted).
    pub port: u16,
    /// Path, starting with `/`.
    pub path: String,
}

/// Parses `http://host[:port][/path]` (scheme optional, `https` rejected: there is no TLS
/// in the playground). Errors are curl's own messages.
pub fn parse_url(url: &str) -> Result<Url, String> {
    let rest = if let Some(r) = url.strip_prefix("http://") {
        r
    } else if url.starts_with("https://") {
        return Err("curl: (35) TLS connect error: the playground's load balancers only listen on plain HTTP".into());
    } else if url.contains("://") {
        let scheme = url.split("://").next().unwrap_or("");
        return Err(format!("curl: (1) Protocol \"{scheme}\" not supported"));
    } else {
        url
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    if authority.is_empty() {
        return Err("curl: (3) URL rejected: No host part in the URL".into());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let port: u16 = p
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535".to_string())?;
            (h.to_string(), port)
        }
        None => (authority.to_string(), 80),
    };
    Ok(Url {
        ip: parse_ip(&host),
        host,
        port,
        path,
    })
}

/// One step of a request's path, for the trace and the UI animation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hop {
    /// The client sent the request from this address.
    Client(Ip),
    /// DNS resolved the load balancer's hostname.
    Dns(String),
    /// The ELB forwarded to this node (instance) on the NodePort.
    Elb {
        /// ELB name.
        lb: String,
        /// Target node.
        node: String,
        /// NodePort.
        node_port: u16,
    },
    /// The packet reached a node's kube-proxy rules (NodePort or ClusterIP).
    Node(String),
    /// kube-proxy chose a backend with this rule (`k` rules were left; `affinity` when a
    /// ClientIP session pinned it).
    KubeProxy {
        /// Node whose rules matched.
        node: String,
        /// Backend address.
        backend: Ip,
        /// Backend port.
        port: u16,
        /// Index of the matching rule (0-based).
        rule: usize,
        /// Rules in the chain.
        rules: usize,
        /// Chosen by session affinity.
        affinity: bool,
    },
    /// The request reached this pod, from this source address: the node's own for
    /// `externalTrafficPolicy: Cluster` (kube-proxy masquerades external traffic), the
    /// original one for `Local` and for traffic from inside the cluster.
    Pod {
        /// Pod name.
        name: String,
        /// Source address the pod sees.
        source: Ip,
    },
    /// It went no further: why.
    Dropped(String),
}

impl Hop {
    /// One-line rendering: `elb a1b2… -> node ip-172-20-1-10 :31234`.
    pub fn line(&self) -> String {
        match self {
            Hop::Client(ip) => format!("client {}", DisplayIp(*ip)),
            Hop::Dns(h) => format!("dns {h}"),
            Hop::Elb {
                lb,
                node,
                node_port,
            } => format!("elb {lb} -> {node}:{node_port}"),
            Hop::Node(n) => format!("node {n}"),
            Hop::KubeProxy {
                node,
                backend,
                port,
                rule,
                rules,
                affinity,
            } => {
                let how = if *affinity {
                    "sessionAffinity".to_string()
                } else {
                    format!("rule {}/{rules}", rule + 1)
                };
                format!("kube-proxy@{node} {how} -> {}:{port}", DisplayIp(*backend))
            }
            Hop::Pod { name, source } => format!("pod {name} (from {})", DisplayIp(*source)),
            Hop::Dropped(why) => format!("dropped: {why}"),
        }
    }
}

/// Everything `curl` would show, plus the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlResult {
    /// curl's exit code (0 on any HTTP response).
    pub exit_code: u8,
    /// HTTP status, when a pod answered.
    pub status: Option<u16>,
    /// Response body (curl's stdout).
    pub stdout: String,
    /// curl's error line, empty on success.
    pub stderr: String,
    /// The pod that answered.
    pub pod: Option<String>,
    /// Its namespace.
    pub pod_namespace: Option<String>,
    /// Client-side elapsed time, µs.
    pub elapsed_us: u64,
    /// The failure, if any.
    pub failure: Option<Failure>,
    /// The path the request took.
    pub hops: Vec<Hop>,
}

/// curl's error line for a failure.
pub fn curl_error(f: Failure, url: &Url, elapsed_us: u64) -> String {
    let ms = elapsed_us / 1_000;
    match f {
        Failure::CouldNotResolve => format!("curl: (6) Could not resolve host: {}", url.host),
        Failure::Refused => format!(
            "curl: (7) Failed to connect to {} port {} after {ms} ms: Couldn't connect to server",
            url.host, url.port
        ),
        Failure::Timeout => format!(
            "curl: (28) Failed to connect to {} port {} after {ms} ms: Couldn't connect to server",
            url.host, url.port
        ),
        Failure::EmptyReply => "curl: (52) Empty reply from server".to_string(),
        Failure::Unavailable => String::new(),
    }
}

/// The simulated app's answer: `(status, body)`.
///
/// * The Sim's app model's body when the view carries one ([`PodView::body`]).
/// * `google/python-hello` (the seed article's image) and any image we do not know:
///   `Hello World from <pod>` followed by the container's literal env vars, one per line.
/// * `nginx…`: nginx's welcome page on `/`, its 404 page elsewhere.
pub fn app_response(pod: &PodView, path: &str) -> (u16, String) {
    if let Some(body) = &pod.body {
        return (200, body.clone());
    }
    let image = pod.image.rsplit('/').next().unwrap_or("");
    if image.starts_with("nginx") {
        if path == "/" || path == "/index.html" {
            return (
                200,
                "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n\
                 <h1>Welcome to nginx!</h1>\n</body>\n</html>\n"
                    .to_string(),
            );
        }
        return (
            404,
            "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".to_string(),
        );
    }
    let mut body = format!("Hello World from {}\n", pod.name);
    for (k, v) in &pod.env {
        body.push_str(&format!("{k}={v}\n"));
    }
    (200, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::ip::ipv4;

    #[test]
    fn parses_the_three_kinds_of_target() {
        let u = parse_url("http://10.96.5.5/").unwrap();
        assert_eq!(
            (u.ip, u.port, u.path.as_str()),
            (Some(ipv4(10, 96, 5, 5)), 80, "/")
        );
        let u = parse_url("172.20.1.10:31234/healthz").unwrap();
        assert_eq!((u.port, u.path.as_str()), (31234, "/healthz"));
        let u = parse_url("http://a1-2.us-east-1.elb.amazonaws.com").unwrap();
        assert_eq!((u.ip, u.port), (None, 80));
        assert!(parse_url("ftp://x").unwrap_err().contains("(1)"));
        assert!(parse_url("http://x:99999").is_err());
    }

    #[test]
    fn error_lines_match_curl() {
        let u = parse_url("http://10.96.5.5:80").unwrap();
        assert_eq!(
            curl_error(Failure::Refused, &u, 1_234),
            "curl: (7) Failed to connect to 10.96.5.5 port 80 after 1 ms: Couldn't connect to server"
        );
        assert_eq!(
            curl_error(Failure::EmptyReply, &u, 0),
            "curl: (52) Empty reply from server"
        );
    }
}
