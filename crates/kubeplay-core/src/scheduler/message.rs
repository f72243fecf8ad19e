//! The FailedScheduling message: `FitError.Error()` (pkg/scheduler/framework/types.go) plus
//! DefaultPreemption's PostFilter text. With every pod at the same priority preemption never
//! finds victims, so the PostFilter part is fully determined by the filter codes.

use std::collections::BTreeMap;

/// `NoNodeAvailableMsg` formatted: `0/N nodes are available: <c> <reason>, ….`, the
/// "count reason" strings sorted with Go's `sort.Strings` (byte order, so "10 …" < "2 …").
pub fn fit_error(num_all_nodes: usize, reasons: &BTreeMap<String, usize>) -> String {
    let mut items: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
    items.sort();
    let mut msg = format!("0/{num_all_nodes} nodes are available:");
    if !items.is_empty() {
        msg.push_str(&format!(" {}.", items.join(", ")));
    }
    msg
}

/// `Preemption is not helpful for scheduling` (nodes whose filter status is
/// UnschedulableAndUnresolvable, or absent from the dry run).
pub const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
/// `SelectVictimsOnNode` when no lower-priority pod exists.
pub const PREEMPTION_NO_VICTIMS: &str = "No preemption victims found for incoming pod";

/// The PostFilter message of DefaultPreemption when no candidate is found:
/// `preemption: 0/N nodes are available: …` (or the not-eligible text for
/// `preemptionPolicy: Never`).
pub fn preemption(num_all_nodes: usize, resolvable_nodes: usize, preemption_never: bool) -> String {
    if preemption_never {
        return "preemption: not eligible due to preemptionPolicy=Never.".to_string();
    }
    let mut reasons = BTreeMap::new();
    if resolvable_nodes > 0 {
        reasons.insert(PREEMPTION_NO_VICTIMS.to_string(), resolvable_nodes);
    }
    if num_all_nodes > resolvable_nodes {
        reasons.insert(
            PREEMPTION_NOT_HELPFUL.to_string(),
            num_all_nodes - resolvable_nodes,
        );
    }
    format!("preemption: {}", fit_error(num_all_nodes, &reasons))
}

/// Upstream's message when the snapshot has no node at all (`ErrNoNodesAvailable`).
pub const NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";
