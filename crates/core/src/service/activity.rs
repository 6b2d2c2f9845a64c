//! The Activity list's words: for each event, what it is about (the task, checkpoint, step,
//! metric or incident by its id and name, and what the person wrote) and the state it set, so
//! that a screen says the event in its reader's language rather than the English summary the
//! log recorded.

use serde_json::Value;
use warroom_model::api::Outcome;
use warroom_model::{Event, Runbook, WriteOp};

/// What `e` is about and the state it set, the runbook (`rb`) naming what the event only numbers.
pub(super) fn describe(e: &Event, rb: Option<&Runbook>) -> (String, Option<Outcome>) {
    let field = |name: &str| e.payload.get(name).filter(|v| !v.is_null());
    let text = |name: &str| e.said(name).map(str::to_owned);
    let written = |name: &str| e.writes.iter().find(|w| w.field == name && w.op == WriteOp::Set).map(|w| &w.value);
    let with_reason = |about: String| match text("reason").filter(|r| !r.trim().is_empty()) {
        Some(r) => format!("{about}: {r}"),
        None => about,
    };
    let summary = e.summary().unwrap_or_default().to_owned();
    let task = |id: Option<String>| {
        let id = id.unwrap_or_default();
        match rb.and_then(|rb| rb.task(&id)) {
            Some(t) => format!("{id} {}", t.title),
            None => id,
        }
    };
    match e.kind.as_str() {
        "task.undo" => (task(text("task")), None),
        "task.comment" | "incident.update" | "metric.record" => (summary, None),
        k if k.starts_with("task.") && field("to").is_some() => {
            (with_reason(task(text("task"))), decode(field("to")).map(Outcome::Task))
        }
        "checkpoint.sign" => (task(text("checkpoint")), None),
        "checkpoint.decide" => {
            (with_reason(task(text("checkpoint"))), decode(field("decision")).map(Outcome::Checkpoint))
        }
        "rollback.approve" => (String::new(), None),
        "rollback.decide" | "rollback.override" => {
            (text("reason").unwrap_or_default(), decode(field("decision")).map(Outcome::Rollback))
        }
        "rollback.step" => {
            let id = text("step").unwrap_or_default();
            let step = rb.and_then(|rb| rb.rollback.steps.iter().find(|s| s.id == id));
            (step.map_or(id, |s| s.title.clone()), None)
        }
        "rollback.trigger" => {
            let id = text("trigger").unwrap_or_default();
            let trigger = rb.and_then(|rb| rb.rollback.triggers.iter().find(|t| t.id == id));
            let about = trigger.map_or(id, |t| format!("{} {}", t.name, t.condition).trim().to_owned());
            (about, written("checked").and_then(Value::as_bool).map(Outcome::Trigger))
        }
        "checklist.tick" => {
            let id = text("item").unwrap_or_default();
            let item = rb.and_then(|rb| rb.checklist.iter().find(|c| c.id == id));
            (item.map_or(id, |c| c.text.clone()), written("checked").and_then(Value::as_bool).map(Outcome::Check))
        }
        "run.start" => {
            let run = text("run").unwrap_or_default();
            let day = written("date").and_then(Value::as_str).unwrap_or_default();
            let zone = written("tz").and_then(Value::as_str).unwrap_or_default();
            (format!("{run} · {day} ({zone})"), None)
        }
        "run.end" => (text("run").unwrap_or_default(), None),
        "incident.open" => {
            let id = text("incident").unwrap_or_default();
            let severity = text("severity").unwrap_or_default().to_uppercase();
            let title = written("title").and_then(Value::as_str).unwrap_or_default();
            (format!("{id} {severity} {title}").trim().to_owned(), None)
        }
        "incident.resolve" => (text("incident").unwrap_or_default(), None),
        "runbook.import" | "runbook.reimport" => (e.imported_file().unwrap_or_default().to_owned(), None),
        "runbook.edit" => {
            let mut targets: Vec<String> = Vec::new();
            for w in &e.writes {
                let t = format!("{} {}", w.entity, w.id);
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
            (targets.join(", "), None)
        }
        "me.name" | "me.role" => (String::new(), None),
        _ => (summary, None),
    }
}

/// A value of the payload as the type it was written from; `None` when absent or another shape.
fn decode<T: serde::de::DeserializeOwned>(v: Option<&Value>) -> Option<T> {
    v.and_then(|v| serde_json::from_value(v.clone()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::live::actions::{Actions, TaskAction};
    use crate::store::Store;
    use chrono::{TimeZone, Utc};
    use warroom_model::Author;
    use warroom_model::live::{Decision, RunKind, TaskStatus};

    #[test]
    fn an_event_is_described_by_its_task_and_state_not_by_english_words() {
        let clock = FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 31, 0, 30, 0).unwrap());
        let mut store = Store::open_in_memory().unwrap();
        let lan = Author { name: "Lan".into(), role: "Tech Lead".into() };
        store.import(&crate::demo::runbook().unwrap(), &lan, false, &clock).unwrap();
        let rb = store.require_runbook().unwrap();
        let first = rb.tasks().find(|t| !t.checkpoint).unwrap().clone();
        let checkpoint = rb.tasks().find(|t| t.checkpoint).unwrap().clone();
        let mut act = Actions::new(&mut store, lan.clone(), &clock);
        act.run_start(RunKind::Live, "2026-01-31", "Asia/Ho_Chi_Minh", None).unwrap();
        let start = act.task(None, first.id.as_str(), TaskAction::Start, None, None).unwrap();
        let hold = act.checkpoint_decide(None, checkpoint.id.as_str(), Decision::Hold, Some("chờ DBA")).unwrap();
        let (about, outcome) = describe(&start, Some(&rb));
        assert_eq!(about, format!("{} {}", first.id, first.title));
        assert_eq!(outcome, Some(Outcome::Task(TaskStatus::InProgress)));
        assert!(!about.contains("in_progress"));
        let (about, outcome) = describe(&hold, Some(&rb));
        assert_eq!(about, format!("{} {}: chờ DBA", checkpoint.id, checkpoint.title));
        assert_eq!(outcome, Some(Outcome::Checkpoint(Decision::Hold)));
    }
}
