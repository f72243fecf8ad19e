//! Pod spec checks (`ValidatePodSpec`, `validateContainers`, ports, resources, probes,
//! tolerations), shared by Pods (path `spec`) and templates (`spec.template.spec`).
use super::{names, FieldError};
use crate::{
    intstr::IntOrString,
    kinds::pod::{Container, PodSpec, Probe, ResourceRequirements},
};
use std::collections::BTreeSet;

const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];

/// `ValidatePodSpec` (the parts that matter to the simulator and to learners).
pub fn pod_spec(spec: &PodSpec, path: &str, errs: &mut Vec<FieldError>) {
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
    }
    let mut names_seen = BTreeSet::new();
    for (i, c) in spec.init_containers.iter().enumerate() {
        container(
            c,
            &format!("{path}.initContainers[{i}]"),
            &mut names_seen,
            errs,
        );
    }
    // `terminationGracePeriodSeconds` is defaulted (30) before validation runs.
    let grace = spec.termination_grace_period_seconds.unwrap_or(30);
    for (i, c) in spec.containers.iter().enumerate() {
        container(c, &format!("{path}.containers[{i}]"), &mut names_seen, errs);
        lifecycle_sleeps(c, grace, &format!("{path}.containers[{i}].lifecycle"), errs);
    }
    if let Some(p) = spec.restart_policy.as_deref() {
        if !matches!(p, "Always" | "OnFailure" | "Never") {
            let supported = ["Always", "OnFailure", "Never"];
            errs.push(FieldError::unsupported(
                format!("{path}.restartPolicy"),
                p,
                &supported,
            ));
        }
    }
    if let Some(p) = spec.dns_policy.as_deref() {
        if !matches!(
            p,
            "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None"
        ) {
            let supported = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
            errs.push(FieldError::unsupported(
                format!("{path}.dnsPolicy"),
                p,
                &supported,
            ));
        }
    }
    nonnegative(
        spec.active_deadline_seconds,
        &format!("{path}.activeDeadlineSeconds"),
        errs,
    );
    if let Some(sel) = &spec.node_selector {
        names::labels(sel, &format!("{path}.nodeSelector"), errs);
    }
    for (i, t) in spec.tolerations.iter().flatten().enumerate() {
        toleration(t, &format!("{path}.tolerations[{i}]"), errs);
    }
    if let Some(na) = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
    {
        let p =
            format!("{path}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in na
            .preferred_during_scheduling_ignored_during_execution
            .iter()
            .enumerate()
        {
            if !(1..=100).contains(&term.weight) {
                errs.push(FieldError::invalid(
                    format!("{p}[{i}].weight"),
                    term.weight,
                    "must be in the range 1-100",
                ));
            }
        }
    }
    for (i, c) in spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .enumerate()
    {
        let p = format!("{path}.topologySpreadConstraints[{i}]");
        if c.max_skew <= 0 {
            errs.push(FieldError::invalid(
                format!("{p}.maxSkew"),
                c.max_skew,
                "must be greater than zero",
            ));
        }
        if c.topology_key.is_empty() {
            errs.push(FieldError::required(
                format!("{p}.topologyKey"),
                "can not be empty",
            ));
        }
        if !matches!(
            c.when_unsatisfiable.as_str(),
            "DoNotSchedule" | "ScheduleAnyway"
        ) {
            errs.push(FieldError::unsupported(
                format!("{p}.whenUnsatisfiable"),
                &c.when_unsatisfiable,
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
    }
}

fn nonnegative(v: Option<i64>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = v.filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            path,
            v,
            "must be greater than or equal to 0",
        ));
    }
}

fn container(c: &Container, path: &str, seen: &mut BTreeSet<String>, errs: &mut Vec<FieldError>) {
    if c.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for m in names::dns1123_label(&c.name) {
            errs.push(FieldError::invalid(format!("{path}.name"), &c.name, &m));
        }
        if !seen.insert(c.name.clone()) {
            errs.push(FieldError::duplicate(format!("{path}.name"), &c.name));
        }
    }
    if c.image.as_deref().unwrap_or("").trim().is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    if let Some(p) = &c.image_pull_policy {
        if !matches!(p.as_str(), "Always" | "IfNotPresent" | "Never") {
            errs.push(FieldError::unsupported(
                format!("{path}.imagePullPolicy"),
                p,
                &["Always", "IfNotPresent", "Never"],
            ));
        }
    }
    let mut port_names = BTreeSet::new();
    for (i, p) in c.ports.iter().enumerate() {
        let pp = format!("{path}.ports[{i}]");
        if let Some(name) = &p.name {
            for m in names::iana_svc_name(name) {
                errs.push(FieldError::invalid(format!("{pp}.name"), name, &m));
            }
            if !port_names.insert(name.clone()) {
                errs.push(FieldError::duplicate(format!("{pp}.name"), name));
            }
        }
        if !(1..=65535).contains(&p.container_port) {
            errs.push(FieldError::invalid(
                format!("{pp}.containerPort"),
                p.container_port,
                "must be between 1 and 65535, inclusive",
            ));
        }
        if let Some(hp) = p
            .host_port
            .filter(|hp| *hp != 0 && !(1..=65535).contains(hp))
        {
            errs.push(FieldError::invalid(
                format!("{pp}.hostPort"),
                hp,
                "must be between 1 and 65535, inclusive",
            ));
        }
        if let Some(proto) = &p.protocol {
            if !PROTOCOLS.contains(&proto.as_str()) {
                errs.push(FieldError::unsupported(
                    format!("{pp}.protocol"),
                    proto,
                    &PROTOCOLS,
                ));
            }
        }
    }
    for (i, e) in c.env.iter().enumerate() {
        if e.name.is_empty() {
            errs.push(FieldError::required(format!("{path}.env[{i}].name"), ""));
        }
    }
    resources(&c.resources, &format!("{path}.resources"), errs);
    for (probe, field) in [
        (&c.liveness_probe, "livenessProbe"),
        (&c.readiness_probe, "readinessProbe"),
        (&c.startup_probe, "startupProbe"),
    ] {
        if let Some(p) = probe {
            probe_checks(
                p,
                &format!("{path}.{field}"),
                field != "readinessProbe",
                errs,
            );
        }
    }
}

/// `validateLifecycle` → `validateHandler` → `validateSleepAction`: a `sleep` hook's seconds
/// must lie in 0..=terminationGracePeriodSeconds (zero allowed since
/// PodLifecycleSleepActionAllowZero went GA in v1.34). The lifecycle is otherwise kept raw.
fn lifecycle_sleeps(c: &Container, grace: i64, path: &str, errs: &mut Vec<FieldError>) {
    let Some(lifecycle) = &c.lifecycle else {
        return;
    };
    for hook in ["postStart", "preStop"] {
        let Some(sleep) = lifecycle.get(hook).and_then(|h| h.get("sleep")) else {
            continue;
        };
        let Some(seconds) = sleep.get("seconds").and_then(serde_json::Value::as_i64) else {
            continue;
        };
        if seconds < 0 || seconds > grace {
            errs.push(FieldError::invalid(
                format!("{path}.{hook}.sleep"),
                seconds,
                &format!(
                    "must be non-negative and less than terminationGracePeriodSeconds ({grace})"
                ),
            ));
        }
    }
}

fn standard_resource(name: &str) -> bool {
    matches!(
        name,
        "cpu" | "memory" | "ephemeral-storage" | "storage" | "pods"
    ) || name.starts_with("hugepages-")
        || name.starts_with("requests.")
        || name.starts_with("limits.")
        || (name.contains('/') && names::qualified_name(name).is_empty())
}

/// `ValidateResourceRequirements`: names, non-negative quantities, requests ≤ limits.
fn resources(r: &ResourceRequirements, path: &str, errs: &mut Vec<FieldError>) {
    for (field, list) in [("limits", &r.limits), ("requests", &r.requests)] {
        for (name, q) in list {
            let p = format!("{path}.{field}[{name}]");
            if !standard_resource(name) {
                errs.push(FieldError::invalid(
                    &p,
                    name,
                    "must be a standard resource type or fully qualified",
                ));
            }
            if q.is_negative() {
                errs.push(FieldError::invalid(
                    &p,
                    q.as_str(),
                    "must be greater than or equal to 0",
                ));
            }
        }
    }
    for (name, req) in &r.requests {
        if let Some(limit) = r.limits.get(name) {
            if req.milli_value() > limit.milli_value() {
                errs.push(FieldError::invalid(
                    format!("{path}.requests[{name}]"),
                    req.as_str(),
                    &format!(
                        "must be less than or equal to {name} limit of {}",
                        limit.as_str()
                    ),
                ));
            }
        }
    }
}

fn probe_checks(p: &Probe, path: &str, must_succeed_once: bool, errs: &mut Vec<FieldError>) {
    let handlers = usize::from(p.exec.is_some())
        + usize::from(p.http_get.is_some())
        + usize::from(p.tcp_socket.is_some())
        + usize::from(p.grpc.is_some());
    if handlers == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    } else if handlers > 1 {
        errs.push(FieldError::forbidden(
            path,
            "may not specify more than 1 handler type",
        ));
    }
    for (v, f) in [
        (p.initial_delay_seconds, "initialDelaySeconds"),
        (p.timeout_seconds, "timeoutSeconds"),
        (p.period_seconds, "periodSeconds"),
        (p.success_threshold, "successThreshold"),
        (p.failure_threshold, "failureThreshold"),
    ] {
        nonnegative(v.map(i64::from), &format!("{path}.{f}"), errs);
    }
    if must_succeed_once {
        if let Some(s) = p.success_threshold.filter(|s| *s != 1) {
            errs.push(FieldError::invalid(
                format!("{path}.successThreshold"),
                s,
                "must be 1",
            ));
        }
    }
    let ports = [
        p.http_get.as_ref().map(|h| (&h.port, "httpGet")),
        p.tcp_socket.as_ref().map(|t| (&t.port, "tcpSocket")),
    ];
    for (port, handler) in ports.into_iter().flatten() {
        port_or_name(port, &format!("{path}.{handler}.port"), errs);
    }
}

/// A number in 1..=65535 or an IANA_SVC_NAME (probe ports, Service targetPort).
pub fn port_or_name(port: &IntOrString, path: &str, errs: &mut Vec<FieldError>) {
    match port {
        IntOrString::Int(v) if !(1..=65535).contains(v) => {
            errs.push(FieldError::invalid(
                path,
                *v,
                "must be between 1 and 65535, inclusive",
            ));
        }
        IntOrString::Int(_) => {}
        IntOrString::String(s) => {
            for m in names::iana_svc_name(s) {
                errs.push(FieldError::invalid(path, s, &m));
            }
        }
    }
}

fn toleration(t: &crate::kinds::pod::Toleration, path: &str, errs: &mut Vec<FieldError>) {
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() {
        for m in names::qualified_name(key) {
            errs.push(FieldError::invalid(format!("{path}.key"), key, &m));
        }
    }
    let op = t.operator.as_deref().unwrap_or("Equal");
    match op {
        "Equal" if key.is_empty() => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            t.operator.as_deref().unwrap_or(""),
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
        )),
        "Exists" if !t.value.as_deref().unwrap_or("").is_empty() => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            t.value.as_deref().unwrap_or(""),
            "value must be empty when `operator` is 'Exists'",
        )),
        "Equal" | "Exists" => {}
        other => errs.push(FieldError::unsupported(
            format!("{path}.operator"),
            other,
            &["Equal", "Exists"],
        )),
    }
    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
        if !matches!(e, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
            errs.push(FieldError::unsupported(
                format!("{path}.effect"),
                e,
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
    if t.toleration_seconds.is_some() && t.effect.as_deref() != Some("NoExecute") {
        errs.push(FieldError::invalid(
            format!("{path}.effect"),
            t.effect.as_deref().unwrap_or(""),
            "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ));
    }
}
