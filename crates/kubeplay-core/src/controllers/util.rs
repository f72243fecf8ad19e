//! Pure helpers of the Deployment controller, transcribed from upstream
//! `pkg/controller/deployment/util/deployment_util.go`, `rolling.go` and `sync.go`, over a small
//! [`RsView`] so their golden tests (semantics doc §4) run without a sim.
use crate::api::IntOrString;

/// What the helpers need of a ReplicaSet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsView {
    /// Name (tie-break).
    pub name: String,
    /// Creation time, ms.
    pub created_ms: u64,
    /// `spec.replicas`.
    pub replicas: i32,
    /// `status.replicas`.
    pub status_replicas: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// Annotation `deployment.kubernetes.io/max-replicas`, if parsable.
    pub max_replicas_annotation: Option<i32>,
}

/// `intstr.GetScaledValueFromIntOrPercent`.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, String> {
    v.scaled_value(total, round_up)
        .ok_or_else(|| format!("invalid value for IntOrString: invalid value {v:?}"))
}

/// `ResolveFenceposts(maxSurge, maxUnavailable, desired)` → (surge, unavailable).
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> Result<(i32, i32), String> {
    let zero = IntOrString::Int(0);
    let surge = scaled_value(max_surge.unwrap_or(&zero), desired, true)?;
    let mut unavailable = scaled_value(max_unavailable.unwrap_or(&zero), desired, false)?;
    if surge == 0 && unavailable == 0 {
        // Validation makes sure maxSurge and maxUnavailable are not both zero; this guards the
        // rollout from getting stuck (upstream comment).
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

/// A deployment's strategy numbers: Some((maxSurge, maxUnavailable)) for RollingUpdate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strategy {
    /// RollingUpdate (true) or Recreate (false).
    pub rolling: bool,
    /// `rollingUpdate.maxSurge` (default 25%).
    pub max_surge: Option<IntOrString>,
    /// `rollingUpdate.maxUnavailable` (default 25%).
    pub max_unavailable: Option<IntOrString>,
}

/// `MaxUnavailable(deployment)`.
pub fn max_unavailable(s: &Strategy, replicas: i32) -> i32 {
    if !s.rolling || replicas == 0 {
        return 0;
    }
    let (_, u) = resolve_fenceposts(s.max_surge.as_ref(), s.max_unavailable.as_ref(), replicas)
        .unwrap_or((0, 1));
    u.min(replicas)
}

/// `MaxSurge(deployment)`.
pub fn max_surge(s: &Strategy, replicas: i32) -> i32 {
    if !s.rolling {
        return 0;
    }
    resolve_fenceposts(s.max_surge.as_ref(), s.max_unavailable.as_ref(), replicas)
        .map_or(0, |(m, _)| m)
}

/// `NewRSNewReplicas(deployment, allRSs, newRS)`.
pub fn new_rs_new_replicas(s: &Strategy, replicas: i32, all: &[RsView], new: &RsView) -> i32 {
    if !s.rolling {
        return replicas;
    }
    let surge = max_surge(s, replicas);
    let current: i32 = all.iter().map(|r| r.replicas).sum();
    let max_total = replicas + surge;
    if current >= max_total {
        return new.replicas;
    }
    let scale_up = max_total - current;
    new.replicas + scale_up.min(replicas - new.replicas).max(0)
}

/// `reconcileNewReplicaSet`: Some(target) when the new RS must be scaled.
pub fn reconcile_new_rs(s: &Strategy, replicas: i32, all: &[RsView], new: &RsView) -> Option<i32> {
    if new.replicas == replicas {
        return None;
    }
    if new.replicas > replicas {
        return Some(replicas);
    }
    let n = new_rs_new_replicas(s, replicas, all, new);
    (n != new.replicas).then_some(n)
}

/// `reconcileOldReplicaSets`: new spec.replicas of each old RS (same order as `old`, which
/// must be sorted oldest first as `controller.ReplicaSetsByCreationTimestamp`). None: no change.
pub fn reconcile_old_rss(
    s: &Strategy,
    replicas: i32,
    all: &[RsView],
    old: &[RsView],
    new: Option<&RsView>,
) -> Option<Vec<i32>> {
    let old_total: i32 = old.iter().map(|r| r.replicas).sum();
    if old_total == 0 {
        return None;
    }
    let all_pods: i32 = all.iter().map(|r| r.replicas).sum();
    let max_unavail = max_unavailable(s, replicas);
    let min_available = replicas - max_unavail;
    let new_unavailable = new.map_or(0, |n| n.replicas - n.available);
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return None;
    }
    let mut sizes: Vec<i32> = old.iter().map(|r| r.replicas).collect();
    // cleanupUnhealthyReplicas: oldest first, remove unavailable pods up to the budget.
    let mut cleaned = 0;
    for (i, r) in old.iter().enumerate() {
        if cleaned >= max_scaled_down {
            break;
        }
        if sizes[i] == 0 {
            continue;
        }
        let unhealthy = sizes[i] - r.available;
        if unhealthy <= 0 {
            continue;
        }
        let n = (max_scaled_down - cleaned).min(unhealthy);
        sizes[i] -= n;
        cleaned += n;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: available above minAvailable may go.
    let available: i32 = all.iter().map(|r| r.available).sum();
    if available > min_available {
        let mut to_remove = available - min_available;
        for (i, r) in old.iter().enumerate() {
            if to_remove <= 0 {
                break;
            }
            if sizes[i] == 0 {
                continue;
            }
            let _ = r;
            let n = sizes[i].min(to_remove);
            sizes[i] -= n;
            to_remove -= n;
        }
    }
    let changed = sizes.iter().zip(old).any(|(s, r)| *s != r.replicas);
    changed.then_some(sizes)
}

/// Go's `math.Round` of `num / den` for non-negative integers (half away from zero), exact.
fn round_div(num: i64, den: i64) -> i64 {
    (2 * num + den) / (2 * den)
}

/// `getReplicaSetFraction`.
fn rs_fraction(rs: &RsView, d_replicas: i32, surge: i32) -> i32 {
    if d_replicas == 0 {
        return -rs.replicas;
    }
    let allowed = i64::from(d_replicas + surge);
    let annotated = match rs.max_replicas_annotation {
        Some(v) => i64::from(v),
        None => i64::from(rs.status_replicas),
    };
    if annotated == 0 {
        // upstream: no annotation and no status replicas → the fraction is the whole
        // difference (`GetProportion` handles the cap)
        return 0;
    }
    (round_div(i64::from(rs.replicas) * allowed, annotated) - i64::from(rs.replicas)) as i32
}

/// `sync.go` `scale()` for several active RSes under RollingUpdate: the new size of each RS in
/// `active` (input newest first is not required; the sort is done here).
pub fn proportional_scale(s: &Strategy, d_replicas: i32, active: &[RsView]) -> Vec<i32> {
    let surge = max_surge(s, d_replicas);
    let allowed = if d_replicas > 0 {
        d_replicas + surge
    } else {
        0
    };
    let total: i32 = active.iter().map(|r| r.replicas).sum();
    let to_add = allowed - total;
    let mut order: Vec<usize> = (0..active.len()).collect();
    // ReplicaSetsBySizeNewer (toAdd > 0) / BySizeOlder (toAdd < 0): bigger first, then by
    // creation time (newer / older first), then name for a total order.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&active[a], &active[b]);
        rb.replicas.cmp(&ra.replicas).then_with(|| {
            if to_add > 0 {
                rb.created_ms
                    .cmp(&ra.created_ms)
                    .then_with(|| rb.name.cmp(&ra.name))
            } else {
                ra.created_ms
                    .cmp(&rb.created_ms)
                    .then_with(|| ra.name.cmp(&rb.name))
            }
        })
    });
    let mut sizes: Vec<i32> = active.iter().map(|r| r.replicas).collect();
    let mut added = 0;
    for &i in &order {
        let rs = &active[i];
        let proportion = if rs.replicas == 0 || to_add == 0 || to_add == added {
            0
        } else {
            let f = rs_fraction(rs, d_replicas, surge);
            if to_add > 0 {
                f.min(to_add - added)
            } else {
                f.max(to_add - added)
            }
        };
        sizes[i] += proportion;
        added += proportion;
    }
    if added != to_add {
        if let Some(&first) = order.first() {
            sizes[first] = (sizes[first] + to_add - added).max(0);
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    /// upstream `deployment_util_test.go` `TestResolveFenceposts`.
    #[test]
    fn golden_resolve_fenceposts() {
        assert_eq!(
            resolve_fenceposts(Some(&p("0%")), Some(&p("0%")), 0),
            Ok((0, 1))
        );
        assert_eq!(
            resolve_fenceposts(Some(&p("39%")), Some(&p("39%")), 10),
            Ok((4, 3))
        );
        assert!(resolve_fenceposts(Some(&p("oops")), Some(&p("39%")), 10).is_err());
        assert!(resolve_fenceposts(Some(&p("55%")), Some(&p("urg")), 10).is_err());
        assert_eq!(resolve_fenceposts(None, Some(&p("39%")), 10), Ok((0, 3)));
        assert_eq!(resolve_fenceposts(Some(&p("39%")), None, 10), Ok((4, 0)));
        assert_eq!(resolve_fenceposts(None, None, 10), Ok((0, 1)));
    }

    fn rolling(surge: IntOrString, unavail: IntOrString) -> Strategy {
        Strategy {
            rolling: true,
            max_surge: Some(surge),
            max_unavailable: Some(unavail),
        }
    }

    /// upstream `TestMaxUnavailable`.
    #[test]
    fn golden_max_unavailable() {
        let i = IntOrString::Int;
        assert_eq!(max_unavailable(&rolling(i(0), i(5)), 10), 5);
        assert_eq!(max_unavailable(&rolling(i(0), i(10)), 10), 10);
        assert_eq!(max_unavailable(&rolling(i(0), i(10)), 5), 5);
        assert_eq!(max_unavailable(&rolling(i(0), i(10)), 0), 0);
        let recreate = Strategy {
            rolling: false,
            max_surge: None,
            max_unavailable: None,
        };
        assert_eq!(max_unavailable(&recreate, 10), 0);
        assert_eq!(max_unavailable(&rolling(i(0), p("50%")), 10), 5);
        assert_eq!(max_unavailable(&rolling(i(0), p("100%")), 10), 10);
        assert_eq!(max_unavailable(&rolling(i(0), p("100%")), 5), 5);
    }

    /// Default 25%/25% table (semantics doc §4.1, derived).
    #[test]
    fn default_fenceposts_table() {
        let s = rolling(p("25%"), p("25%"));
        let want = [
            (1, 1, 0),
            (2, 1, 0),
            (3, 1, 0),
            (4, 1, 1),
            (5, 2, 1),
            (8, 2, 2),
            (9, 3, 2),
            (12, 3, 3),
            (20, 5, 5),
            (100, 25, 25),
        ];
        for (r, surge, unavail) in want {
            assert_eq!(
                (max_surge(&s, r), max_unavailable(&s, r)),
                (surge, unavail),
                "replicas {r}"
            );
        }
    }

    fn rs(name: &str, age: u64, replicas: i32, available: i32) -> RsView {
        RsView {
            name: name.into(),
            created_ms: age,
            replicas,
            status_replicas: replicas,
            available,
            max_replicas_annotation: None,
        }
    }

    /// upstream `rolling_test.go` `TestDeploymentController_reconcileNewReplicaSet`.
    #[test]
    fn golden_reconcile_new_replica_set() {
        let i = IntOrString::Int;
        let cases = [
            (0, 10, 0, None),
            (2, 10, 0, Some(2)),
            (2, 5, 0, Some(7)),
            (2, 10, 2, None),
            (2, 2, 11, Some(10)),
        ];
        for (surge, old, new, want) in cases {
            let s = rolling(i(surge), i(0));
            let (o, n) = (rs("old", 0, old, old), rs("new", 1, new, new));
            assert_eq!(
                reconcile_new_rs(&s, 10, &[o, n.clone()], &n),
                want,
                "surge {surge} old {old} new {new}"
            );
        }
    }

    /// upstream `TestDeploymentController_reconcileOldReplicaSets`.
    #[test]
    fn golden_reconcile_old_replica_sets() {
        let i = IntOrString::Int;
        let cases = [
            (0, 10, 0, 10, 0, Some(9)),
            (2, 10, 0, 10, 0, Some(8)),
            (2, 10, 0, 8, 0, Some(8)),
            (2, 10, 0, 9, 0, Some(8)),
            (2, 8, 2, 8, 0, None),
        ];
        for (unavail, old, new, old_avail, new_avail, want) in cases {
            let s = rolling(i(0), i(unavail));
            let (o, n) = (rs("old", 0, old, old_avail), rs("new", 1, new, new_avail));
            let got =
                reconcile_old_rss(&s, 10, &[o.clone(), n.clone()], &[o], Some(&n)).map(|v| v[0]);
            assert_eq!(got, want, "unavail {unavail} old {old} avail {old_avail}");
        }
    }

    /// upstream `TestNewRSNewReplicas`.
    #[test]
    fn golden_new_rs_new_replicas() {
        let i = IntOrString::Int;
        let old = rs("old", 0, 5, 5);
        let n = rs("new", 1, 5, 5);
        assert_eq!(
            new_rs_new_replicas(&rolling(i(1), i(0)), 1, &[old.clone(), n.clone()], &n),
            5
        );
        let n2 = rs("new", 1, 2, 2);
        assert_eq!(
            new_rs_new_replicas(&rolling(i(10), i(0)), 6, &[old.clone(), n2.clone()], &n2),
            6
        );
        let recreate = Strategy {
            rolling: false,
            max_surge: None,
            max_unavailable: None,
        };
        assert_eq!(
            new_rs_new_replicas(&recreate, 3, &[old, n2.clone()], &n2),
            3
        );
    }

    /// upstream `sync_test.go` `TestScale` (proportional rows; annotation = old D + old surge).
    #[test]
    fn golden_proportional_scale() {
        let i = IntOrString::Int;
        let mk = |sizes: &[i32], ann: i32| -> Vec<RsView> {
            // newest first in the table: give newer RSes larger creation times
            sizes
                .iter()
                .enumerate()
                .map(|(k, &r)| RsView {
                    name: format!("v{}", sizes.len() - k),
                    created_ms: (sizes.len() - k) as u64,
                    replicas: r,
                    status_replicas: r,
                    available: r,
                    max_replicas_annotation: Some(ann),
                })
                .collect()
        };
        let s0 = rolling(i(0), i(1));
        let cases: &[(i32, i32, &[i32], &[i32])] = &[
            (5, 10, &[2, 3], &[4, 6]),
            (5, 3, &[2, 3], &[1, 2]),
            (9, 4, &[8, 1], &[4, 0]),
            (7, 10, &[2, 3, 2], &[3, 4, 3]),
            (13, 8, &[2, 8, 3], &[1, 5, 2]),
            (3, 4, &[1, 1, 1], &[2, 1, 1]),
            (3, 2, &[1, 1, 1], &[1, 1, 0]),
            (4, 5, &[2, 2], &[3, 2]),
            (6, 0, &[3, 2, 1], &[0, 0, 0]),
        ];
        for (old_d, new_d, before, after) in cases {
            let got = proportional_scale(&s0, *new_d, &mk(before, *old_d));
            assert_eq!(&got[..], *after, "{old_d}->{new_d} {before:?}");
        }
        let s2 = rolling(i(2), i(0));
        assert_eq!(proportional_scale(&s2, 20, &mk(&[6, 6], 12)), vec![11, 11]);
        let s3 = rolling(i(6), i(0));
        assert_eq!(proportional_scale(&s3, 50, &mk(&[5, 8], 13)), vec![22, 34]);
    }
}
