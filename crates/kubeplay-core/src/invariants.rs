//! Invariant checks run after every step in tests and debug builds (house style R9, after
//! TigerBeetle's state checker): they look at the whole state from outside the logic, so a
//! controller bug shows up at the step that caused it, with the seed.
use crate::kubelet::PodPhase;
use crate::sim::Sim;

/// Check every invariant; the first violation is returned as text.
pub fn check(sim: &Sim) -> Result<(), String> {
    let s = sim.store();
    s.check_indexes()?;
    for (name, n) in &s.nodes {
        let r = s.requested_on(name);
        if r.cpu_milli > n.rt.alloc_cpu_milli
            || r.memory_bytes > n.rt.alloc_memory_bytes
            || r.pods > n.rt.alloc_pods
        {
            // Pods with spec.nodeName set by the user bypass the scheduler, as in Kubernetes;
            // the scheduler itself must never overcommit.
            let bypass = s.pods_on(name).any(|k| {
                s.pod(&k).is_some_and(|p| {
                    sim.scheduling_decision(&k.0, &k.1).is_none() && p.rt.node.is_some()
                })
            });
            if !bypass {
                return Err(format!("node {name} over capacity: requested {r:?}"));
            }
        }
    }
    for (k, p) in s.pods() {
        // A pod may stay bound to a deleted node until pod GC's quarantine ends (the swarm's
        // checker bounds how long).
        if p.rt.ready && p.rt.phase != PodPhase::Running {
            return Err(format!("pod {}/{} ready but {:?}", k.0, k.1, p.rt.phase));
        }
        if p.rt.phase == PodPhase::Running && p.rt.ip.is_none() {
            return Err(format!("pod {}/{} running without an IP", k.0, k.1));
        }
        for o in &p.pod.metadata.owner_references {
            if let Some((kind, key)) = s.by_uid(&o.uid) {
                if kind.as_str() != o.kind || key.1 != o.name {
                    return Err(format!(
                        "pod {}/{} ownerReference {} does not match the owner",
                        k.0, k.1, o.name
                    ));
                }
            }
        }
    }
    for (k, rs) in &s.replicasets {
        for o in &rs.obj.metadata.owner_references {
            if let Some((kind, key)) = s.by_uid(&o.uid) {
                if kind.as_str() != o.kind || key.1 != o.name {
                    return Err(format!(
                        "replicaset {}/{} ownerReference does not match",
                        k.0, k.1
                    ));
                }
            }
        }
    }
    Ok(())
}
