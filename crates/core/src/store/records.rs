//! How a runbook is stored: as entities (`runbook`, `phase`, `task`, `contact`, ...) whose
//! fields are the serde fields of the model types, plus `order` (a number, so a move is one
//! write), `phase` (a task's phase) and `deleted`. Reading groups the fields back into the model.

use super::state::FieldKey;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::value::MapDeserializer;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use warroom_model::{
    ChecklistItem, CommandRef, Contact, MatrixRow, Metric, Phase, RawSection, Rollback, RollbackStep, Runbook, Task,
    Trigger, Write,
};

/// The entity holding the runbook's own fields (title, window, …), id `MAIN`.
pub const RUNBOOK: &str = "runbook";
/// The entity holding the rollback procedure's own fields (deadline, …), id `MAIN`.
pub const ROLLBACK: &str = "rollback";
/// The single runbook (and rollback procedure) a database holds.
pub const MAIN: &str = "main";

/// About how many fields an entity writes, sparse (its fields that are not defaults) and in
/// all: a task, the most common entity, has 20 and rarely more than 8 that are set.
const FIELDS_SPARSE: usize = 8;
const FIELDS_ALL: usize = 22;

/// Entities that are lists in the runbook, with the model field they fill.
const LISTS: &[&str] =
    &["contact", "phase", "task", "trigger", "matrix", "step", "metric", "checklist", "command", "appendix"];

/// A stored entity whose fields do not deserialize into its model type.
#[derive(Debug, thiserror::Error)]
#[error("stored {entity} `{id}` does not read back: {source}")]
pub struct RecordError {
    /// The entity kind (`task`, `phase`, …).
    pub entity: String,
    /// Its id.
    pub id: String,
    /// What serde said.
    #[source]
    pub source: serde_json::Error,
}

/// An entity's fields by name (`flat::fields`), with fields added or replaced.
struct Named(Vec<(&'static str, Value)>);

impl Named {
    fn of<T: Serialize>(value: &T) -> Self {
        Self(super::flat::fields(value))
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    fn set(&mut self, name: &'static str, value: Value) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(held) => held.1 = value,
            None => self.0.push((name, value)),
        }
    }

    fn remove(&mut self, names: &[&str]) {
        self.0.retain(|(n, _)| !names.contains(n));
    }
}

/// A field's default: absent fields read back as it, so they need not be written.
pub fn is_default(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(true) => false,
    }
}

fn push_entity(out: &mut Vec<Write>, entity: &str, id: &str, mut fields: Named, sparse: bool) {
    // In name order, as a JSON object's fields were: an entity's writes go in key order.
    fields.0.sort_by_key(|(name, _)| *name);
    for (field, value) in fields.0 {
        if field != "id" && !(sparse && is_default(&value)) {
            out.push(Write::set(entity, id, field, value));
        }
    }
}

fn push_list<T: Serialize>(
    out: &mut Vec<Write>,
    entity: &str,
    items: &[T],
    sparse: bool,
    extra: impl Fn(&T) -> Vec<(&'static str, Value)>,
) {
    for (i, item) in items.iter().enumerate() {
        let mut fields = Named::of(item);
        let id = fields.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        fields.set("order", json!(i + 1));
        for (k, v) in extra(item) {
            fields.set(k, v);
        }
        push_entity(out, entity, &id, fields, sparse);
    }
}

/// Every field of the runbook as writes.
pub fn runbook_writes(rb: &Runbook) -> Vec<Write> {
    writes(rb, false)
}

/// `runbook_writes` without the fields that hold their default: what a fresh import stores.
pub fn runbook_writes_sparse(rb: &Runbook) -> Vec<Write> {
    writes(rb, true)
}

fn writes(rb: &Runbook, sparse: bool) -> Vec<Write> {
    // Room for every field at once: grown by doubling, a 10,000-task runbook's writes were
    // copied a dozen times into fresh pages, a tenth of a large import's time.
    let entities = 2
        + rb.contacts.len()
        + rb.phases.iter().map(|p| 1 + p.tasks.len()).sum::<usize>()
        + rb.rollback.triggers.len()
        + rb.rollback.matrix.len()
        + rb.rollback.steps.len()
        + rb.metrics.len()
        + rb.checklist.len()
        + rb.commands.len()
        + rb.appendix.len();
    let mut out = Vec::with_capacity(entities * if sparse { FIELDS_SPARSE } else { FIELDS_ALL });
    // Shallow copies: the lists are written as entities of their own.
    let head = Runbook {
        id: String::new(),
        title: rb.title.clone(),
        version: rb.version.clone(),
        date: rb.date.clone(),
        go_live_day: rb.go_live_day.clone(),
        window: rb.window.clone(),
        zone: rb.zone.clone(),
        hypercare: rb.hypercare.clone(),
        hypercare_hours: rb.hypercare_hours,
        overview: rb.overview.clone(),
        labels: rb.labels.clone(),
        ..Runbook::default()
    };
    let mut head = Named::of(&head);
    head.remove(&["id", "contacts", "phases", "rollback", "metrics", "checklist", "commands", "appendix"]);
    head.set("uid", json!(rb.id));
    push_entity(&mut out, RUNBOOK, MAIN, head, sparse);
    let r = &rb.rollback;
    let rollback = Rollback {
        deadline: r.deadline,
        deadline_day: r.deadline_day,
        deadline_notes: r.deadline_notes.clone(),
        default_step_minutes: r.default_step_minutes,
        ..Rollback::default()
    };
    let mut rollback = Named::of(&rollback);
    rollback.remove(&["triggers", "matrix", "steps"]);
    push_entity(&mut out, ROLLBACK, MAIN, rollback, sparse);
    push_list(&mut out, "contact", &rb.contacts, sparse, |_| vec![]);
    for (pi, phase) in rb.phases.iter().enumerate() {
        let head = Phase {
            id: phase.id.clone(),
            label: phase.label.clone(),
            name: phase.name.clone(),
            start: phase.start,
            start_day: phase.start_day,
            end: phase.end,
            end_day: phase.end_day,
            open_end: phase.open_end,
            tasks: Vec::new(),
        };
        let mut fields = Named::of(&head);
        fields.remove(&["tasks"]);
        fields.set("order", json!(pi + 1));
        push_entity(&mut out, "phase", &phase.id, fields, sparse);
        push_list(&mut out, "task", &phase.tasks, sparse, |_| vec![("phase", json!(phase.id))]);
    }
    push_list(&mut out, "trigger", &r.triggers, sparse, |_| vec![]);
    push_list(&mut out, "matrix", &r.matrix, sparse, |_| vec![]);
    push_list(&mut out, "step", &r.steps, sparse, |_| vec![]);
    push_list(&mut out, "metric", &rb.metrics, sparse, |_| vec![]);
    push_list(&mut out, "checklist", &rb.checklist, sparse, |_| vec![]);
    push_list(&mut out, "command", &rb.commands, sparse, |_| vec![]);
    push_list(&mut out, "appendix", &rb.appendix, sparse, |_| vec![]);
    out
}

/// The writes that turn `current` into `target`: changed fields, and `deleted` for entities
/// that `target` no longer has (or has again).
pub fn diff_writes(current: &BTreeMap<FieldKey, Value>, target: &Runbook) -> Vec<Write> {
    let wanted = runbook_writes(target);
    let mut entities: HashMap<(String, String), ()> = HashMap::new();
    let mut out = Vec::new();
    for w in wanted {
        entities.insert((w.entity.clone(), w.id.clone()), ());
        let key = (w.entity.clone(), w.id.clone(), w.field.clone());
        let same = match current.get(&key) {
            Some(v) => *v == w.value,
            None => is_default(&w.value),
        };
        if !same {
            out.push(w);
        }
    }
    let mut seen: HashMap<(String, String), ()> = HashMap::new();
    for (entity, id, _) in current.keys() {
        let key = (entity.clone(), id.clone());
        if seen.insert(key.clone(), ()).is_some() || !LISTS.contains(&entity.as_str()) {
            continue;
        }
        let deleted = current.get(&(entity.clone(), id.clone(), "deleted".into())) == Some(&json!(true));
        let present = entities.contains_key(&key);
        if present && deleted {
            out.push(Write::set(entity, id, "deleted", json!(false)));
        } else if !present && !deleted {
            out.push(Write::set(entity, id, "deleted", json!(true)));
        }
    }
    out
}

/// One entity's fields, borrowed from wherever they are held.
type Fields<'a> = Vec<(&'a str, &'a Value)>;

/// Entity kind → id → fields, all borrowed.
type Grouped<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Fields<'a>>>;

fn group<'a>(fields: impl IntoIterator<Item = (&'a FieldKey, &'a Value)>) -> Grouped<'a> {
    let mut g: Grouped<'a> = BTreeMap::new();
    // Fields arrive in key order from a map or the store, so an entity's come one after
    // another: looked up once per entity, not once per field.
    let mut current: Option<(&str, &str, Fields<'a>)> = None;
    for ((entity, id, field), value) in fields {
        match &mut current {
            Some((e, i, f)) if *e == entity.as_str() && *i == id.as_str() => f.push((field, value)),
            _ => {
                if let Some((e, i, f)) = current.take() {
                    g.entry(e).or_default().entry(i).or_default().extend(f);
                }
                current = Some((entity, id, vec![(field.as_str(), value)]));
            }
        }
    }
    if let Some((e, i, f)) = current {
        g.entry(e).or_default().entry(i).or_default().extend(f);
    }
    g
}

fn get<'a>(fields: &Fields<'a>, name: &str) -> Option<&'a Value> {
    fields.iter().find(|(f, _)| *f == name).map(|(_, v)| *v)
}

/// `T` read from an entity's fields, with `id` (when given) in place of any stored `id`.
fn read<T: DeserializeOwned>(
    entity: &str,
    id: &str,
    fields: &Fields<'_>,
    with_id: Option<&Value>,
) -> Result<T, RecordError> {
    let err = |source| RecordError { entity: entity.into(), id: id.into(), source };
    let pairs = fields.iter().copied().filter(|(f, _)| with_id.is_none() || *f != "id");
    let pairs = pairs.chain(with_id.map(|v| ("id", v)));
    T::deserialize(MapDeserializer::<_, serde_json::Error>::new(pairs)).map_err(err)
}

/// An entity of a list: its order, id, phase field (tasks) and value.
type Listed<'a, T> = (f64, &'a str, Option<&'a Value>, T);

fn live_list<'a, T: DeserializeOwned>(g: &Grouped<'a>, entity: &str) -> Result<Vec<Listed<'a, T>>, RecordError> {
    let mut out = Vec::new();
    for (id, fields) in g.get(entity).into_iter().flatten() {
        if get(fields, "deleted") == Some(&Value::Bool(true)) {
            continue;
        }
        let item: T = read(entity, id, fields, Some(&Value::String((*id).to_owned())))?;
        let order = get(fields, "order").and_then(Value::as_f64).unwrap_or(0.0);
        out.push((order, *id, get(fields, "phase"), item));
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    Ok(out)
}

fn items<T: DeserializeOwned>(g: &Grouped<'_>, entity: &str) -> Result<Vec<T>, RecordError> {
    Ok(live_list(g, entity)?.into_iter().map(|(_, _, _, t)| t).collect())
}

/// Rebuilds the runbook from field values, read where they are (a map's or the merged state's
/// entries) rather than copied; `None` when nothing was imported yet.
pub fn runbook_from_fields<'a>(
    fields: impl IntoIterator<Item = (&'a FieldKey, &'a Value)>,
) -> Result<Option<Runbook>, RecordError> {
    let g = group(fields);
    let Some(main) = g.get(RUNBOOK).and_then(|m| m.get(MAIN)) else {
        return Ok(None);
    };
    let uid = get(main, "uid").cloned().unwrap_or(json!(""));
    let pairs: Fields<'_> = main.iter().copied().filter(|(f, _)| *f != "uid").collect();
    let mut rb: Runbook = read(RUNBOOK, MAIN, &pairs, Some(&uid))?;
    if let Some(rollback) = g.get(ROLLBACK).and_then(|m| m.get(MAIN)) {
        rb.rollback = read(ROLLBACK, MAIN, rollback, None)?;
    }
    let mut phases: Vec<Phase> = items(&g, "phase")?;
    let mut by_phase: HashMap<&str, Vec<Task>> = HashMap::new();
    for (_, _, phase, task) in live_list::<Task>(&g, "task")? {
        by_phase.entry(phase.and_then(Value::as_str).unwrap_or_default()).or_default().push(task);
    }
    for p in &mut phases {
        p.tasks = by_phase.remove(p.id.as_str()).unwrap_or_default();
    }
    rb.phases = phases;
    rb.contacts = items::<Contact>(&g, "contact")?;
    rb.rollback.triggers = items::<Trigger>(&g, "trigger")?;
    rb.rollback.matrix = items::<MatrixRow>(&g, "matrix")?;
    rb.rollback.steps = items::<RollbackStep>(&g, "step")?;
    rb.metrics = items::<Metric>(&g, "metric")?;
    rb.checklist = items::<ChecklistItem>(&g, "checklist")?;
    rb.commands = items::<CommandRef>(&g, "command")?;
    rb.appendix = items::<RawSection>(&g, "appendix")?;
    Ok(Some(rb))
}

/// Whether fields of `entity` are part of the runbook (rather than of a run, a room or a
/// laptop): a write to one changes the runbook.
pub fn is_runbook_entity(entity: &str) -> bool {
    entity == RUNBOOK || entity == ROLLBACK || LISTS.contains(&entity)
}

/// The runbook's entity kinds as an SQL list (`'runbook', 'rollback', 'contact', …`).
pub(crate) fn runbook_entities_sql() -> String {
    [RUNBOOK, ROLLBACK].iter().chain(LISTS).map(|e| format!("'{e}'")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    fn fields_of(writes: &[Write]) -> BTreeMap<FieldKey, Value> {
        writes.iter().map(|w| ((w.entity.clone(), w.id.clone(), w.field.clone()), w.value.clone())).collect()
    }

    #[test]
    fn a_runbook_survives_writes_and_back() {
        let rb = demo::runbook().unwrap().runbook;
        let back = runbook_from_fields(&fields_of(&runbook_writes(&rb))).unwrap().unwrap();
        assert_eq!(back, rb);
        let sparse = runbook_writes_sparse(&rb);
        assert!(sparse.len() * 2 < runbook_writes(&rb).len(), "defaults are not stored");
        assert_eq!(runbook_from_fields(&fields_of(&sparse)).unwrap().unwrap(), rb);
    }

    #[test]
    fn diff_treats_absent_as_default_both_ways() {
        let rb = demo::runbook().unwrap().runbook;
        let current = fields_of(&runbook_writes_sparse(&rb));
        assert!(diff_writes(&current, &rb).is_empty());
        let mut edited = rb.clone();
        edited.phases[0].tasks[1].owner = String::new();
        edited.phases[0].tasks[2].notes = "bring the key".into();
        let d = diff_writes(&current, &edited);
        assert_eq!(d.len(), 2, "{d:?}");
        let mut after = current.clone();
        after.extend(fields_of(&d));
        assert_eq!(runbook_from_fields(&after).unwrap().unwrap(), edited);
    }

    #[test]
    fn diff_writes_only_what_changed_and_deletes_what_went() {
        let rb = demo::runbook().unwrap().runbook;
        let current = fields_of(&runbook_writes(&rb));
        assert!(diff_writes(&current, &rb).is_empty());
        let mut edited = rb.clone();
        edited.phases[0].tasks[0].owner = "DBA".into();
        edited.phases[0].tasks.remove(1);
        let d = diff_writes(&current, &edited);
        assert!(d.iter().any(|w| w.id == "1.1" && w.field == "owner" && w.value == json!("DBA")));
        assert!(d.iter().any(|w| w.id == "1.2" && w.field == "deleted" && w.value == json!(true)));
        let mut after = current.clone();
        after.extend(fields_of(&d));
        assert_eq!(runbook_from_fields(&after).unwrap().unwrap(), edited);
    }
}
