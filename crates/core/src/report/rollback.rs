//! The record's Rollback and Incidents sections: the decision (rollback or fix forward) with its
//! reason, who took it and who approved it from which laptop, the incident and decision-matrix
//! row it followed, its margin to the deadline, each rollback step with who and when; and each
//! incident with the matrix's recommendation and what was decided about it.

use super::when::{Times, margin, minutes_between};
use super::{Block, Cell, Record};
use warroom_model::live::{IncidentLive, RollbackDecision, Stamp, Status};
use warroom_model::{Event, MatrixAction, MatrixRow, Write};

/// The rollback decision as the status holds it.
pub(super) struct Decided<'a> {
    pub(super) decision: RollbackDecision,
    pub(super) by: &'a Stamp,
    pub(super) reason: &'a str,
    /// The incident it named, if any.
    pub(super) incident: Option<&'a str>,
}

impl<'a> Decided<'a> {
    pub(super) fn of(st: &'a Status) -> Option<Self> {
        let r = &st.rollback;
        Some(Self {
            decision: r.decision?,
            by: r.decided_by.as_ref()?,
            reason: r.reason.as_deref().unwrap_or_default(),
            incident: r.incident.as_deref(),
        })
    }

    pub(super) fn word(&self) -> &'static str {
        match self.decision {
            RollbackDecision::Rollback => "ROLLBACK",
            RollbackDecision::FixForward => "FIX FORWARD",
        }
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

/// What the matrix advises, in the words a reader uses.
fn action_words(a: MatrixAction) -> &'static str {
    match a {
        MatrixAction::Rollback => "roll back",
        MatrixAction::FixForward => "fix forward",
        MatrixAction::DisableFeature => "disable the feature",
        MatrixAction::Other => "see the matrix",
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
    let decided = Decided::of(st);
    let mut rows: Vec<(&str, String)> = Vec::new();
    match &decided {
        Some(d) => {
            rows.push(("Decision", d.word().to_owned()));
            rows.push(("Reason", d.reason.to_owned()));
            rows.push(("Decided by", format!("{} ({}) on laptop {}", d.by.name, d.by.role, d.by.device)));
            rows.push(("When", when_decided(&d.by.at, r.deadline.as_ref(), t)));
            if let Some(e) = &d.by.entered_at {
                let who = d.by.entered_by.as_deref().unwrap_or(&d.by.name);
                rows.push(("Entered", format!("{} by {who}, back-filled", t.at(e))));
            }
            if let Some(o) = &r.override_reason {
                rows.push(("Override", format!("after the deadline: {o}")));
            }
        }
        None => rows.push(("Decision", "none taken: neither a rollback nor a fix forward was decided".into())),
    }
    let approved = approvals(&rec.events);
    rows.push((
        "Approved by",
        if approved.is_empty() {
            "nobody".into()
        } else {
            approved
                .iter()
                .map(|a| {
                    let shared =
                        if r.shared_laptops.contains(&a.device) { " (SAME LAPTOP as another approver)" } else { "" };
                    format!("{} — {}, {} on laptop {}{shared}", a.role, a.name, t.at(&a.at), a.device)
                })
                .collect::<Vec<_>>()
                .join("; ")
        },
    ));
    if !r.shared_laptops.is_empty() {
        rows.push((
            "Four eyes",
            format!(
                "FLAGGED: more than one person approved on laptop {}; the approvals may not be independent",
                r.shared_laptops.join(", ")
            ),
        ));
    }
    let incident = decided.as_ref().and_then(|d| d.incident).and_then(|id| st.incidents.iter().find(|i| i.id == id));
    rows.push(("Incident followed", incident.map_or_else(|| "not recorded with the decision".into(), incident_name)));
    rows.push((
        "Decision-matrix row",
        match incident.map(|i| &i.matrix.row) {
            Some(Some(m)) => row_words(m),
            Some(None) => "no row of the matrix fits the incident".into(),
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
    let decided = Decided::of(st);
    for i in &st.incidents {
        b.push(Block::Subheading(format!("{} — {}", incident_name(i), if i.open { "open" } else { "resolved" })));
        if !i.description.is_empty() {
            b.push(Block::Text(i.description.clone()));
        }
        let mut rows = vec![vec![Cell::from("Opened"), Cell::from(t.stamp(&i.opened_by))]];
        let advice = match (i.recommendation, &i.matrix.row) {
            (Some(a), Some(m)) => format!("{} (row {})", action_words(a), row_words(m)),
            (Some(a), None) => format!(
                "{} (no row fits; the candidates agree: {})",
                action_words(a),
                i.matrix.candidates.iter().map(row_words).collect::<Vec<_>>().join(" / ")
            ),
            (None, _) if i.matrix.candidates.is_empty() => "no row of the decision matrix fits".to_owned(),
            (None, _) => format!(
                "no row fits and the candidates disagree: {}",
                i.matrix.candidates.iter().map(row_words).collect::<Vec<_>>().join(" / ")
            ),
        };
        rows.push(vec!["Matrix recommends".into(), advice.into()]);
        rows.push(vec!["Decided".into(), decided_for(i, decided.as_ref(), t).into()]);
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
fn decided_for(i: &IncidentLive, d: Option<&Decided<'_>>, t: &Times) -> String {
    let Some(d) = d else {
        return "no rollback or fix-forward decision".into();
    };
    let who = format!("{} by {} ({}), {}", d.word(), d.by.name, d.by.role, t.at(&d.by.at));
    if d.incident == Some(i.id.as_str()) {
        return format!("{who}, naming this incident");
    }
    let opened = i.opened_by.at.to_utc();
    let resolved = i.resolved_by.as_ref().map(|r| r.at.to_utc());
    let at = d.by.at.to_utc();
    if opened <= at && resolved.is_none_or(|r| r >= at) {
        format!("{who}, while it was open (the decision names no incident)")
    } else {
        "no rollback or fix-forward decision while it was open".into()
    }
}
