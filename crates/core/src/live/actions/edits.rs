//! Edits of the runbook during a run: setting fields, adding, deleting and moving entities, each
//! refused unless the runbook still reads back.

use super::{Actions, Result, refused};
use crate::live::{LiveError, Snapshot};
use crate::store::records;
use serde_json::{Value, json};
use warroom_model::Refusal;
use warroom_model::api::EditKind;
use warroom_model::{Event, Runbook, Write};

impl Actions<'_> {
    /// Sets fields of a runbook entity (`task 2.3 owner="QA Lead"`); refused unless the runbook
    /// still reads back with the new values.
    pub fn edit_set(&mut self, kind: EditKind, id: &str, assignments: &[(String, String)]) -> Result<Event> {
        let snap = self.snap()?;
        let (entity, id) = edit_target(kind, id);
        if !exists(&snap, entity, &id) {
            return Err(LiveError::Unknown { kind: "entity", id: format!("{kind} {id}") });
        }
        let mut writes = Vec::new();
        for (field, raw) in assignments {
            if ["id", "order", "phase", "deleted", "uid"].contains(&field.as_str()) {
                return Err(refused(Refusal::NotSetThisWay { field: field.clone() }));
            }
            let current = snap.get(entity, &id, field);
            let value = match current {
                Some(Value::String(_)) | None => serde_json::from_str::<Value>(raw)
                    .ok()
                    .filter(|v| !v.is_string() && current.is_none())
                    .unwrap_or_else(|| json!(raw)),
                Some(_) => serde_json::from_str(raw).unwrap_or_else(|_| json!(raw)),
            };
            if entity == "metric" && (field == "target" || field == "alert") {
                let condition = crate::import::parse_condition(value.as_str().unwrap_or_default());
                writes.push(Write::set(entity, &id, &format!("{field}_condition"), json!(condition)));
            }
            writes.push(Write::set(entity, &id, field, value));
        }
        self.validated_edit(&snap, "runbook.edit", format!("edited {kind} {id}"), writes)
    }

    /// Adds a task to a phase (after `after`, else at its end).
    pub fn edit_add_task(
        &mut self,
        phase: &str,
        time: &str,
        title: &str,
        owner: &str,
        after: Option<&str>,
    ) -> Result<(String, Event)> {
        let snap = self.snap()?;
        let rb = &snap.runbook;
        let (pi, p) = rb
            .phases
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == phase)
            .ok_or_else(|| LiveError::Unknown { kind: "phase", id: phase.into() })?;
        let t = warroom_model::ClockTime::parse_hhmm(time)
            .ok_or_else(|| refused(Refusal::BadTime { text: time.to_owned() }))?;
        let mut n = p.tasks.len() + 1;
        let mut id = format!("{}.{n}", pi + 1);
        while rb.task(&id).is_some() || snap.get("task", &id, "title").is_some() {
            n += 1;
            id = format!("{}.{n}", pi + 1);
        }
        let after = after.or_else(|| p.tasks.last().map(|t| t.id.as_str()));
        let order = new_order(&snap, "task", p.tasks.iter().map(|t| t.id.as_str()).collect(), after)?;
        let day = p.tasks.first().map_or(p.start_day, |f| f.day);
        let writes = vec![
            Write::set("task", &id, "phase", json!(phase)),
            Write::set("task", &id, "order", json!(order)),
            Write::set("task", &id, "time", json!(t)),
            Write::set("task", &id, "day", json!(day)),
            Write::set("task", &id, "title", json!(title)),
            Write::set("task", &id, "owner", json!(owner)),
            Write::set("task", &id, "deleted", json!(false)),
        ];
        let ev = self.validated_edit(&snap, "runbook.edit", format!("added task {id} — {title}"), writes)?;
        Ok((id, ev))
    }

    /// Adds a phase, contact, rollback step, metric, trigger, matrix row, checklist item or
    /// command, after `after` (else at the end of its list), with the fields given.
    pub fn edit_add(
        &mut self,
        kind: EditKind,
        assignments: &[(String, String)],
        after: Option<&str>,
    ) -> Result<(String, Event)> {
        let snap = self.snap()?;
        let (entity, _) = edit_target(kind, "");
        let prefix = match entity {
            "phase" => "p",
            "contact" => "c",
            "step" => "r",
            "metric" => "m",
            "trigger" => "t",
            "matrix" => "d",
            "checklist" => "k",
            "command" => "x",
            _ => return Err(refused(Refusal::NotAddedThisWay { kind: kind.to_string() })),
        };
        let used = snap.ids(entity);
        let n = used.iter().filter_map(|i| i.strip_prefix(prefix)?.parse::<u32>().ok()).max().unwrap_or(0) + 1;
        let id = format!("{prefix}{n}");
        let siblings = list_ids(&snap.runbook, entity);
        let after = after.or(siblings.last().map(String::as_str));
        let order = new_order(&snap, entity, siblings.iter().map(String::as_str).collect(), after)?;
        let mut writes =
            vec![Write::set(entity, &id, "order", json!(order)), Write::set(entity, &id, "deleted", json!(false))];
        for (field, raw) in assignments {
            if ["id", "order", "deleted"].contains(&field.as_str()) {
                return Err(refused(Refusal::SetByWarroom { field: field.clone() }));
            }
            let value =
                serde_json::from_str::<Value>(raw).ok().filter(|v| !v.is_string()).unwrap_or_else(|| json!(raw));
            if entity == "metric" && (field == "target" || field == "alert") {
                let condition = crate::import::parse_condition(raw);
                writes.push(Write::set(entity, &id, &format!("{field}_condition"), json!(condition)));
            }
            writes.push(Write::set(entity, &id, field, value));
        }
        let ev = self.validated_edit(&snap, "runbook.edit", format!("added {kind} {id}"), writes)?;
        Ok((id, ev))
    }

    /// Deletes a runbook entity (a field like any other: `deleted = true`).
    pub fn edit_delete(&mut self, kind: EditKind, id: &str) -> Result<Event> {
        let snap = self.snap()?;
        let (entity, id) = edit_target(kind, id);
        if !exists(&snap, entity, &id) || ["runbook", "rollback"].contains(&entity) {
            return Err(LiveError::Unknown { kind: "entity", id: format!("{kind} {id}") });
        }
        self.validated_edit(
            &snap,
            "runbook.edit",
            format!("deleted {kind} {id}"),
            vec![Write::set(entity, &id, "deleted", json!(true))],
        )
    }

    /// Moves an entity after another of its list (to the front without `after`); a task may
    /// move to another phase.
    pub fn edit_move(
        &mut self,
        kind: EditKind,
        id: &str,
        after: Option<&str>,
        to_phase: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let (entity, id) = edit_target(kind, id);
        if !exists(&snap, entity, &id) {
            return Err(LiveError::Unknown { kind: "entity", id: format!("{kind} {id}") });
        }
        let rb = &snap.runbook;
        let mut writes = Vec::new();
        let siblings: Vec<String> = match entity {
            "task" => {
                let phase = match to_phase {
                    Some(p) => {
                        writes.push(Write::set("task", &id, "phase", json!(p)));
                        p.to_owned()
                    }
                    None => snap.get("task", &id, "phase").and_then(Value::as_str).unwrap_or_default().to_owned(),
                };
                let p = rb
                    .phases
                    .iter()
                    .find(|x| x.id == phase)
                    .ok_or_else(|| LiveError::Unknown { kind: "phase", id: phase.clone() })?;
                p.tasks.iter().map(|t| t.id.to_string()).collect()
            }
            _ => list_ids(rb, entity),
        };
        let siblings: Vec<&str> = siblings.iter().map(String::as_str).filter(|s| *s != id).collect();
        let order = new_order(&snap, entity, siblings, after)?;
        writes.push(Write::set(entity, &id, "order", json!(order)));
        self.validated_edit(&snap, "runbook.edit", format!("moved {kind} {id}"), writes)
    }

    fn validated_edit(&mut self, snap: &Snapshot, kind: &str, summary: String, writes: Vec<Write>) -> Result<Event> {
        // The runbook as it would read with the edit: the written fields over the current ones.
        let written: std::collections::BTreeMap<_, _> =
            writes.iter().map(|w| ((w.entity.clone(), w.id.clone(), w.field.clone()), &w.value)).collect();
        let kept = snap.state.fields.iter().filter(|(k, _)| !written.contains_key(*k)).map(|(k, v)| (k, &v.value));
        records::runbook_from_fields(kept.chain(written.iter().map(|(k, v)| (k, *v))))
            .map_err(|e| refused(Refusal::InvalidEdit { why: e.to_string() }))?;
        self.commit(kind, summary, json!({}), writes)
    }
}

fn edit_target(kind: EditKind, id: &str) -> (&'static str, String) {
    match kind {
        EditKind::Rollback => (records::ROLLBACK, records::MAIN.into()),
        EditKind::Runbook => (records::RUNBOOK, records::MAIN.into()),
        other => (other.name(), id.to_owned()),
    }
}

fn exists(snap: &Snapshot, entity: &str, id: &str) -> bool {
    snap.state
        .fields
        .range((entity.to_owned(), id.to_owned(), String::new())..)
        .next()
        .is_some_and(|((e, i, _), _)| e == entity && i == id)
        && snap.get(entity, id, "deleted") != Some(&json!(true))
}

fn list_ids(rb: &Runbook, entity: &str) -> Vec<String> {
    match entity {
        "phase" => rb.phases.iter().map(|x| x.id.clone()).collect(),
        "contact" => rb.contacts.iter().map(|x| x.id.clone()).collect(),
        "step" => rb.rollback.steps.iter().map(|x| x.id.clone()).collect(),
        "metric" => rb.metrics.iter().map(|x| x.id.clone()).collect(),
        "trigger" => rb.rollback.triggers.iter().map(|x| x.id.clone()).collect(),
        "matrix" => rb.rollback.matrix.iter().map(|x| x.id.clone()).collect(),
        "checklist" => rb.checklist.iter().map(|x| x.id.clone()).collect(),
        "command" => rb.commands.iter().map(|x| x.id.clone()).collect(),
        _ => Vec::new(),
    }
}

/// An `order` between `after` and the sibling that follows it (first without `after`).
fn new_order(snap: &Snapshot, entity: &str, siblings: Vec<&str>, after: Option<&str>) -> Result<f64> {
    let order_of = |id: &str| snap.get(entity, id, "order").and_then(Value::as_f64).unwrap_or(0.0);
    let orders: Vec<f64> = siblings.iter().map(|s| order_of(s)).collect();
    Ok(match after {
        None => orders.iter().copied().fold(f64::INFINITY, f64::min).min(1.0) - 1.0,
        Some(a) => {
            let i = siblings
                .iter()
                .position(|s| *s == a)
                .ok_or_else(|| LiveError::Unknown { kind: "entity", id: a.into() })?;
            match orders.get(i + 1) {
                Some(next) => (orders[i] + next) / 2.0,
                None => orders[i] + 1.0,
            }
        }
    })
}
