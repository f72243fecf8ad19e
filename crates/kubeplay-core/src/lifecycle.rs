//! Container `lifecycle.preStop` hooks, and how long they hold back SIGTERM.
//!
//! On a graceful deletion the kubelet's `killContainer`
//! (`pkg/kubelet/kuberuntime/kuberuntime_container.go`) runs the container's preStop hook
//! first, with the pod's grace period as its timeout (`executePreStopHook`), subtracts the time
//! it took from the grace period (but leaves at least `minimumGracePeriodInSeconds` = 2 s), and
//! only then calls the runtime's `StopContainer`, which sends SIGTERM. Until then the app keeps
//! serving: that is why `preStop: {sleep: {seconds: N}}` (or `exec: sleep N`) is the usual cure
//! for the requests lost while the endpoint removal travels to every kube-proxy.
//!
//! The simulated containers run no commands, so an `exec` hook's duration is read off the
//! command when it is a `sleep` (`["sleep", "5"]`, `["/bin/sh", "-c", "sleep 5 && …"]`); any
//! other command, and `httpGet`/`tcpSocket`, returns at once.

use crate::api::Container;
use crate::clock::{Ms, SECOND_MS};

/// `minimumGracePeriodInSeconds` in `kuberuntime_container.go`: what is left of the grace
/// period after a long preStop hook is never less than this.
pub const MINIMUM_GRACE_PERIOD_MS: Ms = 2 * SECOND_MS;

/// How long `c`'s preStop hook runs, uncapped (None: no hook).
pub fn pre_stop_ms(c: &Container) -> Option<Ms> {
    let hook = c.lifecycle.as_ref()?.get("preStop")?;
    if let Some(sleep) = hook.get("sleep") {
        // `sleep.seconds` (PodLifecycleSleepAction, GA in v1.34); negative is rejected by
        // validation, so it reads as 0 here.
        let s = sleep.get("seconds").and_then(serde_json::Value::as_u64);
        return Some(s.unwrap_or(0).saturating_mul(SECOND_MS));
    }
    let words: Vec<&str> = hook
        .get("exec")
        .and_then(|e| e.get("command"))
        .and_then(serde_json::Value::as_array)
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    Some(sleep_in_command(&words))
}

/// The `sleep` an exec hook's command performs: `sleep N` as the command itself or as the
/// first `sleep` of a shell script (`sh -c "sleep 5; nginx -s quit"`).
fn sleep_in_command(words: &[&str]) -> Ms {
    let is_sleep = |w: &str| w == "sleep" || w.ends_with("/sleep");
    let mut tokens: Vec<&str> = Vec::new();
    match words {
        [cmd, rest @ ..] if is_sleep(cmd) => {
            tokens.push("sleep");
            tokens.extend(rest.iter().copied());
        }
        [_, flag, script, ..] if *flag == "-c" => {
            tokens.extend(script.split(|c: char| c.is_whitespace() || c == ';' || c == '&'));
        }
        _ => {}
    }
    tokens
        .windows(2)
        .find(|w| is_sleep(w[0]))
        .and_then(|w| sleep_arg_ms(w[1]))
        .unwrap_or(0)
}

/// GNU `sleep`'s operand: a number of seconds with an optional `s`/`m`/`h`/`d` suffix and an
/// optional fraction (to the millisecond), without floats.
fn sleep_arg_ms(arg: &str) -> Option<Ms> {
    let (num, unit) = match arg.char_indices().last()? {
        (i, 's') => (&arg[..i], 1),
        (i, 'm') => (&arg[..i], 60),
        (i, 'h') => (&arg[..i], 3_600),
        (i, 'd') => (&arg[..i], 86_400),
        _ => (arg, 1),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut milli: u64 = 0;
    for (k, ch) in frac.chars().take(3).enumerate() {
        let d = u64::from(ch.to_digit(10)?);
        milli += d * [100, 10, 1][k];
    }
    whole
        .checked_mul(SECOND_MS)?
        .checked_add(milli)?
        .checked_mul(unit)
}

/// When the container gets SIGTERM and when it has stopped, counted from the moment the
/// kubelet starts killing it: the preStop hook (capped by the grace period), then the app's
/// own shutdown (`shutdown_ms`) within what is left of the grace period, never less than
/// [`MINIMUM_GRACE_PERIOD_MS`].
pub fn stop_timeline(c: &Container, grace_ms: Ms, shutdown_ms: Ms) -> (Ms, Ms) {
    let hook = pre_stop_ms(c).map_or(0, |h| h.min(grace_ms));
    let left = grace_ms.saturating_sub(hook).max(MINIMUM_GRACE_PERIOD_MS);
    (hook, hook + shutdown_ms.min(left))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(lifecycle: serde_json::Value) -> Container {
        serde_json::from_value(serde_json::json!({
            "name": "c", "image": "nginx", "lifecycle": lifecycle
        }))
        .expect("container")
    }

    #[test]
    fn hooks_and_their_durations() {
        let cases = [
            (
                serde_json::json!({"preStop": {"sleep": {"seconds": 5}}}),
                Some(5_000),
            ),
            (
                serde_json::json!({"preStop": {"sleep": {"seconds": 0}}}),
                Some(0),
            ),
            (
                serde_json::json!({"preStop": {"exec": {"command": ["sleep", "15"]}}}),
                Some(15_000),
            ),
            (
                serde_json::json!({"preStop": {"exec": {"command": ["/bin/sleep", "1.5"]}}}),
                Some(1_500),
            ),
            (
                serde_json::json!({"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 10; nginx -s quit"]}}}),
                Some(10_000),
            ),
            (
                serde_json::json!({"preStop": {"exec": {"command": ["sh", "-c", "echo bye && sleep 2m"]}}}),
                Some(120_000),
            ),
            (
                serde_json::json!({"preStop": {"exec": {"command": ["nginx", "-s", "quit"]}}}),
                Some(0),
            ),
            (
                serde_json::json!({"preStop": {"httpGet": {"path": "/drain", "port": 80}}}),
                Some(0),
            ),
            (
                serde_json::json!({"preStop": {"exec": {"command": ["sleep", "x"]}}}),
                Some(0),
            ),
            (
                serde_json::json!({"postStart": {"exec": {"command": ["sleep", "5"]}}}),
                None,
            ),
        ];
        for (l, want) in cases {
            assert_eq!(pre_stop_ms(&container(l.clone())), want, "{l}");
        }
    }

    #[test]
    fn grace_period_caps_the_hook_and_leaves_two_seconds() {
        let c = container(serde_json::json!({"preStop": {"sleep": {"seconds": 40}}}));
        // 30 s grace: the hook is cut at 30 s, the app still gets 2 s (it needs 0.5 s).
        assert_eq!(stop_timeline(&c, 30_000, 500), (30_000, 30_500));
        let c = container(serde_json::json!({"preStop": {"sleep": {"seconds": 5}}}));
        assert_eq!(stop_timeline(&c, 30_000, 500), (5_000, 5_500));
        let c = container(serde_json::json!({}));
        assert_eq!(stop_timeline(&c, 30_000, 500), (0, 500));
        // no hook, 0.2 s grace: still the 2 s minimum window for the app
        assert_eq!(stop_timeline(&c, 200, 500), (0, 500));
    }
}
