//! Steady load in virtual time (`sim load <url> --rps N --for D`), and the replay loop that
//! interleaves it with the ELB's health checks.
//!
//! Request *i* of a run started at `t0` is sent at `t0 + i * 1000 / rps` ms (integer
//! division: several requests share a millisecond above 1000 rps). Requests are routed when
//! virtual time passes them ([`Network::advance`]), against the cluster as it was then, with
//! health-check rounds due at the same instant running first.

use super::curl::{parse_url, Hop, Url};
use super::model::Ms;
use super::route::{Resolved, EXTERNAL_CLIENT, VPC_CLIENT};
use super::stats::TrafficStats;
use super::trace::NetEventKind;
use super::Network;

/// Most requests one run may send: a run is replayed synchronously (`sim load` returns when
/// it is done), so this bounds the work one command can ask for: about half a wall second at
/// the benchmark's 2 M requests/s, and the same in the browser within a few times that.
pub const MAX_LOAD_REQUESTS: u64 = 1_000_000;

/// Longest run, in virtual time: the Sim runs the whole cluster for it, so it is bounded like
/// the terminal's `sleep` is.
pub const MAX_LOAD_DURATION_MS: Ms = 3_600_000;

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadSpec {
    /// Target URL (LB hostname, `clusterIP:port`, `nodeIP:nodePort`, pod IP).
    pub url: String,
    /// Requests per second (≥ 1).
    pub rps: u32,
    /// How long, in virtual ms (≥ 1).
    pub duration_ms: Ms,
}

/// A load run's progress and statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// Run id.
    pub id: u32,
    /// Target URL.
    pub url: String,
    /// Requests per second.
    pub rps: u32,
    /// Start time.
    pub started_at: Ms,
    /// Requests the run will send in total.
    pub total: u64,
    /// All requests sent.
    pub done: bool,
    /// Statistics so far.
    pub stats: TrafficStats,
}

/// A running load generator.
#[derive(Debug, Clone)]
pub(crate) struct LoadGen {
    id: u32,
    url_text: String,
    url: Url,
    rps: u32,
    start: Ms,
    total: u64,
    sent: u64,
    pub(crate) stats: TrafficStats,
    cache_gen: u64,
    cache: Resolved,
    last_window: Option<Ms>,
}

impl LoadGen {
    /// Run id.
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    /// The path every request of the run asks for.
    pub(crate) fn path(&self) -> &str {
        if self.url.path.is_empty() {
            "/"
        } else {
            &self.url.path
        }
    }

    #[inline]
    fn next_at(&self) -> Option<Ms> {
        (self.sent < self.total).then(|| self.start + self.sent * 1_000 / u64::from(self.rps))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Work {
    HealthCheck(usize),
    Load(usize),
}

impl Network {
    /// Starts a load run at `now`; returns its id.
    pub fn start_load(&mut self, now: Ms, spec: LoadSpec) -> Result<u32, String> {
        if spec.rps == 0 {
            return Err("--rps must be at least 1".into());
        }
        if spec.duration_ms == 0 {
            return Err("--for must be at least 1ms".into());
        }
        check_limits(spec.rps, spec.duration_ms)?;
        let url = parse_url(&spec.url)?;
        self.advance(now);
        self.now = self.now.max(now);
        let id = self.loads.len() as u32 + 1;
        let total = (u64::from(spec.rps) * spec.duration_ms / 1_000).max(1);
        self.loads.push(LoadGen {
            id,
            url_text: spec.url.clone(),
            url,
            rps: spec.rps,
            start: self.now,
            total,
            sent: 0,
            stats: TrafficStats::default(),
            cache_gen: u64::MAX,
            cache: Resolved::Unknown,
            last_window: None,
        });
        self.push(NetEventKind::LoadStarted {
            id,
            url: spec.url,
            rps: spec.rps,
        });
        Ok(id)
    }

    /// Stops a run early (no more requests are sent).
    pub fn stop_load(&mut self, id: u32) {
        if let Some(l) = self.loads.iter_mut().find(|l| l.id == id) {
            l.total = l.sent;
        }
    }

    /// A run's progress and statistics.
    pub fn load_report(&self, id: u32) -> Option<LoadReport> {
        let l = self.loads.iter().find(|l| l.id == id)?;
        let mut stats = l.stats.clone();
        stats.fold(|i| self.view.pods[i].name.as_str());
        Some(LoadReport {
            id,
            url: l.url_text.clone(),
            rps: l.rps,
            started_at: l.start,
            total: l.total,
            done: l.sent >= l.total,
            stats,
        })
    }

    /// Every run, in start order.
    pub fn load_reports(&self) -> Vec<LoadReport> {
        self.loads
            .iter()
            .filter_map(|l| self.load_report(l.id))
            .collect()
    }

    /// The earliest virtual time at which the network has something to do (a health-check
    /// round or a load request); the Sim may run to it even when its own queue is empty.
    pub fn next_wakeup(&self) -> Option<Ms> {
        self.next_work().map(|(t, _)| t)
    }

    fn next_work(&self) -> Option<(Ms, Work)> {
        let hcs = self.slots.iter().enumerate().filter_map(|(s, st)| {
            st.as_ref()
                .and_then(|st| st.lb.as_ref())
                .map(|lb| (lb.next_check_at, Work::HealthCheck(s)))
        });
        let loads = self
            .loads
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.next_at().map(|t| (t, Work::Load(i))));
        hcs.chain(loads).min()
    }

    /// Replays health checks and load requests due strictly before `until`, in time order
    /// (health checks first on ties), against the current view.
    pub fn advance(&mut self, until: Ms) {
        while let Some((t, work)) = self.next_work() {
            if t >= until {
                break;
            }
            match work {
                Work::HealthCheck(s) => self.run_health_checks(s),
                Work::Load(i) => {
                    // Everything else due, so this run's batch stops before it.
                    let others = self
                        .slots
                        .iter()
                        .flatten()
                        .filter_map(|st| st.lb.as_ref().map(|lb| lb.next_check_at))
                        .chain(
                            self.loads
                                .iter()
                                .enumerate()
                                .filter(|(j, _)| *j != i)
                                .filter_map(|(_, l)| l.next_at()),
                        )
                        .min()
                        .unwrap_or(Ms::MAX);
                    self.run_load(i, until.min(others.max(t)));
                }
            }
        }
    }

    /// Sends run `i`'s requests due before `limit` (at least one).
    fn run_load(&mut self, i: usize, limit: Ms) {
        let mut lg = std::mem::replace(&mut self.loads[i], LoadGen::placeholder());
        let timeout_us = self.cfg.load_timeout_ms * 1_000;
        let sample_ms = self.cfg.trace_sample_ms.max(1);
        let mut first = true;
        while let Some(t) = lg.next_at() {
            if t >= limit && !first {
                break;
            }
            first = false;
            if lg.cache_gen != self.generation {
                lg.cache = self.resolve(&lg.url);
                lg.cache_gen = self.generation;
            }
            let client = match lg.cache {
                Resolved::Lb { .. } | Resolved::Unknown => EXTERNAL_CLIENT,
                _ => VPC_CLIENT,
            };
            let window = t / sample_ms;
            let record = lg.last_window != Some(window) && self.trace.len() < self.cfg.trace_cap;
            let (res, us) = if record {
                lg.last_window = Some(window);
                let mut hops = vec![Hop::Client(client)];
                let (res, us) = self.route(t, lg.cache, client, timeout_us, Some(&mut hops));
                let pod = res.ok().map(|p| self.view.pods[p].name.clone());
                self.push_at(
                    t,
                    NetEventKind::Request {
                        load: Some(lg.id),
                        url: lg.url_text.clone(),
                        hops,
                        pod,
                        failure: res.err(),
                        latency_us: us,
                    },
                );
                (res, us)
            } else {
                self.route(t, lg.cache, client, timeout_us, None)
            };
            let svc_stats = lg
                .cache
                .slot()
                .and_then(|s| self.slots[s].as_mut())
                .map(|st| &mut st.stats);
            match res {
                Ok(p) => {
                    self.access.push(
                        p,
                        super::access::AccessEntry {
                            at_ms: t,
                            client: self.last_src,
                            load: lg.id,
                        },
                    );
                    lg.stats.ok_at(p, us);
                    if let Some(s) = svc_stats {
                        s.ok_at(p, us);
                    }
                }
                Err(f) => {
                    lg.stats.fail(f, us);
                    if let Some(s) = svc_stats {
                        s.fail(f, us);
                    }
                }
            }
            lg.sent += 1;
            if lg.sent == lg.total {
                self.push_at(
                    t,
                    NetEventKind::LoadFinished {
                        id: lg.id,
                        sent: lg.stats.sent,
                        succeeded: lg.stats.succeeded,
                        failed: lg.stats.failed,
                    },
                );
            }
        }
        self.loads[i] = lg;
    }
}

/// Rejects a run over [`MAX_LOAD_DURATION_MS`] or [`MAX_LOAD_REQUESTS`], naming the limit.
pub fn check_limits(rps: u32, duration_ms: Ms) -> Result<(), String> {
    use crate::clock::go_duration;
    if duration_ms > MAX_LOAD_DURATION_MS {
        return Err(format!(
            "--for {} is over the limit of {} of virtual time per load run",
            go_duration(duration_ms),
            go_duration(MAX_LOAD_DURATION_MS)
        ));
    }
    let total = u64::from(rps).saturating_mul(duration_ms) / 1_000;
    if total > MAX_LOAD_REQUESTS {
        return Err(format!(
            "--rps {rps} for {} is {total} requests, over the limit of {MAX_LOAD_REQUESTS} requests per load run (lower --rps or --for)",
            go_duration(duration_ms)
        ));
    }
    Ok(())
}

impl LoadGen {
    fn placeholder() -> LoadGen {
        LoadGen {
            id: 0,
            url_text: String::new(),
            url: Url {
                host: String::new(),
                ip: None,
                port: 0,
                path: String::new(),
            },
            rps: 1,
            start: 0,
            total: 0,
            sent: 0,
            stats: TrafficStats::default(),
            cache_gen: 0,
            cache: Resolved::Unknown,
            last_window: None,
        }
    }
}
