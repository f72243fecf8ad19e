//! Label selectors with the semantics of `k8s.io/apimachinery` (`LabelSelectorAsSelector`,
//! `Requirement.Matches`): a nil selector matches nothing, an empty one matches everything,
//! otherwise the AND of `matchLabels` and every `matchExpressions` requirement.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Labels or annotations: ordered, so listings and output are stable.
pub type Labels = BTreeMap<String, String>;

/// `metav1.LabelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// Equality requirements: each `key` must exist with exactly `value`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<Labels>,
    /// Set-based requirements, all of which must hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_expressions: Option<Vec<LabelSelectorRequirement>>,
}

/// One set-based requirement (`key In [a, b]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    /// Label key the requirement applies to.
    #[serde(default)]
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    #[serde(default)]
    pub operator: String,
    /// Values for `In`/`NotIn`; must be empty for `Exists`/`DoesNotExist`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

impl LabelSelector {
    /// A selector with only `matchLabels`.
    pub fn from_labels(labels: Labels) -> LabelSelector {
        LabelSelector {
            match_labels: Some(labels),
            match_expressions: None,
        }
    }

    /// True when neither matchLabels nor matchExpressions has an entry (matches everything,
    /// and is rejected by workload validation).
    pub fn is_empty(&self) -> bool {
        self.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
            && self.match_expressions.as_ref().is_none_or(Vec::is_empty)
    }

    /// Does this selector select an object with `labels`? An unknown operator matches nothing
    /// (upstream refuses to build such a selector).
    pub fn matches(&self, labels: &Labels) -> bool {
        let eq = self
            .match_labels
            .iter()
            .flatten()
            .all(|(k, v)| labels.get(k) == Some(v));
        eq && self
            .match_expressions
            .iter()
            .flatten()
            .all(|r| r.matches(labels))
    }
}

impl LabelSelectorRequirement {
    /// `Requirement.Matches`: note `NotIn` is true when the key is absent.
    pub fn matches(&self, labels: &Labels) -> bool {
        let values = self.values.as_deref().unwrap_or(&[]);
        let got = labels.get(&self.key);
        match self.operator.as_str() {
            "In" => got.is_some_and(|v| values.contains(v)),
            "NotIn" => got.is_none_or(|v| !values.contains(v)),
            "Exists" => got.is_some(),
            "DoesNotExist" => got.is_none(),
            _ => false,
        }
    }
}

/// Match with a possibly nil selector: nil selects nothing (`LabelSelectorAsSelector(nil)`).
pub fn selector_matches(selector: Option<&LabelSelector>, labels: &Labels) -> bool {
    selector.is_some_and(|s| s.matches(labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    fn exprs(e: Vec<LabelSelectorRequirement>) -> LabelSelector {
        LabelSelector {
            match_labels: None,
            match_expressions: Some(e),
        }
    }

    #[test]
    fn golden_cases_ls1_to_ls12() {
        let app_web = LabelSelector::from_labels(labels(&[("app", "web")]));
        assert!(
            app_web.matches(&labels(&[("app", "web"), ("tier", "fe")])),
            "LS1"
        );
        assert!(!app_web.matches(&labels(&[("app", "Web")])), "LS2");
        assert!(exprs(vec![expr("tier", "In", &["fe", "be"])]).matches(&labels(&[("tier", "be")])));
        assert!(
            !exprs(vec![expr("tier", "In", &["fe"])]).matches(&labels(&[])),
            "LS4"
        );
        assert!(
            exprs(vec![expr("tier", "NotIn", &["fe"])]).matches(&labels(&[])),
            "LS5"
        );
        assert!(!exprs(vec![expr("tier", "NotIn", &["fe"])]).matches(&labels(&[("tier", "fe")])));
        assert!(
            exprs(vec![expr("gpu", "Exists", &[])]).matches(&labels(&[("gpu", "")])),
            "LS7"
        );
        assert!(!exprs(vec![expr("gpu", "DoesNotExist", &[])]).matches(&labels(&[("gpu", "x")])));
        let ls9 = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![expr("env", "NotIn", &["prod"])]),
        };
        assert!(
            ls9.matches(&labels(&[("app", "web"), ("env", "dev")])),
            "LS9"
        );
        assert!(
            LabelSelector::default().matches(&labels(&[("x", "y")])),
            "LS10"
        );
        assert!(!selector_matches(None, &labels(&[("x", "y")])), "LS11");
        let ls12 = LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![expr("app", "In", &["api"])]),
        };
        assert!(!ls12.matches(&labels(&[("app", "web")])), "LS12");
    }
}
