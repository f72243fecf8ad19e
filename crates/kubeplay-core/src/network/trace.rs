//! The network's trace: one record per thing worth showing (allocations, endpoint changes,
//! load-balancer lifecycle and health flips, sampled requests with their full path).
//!
//! Records are appended in virtual-time order and rendered one per line
//! (`t=000030000 svc/default/hello-world-lb lb-ready a1b2….elb.amazonaws.com`), the golden-trace
//! format of the house style.

use super::curl::Hop;
use super::ip::{DisplayIp, Ip};
use super::model::{Ms, SvcKey};
use super::stats::{fmt_us, Failure};

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEventKind {
    /// The API server allocated the Service's ClusterIP / NodePorts.
    Allocated {
        /// Service.
        svc: SvcKey,
        /// ClusterIP (None for headless / ExternalName).
        cluster_ip: Option<Ip>,
        /// Allocated NodePorts, in port order.
        node_ports: Vec<u16>,
    },
    /// Allocation failed (the create would have been rejected).
    Rejected {
        /// Service.
        svc: SvcKey,
        /// The API server's message.
        message: String,
    },
    /// Endpoints changed; kube-proxy rules follow at `programmed_at`.
    EndpointsChanged {
        /// Service.
        svc: SvcKey,
        /// Ready addresses.
        ready: usize,
        /// Not-ready addresses.
        not_ready: usize,
        /// When kube-proxy's rules reflect it.
        programmed_at: Ms,
    },
    /// The cloud provider started creating the ELB.
    LbProvisioning {
        /// Service.
        svc: SvcKey,
        /// ELB name.
        name: String,
    },
    /// The ingress hostname is published and resolves.
    LbReady {
        /// Service.
        svc: SvcKey,
        /// DNS name.
        hostname: String,
    },
    /// An ELB instance changed health state.
    LbInstance {
        /// Service.
        svc: SvcKey,
        /// Node.
        node: String,
        /// Now InService.
        in_service: bool,
    },
    /// A request (every `curl`, a sample of load traffic).
    Request {
        /// Load run id, `None` for `curl`.
        load: Option<u32>,
        /// URL.
        url: String,
        /// Path taken.
        hops: Vec<Hop>,
        /// Answering pod.
        pod: Option<String>,
        /// Failure, if any.
        failure: Option<Failure>,
        /// Client-side latency, µs.
        latency_us: u64,
    },
    /// A load run started.
    LoadStarted {
        /// Run id.
        id: u32,
        /// Target URL.
        url: String,
        /// Requests per second.
        rps: u32,
    },
    /// A load run sent its last request.
    LoadFinished {
        /// Run id.
        id: u32,
        /// Requests sent.
        sent: u64,
        /// Successes.
        succeeded: u64,
        /// Failures.
        failed: u64,
    },
}

/// A trace record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetEvent {
    /// Virtual time.
    pub at_ms: Ms,
    /// What.
    pub kind: NetEventKind,
}

fn svc_ref((ns, name): &SvcKey) -> String {
    format!("svc/{ns}/{name}")
}

impl NetEvent {
    /// One-line rendering for golden traces and the CLI's `--trace`.
    pub fn line(&self) -> String {
        let t = format!("t={:09}", self.at_ms);
        match &self.kind {
            NetEventKind::Allocated {
                svc,
                cluster_ip,
                node_ports,
            } => {
                let ip = cluster_ip.map_or("None".to_string(), |i| DisplayIp(i).to_string());
                let ports: Vec<String> = node_ports.iter().map(u16::to_string).collect();
                format!(
                    "{t} {} allocated clusterIP={ip} nodePorts=[{}]",
                    svc_ref(svc),
                    ports.join(",")
                )
            }
            NetEventKind::Rejected { svc, message } => {
                format!("{t} {} rejected {message}", svc_ref(svc))
            }
            NetEventKind::EndpointsChanged {
                svc,
                ready,
                not_ready,
                programmed_at,
            } => format!(
                "{t} {} endpoints ready={ready} notReady={not_ready} kube-proxy@{programmed_at}",
                svc_ref(svc)
            ),
            NetEventKind::LbProvisioning { svc, name } => {
                format!("{t} {} lb-provisioning {name}", svc_ref(svc))
            }
            NetEventKind::LbReady { svc, hostname } => {
                format!("{t} {} lb-ready {hostname}", svc_ref(svc))
            }
            NetEventKind::LbInstance {
                svc,
                node,
                in_service,
            } => {
                let state = if *in_service {
                    "InService"
                } else {
                    "OutOfService"
                };
                format!("{t} {} lb-instance {node} {state}", svc_ref(svc))
            }
            NetEventKind::Request {
                load,
                url,
                hops,
                pod,
                failure,
                latency_us,
            } => {
                let who = load.map_or("curl".to_string(), |id| format!("load#{id}"));
                let path: Vec<String> = hops.iter().map(Hop::line).collect();
                let result = match (pod, failure) {
                    (_, Some(f)) => f.label().to_string(),
                    (Some(p), None) => format!("200 from {p}"),
                    (None, None) => "ok".to_string(),
                };
                format!(
                    "{t} {who} {url} [{}] {result} in {}",
                    path.join(" | "),
                    fmt_us(*latency_us)
                )
            }
            NetEventKind::LoadStarted { id, url, rps } => {
                format!("{t} load#{id} start {url} rps={rps}")
            }
            NetEventKind::LoadFinished {
                id,
                sent,
                succeeded,
                failed,
            } => format!("{t} load#{id} done sent={sent} ok={succeeded} failed={failed}"),
        }
    }
}
