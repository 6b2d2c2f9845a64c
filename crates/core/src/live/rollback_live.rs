//! The rollback part of the live picture: the gauge before a decision (the point of no return,
//! backout now and at worst, against the deadline and the window's end) and, once a rollback is
//! decided, its steps with their forecast from the decision and its end against the window's.

use super::{RED_WITHIN_MINUTES, Result, Snapshot, entity, key, minutes, schedule, step_minutes};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use warroom_model::live::{Rag, RollbackDecision, RollbackLive, RollbackStepLive, Run, SignOff, Stamp};

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct RollbackRecord {
    decision: Option<RollbackDecision>,
    decided_by: Option<Stamp>,
    reason: Option<String>,
    incident: Option<String>,
    override_reason: Option<String>,
    opened: bool,
    opened_by: Option<Stamp>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
struct StepRecord {
    done: bool,
    done_by: Option<Stamp>,
}

/// The rollback gauge. The point of no return (`decide_by`) is the deadline, or earlier if the
/// rollback would not fit before the window ends. Green: the implementation is forecast to end
/// before it. Amber: it is not. Red: it is not and the point is less than RED_WITHIN_MINUTES
/// away, or rolling back now would already overrun the window. Closed: past the deadline (fix
/// forward only, unless overridden) or the run is over.
pub(super) fn rollback_live(
    snap: &Snapshot,
    run: &Run,
    tz: Tz,
    date: NaiveDate,
    now: DateTime<Utc>,
    plan: &schedule::Plan,
    finish: &[DateTime<Utc>],
) -> Result<RollbackLive> {
    let rb = &snap.runbook;
    let formatter = schedule::Formatter::new(tz);
    let fmt = |t: DateTime<Utc>| formatter.format(t);
    let deadline = rb.rollback.deadline.map(|d| schedule::instant(tz, date, d.on_day(rb.rollback.deadline_day)));
    let window_end = rb.window.as_ref().map(|w| schedule::instant(tz, date, w.end_minutes()));
    let durations = step_minutes(rb, deadline, window_end);
    let total: u32 = durations.iter().map(|(m, _)| m).sum();
    let total_d = Duration::minutes(i64::from(total));
    let rec: RollbackRecord = snap.record(entity::ROLLBACK, &run.id);
    let approvals: Vec<SignOff> = snap.member_values(entity::ROLLBACK, &run.id, "approvals");
    let rolling_back = rec.decision == Some(RollbackDecision::Rollback) && !run.state.is_over();
    let mut steps: Vec<RollbackStepLive> = rb
        .rollback
        .steps
        .iter()
        .zip(&durations)
        .map(|(s, (m, estimated))| {
            let sr: StepRecord = snap.record(entity::STEP, &key(&run.id, &s.id));
            RollbackStepLive {
                id: s.id.clone(),
                title: s.title.clone(),
                minutes: *m,
                estimated: *estimated,
                done: sr.done,
                done_by: sr.done_by,
                forecast_start: None,
                forecast_end: None,
                current: false,
            }
        })
        .collect();
    let restore_by = window_end.or(deadline.map(|d| d + total_d));
    let decided_at = rec.decided_by.as_ref().map(|s| s.at.to_utc());
    let rollback_end = decided_at
        .filter(|_| rec.decision == Some(RollbackDecision::Rollback))
        .map(|from| forecast_steps(&mut steps, from, now, rolling_back, &formatter));
    let margin = rollback_end.zip(restore_by).map(|(e, r)| minutes(r - e));
    let remaining: u32 = if rec.decision == Some(RollbackDecision::Rollback) {
        steps.iter().filter(|s| !s.done).map(|s| s.minutes).sum()
    } else {
        total
    };
    let decide_by = match (deadline, restore_by) {
        (Some(d), Some(r)) => Some(d.min(r - total_d)),
        (None, Some(r)) => Some(r - total_d),
        (d, None) => d,
    };
    let before_deadline = |s: &&DateTime<Utc>| deadline.is_none_or(|d| **s < d);
    let implementation_end =
        plan.start.iter().zip(finish).filter(|(s, _)| before_deadline(s)).map(|(_, f)| *f).max().unwrap_or(now);
    let implementation_planned_end = plan
        .start
        .iter()
        .zip(&plan.finish)
        .filter(|(s, _)| before_deadline(s))
        .map(|(_, f)| *f)
        .max()
        .unwrap_or(implementation_end);
    let backout_now = now + Duration::minutes(i64::from(remaining));
    let backout_worst = implementation_end.max(now) + total_d;
    let slack = decide_by.map_or(0, |d| minutes(d - now));
    let fix_forward_only = deadline.is_some_and(|d| now > d);
    let late = decide_by.is_some_and(|d| implementation_end > d);
    let state = if rolling_back {
        // Rolling back, the gauge follows the rollback's end against the window's, whatever
        // the deadline said before the decision.
        match margin {
            Some(m) if m < 0 => Rag::Red,
            Some(m) if m < ROLLBACK_AMBER_WITHIN_MINUTES => Rag::Amber,
            _ => Rag::Green,
        }
    } else if run.state.is_over() || (fix_forward_only && rec.override_reason.is_none()) {
        Rag::Closed
    } else if restore_by.is_some_and(|r| backout_now > r) || (late && slack <= RED_WITHIN_MINUTES) {
        Rag::Red
    } else if late {
        Rag::Amber
    } else {
        Rag::Green
    };
    let triggers_checked = rb
        .rollback
        .triggers
        .iter()
        .filter(|t| snap.get(entity::TRIGGER, &key(&run.id, &t.id), "checked") == Some(&Value::Bool(true)))
        .map(|t| t.id.clone())
        .collect();
    Ok(RollbackLive {
        state,
        deadline: deadline.map(fmt),
        restore_by: restore_by.map(fmt),
        decide_by: decide_by.map(fmt),
        implementation_end: fmt(implementation_end),
        implementation_planned_end: fmt(implementation_planned_end),
        implementation_variance_minutes: minutes(implementation_end - implementation_planned_end),
        backout_now: fmt(backout_now),
        backout_worst: fmt(backout_worst),
        rollback_minutes: total,
        slack_minutes: slack,
        decision: rec.decision,
        decided_before_deadline_minutes: deadline.zip(decided_at).map(|(d, at)| minutes(d - at)),
        decided_by: rec.decided_by,
        shared_laptops: super::four_eyes::shared_laptops(&approvals),
        approvals,
        reason: rec.reason,
        incident: rec.incident,
        forecast_end: rollback_end.map(fmt),
        margin_minutes: margin,
        override_reason: rec.override_reason,
        opened: rec.opened,
        opened_by: rec.opened_by,
        triggers_checked,
        steps,
        fix_forward_only,
    })
}

/// A rollback this close to the window's end turns the gauge amber.
const ROLLBACK_AMBER_WITHIN_MINUTES: i64 = 15;

/// The rollback's steps in order from the decision at `from`: done steps when they were done,
/// the first one not done (the current one, while `live`) until at least `now`, the rest after
/// it. Returns when the last one is forecast to finish.
fn forecast_steps(
    steps: &mut [RollbackStepLive],
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    live: bool,
    formatter: &schedule::Formatter,
) -> DateTime<Utc> {
    let mut at = from;
    let mut current_found = false;
    for s in steps.iter_mut() {
        let start = at;
        let end = match (&s.done_by, s.done) {
            (Some(by), true) => by.at.to_utc().max(start),
            _ => {
                let planned = start + Duration::minutes(i64::from(s.minutes));
                if !current_found {
                    current_found = true;
                    s.current = live;
                    if live { planned.max(now) } else { planned }
                } else {
                    planned
                }
            }
        };
        s.forecast_start = Some(formatter.format(start));
        s.forecast_end = Some(formatter.format(end));
        at = end;
    }
    at
}
