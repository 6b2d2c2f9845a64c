//! One request onto the live engine: the path every shell's actions take, and the changes
//! that overwrote another laptop's moments before (for the Activity view).

use super::*;
use crate::live::LiveError;
use crate::live::actions::Actions;
use warroom_model::WriteOp;
use warroom_model::api::{Action, Overwrite};

/// Changes that overwrote, moments later, another laptop's different value of the same field:
/// for `events` in log order (by HLC), what each one overwrote.
pub(super) fn overwrites(events: &[warroom_model::Event]) -> Vec<Vec<Overwrite>> {
    use std::collections::HashMap;
    let mut last: HashMap<(&str, &str, &str), (&warroom_model::Event, &serde_json::Value)> = HashMap::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let mut found = Vec::new();
        for w in e.writes.iter().filter(|w| w.op == WriteOp::Set) {
            let key = (w.entity.as_str(), w.id.as_str(), w.field.as_str());
            if let Some((before, value)) = last.get(&key) {
                let ms = (e.hlc >> 16).saturating_sub(before.hlc >> 16);
                if before.origin != e.origin && ms <= OVERWRITE_WINDOW_MS && **value != w.value {
                    found.push(Overwrite {
                        field: format!("{} {} {}", w.entity, w.id, w.field),
                        value: w.value.to_string(),
                        replaced: value.to_string(),
                        replaced_by: before.author.name.clone(),
                        seconds_before: ms as f64 / 1000.0,
                    });
                }
            }
            last.insert(key, (e, &w.value));
        }
        out.push(found);
    }
    out
}

/// Two laptops' changes to one field this close together were most likely made without either
/// seeing the other's.
const OVERWRITE_WINDOW_MS: u64 = 5_000;

/// What one recorded action did.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The event's summary, as the Activity view shows it.
    pub summary: String,
    /// The id of what it made: a run, an incident, a task or another runbook item.
    pub created: Option<String>,
    /// The event's payload (a metric reading's state, for one).
    pub payload: serde_json::Value,
    /// The event itself, for saying it in the reader's language (none for a run created
    /// to start later).
    pub event: Option<warroom_model::Event>,
    /// The run it made, as made: its zone is the runbook's or the machine's when none was asked.
    pub run: Option<warroom_model::live::Run>,
}

impl Recorded {
    fn of(ev: &warroom_model::Event, created: Option<String>) -> Self {
        let summary = ev.summary().unwrap_or(&ev.kind).to_owned();
        Self { summary, created, payload: ev.payload.clone(), event: Some(ev.clone()), run: None }
    }
}

/// Maps one request onto the live engine. `at` back-fills it: when it happened, as
/// `Actions::backfilled_at` reads it; `entered_by` is who typed it, when not its author.
pub fn perform(
    a: &mut Actions<'_>,
    run: Option<&str>,
    at: Option<&str>,
    entered_by: Option<String>,
    action: &Action,
) -> Result<Recorded, LiveError> {
    let at = at.or(match action {
        Action::Task { at, .. } => at.as_deref(),
        _ => None,
    });
    if let Some(text) = at {
        if !action.can_be_backfilled() {
            return Err(LiveError::Refused(warroom_model::Refusal::NotBackfilled));
        }
        let when = a.backfilled_at(run, text)?;
        a.happened_at(when, entered_by);
    }
    let ev = match action {
        Action::RunStart { kind, date, tz, durations_from } => {
            let r = a.run_start(*kind, date, tz, durations_from.as_deref())?;
            let summary = format!("run {} created for {} ({})", r.id, r.date, r.tz);
            return Ok(Recorded {
                summary,
                created: Some(r.id.to_string()),
                payload: serde_json::Value::Null,
                event: None,
                run: Some(r),
            });
        }
        Action::RunEnd { state } => a.run_end(run, *state)?,
        Action::Task { task, verb, note, at } => a.task(run, task, *verb, note.as_deref(), at.as_deref())?,
        Action::Comment { task, text } => a.comment(run, task, text)?,
        Action::CheckpointSign { id, role } => a.checkpoint_sign(run, id, role.as_deref())?,
        Action::CheckpointDecide { id, decision, reason } => {
            a.checkpoint_decide(run, id, *decision, reason.as_deref())?
        }
        Action::RollbackApprove => a.rollback_approve(run)?,
        Action::RollbackDecide { rollback, reason, incident } => {
            a.rollback_decide(run, *rollback, reason, incident.as_deref())?
        }
        Action::RollbackOverride { reason } => a.rollback_override(run, reason)?,
        Action::RollbackStep { id } => a.rollback_step_done(run, id)?,
        Action::RollbackTrigger { id, checked } => a.rollback_trigger(run, id, *checked)?,
        Action::IncidentOpen { title, severity, description, eta_minutes } => {
            let (id, ev) = a.incident_open(run, title, *severity, description, *eta_minutes)?;
            return Ok(Recorded::of(&ev, Some(id)));
        }
        Action::IncidentUpdate { id, note, severity, eta_minutes } => {
            a.incident_update(id, note, *severity, *eta_minutes)?
        }
        Action::IncidentResolve { id, note } => a.incident_resolve(id, note)?,
        Action::MetricRecord { metric, value, unit, source } => {
            a.metric_record(run, metric, *value, unit.as_deref(), source.as_deref())?
        }
        Action::Checklist { id, checked } => a.checklist(run, id, *checked)?,
        Action::EditSet { kind, id, fields } => a.edit_set(*kind, id, fields)?,
        Action::EditAdd { kind, fields, after } => {
            let (id, ev) = a.edit_add(*kind, fields, after.as_deref())?;
            return Ok(Recorded::of(&ev, Some(id)));
        }
        Action::EditAddTask { phase, time, title, owner, after } => {
            let (id, ev) = a.edit_add_task(phase, time, title, owner, after.as_deref())?;
            return Ok(Recorded::of(&ev, Some(id)));
        }
        Action::EditDelete { kind, id } => a.edit_delete(*kind, id)?,
        Action::EditMove { kind, id, after, phase } => a.edit_move(*kind, id, after.as_deref(), phase.as_deref())?,
    };
    Ok(Recorded::of(&ev, None))
}
