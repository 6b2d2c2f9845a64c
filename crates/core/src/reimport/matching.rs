//! Which item of a new file is which item already held, when the file gives no ids: by
//! title first (the same words, diacritics and case aside), then by likeness of title, owner
//! and time above a threshold. Never by position: an inserted or deleted row moves nothing.

use std::collections::HashMap;
use warroom_model::fold;

/// What an item is recognised by.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Folded title (`fold`): case, diacritics and punctuation aside.
    pub title: String,
    /// Folded owner.
    pub owner: String,
    /// Minutes from 00:00 of the go-live day, where it has a time.
    pub minutes: Option<i32>,
}

impl Item {
    /// An item from its title, owner and time as written.
    pub(crate) fn new(title: &str, owner: &str, minutes: Option<i32>) -> Self {
        Self { title: fold(title), owner: fold(owner), minutes }
    }
}

/// Below this likeness of titles, two items are not the same whatever else agrees.
const TITLE_FLOOR: f64 = 0.5;
/// Below this overall score, two items are not the same.
const SCORE_FLOOR: f64 = 0.6;
/// Items further apart than this in their lists are not compared by likeness when both lists
/// are long: a long runbook's edits shift positions by far less.
const BAND: usize = 256;
/// Up to this many comparisons, every unmatched pair is compared.
const ALL_PAIRS: usize = 250_000;

/// How alike two folded titles are, from 0 to 1: the better of edit distance (typos, a word
/// changed) and shared letter pairs (words reordered).
pub(crate) fn title_likeness(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    strsim::normalized_levenshtein(a, b).max(strsim::sorensen_dice(a, b))
}

/// How likely two items are one and the same, from 0 to 1; `None` below the thresholds.
fn score(a: &Item, b: &Item) -> Option<f64> {
    let title = title_likeness(&a.title, &b.title);
    if title < TITLE_FLOOR {
        return None;
    }
    let owner = if a.owner == b.owner { 1.0 } else { 0.0 };
    let time = match (a.minutes, b.minutes) {
        (Some(x), Some(y)) => (1.0 - f64::from(x.abs_diff(y)) / 120.0).max(0.0),
        (None, None) => 1.0,
        _ => 0.0,
    };
    let s = 0.7 * title + 0.15 * owner + 0.15 * time;
    (s >= SCORE_FLOOR).then_some(s)
}

/// Closeness of two items with the same title, to choose among duplicates: owner, then time,
/// then position.
fn closeness(a: &Item, ai: usize, b: &Item, bi: usize) -> (bool, u32, usize) {
    let dt = match (a.minutes, b.minutes) {
        (Some(x), Some(y)) => x.abs_diff(y),
        _ => u32::MAX,
    };
    (a.owner != b.owner, dt, ai.abs_diff(bi))
}

/// For each new item, the index of the old item it is, if any; each old item is taken once.
pub(crate) fn match_items(old: &[Item], new: &[Item]) -> Vec<Option<usize>> {
    let mut to: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];
    // The same title: among duplicates, the closest by owner, time and position.
    let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, o) in old.iter().enumerate() {
        by_title.entry(o.title.as_str()).or_default().push(i);
    }
    for (ni, n) in new.iter().enumerate() {
        let Some(candidates) = by_title.get(n.title.as_str()) else { continue };
        let best = candidates.iter().filter(|&&oi| !taken[oi]).min_by_key(|&&oi| closeness(&old[oi], oi, n, ni));
        if let Some(&oi) = best {
            taken[oi] = true;
            to[ni] = Some(oi);
        }
    }
    // The rest: likeness above the thresholds, the most alike pairs first.
    let old_left: Vec<usize> = (0..old.len()).filter(|&i| !taken[i]).collect();
    let new_left: Vec<usize> = (0..new.len()).filter(|&i| to[i].is_none()).collect();
    let all = old_left.len().saturating_mul(new_left.len()) <= ALL_PAIRS;
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for &ni in &new_left {
        for &oi in &old_left {
            if !all && oi.abs_diff(ni) > BAND {
                continue;
            }
            if let Some(s) = score(&old[oi], &new[ni]) {
                pairs.push((s, oi, ni));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.abs_diff(a.2).cmp(&b.1.abs_diff(b.2))));
    for (_, oi, ni) in pairs {
        if !taken[oi] && to[ni].is_none() {
            taken[oi] = true;
            to[ni] = Some(oi);
        }
    }
    to
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(rows: &[(&str, &str, i32)]) -> Vec<Item> {
        rows.iter().map(|(t, o, m)| Item::new(t, o, Some(*m))).collect()
    }

    #[test]
    fn a_deleted_row_moves_no_later_task() {
        let old = items(&[
            ("Team standup call", "All", 360),
            ("Verify all members online", "Tech Lead", 365),
            ("Check VPN", "DevOps", 370),
        ]);
        let new = items(&[("Verify all members online", "Tech Lead", 365), ("Check VPN", "DevOps", 370)]);
        assert_eq!(match_items(&old, &new), vec![Some(1), Some(2)]);
    }

    #[test]
    fn a_title_edited_a_little_is_the_same_task_and_one_rewritten_is_not() {
        let old = items(&[("Backup production database", "DBA", 400), ("Notify customers", "PM", 420)]);
        let new = items(&[("Back up the production database", "DBA", 405), ("Rotate TLS certificates", "PM", 420)]);
        assert_eq!(match_items(&old, &new), vec![Some(0), None]);
    }

    #[test]
    fn vietnamese_titles_match_without_diacritics_and_duplicates_go_by_time() {
        let old = items(&[("Kiểm tra dịch vụ", "QA", 400), ("Kiểm tra dịch vụ", "QA", 600)]);
        let new = items(&[("Kiem tra dich vu", "QA", 600), ("KIỂM TRA DỊCH VỤ", "QA", 400)]);
        assert_eq!(match_items(&old, &new), vec![Some(1), Some(0)]);
    }
}
