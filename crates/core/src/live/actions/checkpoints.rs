//! Checkpoints: sign-offs by the required roles and GO / NO-GO / HOLD decisions (a NO-GO opens
//! the rollback procedure).

use super::{Actions, Result, TASK_FIELDS, refused};
use crate::live::{LiveError, Snapshot, entity, key};
use serde_json::{Value, json};
use warroom_model::Refusal;
use warroom_model::live::{Decision, SignOff, TaskStatus};
use warroom_model::{Event, Write};

impl Actions<'_> {
    fn checkpoint_task(snap: &Snapshot, id: &str) -> Result<warroom_model::Task> {
        let t =
            snap.runbook.task(id).cloned().ok_or_else(|| LiveError::Unknown { kind: "checkpoint", id: id.into() })?;
        if !t.checkpoint {
            return Err(refused(Refusal::NotACheckpoint { id: id.to_owned() }));
        }
        Ok(t)
    }

    /// Signs a checkpoint as `role` (default: the author's), recording what the signer had seen.
    pub fn checkpoint_sign(&mut self, run: Option<&str>, id: &str, role: Option<&str>) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let t = Self::checkpoint_task(&snap, id)?;
        let role = role.map(str::to_owned).unwrap_or_else(|| self.author.role.clone());
        let required = snap.required_roles(&t.owner);
        let Some(role) =
            required.iter().find(|x| crate::import::vocab::fold(x) == crate::import::vocab::fold(&role)).cloned()
        else {
            return Err(refused(Refusal::NotASigner { id: id.to_owned(), role: role.to_owned(), required }));
        };
        let k = key(&r.id, id);
        let signed: Vec<SignOff> = snap.member_values(entity::CHECKPOINT, &k, "signoffs");
        if let Some(first) = signed.iter().find(|s| warroom_model::same_role(&s.role, &role)) {
            return Err(refused(Refusal::AlreadySigned { id: id.to_owned(), role, by: first.by.name.clone() }));
        }
        let s = SignOff { role: role.clone(), by: self.stamp(self.now()), seen_events: snap.event_count };
        self.commit(
            "checkpoint.sign",
            format!("{id} signed by {} as {role}", self.author.name),
            json!({ "run": r.id, "checkpoint": id }),
            vec![Write::add(entity::CHECKPOINT, &k, "signoffs", json!(s))],
        )
    }

    /// Decides a checkpoint. GO needs every required sign-off; NO-GO and HOLD need a reason, and
    /// NO-GO opens the rollback procedure.
    pub fn checkpoint_decide(
        &mut self,
        run: Option<&str>,
        id: &str,
        decision: Decision,
        reason: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let t = Self::checkpoint_task(&snap, id)?;
        let now = self.now();
        let status = crate::live::status(&snap, &r, now)?;
        let cp = status.checkpoints.iter().find(|c| c.id == id).cloned().unwrap_or_default();
        let reason = reason.map(str::trim).filter(|s| !s.is_empty());
        match decision {
            Decision::Go if !cp.missing.is_empty() => {
                return Err(refused(Refusal::SignOffsMissing { id: id.to_owned(), missing: cp.missing.clone() }));
            }
            Decision::NoGo | Decision::Hold if reason.is_none() => {
                return Err(refused(Refusal::ReasonForDecision));
            }
            Decision::Pending => return Err(refused(Refusal::DecisionNeeded)),
            _ => {}
        }
        let k = key(&r.id, id);
        let tk = key(&r.id, &t.id);
        let stamp = self.stamp(now);
        let mut undo = self.before(&snap, entity::TASK, &tk, &TASK_FIELDS);
        undo.extend(self.before(
            &snap,
            entity::CHECKPOINT,
            &k,
            &[("decision", Value::Null), ("reason", Value::Null), ("decided_by", Value::Null)],
        ));
        let rec = snap.task_record(&r.id, &t.id);
        let task_status = match decision {
            Decision::Go => TaskStatus::Done,
            Decision::NoGo => TaskStatus::Failed,
            _ => TaskStatus::Blocked,
        };
        let mut writes = vec![
            Write::set(entity::CHECKPOINT, &k, "decision", json!(decision)),
            Write::set(entity::CHECKPOINT, &k, "reason", json!(reason)),
            Write::set(entity::CHECKPOINT, &k, "decided_by", json!(stamp)),
            Write::set(entity::TASK, &tk, "status", json!(task_status)),
            Write::set(entity::TASK, &tk, "reason", json!(reason)),
        ];
        if rec.actual_start.is_none() {
            writes.push(Write::set(entity::TASK, &tk, "actual_start", json!(now)));
        }
        if decision == Decision::Go {
            writes.push(Write::set(entity::TASK, &tk, "actual_finish", json!(now)));
            writes.push(Write::set(entity::TASK, &tk, "finished_by", json!(stamp)));
        }
        if decision == Decision::NoGo {
            writes.push(Write::set(entity::ROLLBACK, &r.id, "opened", json!(true)));
            writes.push(Write::set(entity::ROLLBACK, &r.id, "opened_by", json!(stamp)));
        }
        let word = match decision {
            Decision::Go => "GO",
            Decision::NoGo => "NO-GO",
            _ => "HOLD",
        };
        self.commit(
            "checkpoint.decide",
            format!("{id} {word}{}", reason.map(|r| format!(": {r}")).unwrap_or_default()),
            json!({ "run": r.id, "task": t.id, "checkpoint": id, "decision": decision, "reason": reason, "undo": undo }),
            writes,
        )
    }
}
