//! Importing a file over the runbook a database holds without moving recorded progress. The
//! file's tasks are matched to the held ones — by id when the file numbers its tasks, else by
//! title, owner and time (`matching`) — never by position. A matched task keeps its id, and so
//! its progress and comments (which the log keys by task id); a new task gets an id that never
//! had history. `plan` says what would be added, changed, moved and removed before anything is
//! written; `import` refuses to remove a task with recorded progress unless confirmed.

mod items;
pub(crate) mod matching;

use crate::clock::Clock;
use crate::import::Imported;
use crate::live::{LiveError, Snapshot, entity, key};
use crate::store::{Store, StoreError};
use matching::{Item, match_items};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use warroom_model::live::TaskStatus;
use warroom_model::reimport::{ImportPreview, Matching, TaskDiff};
use warroom_model::{Author, Event, Phase, Runbook, Task, TaskId, fold};

/// Why a re-import was not planned or not made.
#[derive(Debug, thiserror::Error)]
pub enum ReimportError {
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The runbook or runs held could not be read.
    #[error(transparent)]
    Live(#[from] LiveError),
    /// The import would remove tasks that hold recorded progress, and was not confirmed.
    #[error("{}", detach_message(preview))]
    WouldDetach {
        /// What the import would do; its `detached` tasks are why it was refused.
        preview: Box<ImportPreview>,
    },
}

/// What importing a file would do, and the runbook it would write (ids matched).
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// The tasks added, changed, moved and removed.
    pub preview: ImportPreview,
    /// The file's runbook with the held tasks' ids in place of the file's positions: the file's
    /// own, not a copy, when nothing is held.
    pub imported: Cow<'a, Imported>,
}

/// Plans importing `imported` over what `store` holds; nothing is written.
pub fn plan<'a>(store: &Store, imported: &'a Imported) -> Result<Plan<'a>, ReimportError> {
    let file = imported.report.file.clone();
    if store.runbook()?.is_none() {
        let rb = &imported.runbook;
        let added = rb.phases.iter().flat_map(|p| p.tasks.iter().map(move |t| diff(t, p, vec![]))).collect();
        return Ok(Plan {
            preview: ImportPreview { file, matching: Matching::FirstImport, added, ..ImportPreview::default() },
            imported: Cow::Borrowed(imported),
        });
    }
    let snap = Snapshot::load(store)?;
    let old = &snap.runbook;
    let mut new = imported.runbook.clone();
    let matching = if positional(&new) { Matching::ByContent } else { Matching::ById };
    let old_tasks: Vec<(&Phase, &Task)> = old.phases.iter().flat_map(|p| p.tasks.iter().map(move |t| (p, t))).collect();
    let new_tasks: Vec<(usize, usize)> =
        new.phases.iter().enumerate().flat_map(|(pi, p)| (0..p.tasks.len()).map(move |ti| (pi, ti))).collect();
    let matched: Vec<Option<usize>> = match matching {
        Matching::ById => {
            let at: HashMap<&str, usize> = old_tasks.iter().enumerate().map(|(i, (_, t))| (t.id.as_str(), i)).collect();
            new_tasks.iter().map(|&(pi, ti)| at.get(new.phases[pi].tasks[ti].id.as_str()).copied()).collect()
        }
        _ => {
            let item = |t: &Task| Item::new(&t.title, &t.owner, Some(t.minutes()));
            let o: Vec<Item> = old_tasks.iter().map(|(_, t)| item(t)).collect();
            let n: Vec<Item> = new_tasks.iter().map(|&(pi, ti)| item(&new.phases[pi].tasks[ti])).collect();
            match_items(&o, &n)
        }
    };
    // Every id that ever named a task here: a new task must not inherit what one recorded.
    let mut used: HashSet<String> = snap.ids("task").into_iter().collect();
    for e in [entity::TASK, entity::CHECKPOINT] {
        used.extend(snap.ids(e).iter().filter_map(|k| k.split_once('/')).map(|(_, t)| t.to_owned()));
    }
    if matching == Matching::ByContent {
        renumber(&mut new, &new_tasks, &matched, &old_tasks, &mut used);
        keep_phase_ids(&mut new, old);
    }
    items::keep_item_ids(&mut new, old, &snap);
    let mut preview = ImportPreview { file, matching, ..ImportPreview::default() };
    let mut kept = vec![false; old_tasks.len()];
    for (&(pi, ti), m) in new_tasks.iter().zip(&matched) {
        let (p, t) = (&new.phases[pi], &new.phases[pi].tasks[ti]);
        let Some(oi) = *m else {
            let when = vec![format!("at {}", t.time)];
            preview.added.push(diff(t, p, when));
            continue;
        };
        kept[oi] = true;
        let (op, ot) = old_tasks[oi];
        let moves = moved(op, ot, p, t);
        let changes = changed(ot, t);
        if moves.is_empty() && changes.is_empty() {
            preview.unchanged += 1;
        }
        if !moves.is_empty() {
            preview.moved.push(diff(t, p, moves));
        }
        if !changes.is_empty() {
            preview.changed.push(diff(t, p, changes));
        }
    }
    for (i, (p, t)) in old_tasks.iter().enumerate() {
        if !kept[i] {
            let mut d = diff(t, p, vec![]);
            d.progress = progress(&snap, &t.id);
            preview.removed.push(d);
        }
    }
    Ok(Plan { preview, imported: Cow::Owned(Imported { runbook: new, report: imported.report.clone() }) })
}

/// Imports `imported` as `Store::import` does, with the held tasks' ids kept (see `plan`);
/// refused when it would remove a task with recorded progress and `confirmed` is not set.
pub fn import(
    store: &mut Store,
    imported: &Imported,
    author: &Author,
    replace: bool,
    confirmed: bool,
    clock: &dyn Clock,
) -> Result<(Event, ImportPreview), ReimportError> {
    let plan = plan(store, imported)?;
    if replace && !confirmed && plan.preview.needs_confirmation() {
        return Err(ReimportError::WouldDetach { preview: Box::new(plan.preview) });
    }
    let ev = store.import(&plan.imported, author, replace, clock)?;
    Ok((ev, plan.preview))
}

/// Why an import that would detach progress was refused, naming each task and what it holds.
fn detach_message(p: &ImportPreview) -> String {
    let tasks: Vec<String> =
        p.detached().map(|t| format!("{} `{}` ({})", t.id, t.title, t.progress.join("; "))).collect();
    format!(
        "{}: importing would remove {} task(s) that hold recorded progress: {}; nothing was imported. Check the \
         file, or confirm (--yes) to remove them: what was recorded stays in the log and in the audit record, \
         under the removed task",
        p.file,
        tasks.len(),
        tasks.join(", ")
    )
}

/// Whether every task's id is its place (`2.3` = phase 2, task 3): what the importer gives when
/// the file has no ids of its own, so ids say nothing about which task is which.
fn positional(rb: &Runbook) -> bool {
    rb.phases
        .iter()
        .enumerate()
        .all(|(pi, p)| p.tasks.iter().enumerate().all(|(ti, t)| t.id.as_str() == format!("{}.{}", pi + 1, ti + 1)))
}

/// Gives matched tasks their held ids and new ones ids no task ever had, and follows the change
/// in every task's `after`.
fn renumber(
    new: &mut Runbook,
    new_tasks: &[(usize, usize)],
    matched: &[Option<usize>],
    old_tasks: &[(&Phase, &Task)],
    used: &mut HashSet<String>,
) {
    used.extend(old_tasks.iter().map(|(_, t)| t.id.to_string()));
    let mut next: HashMap<String, u32> = HashMap::new();
    for u in used.iter() {
        if let Some((p, n)) = u.rsplit_once('.').and_then(|(p, n)| Some((p, n.parse::<u32>().ok()?))) {
            let e = next.entry(p.to_owned()).or_default();
            *e = (*e).max(n);
        }
    }
    let mut renamed: HashMap<String, TaskId> = HashMap::new();
    for (&(pi, ti), m) in new_tasks.iter().zip(matched) {
        let task = &mut new.phases[pi].tasks[ti];
        let id = match m {
            Some(oi) => old_tasks[*oi].1.id.clone(),
            None if !used.contains(task.id.as_str()) => task.id.clone(),
            None => TaskId::from(fresh(task.id.as_str(), used, &mut next).as_str()),
        };
        used.insert(id.to_string());
        renamed.insert(task.id.to_string(), id.clone());
        task.id = id;
    }
    for p in &mut new.phases {
        for t in &mut p.tasks {
            for a in &mut t.after {
                if let Some(id) = renamed.get(a.as_str()) {
                    *a = id.clone();
                }
            }
        }
    }
}

/// An id for a new task that no task ever had: the next number of its phase (`1.7`), else the
/// id with a suffix.
fn fresh(id: &str, used: &HashSet<String>, next: &mut HashMap<String, u32>) -> String {
    if let Some((p, _)) = id.rsplit_once('.') {
        let n = next.entry(p.to_owned()).or_default();
        loop {
            *n += 1;
            let candidate = format!("{p}.{n}");
            if !used.contains(&candidate) {
                return candidate;
            }
        }
    }
    let mut k = 1u32;
    loop {
        k += 1;
        let candidate = format!("{id}-{k}");
        if !used.contains(&candidate) {
            return candidate;
        }
    }
}

/// Phases keep their held ids when their names are the same, so a phase removed or added does
/// not rename the ones after it.
fn keep_phase_ids(new: &mut Runbook, old: &Runbook) {
    let by_name: HashMap<String, &str> = old.phases.iter().map(|p| (fold(&p.display_name()), p.id.as_str())).collect();
    let mut taken: HashSet<String> = HashSet::new();
    let wanted: Vec<Option<&str>> = new.phases.iter().map(|p| by_name.get(&fold(&p.display_name())).copied()).collect();
    for w in wanted.iter().flatten() {
        taken.insert((*w).to_owned());
    }
    let olds: HashSet<&str> = old.phases.iter().map(|p| p.id.as_str()).collect();
    let mut n = old.phases.len() + new.phases.len();
    for (p, w) in new.phases.iter_mut().zip(wanted) {
        match w {
            Some(id) => p.id = id.to_owned(),
            None if !olds.contains(p.id.as_str()) && !taken.contains(&p.id) => {
                taken.insert(p.id.clone());
            }
            None => {
                while taken.contains(&format!("p{n}")) || olds.contains(format!("p{n}").as_str()) {
                    n += 1;
                }
                p.id = format!("p{n}");
                taken.insert(p.id.clone());
            }
        }
    }
}

fn diff(t: &Task, p: &Phase, details: Vec<String>) -> TaskDiff {
    TaskDiff { id: t.id.clone(), title: t.title.clone(), phase: p.display_name(), details, progress: Vec::new() }
}

/// How a matched task moves: to another phase, or another time.
fn moved(op: &Phase, ot: &Task, p: &Phase, t: &Task) -> Vec<String> {
    let mut out = Vec::new();
    if fold(&op.display_name()) != fold(&p.display_name()) {
        out.push(format!("from {} to {}", op.display_name(), p.display_name()));
    }
    if ot.minutes() != t.minutes() {
        let day = |d: i16| if d == 0 { String::new() } else { format!(" (day {d:+})") };
        out.push(format!("{}{} → {}{}", ot.time, day(ot.day), t.time, day(t.day)));
    }
    out
}

/// How a matched task changes, its place aside.
fn changed(ot: &Task, t: &Task) -> Vec<String> {
    let mut out = Vec::new();
    if ot.title != t.title {
        out.push(format!("title `{}` → `{}`", ot.title, t.title));
    }
    if ot.owner != t.owner {
        out.push(format!("owner {} → {}", show(&ot.owner), show(&t.owner)));
    }
    if ot.duration_min != t.duration_min {
        let m = |d: Option<u32>| d.map_or_else(|| "until the next task".to_owned(), |d| format!("{d} min"));
        out.push(format!("duration {} → {}", m(ot.duration_min), m(t.duration_min)));
    }
    if ot.notes != t.notes {
        out.push(format!("notes {} → {}", show(&ot.notes), show(&t.notes)));
    }
    if ot.commands != t.commands {
        out.push("commands".to_owned());
    }
    let rest = |x: &Task| Task {
        id: TaskId::default(),
        time: Default::default(),
        day: 0,
        offset: None,
        title: String::new(),
        owner: String::new(),
        duration_min: None,
        notes: String::new(),
        commands: Vec::new(),
        ..x.clone()
    };
    if out.is_empty() && rest(ot) != rest(t) {
        out.push("other fields".to_owned());
    }
    out
}

fn show(s: &str) -> String {
    if s.is_empty() { "(none)".to_owned() } else { format!("`{s}`") }
}

/// What each run recorded on the task, one line a run; empty when nothing was.
fn progress(snap: &Snapshot, task: &TaskId) -> Vec<String> {
    let mut out = Vec::new();
    for run in snap.runs() {
        let k = key(run.id.as_str(), task.as_str());
        let rec = snap.task_record(run.id.as_str(), task.as_str());
        let comments = snap.members(entity::TASK, &k, "comments").len();
        let checkpoint = snap.has_record(entity::CHECKPOINT, &k);
        if rec.status == TaskStatus::Pending && comments == 0 && !checkpoint {
            continue;
        }
        let mut parts = Vec::new();
        if rec.status != TaskStatus::Pending {
            let by = rec.finished_by.as_ref().or(rec.started_by.as_ref());
            parts.push(match by {
                Some(s) if s.role.is_empty() => format!("{} by {}", rec.status, s.name),
                Some(s) => format!("{} by {} ({})", rec.status, s.name, s.role),
                None => rec.status.to_string(),
            });
        }
        if comments > 0 {
            parts.push(format!("{comments} comment(s)"));
        }
        if checkpoint {
            parts.push("checkpoint sign-offs or decision".to_owned());
        }
        out.push(format!("{}: {}", run.id, parts.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests;
