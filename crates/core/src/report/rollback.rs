//! The record's Rollback and Incidents sections: the decision (rollback or fix forward) with its
//! reason, who took it and who approved it from which laptop, the incident and decision-matrix
//! row it followed, its margin to the deadline, each rollback step with who and when; and each
//! incident with the matrix's recommendation and what was decided about it.

use super::when::{Times, margin, minutes_between};
use super::{Block, Cell, Record};
use warroom_model::live::{IncidentLive, Stamp};
use warroom_model::{Event, MatrixAction, MatrixRow, Runbook, Write};

/// The rollback decision as the log holds it: the last `rollback.decide` or `.override`.
pub(super) struct DecisionEvent<'a> {
    pub(super) event: &'a Event,
    pub(super) rollback: bool,
    pub(super) reason: String,
    /// The incident it named, if any.
    pub(super) incident: Option<String>,
}

impl<'a> DecisionEvent<'a> {
    pub(super) fn last(events: &'a [Event]) -> Option<Self> {
        let event = events
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "rollback.decide" | "rollback.override"))
            .max_by_key(|e| (e.hlc, e.origin.as_str()))?;
        let text = |k: &str| event.payload.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        Some(Self {
            event,
            rollback: text("decision").as_deref() == Some("rollback"),
            reason: text("reason").unwrap_or_default(),
            incident: text("incident"),
        })
    }

    pub(super) fn word(&self) -> &'static str {
        if self.rollback { "ROLLBACK" } else { "FIX FORWARD" }
    }
}

/// Each approval of a rollback: who, as which role, on which laptop, when.
fn approvals(events: &[Event]) -> Vec<Stamp> {
    events
        .iter()
        .filter(|e| e.kind == "rollback.approve")
        .flat_map(|e| e.writes.iter())
        .filter_map(|w: &Write| w.value.get("by").and_then(|b| serde_json::from_value::<Stamp>(b.clone()).ok()))
        .collect()
}

/// The decision-matrix row behind an incident's recommendation.
fn matrix_row<'r>(rb: &'r Runbook, i: &IncidentLive) -> Option<&'r MatrixRow> {
    let sev = i.severity?.to_string();
    rb.rollback.matrix.iter().find(|m| {
        m.severity.trim().eq_ignore_ascii_case(&sev)
            && m.approvers == i.approvers
            && i.recommendation.as_deref() == Some(action_word(m.action))
    })
}

fn action_word(a: MatrixAction) -> &'static str {
    match a {
        MatrixAction::Rollback => "rollback",
        MatrixAction::FixForward => "fix_forward",
        MatrixAction::DisableFeature => "disable_feature",
        MatrixAction::Other => "other",
    }
}

/// `rollback`, `fix_forward` → words a reader uses.
fn recommendation_words(r: &str) -> &str {
    match r {
        "rollback" => "roll back",
        "fix_forward" => "fix forward",
        "disable_feature" => "disable the feature",
        other => other,
    }
}

/// `Data corruption (P1): YES; approvers Tech Lead + DBA`.
fn row_words(m: &MatrixRow) -> String {
    format!("{} ({}): {}; approvers {}", m.issue, m.severity, m.rollback, m.approver)
}

fn incident_name(i: &IncidentLive) -> String {
    format!("{} {}", i.severity.map_or_else(String::new, |s| s.to_string()), i.title).trim().to_owned()
}

/// The rollback section.
pub(super) fn rollback(b: &mut Vec<Block>, rec: &Record, t: &Times) {
    let st = &rec.status;
    let r = &st.rollback;
    b.push(Block::Heading("Rollback".into()));
    b.push(Block::Text(format!(
        "Deadline {} · point of no return {} · the system restored by {} · {} min of rollback steps",
        r.deadline.as_ref().map_or_else(|| "none".to_owned(), |d| t.at(d)),
        t.at_opt(&r.decide_by),
        r.restore_by.as_ref().map_or_else(|| "—".to_owned(), |d| t.at(d)),
        r.rollback_minutes
    )));
    let decision = DecisionEvent::last(&rec.events);
    let mut rows: Vec<(&str, String)> = Vec::new();
    match (&decision, &r.decided_by) {
        (Some(d), Some(by)) => {
            rows.push(("Decision", d.word().to_owned()));
            rows.push(("Reason", d.reason.clone()));
            rows.push(("Decided by", format!("{} ({}) on laptop {}", by.name, by.role, by.device)));
            rows.push(("When", when_decided(&by.at, r.deadline.as_ref(), t)));
            let entered = t.millis(d.event.wall_ms);
            if let Some(e) = entered.filter(|e| (e.to_utc() - by.at.to_utc()).num_minutes().abs() >= 1) {
                rows.push((
                    "Entered",
                    format!(
                        "{} by {} ({}) on laptop {}",
                        t.at(&e),
                        d.event.author.name,
                        d.event.author.role,
                        d.event.origin.get(..8).unwrap_or(&d.event.origin)
                    ),
                ));
            }
            if let Some(o) = &r.override_reason {
                rows.push(("Override", format!("after the deadline: {o}")));
            }
        }
        _ => rows.push(("Decision", "none taken: neither a rollback nor a fix forward was decided".into())),
    }
    let approved = approvals(&rec.events);
    rows.push((
        "Approved by",
        if approved.is_empty() {
            "nobody".into()
        } else {
            approved
                .iter()
                .map(|a| format!("{} — {}, {} on laptop {}", a.role, a.name, t.at(&a.at), a.device))
                .collect::<Vec<_>>()
                .join("; ")
        },
    ));
    let incident =
        decision.as_ref().and_then(|d| d.incident.as_deref()).and_then(|id| st.incidents.iter().find(|i| i.id == id));
    rows.push(("Incident followed", incident.map_or_else(|| "not recorded with the decision".into(), incident_name)));
    rows.push((
        "Decision-matrix row",
        match incident.and_then(|i| matrix_row(&rec.runbook, i)) {
            Some(m) => row_words(m),
            None if incident.is_some() => "no row of the matrix fits the incident".into(),
            None => "not recorded (the decision names no incident)".into(),
        },
    ));
    if let Some(o) = &r.opened_by {
        rows.push(("Opened by a NO-GO", t.stamp(o)));
    }
    b.push(Block::Table {
        head: Vec::new(),
        widths: vec![0.24, 0.76],
        rows: rows.into_iter().map(|(k, v)| vec![Cell::from(k), Cell::from(v)]).collect(),
        keyed: true,
    });
    let steps = r
        .steps
        .iter()
        .enumerate()
        .map(|(n, s)| {
            vec![
                (n + 1).to_string().into(),
                s.title.as_str().into(),
                format!("{}{}", s.minutes, if s.estimated { " (share)" } else { "" }).into(),
                s.done_by.as_ref().map_or_else(String::new, |d| format!("{} ({})", d.name, d.role)).into(),
                s.done_by.as_ref().map_or_else(String::new, |d| t.at(&d.at)).into(),
            ]
        })
        .collect();
    b.push(Block::Subheading("Rollback steps".into()));
    b.push(super::document::table(
        &["#", "Step", "Minutes", "Done by", "When"],
        &[0.05, 0.45, 0.12, 0.23, 0.15],
        steps,
    ));
    if !rec.runbook.rollback.triggers.is_empty() {
        let triggers = rec
            .runbook
            .rollback
            .triggers
            .iter()
            .map(|tr| {
                let met = r.triggers_checked.contains(&tr.id);
                vec![
                    tr.name.as_str().into(),
                    tr.condition.as_str().into(),
                    Cell { text: if met { "met" } else { "" }.into(), strong: met },
                ]
            })
            .collect();
        b.push(Block::Subheading("Triggers".into()));
        b.push(super::document::table(&["Trigger", "Condition", "Met"], &[0.35, 0.5, 0.15], triggers));
    }
}

/// `02:08 (21/03), 7 min before the 02:15 (21/03) deadline`.
fn when_decided(at: &warroom_model::Instant, deadline: Option<&warroom_model::Instant>, t: &Times) -> String {
    match deadline {
        Some(d) => {
            let m = minutes_between(at, d);
            let side = if m >= 0 { "before" } else { "after" };
            format!("{}, {} {side} the {} deadline", t.at(at), margin(m), t.at(d))
        }
        None => t.at(at),
    }
}

/// Each incident with its updates, the matrix's recommendation, what was decided and its
/// resolution.
pub(super) fn incidents(b: &mut Vec<Block>, rec: &Record, t: &Times) {
    let st = &rec.status;
    b.push(Block::Heading("Incidents".into()));
    if st.incidents.is_empty() {
        b.push(Block::Text("None.".into()));
    }
    let decision = DecisionEvent::last(&rec.events);
    for i in &st.incidents {
        b.push(Block::Subheading(format!("{} — {}", incident_name(i), if i.open { "open" } else { "resolved" })));
        if !i.description.is_empty() {
            b.push(Block::Text(i.description.clone()));
        }
        let mut rows = vec![vec![Cell::from("Opened"), Cell::from(t.stamp(&i.opened_by))]];
        let advice = match (&i.recommendation, matrix_row(&rec.runbook, i)) {
            (Some(r), Some(m)) => format!("{} (row {})", recommendation_words(r), row_words(m)),
            (Some(r), None) => recommendation_words(r).to_owned(),
            (None, _) => "no row of the decision matrix for its severity".to_owned(),
        };
        rows.push(vec!["Matrix recommends".into(), advice.into()]);
        rows.push(vec!["Decided".into(), decided_for(i, decision.as_ref(), st, t).into()]);
        rows.extend(
            i.updates
                .iter()
                .map(|u| vec![Cell::from(format!("{} {}", t.at(&u.by.at), u.by.name)), Cell::from(u.text.as_str())]),
        );
        if let Some(res) = &i.resolved_by {
            rows.push(vec!["Resolved".into(), t.stamp(res).into()]);
        }
        b.push(Block::Table { head: Vec::new(), widths: vec![0.25, 0.75], rows, keyed: true });
    }
}

/// What was decided about an incident: the decision that named it, or one taken while it was
/// open, or none.
fn decided_for(i: &IncidentLive, d: Option<&DecisionEvent<'_>>, st: &warroom_model::live::Status, t: &Times) -> String {
    let (Some(d), Some(by)) = (d, st.rollback.decided_by.as_ref()) else {
        return "no rollback or fix-forward decision".into();
    };
    let who = format!("{} by {} ({}), {}", d.word(), by.name, by.role, t.at(&by.at));
    if d.incident.as_deref() == Some(i.id.as_str()) {
        return format!("{who}, naming this incident");
    }
    let opened = i.opened_by.at.to_utc();
    let resolved = i.resolved_by.as_ref().map(|r| r.at.to_utc());
    let at = by.at.to_utc();
    if opened <= at && resolved.is_none_or(|r| r >= at) {
        format!("{who}, while it was open (the decision names no incident)")
    } else {
        "no rollback or fix-forward decision while it was open".into()
    }
}
