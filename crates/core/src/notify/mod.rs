//! Notification planning: from the live picture, every moment this laptop's person should be
//! told something (a task of theirs due or overdue, a checkpoint due or waiting for their
//! sign-off, the rollback deadline approaching, the point of no return at risk, a metric in
//! alert, a P1/P2 incident, a rollback or fix forward decided and each rollback step), in their
//! language. Once a rollback is decided, the go-live's reminders stop (`decided`). `moments` is pure; `ledger` decides which of
//! them to show now, once per laptop, and summarises what passed while the laptop was away;
//! `desktop` delivers them through the desktop's notification service.

mod decided;
pub mod desktop;
pub mod ledger;
#[cfg(test)]
mod tests;
mod text;

use crate::import::vocab::fold;
use crate::live::{RED_WITHIN_MINUTES, metric_state};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use warroom_model::live::{Decision, MetricState, RollbackLive, Severity, Status, TaskStatus};
use warroom_model::notify::{Notice, NoticeKind, NotifySettings};
use warroom_model::{Instant, Runbook};

pub use ledger::Ledger;
use text::Texts;

/// The person the plan is for: their role (empty: only what concerns everyone).
#[derive(Clone, Debug)]
pub struct Audience<'a> {
    pub role: &'a str,
    pub settings: &'a NotifySettings,
}

impl Audience<'_> {
    /// Is a task owned by `owner` theirs?
    fn owns(&self, owner: &str, all_roles: &[String]) -> bool {
        if self.settings.everyone {
            return true;
        }
        warroom_model::is_mine(owner, self.role, all_roles)
    }

    fn is_me(&self, role: &str) -> bool {
        let me = fold(self.role);
        !me.is_empty() && fold(role) == me
    }
}

// Every instant of the picture is one; kept as an Option so the rules below read alike.
#[expect(clippy::unnecessary_wraps, reason = "the rules chain it with other optional instants")]
fn parse(at: &Instant) -> Option<DateTime<FixedOffset>> {
    Some(at.0)
}

/// Every notification `who` gets for the run as it now stands and is forecast, due or not yet
/// due, in time order. Nothing for closed tasks, decided checkpoints, or a run that is over.
pub fn moments(rb: &Runbook, st: &Status, who: &Audience<'_>) -> Vec<Notice> {
    if st.run.state.is_over() || !who.settings.enabled {
        return Vec::new();
    }
    let tz: Option<chrono_tz::Tz> = st.run.tz.parse().ok();
    let local = |t: DateTime<FixedOffset>| match tz {
        Some(tz) => Instant(t.with_timezone(&tz).fixed_offset()),
        None => Instant(t),
    };
    let tx = Texts::new(who.settings.lang, tz);
    let all_roles = rb.roles();
    let s = who.settings;
    let mut out = Vec::new();
    let mut push =
        |at: DateTime<FixedOffset>, kind, key: String, task_id: Option<&str>, (title, body): (String, String)| {
            out.push(Notice { at: local(at), kind, title, body, task_id: task_id.map(Into::into), key });
        };

    for t in &st.tasks {
        // Failed and blocked tasks wait for a decision, not for their owner to be reminded.
        let workable = matches!(t.status, TaskStatus::Pending | TaskStatus::InProgress);
        // A checkpoint is a decision, not work: it has its own notice, and the work before it
        // being late is told by that work's own.
        if !workable || t.checkpoint || !who.owns(&t.owner, &all_roles) {
            continue;
        }
        let due = (t.status == TaskStatus::Pending)
            .then(|| t.forecast_start.0 - Duration::minutes(i64::from(s.task_due_minutes)));
        if let Some(at) = due {
            push(
                at,
                NoticeKind::TaskDue,
                format!("task_due:{}", t.id),
                Some(&t.id),
                tx.task_due(t, s.task_due_minutes),
            );
        }
        // Overdue counts from when it should finish: its planned finish, or its planned minutes
        // after the work before it let it start, when that was late; so a task held up by that
        // work is not told overdue, let alone before it is told to start.
        let expected = t.planned_finish.0.max(t.earliest_start.0 + Duration::minutes(t.planned_minutes));
        let at = (expected + Duration::minutes(i64::from(s.overdue_minutes))).max(due.unwrap_or(expected));
        push(
            at,
            NoticeKind::TaskOverdue,
            format!("task_overdue:{}", t.id),
            Some(&t.id),
            tx.overdue(t, expected, s.overdue_minutes),
        );
    }

    for c in &st.checkpoints {
        if c.decision != Decision::Pending {
            continue;
        }
        let closed = st.tasks.iter().any(|t| t.id == c.id && t.status.is_closed());
        let mine = who.settings.everyone || c.required.iter().any(|r| who.is_me(r));
        if mine
            && !closed
            && let Some(at) = parse(&c.forecast)
        {
            let at = at - Duration::minutes(i64::from(s.checkpoint_minutes));
            push(
                at,
                NoticeKind::CheckpointDue,
                format!("checkpoint_due:{}", c.id),
                Some(&c.id),
                tx.checkpoint_due(c, s.checkpoint_minutes),
            );
        }
        // Everyone else has signed: the decision waits for me alone.
        if let [only] = &c.missing[..]
            && who.is_me(only)
            && let Some(at) = c.signed.iter().filter_map(|x| parse(&x.by.at)).max()
        {
            push(
                at,
                NoticeKind::SignoffWaiting,
                format!("signoff_waiting:{}", c.id),
                Some(&c.id),
                tx.signoff_waiting(c),
            );
        }
    }

    let rbk = &st.rollback;
    if rbk.decision.is_none()
        && let Some(decide_by) = rbk.decide_by.as_ref().and_then(parse)
    {
        let mut marks = s.deadline_minutes.clone();
        marks.sort_unstable_by(|a, b| b.cmp(a));
        marks.dedup();
        for m in marks {
            let at = decide_by - Duration::minutes(i64::from(m));
            push(at, NoticeKind::RollbackDeadline, format!("rollback_deadline:{m}"), None, tx.deadline(rbk, m));
        }
        // When the forecast says the gauge turns red: the room must decide before it knows
        // whether the go-live worked. It moves as the forecast does.
        if let Some(at) = turns_red(rbk, st.now.0) {
            push(at, NoticeKind::PointOfNoReturn, "point_of_no_return".into(), None, tx.point_of_no_return(rbk));
        }
    }

    for m in &st.metrics {
        if m.state != MetricState::Alert {
            continue;
        }
        let Some(def) = rb.metrics.iter().find(|d| d.id == m.id) else { continue };
        // The crossing: the first reading of the alerting streak that ends with the last one.
        let streak = m
            .readings
            .iter()
            .rposition(|r| metric_state(&def.target_condition, &def.alert_condition, r.value) != MetricState::Alert)
            .map_or(0, |i| i + 1);
        if let Some(r) = m.readings.get(streak)
            && let Some(at) = parse(&r.by.at)
        {
            push(at, NoticeKind::MetricAlert, format!("metric_alert:{}:{streak}", m.id), None, tx.metric_alert(m));
        }
    }

    for i in &st.incidents {
        if i.open
            && matches!(i.severity, Some(Severity::P1 | Severity::P2))
            && let Some(at) = parse(&i.opened_by.at)
        {
            push(at, NoticeKind::Incident, format!("incident:{}", i.id), None, tx.incident(i));
        }
    }

    decided::told(st, &tx, &mut out);
    for n in &mut out {
        n.at = local(n.at.0);
    }
    out.sort_by(|a, b| (parse(&a.at), a.kind, &a.key).cmp(&(parse(&b.at), b.kind, &b.key)));
    out
}

/// When the forecast says the rollback gauge turns red (or turned): the point of no return is
/// under `RED_WITHIN_MINUTES` away with the implementation forecast to end after it, or
/// rolling back from then on would end after the window. Never once the deadline has passed:
/// the gauge is closed then.
fn turns_red(r: &RollbackLive, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let decide_by = r.decide_by.as_ref()?.0;
    let late = r.implementation_end.0 > decide_by;
    let near = late.then(|| decide_by - Duration::minutes(RED_WITHIN_MINUTES));
    let rollback_left = r.backout_now.0 - now;
    let overrun = r.restore_by.as_ref().map(|end| end.0 - rollback_left);
    // Red from `near` on, but only after `overrun`; closed once past the deadline.
    let deadline = r.deadline.as_ref().map(|d| d.0);
    let near = near.filter(|t| deadline.is_none_or(|d| *t <= d));
    let overrun = overrun.filter(|t| deadline.is_none_or(|d| *t < d));
    near.into_iter().chain(overrun).min()
}

/// The moments in `(from, to]`: what `warroom notify plan` previews.
pub fn plan(moments: Vec<Notice>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Notice> {
    moments.into_iter().filter(|n| parse(&n.at).is_some_and(|at| at > from && at <= to)).collect()
}

/// `n`'s instant.
pub fn at(n: &Notice) -> Option<DateTime<Utc>> {
    parse(&n.at).map(|t| t.with_timezone(&Utc))
}
