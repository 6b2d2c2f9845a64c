//! The runbook's other numbered items — rollback triggers and steps, decision-matrix rows,
//! metrics and end-of-day checklist items — keep their held ids across a re-import, as tasks
//! do: a run's ticks, readings and marks are keyed by these ids, so an item inserted or removed
//! above another must not hand its record to its neighbour. The importer numbers them by place
//! (`r1`, `r2`, …); such numbers are matched to the held items by their words, never by place.

use super::matching::{Item, match_items};
use crate::live::{Snapshot, entity};
use std::collections::HashSet;
use warroom_model::{ChecklistItem, MatrixRow, Metric, RollbackStep, Runbook, Trigger};

/// An item numbered `<prefix><n>` at import, recognised by its words.
trait Numbered {
    /// The letter the importer numbers it with.
    const PREFIX: &'static str;
    /// The per-run records keyed `<run>/<id>` that it owns, if any.
    const RECORDS: Option<&'static str>;
    fn id(&self) -> &str;
    fn set_id(&mut self, id: String);
    /// What it is recognised by: its words as written.
    fn words(&self) -> String;
}

/// `Numbered` for a runbook item type: its prefix, the records it owns, and its words.
macro_rules! numbered {
    ($t:ty, $prefix:literal, $records:expr, |$x:ident| $words:expr) => {
        impl Numbered for $t {
            const PREFIX: &'static str = $prefix;
            const RECORDS: Option<&'static str> = $records;
            fn id(&self) -> &str {
                &self.id
            }
            fn set_id(&mut self, id: String) {
                self.id = id;
            }
            fn words(&self) -> String {
                let $x = self;
                $words
            }
        }
    };
}

numbered!(Trigger, "t", Some(entity::TRIGGER), |x| format!("{} {}", x.name, x.condition));
numbered!(MatrixRow, "d", None, |x| format!("{} {}", x.issue, x.severity));
numbered!(RollbackStep, "r", Some(entity::STEP), |x| x.title.clone());
numbered!(Metric, "m", Some(entity::METRIC), |x| x.name.clone());
numbered!(ChecklistItem, "k", Some(entity::CHECK), |x| x.text.clone());

/// Gives the file's triggers, matrix rows, steps, metrics and checklist items the held ids of
/// the items they are, and the unmatched ones ids no item here ever had.
pub(super) fn keep_item_ids(new: &mut Runbook, old: &Runbook, snap: &Snapshot) {
    relabel(&mut new.rollback.triggers, &old.rollback.triggers, snap);
    relabel(&mut new.rollback.matrix, &old.rollback.matrix, snap);
    relabel(&mut new.rollback.steps, &old.rollback.steps, snap);
    relabel(&mut new.metrics, &old.metrics, snap);
    relabel(&mut new.checklist, &old.checklist, snap);
}

fn relabel<T: Numbered>(new: &mut [T], old: &[T], snap: &Snapshot) {
    // Ids that are not the importer's numbering (a JSON export's, kept from earlier) already
    // say which item is which.
    let numbered = new.iter().enumerate().all(|(i, x)| x.id() == format!("{}{}", T::PREFIX, i + 1));
    if !numbered || new.is_empty() {
        return;
    }
    let item = |x: &T| Item::new(&x.words(), "", None);
    let o: Vec<Item> = old.iter().map(item).collect();
    let n: Vec<Item> = new.iter().map(item).collect();
    let matched = match_items(&o, &n);
    let mut used: HashSet<String> = old.iter().map(|x| x.id().to_owned()).collect();
    if let Some(records) = T::RECORDS {
        used.extend(snap.ids(records).iter().filter_map(|k| k.split_once('/')).map(|(_, id)| id.to_owned()));
    }
    let mut next =
        used.iter().filter_map(|u| u.strip_prefix(T::PREFIX).and_then(|n| n.parse::<u32>().ok())).max().unwrap_or(0);
    for (x, m) in new.iter_mut().zip(matched) {
        let id = match m {
            Some(oi) => old[oi].id().to_owned(),
            None => {
                next += 1;
                format!("{}{next}", T::PREFIX)
            }
        };
        x.set_id(id);
    }
}
