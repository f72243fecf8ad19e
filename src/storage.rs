//! localStorage: tabs, seed, history, theme and speed survive a reload. Reads are tolerant
//! (missing or corrupt → default); writes that fail (quota, private mode) are ignored.
use gloo::storage::{LocalStorage, Storage};

use crate::share::Tab;

const TABS: &str = "kubeplay.tabs";
const ACTIVE: &str = "kubeplay.active";
const SEED: &str = "kubeplay.seed";
const HISTORY: &str = "kubeplay.history";
const THEME: &str = "kubeplay.theme";
const SPEED: &str = "kubeplay.speed";

/// What was saved.
#[derive(Debug, Default)]
pub struct Saved {
    /// Editor tabs.
    pub tabs: Option<Vec<Tab>>,
    /// Active tab.
    pub active: usize,
    /// Seed.
    pub seed: Option<u64>,
    /// Command history.
    pub history: Vec<String>,
    /// Theme name.
    pub theme: Option<String>,
    /// Speed.
    pub speed: Option<u32>,
}

/// Read everything.
pub fn load() -> Saved {
    Saved {
        tabs: LocalStorage::get(TABS)
            .ok()
            .filter(|t: &Vec<Tab>| !t.is_empty()),
        active: LocalStorage::get(ACTIVE).unwrap_or(0),
        seed: LocalStorage::get(SEED).ok(),
        history: LocalStorage::get(HISTORY).unwrap_or_default(),
        theme: LocalStorage::get(THEME).ok(),
        speed: LocalStorage::get(SPEED).ok(),
    }
}

/// Save the tabs.
pub fn save_tabs(tabs: &[Tab], active: usize) {
    let _ = LocalStorage::set(TABS, tabs);
    let _ = LocalStorage::set(ACTIVE, active);
}

/// Save the small settings.
pub fn save_settings(seed: u64, theme: &str, speed: u32) {
    let _ = LocalStorage::set(SEED, seed);
    let _ = LocalStorage::set(THEME, theme);
    let _ = LocalStorage::set(SPEED, speed);
}

/// Save the command history.
pub fn save_history(h: &[String]) {
    let _ = LocalStorage::set(HISTORY, h);
}
