//! Notification planning: from the live picture, every moment this laptop's person should be
//! told something (a task of theirs due or overdue, a checkpoint due or waiting for their
//! sign-off, the rollback deadline approaching, the point of no return at risk, a metric in
//! alert, a P1/P2 incident), in their language. `moments` is pure; `ledger` decides which of
//! them to show now, once per laptop, and summarises what passed while the laptop was away;
//! `desktop` delivers them through the desktop's notification service.

pub mod desktop;
pub mod ledger;
#[cfg(test)]
mod tests;
mod text;

use crate::import::vocab::fold;
use crate::live::metric_state;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use warroom_model::live::{Decision, MetricState, Rag, Severity, Status, TaskStatus};
use warroom_model::notify::{Notice, NoticeKind, NotifySettings};
use warroom_model::{Instant, Runbook};

pub use ledger::Ledger;
use text::Texts;

/// The person the plan is for: their role (empty: only what concerns everyone).
#[derive(Clone, Debug)]
pub struct Audience<'a> {
    /// Their role (`DBA`), as set on this laptop; empty when not set.
    pub role: &'a str,
    /// Their lead times, language, and whether they want everyone's tasks.
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
        if t.status.is_closed() || !who.owns(&t.owner, &all_roles) {
            continue;
        }
        if t.status == TaskStatus::Pending
            && !t.checkpoint
            && let Some(start) = parse(&t.forecast_start)
        {
            let at = start - Duration::minutes(i64::from(s.task_due_minutes));
            push(
                at,
                NoticeKind::TaskDue,
                format!("task_due:{}", t.id),
                Some(&t.id),
                tx.task_due(t, s.task_due_minutes),
            );
        }
        // A checkpoint is a decision, not work: it has its own notice, and the work before it
        // being late is told by that work's own.
        if !t.checkpoint
            && let Some(finish) = parse(&t.planned_finish)
        {
            let at = finish + Duration::minutes(i64::from(s.overdue_minutes));
            push(
                at,
                NoticeKind::TaskOverdue,
                format!("task_overdue:{}", t.id),
                Some(&t.id),
                tx.overdue(t, s.overdue_minutes),
            );
        }
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
        // The gauge turned red: the implementation is forecast to end after the point of no
        // return and that point is close, or rolling back now would already overrun the window.
        // The room must decide before it knows whether the go-live worked.
        if rbk.state == Rag::Red
            && let Some(now) = parse(&st.now)
        {
            push(now, NoticeKind::PointOfNoReturn, "point_of_no_return".into(), None, tx.point_of_no_return(rbk));
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

    out.sort_by(|a, b| (parse(&a.at), a.kind, &a.key).cmp(&(parse(&b.at), b.kind, &b.key)));
    out
}

/// The moments in `(from, to]`: what `warroom notify plan` previews.
pub fn plan(moments: Vec<Notice>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Notice> {
    moments.into_iter().filter(|n| parse(&n.at).is_some_and(|at| at > from && at <= to)).collect()
}

/// `n`'s instant.
pub fn at(n: &Notice) -> Option<DateTime<Utc>> {
    parse(&n.at).map(|t| t.with_timezone(&Utc))
}
