//! Deployment and ReplicaSet checks (`pkg/apis/apps/validation`): selector, template labels,
//! replica counts, rollout strategy, template restart policy.
use super::{go_quote, go_string_map, names, pod, Bad, FieldError};
use crate::{
    intstr::{parse_percent, IntOrString},
    kinds::{deployment::Deployment, pod::PodTemplateSpec, replicaset::ReplicaSet},
    selector::LabelSelector,
};

const PERCENT_MSG: &str = "a valid percent string must be a numeric string followed by an ending \
                           '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/// `ValidateDeployment`.
pub fn deployment(d: &Deployment, errs: &mut Vec<FieldError>) {
    names::object_meta(&d.metadata, true, names::NameKind::Subdomain, errs);
    let s = &d.spec;
    replicas(s.replicas, errs);
    selector_and_template(s.selector.as_ref(), &s.template, errs);
    if let Some(strategy) = &s.strategy {
        match strategy.type_.as_deref().unwrap_or("") {
            "Recreate" => {
                if strategy.rolling_update.is_some() {
                    errs.push(FieldError::forbidden(
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'",
                    ));
                }
            }
            "RollingUpdate" => match &strategy.rolling_update {
                Some(ru) => {
                    rolling_update(ru.max_unavailable.as_ref(), ru.max_surge.as_ref(), errs)
                }
                None => errs.push(FieldError::required(
                    "spec.strategy.rollingUpdate",
                    "this should be defaulted and never be nil",
                )),
            },
            other => {
                let ru = if strategy.rolling_update.is_some() {
                    "&apps.RollingUpdateDeployment{...}"
                } else {
                    "(*apps.RollingUpdateDeployment)(nil)"
                };
                let value = format!(
                    "apps.DeploymentStrategy{{Type:{}, RollingUpdate:{ru}}}",
                    go_quote(other)
                );
                errs.push(FieldError::unsupported(
                    "spec.strategy",
                    Bad::Go(value),
                    &["Recreate", "RollingUpdate"],
                ));
            }
        }
    }
    nonnegative(s.min_ready_seconds, "spec.minReadySeconds", errs);
    nonnegative(s.revision_history_limit, "spec.revisionHistoryLimit", errs);
    if let Some(pds) = s.progress_deadline_seconds {
        nonnegative(Some(pds), "spec.progressDeadlineSeconds", errs);
        if pds <= s.min_ready_seconds.unwrap_or(0) {
            errs.push(FieldError::invalid(
                "spec.progressDeadlineSeconds",
                pds,
                "must be greater than minReadySeconds",
            ));
        }
    }
}

/// `ValidateReplicaSet`.
pub fn replicaset(r: &ReplicaSet, errs: &mut Vec<FieldError>) {
    names::object_meta(&r.metadata, true, names::NameKind::Subdomain, errs);
    replicas(r.spec.replicas, errs);
    nonnegative(r.spec.min_ready_seconds, "spec.minReadySeconds", errs);
    selector_and_template(r.spec.selector.as_ref(), &r.spec.template, errs);
}

/// `spec.replicas`: upstream's non-negative check, then kubeplay's own cap
/// ([`REPLICAS_MAX`]) so one typo cannot make the simulator create millions of pods.
fn replicas(v: Option<i32>, errs: &mut Vec<FieldError>) {
    nonnegative(v, "spec.replicas", errs);
    if let Some(v) = v.filter(|v| *v > REPLICAS_MAX) {
        errs.push(FieldError::invalid(
            "spec.replicas",
            v,
            &replicas_max_detail(),
        ));
    }
}

/// The most replicas one Deployment or ReplicaSet may ask for in kubeplay: Kubernetes'
/// own tested scale limit (150,000 pods per cluster). A real API server has no such cap;
/// the simulator needs one to stay responsive.
pub const REPLICAS_MAX: i32 = 150_000;

/// The detail of the replicas-cap error, shared by apply and `kubectl scale`.
pub fn replicas_max_detail() -> String {
    format!(
        "must be no more than {REPLICAS_MAX} (kubeplay's cap: Kubernetes is tested to 150,000 pods per cluster)"
    )
}

fn nonnegative(v: Option<i32>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = v.filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            path,
            v,
            "must be greater than or equal to 0",
        ));
    }
}

/// The upstream `%#v` of a LabelSelector, for the empty-selector and immutable messages.
pub fn go_selector(s: &LabelSelector) -> String {
    let exprs = match &s.match_expressions {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(e) => {
            let items: Vec<String> = e
                .iter()
                .map(|r| {
                    let values = match &r.values {
                        None => "[]string(nil)".to_string(),
                        Some(v) => format!(
                            "[]string{{{}}}",
                            v.iter().map(|x| go_quote(x)).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{values}}}",
                        go_quote(&r.key),
                        go_quote(&r.operator)
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{exprs}}}",
        go_string_map(s.match_labels.as_ref())
    )
}

/// Selector required and non-empty, valid, and matching the template labels; the template
/// itself valid with `restartPolicy: Always`.
fn selector_and_template(
    selector: Option<&LabelSelector>,
    template: &PodTemplateSpec,
    errs: &mut Vec<FieldError>,
) {
    match selector {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(sel) if sel.is_empty() => errs.push(FieldError::invalid(
            "spec.selector",
            Bad::Go(go_selector(sel)),
            "empty selector is invalid for deployment",
        )),
        Some(sel) => {
            names::label_selector(sel, "spec.selector", errs);
            if !sel.matches(&template.metadata.labels) {
                errs.push(FieldError::invalid(
                    "spec.template.metadata.labels",
                    Bad::Go(go_string_map(Some(&template.metadata.labels))),
                    "`selector` does not match template `labels`",
                ));
            }
        }
    }
    names::labels(
        &template.metadata.labels,
        "spec.template.metadata.labels",
        errs,
    );
    pod::pod_spec(&template.spec, "spec.template.spec", errs);
    if let Some(p) = template
        .spec
        .restart_policy
        .as_deref()
        .filter(|p| *p != "Always")
    {
        errs.push(FieldError::unsupported(
            "spec.template.spec.restartPolicy",
            p,
            &["Always"],
        ));
    }
}

fn int_or_percent(v: &IntOrString) -> Bad {
    match v {
        IntOrString::Int(i) => Bad::Int(i64::from(*i)),
        IntOrString::String(s) => Bad::Str(s.clone()),
    }
}

/// `ValidateRollingUpdateDeployment`.
fn rolling_update(
    max_unavailable: Option<&IntOrString>,
    max_surge: Option<&IntOrString>,
    errs: &mut Vec<FieldError>,
) {
    let mu_path = "spec.strategy.rollingUpdate.maxUnavailable";
    let ms_path = "spec.strategy.rollingUpdate.maxSurge";
    for (v, path) in [(max_unavailable, mu_path), (max_surge, ms_path)] {
        match v {
            Some(IntOrString::String(s)) if parse_percent(s).is_none() => {
                errs.push(FieldError::invalid(path, s, PERCENT_MSG));
            }
            Some(IntOrString::Int(i)) if *i < 0 => {
                errs.push(FieldError::invalid(
                    path,
                    *i,
                    "must be greater than or equal to 0",
                ));
            }
            _ => {}
        }
    }
    let value = |v: Option<&IntOrString>| match v {
        None => Some(0),
        Some(IntOrString::Int(i)) => Some(i64::from(*i)),
        Some(IntOrString::String(s)) => parse_percent(s),
    };
    if value(max_unavailable) == Some(0) && value(max_surge) == Some(0) {
        let bad = max_unavailable.map_or(Bad::Int(0), int_or_percent);
        errs.push(FieldError::invalid(
            mu_path,
            bad,
            "may not be 0 when `maxSurge` is 0",
        ));
    }
    if let Some(IntOrString::String(s)) = max_unavailable {
        if parse_percent(s).is_some_and(|p| p > 100) {
            errs.push(FieldError::invalid(
                mu_path,
                s,
                "must not be greater than 100%",
            ));
        }
    }
}
