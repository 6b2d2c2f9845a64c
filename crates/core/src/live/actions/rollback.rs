//! The rollback procedure: approvals, the rollback or fix-forward decision (and the override
//! after the deadline), rollback steps and triggers.

use super::{Actions, Result, refused};
use crate::live::four_eyes::{self, Cover};
use crate::live::{LiveError, Snapshot, entity, key};
use serde_json::json;
use warroom_model::Instant;
use warroom_model::Refusal;
use warroom_model::live::SignOff;
use warroom_model::live::{Run, RunState, Status};
use warroom_model::{Event, MatrixAction, MatrixRow, Runbook, Write};

impl Actions<'_> {
    /// Approves a rollback as the author's role, on this laptop (the stamp names it). A person
    /// approves once: refused if they already approved, in any role.
    pub fn rollback_approve(&mut self, run: Option<&str>) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let by = self.stamp(self.now());
        let given: Vec<SignOff> = snap.member_values(entity::ROLLBACK, &r.id, "approvals");
        if let Some(a) = four_eyes::already(&given, &by.name) {
            return Err(refused(Refusal::OnePersonTwoRoles { name: a.by.name.clone(), role: a.role.clone() }));
        }
        self.commit(
            "rollback.approve",
            format!("rollback approved by {} ({})", by.name, by.role),
            json!({ "run": r.id }),
            vec![Write::add(entity::ROLLBACK, &r.id, "approvals", json!({ "role": by.role, "by": by }))],
        )
    }

    /// Decides rollback or fix forward. Before the deadline a rollback needs the approvals of a
    /// decision-matrix row that says roll back (the incident's row with `incident`); after it,
    /// only fix forward, unless `rollback_override`.
    pub fn rollback_decide(
        &mut self,
        run: Option<&str>,
        rollback: bool,
        reason: &str,
        incident: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let now = self.now();
        let st = crate::live::status(&snap, &r, now)?;
        if reason.trim().is_empty() {
            return Err(refused(Refusal::ReasonForRollback));
        }
        if rollback {
            if st.rollback.fix_forward_only {
                return Err(refused(Refusal::PastDeadline {
                    deadline: st.rollback.deadline.map(Instant::hm).unwrap_or_default(),
                }));
            }
            approved(&snap, &r, &st, incident)?;
        }
        self.record_decision(&r, rollback, reason, None, incident)
    }

    /// Rolls back after the deadline: allowed with a reason and the approvals the decision matrix
    /// names (from distinct people), and recorded as an override.
    pub fn rollback_override(&mut self, run: Option<&str>, reason: &str) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        if reason.trim().is_empty() {
            return Err(refused(Refusal::ReasonForOverride));
        }
        let st = crate::live::status(&snap, &r, self.now())?;
        approved(&snap, &r, &st, None)?;
        self.record_decision(&r, true, reason, Some(reason), None)
    }

    fn record_decision(
        &mut self,
        r: &Run,
        rollback: bool,
        reason: &str,
        override_reason: Option<&str>,
        incident: Option<&str>,
    ) -> Result<Event> {
        let by = self.stamp(self.now());
        let decision = if rollback { "rollback" } else { "fix_forward" };
        let mut writes = vec![
            Write::set(entity::ROLLBACK, &r.id, "decision", json!(decision)),
            Write::set(entity::ROLLBACK, &r.id, "reason", json!(reason)),
            Write::set(entity::ROLLBACK, &r.id, "decided_by", json!(by)),
        ];
        if let Some(o) = override_reason {
            writes.push(Write::set(entity::ROLLBACK, &r.id, "override_reason", json!(o)));
        }
        if let Some(i) = incident {
            writes.push(Write::set(entity::ROLLBACK, &r.id, "incident", json!(i)));
        }
        let kind = if override_reason.is_some() { "rollback.override" } else { "rollback.decide" };
        self.commit(
            kind,
            format!("decision: {decision} — {reason}"),
            json!({ "run": r.id, "decision": decision, "reason": reason }),
            writes,
        )
    }

    /// Ticks a rollback step; the last one ends the run as rolled back.
    pub fn rollback_step_done(&mut self, run: Option<&str>, step: &str) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let s = snap
            .runbook
            .rollback
            .steps
            .iter()
            .find(|s| s.id == step)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "rollback step", id: step.into() })?;
        if snap.get(entity::ROLLBACK, &r.id, "decision") != Some(&json!("rollback")) {
            return Err(refused(Refusal::NoRollbackDecided));
        }
        let now = self.now();
        let mut writes = vec![
            Write::set(entity::STEP, &key(&r.id, step), "done", json!(true)),
            Write::set(entity::STEP, &key(&r.id, step), "done_by", json!(self.stamp(now))),
        ];
        let others_done = snap
            .runbook
            .rollback
            .steps
            .iter()
            .filter(|x| x.id != step)
            .all(|x| snap.get(entity::STEP, &key(&r.id, &x.id), "done") == Some(&json!(true)));
        if others_done {
            writes.push(Write::set(entity::RUN, &r.id, "state", json!(RunState::RolledBack)));
            writes.push(Write::set(entity::RUN, &r.id, "ended_at", json!(now.to_rfc3339())));
        }
        self.commit(
            "rollback.step",
            format!("rollback step {step} done — {}", s.title),
            json!({ "run": r.id, "step": step }),
            writes,
        )
    }

    /// Marks a rollback trigger as met (or clears it) in the active run.
    pub fn rollback_trigger(&mut self, run: Option<&str>, trigger: &str, checked: bool) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let t = snap
            .runbook
            .rollback
            .triggers
            .iter()
            .find(|t| t.id == trigger)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "rollback trigger", id: trigger.into() })?;
        self.commit(
            "rollback.trigger",
            format!("trigger {} {}", t.name, if checked { "met" } else { "cleared" }),
            json!({ "run": r.id, "trigger": trigger }),
            vec![Write::set(entity::TRIGGER, &key(&r.id, trigger), "checked", json!(checked))],
        )
    }
}

/// Refused unless one of the decision matrix's rows (`approver_rows`) has each of its roles
/// approved by a different person.
fn approved(snap: &Snapshot, r: &Run, st: &Status, incident: Option<&str>) -> Result<()> {
    let approvals: Vec<SignOff> = snap.member_values(entity::ROLLBACK, &r.id, "approvals");
    let rows = approver_rows(&snap.runbook, st, incident)?;
    if rows.is_empty() {
        return Ok(());
    }
    let covers: Vec<Cover> = rows.iter().map(|need| four_eyes::cover(need, &approvals)).collect();
    if covers.contains(&Cover::Met) {
        return Ok(());
    }
    if let Some(Cover::SamePerson(name)) = covers.iter().find(|c| matches!(c, Cover::SamePerson(_))) {
        let role = four_eyes::already(&approvals, name).map(|a| a.role.clone()).unwrap_or_default();
        return Err(refused(Refusal::OnePersonTwoRoles { name: name.clone(), role }));
    }
    let options: Vec<String> = rows.iter().map(|r| r.join(" + ")).collect();
    let roles = approvals.into_iter().map(|a| a.role).collect();
    Err(refused(Refusal::ApprovalsMissing { needed: options, approved: roles }))
}

/// Approver sets from the decision matrix: the row the incident fits; when none does, its
/// candidate rows that roll back; without an incident (or candidates), every row that rolls back.
fn approver_rows(rb: &Runbook, st: &Status, incident: Option<&str>) -> Result<Vec<Vec<String>>> {
    let rolls_back = |m: &&MatrixRow| m.action == MatrixAction::Rollback && !m.approvers.is_empty();
    if let Some(id) = incident {
        let inc = st
            .incidents
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(|| LiveError::Unknown { kind: "incident", id: id.into() })?;
        if let Some(row) = &inc.matrix.row {
            return Ok(if row.approvers.is_empty() { Vec::new() } else { vec![row.approvers.clone()] });
        }
        let candidates: Vec<Vec<String>> =
            inc.matrix.candidates.iter().filter(rolls_back).map(|m| m.approvers.clone()).collect();
        if !candidates.is_empty() {
            return Ok(candidates);
        }
    }
    Ok(rb.rollback.matrix.iter().filter(rolls_back).map(|m| m.approvers.clone()).collect())
}
