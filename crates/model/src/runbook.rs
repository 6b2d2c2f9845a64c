//! The runbook as written: overview, contacts, phases of timed tasks, the rollback procedure,
//! metrics, the end-of-day checklist and the commands reference. Its serde form is the
//! documented JSON export (docs/json-schema.md): keep field names stable.

use crate::time::ClockTime;
use serde::{Deserialize, Serialize};

/// Identifier of the JSON export's schema; bump only with a documented migration.
pub const RUNBOOK_SCHEMA: &str = "warroom.runbook/1";

/// A runbook as imported and edited: the plan a run follows. The same for every run of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Runbook {
    /// Stable id of this runbook, kept across export and re-import.
    pub id: String,
    /// Its title, from the document's first heading.
    pub title: String,
    /// The document's version as written (`v2.1`), if it gives one.
    pub version: Option<String>,
    /// The document's date as written (`2026-01-25`).
    pub date: Option<String>,
    /// The go-live day as written (`Saturday (giảm thiểu ảnh hưởng)`).
    pub go_live_day: Option<String>,
    /// The go-live window, if the overview gives one.
    pub window: Option<Window>,
    /// The IANA zone the runbook's times are written in, when it says (`02:00 UTC`, `6:10 PT`,
    /// `Time zone: Asia/Ho_Chi_Minh`); a run started without a zone takes it.
    pub zone: Option<String>,
    /// Hypercare as written (`24h đầu tiên`) and in hours when it says so.
    pub hypercare: Option<String>,
    /// `hypercare` in hours, when it says so; with the window, gives the status's `hypercare_end`.
    pub hypercare_hours: Option<u32>,
    /// Other `**Key**: value` lines of the overview, in order.
    pub overview: Vec<Field>,
    /// The emergency contacts, in table order; their roles are who `All` means.
    pub contacts: Vec<Contact>,
    /// The phases, in order, each with its tasks.
    pub phases: Vec<Phase>,
    /// The rollback procedure: triggers, decision matrix, steps and deadline.
    pub rollback: Rollback,
    /// The metrics to watch, in table order.
    pub metrics: Vec<Metric>,
    /// The end-of-day checklist, in order.
    pub checklist: Vec<ChecklistItem>,
    /// The commands reference, in order.
    pub commands: Vec<CommandRef>,
    /// Sections the importer did not understand, kept verbatim so an export loses nothing.
    pub appendix: Vec<RawSection>,
    /// Section headings and overview keys in the document's own words (`contacts` →
    /// `LIÊN HỆ KHẨN CẤP`), so an export reads like the original.
    pub labels: Vec<Field>,
}

impl Runbook {
    /// Every task of every phase, in runbook order.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.phases.iter().flat_map(|p| p.tasks.iter())
    }

    /// The task numbered `id` (`2.3`), if there is one.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks().find(|t| t.id == id)
    }

    /// The document's own words for `key`, or `default`.
    pub fn label<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.labels.iter().find(|f| f.name == key).map_or(default, |f| f.value.as_str())
    }

    /// Distinct contact roles, in table order: who `All` means for a checkpoint.
    pub fn roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = Vec::new();
        for c in &self.contacts {
            if !c.role.is_empty() && !roles.contains(&c.role) {
                roles.push(c.role.clone());
            }
        }
        roles
    }
}

/// A named value kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Field {
    /// The key: an overview key as written, or a section's name for `labels`.
    pub name: String,
    /// The value, as written.
    pub value: String,
}

/// The go-live window, local to the runbook; `end_day` is 1 when it ends after midnight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Window {
    /// When it starts, on the go-live day.
    pub start: ClockTime,
    /// When it ends, on day `end_day`.
    pub end: ClockTime,
    /// 0 when it ends on the go-live day, 1 when after midnight.
    pub end_day: u8,
}

impl Window {
    /// Minutes from 00:00 of the go-live day to the start.
    pub fn start_minutes(&self) -> i32 {
        self.start.on_day(0)
    }
    /// Minutes from 00:00 of the go-live day to the end (past 1440 after midnight).
    pub fn end_minutes(&self) -> i32 {
        self.end.on_day(i16::from(self.end_day))
    }
}

/// One row of the emergency contacts table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Contact {
    /// `c1`, `c2`, … in table order at import; never changes.
    pub id: String,
    /// The role (`DBA`): what task owners and sign-offs name.
    pub role: String,
    /// The person's name.
    pub name: String,
    /// Their phone number, as written.
    pub phone: String,
    /// Who stands in for them, as written; empty if nobody.
    pub backup: String,
    /// Columns beyond role, name, phone and backup, in table order.
    pub extra: Vec<Field>,
}

/// One phase of the runbook: a heading and its timed tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Phase {
    /// `p1`, `p2`, … in order at import (or the heading's own id, when it gives one); never
    /// changes.
    pub id: String,
    /// `Phase 2` in `Phase 2: Data Migration`, when the heading has one.
    pub label: Option<String>,
    /// `Data Migration` in `Phase 2: Data Migration`.
    pub name: String,
    /// When it starts, if the heading says (`(6:30 - 8:00)`).
    pub start: Option<ClockTime>,
    /// Days from the go-live day it starts on: -1 the day before, 1 the day after.
    pub start_day: i16,
    /// When it ends, if the heading says.
    pub end: Option<ClockTime>,
    /// Days from the go-live day it ends on.
    pub end_day: i16,
    /// Written as `12:00+`: the phase may run past its end.
    pub open_end: bool,
    /// Its tasks, in order.
    pub tasks: Vec<Task>,
}

impl Phase {
    /// `Phase 2: Data Migration`, or the name alone.
    pub fn display_name(&self) -> String {
        match &self.label {
            Some(l) if !self.name.is_empty() => format!("{l}: {}", self.name),
            Some(l) => l.clone(),
            None => self.name.clone(),
        }
    }
    /// Minutes from 00:00 of the go-live day to its start, if known (negative before it).
    pub fn start_minutes(&self) -> Option<i32> {
        self.start.map(|t| t.on_day(self.start_day))
    }
    /// Minutes from 00:00 of the go-live day to its end, if known.
    pub fn end_minutes(&self) -> Option<i32> {
        self.end.map(|t| t.on_day(self.end_day))
    }
}

/// One row of a phase's task table: a timed task, or a go/no-go checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Task {
    /// `2.3`: phase 2, task 3 at import; never changes afterwards.
    pub id: crate::TaskId,
    /// Planned start, local to the runbook.
    pub time: ClockTime,
    /// Days from the go-live day: 1 past midnight or `+24h` or under a `T+1` heading, -1 under
    /// a `T-1` (the day before) heading.
    pub day: i16,
    /// The time as a relative offset when written so (`+24h`), measured from the window start.
    pub offset: Option<String>,
    /// The task as written; inline code stays in backticks.
    pub title: String,
    /// Owner as written: one role, `All`, or several (`Tech Lead + DBA`).
    pub owner: String,
    /// A go/no-go checkpoint (`**CHECKPOINT 2**: …`): decided by its owners, not ticked.
    pub checkpoint: bool,
    /// `2` for `CHECKPOINT 2`.
    pub checkpoint_no: Option<u32>,
    /// The checkpoint's label as written: `CHECKPOINT A` in `**CHECKPOINT A**: Go/No-Go`,
    /// `Checkpoint 2`, `CP-3`; what the bridge calls it.
    pub checkpoint_label: Option<String>,
    /// Inline commands such as `make migrate`.
    pub commands: Vec<String>,
    /// Free text from a notes column; empty if none.
    pub notes: String,
    /// The status cell was ticked in the document (☑, ✅, [x]).
    pub checked: bool,
    /// Planned duration in minutes when the runbook gives one; otherwise until the next task.
    pub duration_min: Option<u32>,
    /// Ids of tasks this one waits for besides its predecessor in the phase.
    pub after: Vec<crate::TaskId>,
    /// Columns the importer did not map, in table order.
    pub extra: Vec<Field>,
}

impl Task {
    /// Minutes from 00:00 of the go-live day (negative on a day before it).
    pub fn minutes(&self) -> i32 {
        self.time.on_day(self.day)
    }

    /// The owner's roles: `Tech Lead + DBA` gives both.
    pub fn owner_roles(&self) -> Vec<String> {
        split_roles(&self.owner)
    }

    /// What a checkpoint is called: its label as written, else `CHECKPOINT 2` from its number
    /// (runbooks imported before labels were kept); `None` for a task or an unnamed checkpoint.
    pub fn checkpoint_name(&self) -> Option<String> {
        if !self.checkpoint {
            return None;
        }
        self.checkpoint_label.clone().or_else(|| self.checkpoint_no.map(|n| format!("CHECKPOINT {n}")))
    }
}

/// Splits `Tech Lead + Business`, `QA / DBA`, `DevOps, DBA` into roles.
pub fn split_roles(s: &str) -> Vec<String> {
    s.split(['+', '/', ',', '&', ';']).map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).collect()
}

/// The rollback procedure: when to roll back, who decides, how, and by when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Rollback {
    /// What says a rollback is needed, in order.
    pub triggers: Vec<Trigger>,
    /// Which issue calls for which action, and whose approval, by severity.
    pub matrix: Vec<MatrixRow>,
    /// The steps of a rollback, in order.
    pub steps: Vec<RollbackStep>,
    /// The last moment a rollback may be decided.
    pub deadline: Option<ClockTime>,
    /// Days from the go-live day the deadline falls on.
    pub deadline_day: i16,
    /// The deadline section as written (what holds after it).
    pub deadline_notes: Vec<String>,
    /// Minutes for a rollback step without an estimate; unset, the time between the deadline
    /// and the window's end is spread over them.
    pub default_step_minutes: Option<u32>,
}

/// One rollback trigger: a condition that calls for a rollback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Trigger {
    /// `t1`, `t2`, … in order at import; never changes.
    pub id: String,
    /// What is watched (`Error rate`).
    pub name: String,
    /// When it triggers, as written (`> 5% for 10 min`).
    pub condition: String,
}

/// What the decision matrix says to do about an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatrixAction {
    /// Roll back.
    Rollback,
    /// Stay, and fix forward.
    FixForward,
    /// Turn the failing feature off.
    DisableFeature,
    /// Anything else the matrix says (kept as written in `MatrixRow::rollback`).
    #[default]
    Other,
}

/// In words, for the terminal and notifications (`fix forward`).
impl std::fmt::Display for MatrixAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rollback => "rollback",
            Self::FixForward => "fix forward",
            Self::DisableFeature => "disable feature",
            Self::Other => "other",
        })
    }
}

/// One row of the rollback decision matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MatrixRow {
    /// `d1`, `d2`, … in order at import; never changes.
    pub id: String,
    /// The kind of issue, as written (`Core flow broken`).
    pub issue: String,
    /// As written: `P1`.
    pub severity: String,
    /// The rollback cell as written: `YES`, `No, fix forward`.
    pub rollback: String,
    /// What the rollback cell means.
    pub action: MatrixAction,
    /// As written: `Tech Lead + Business`.
    pub approver: String,
    /// The roles in `approver`, split (`["Tech Lead", "Business"]`): a rollback under this row
    /// needs all of them to approve.
    pub approvers: Vec<String>,
}

/// One step of the rollback procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RollbackStep {
    /// `r1`, `r2`, … in order at import; never changes.
    pub id: String,
    /// What to do.
    pub title: String,
    /// The commands to run, each as written (may hold `{{secret:…}}`).
    pub commands: Vec<String>,
    /// Comments written with the step (in a code block, its `#` lines).
    pub notes: Vec<String>,
    /// Estimated minutes, when the runbook gives them.
    pub duration_min: Option<u32>,
}

/// A comparison a metric reading is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less than or equal to.
    #[serde(rename = "<=")]
    Le,
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater than or equal to.
    #[serde(rename = ">=")]
    Ge,
    /// Equal to.
    #[serde(rename = "=")]
    Eq,
}

impl CmpOp {
    /// `<`, `<=`, `>`, `>=` or `=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Eq => "=",
        }
    }
    /// Whether `left` (the reading) compared to `right` (the threshold) holds.
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Self::Lt => left < right,
            Self::Le => left <= right,
            Self::Gt => left > right,
            Self::Ge => left >= right,
            Self::Eq => (left - right).abs() < f64::EPSILON,
        }
    }
}

/// A target or threshold parsed from its text; `manual` when a person must judge it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// A reading compared with a number: `< 200ms`.
    Compare {
        /// How to compare.
        op: CmpOp,
        /// The number compared with.
        value: f64,
        /// Its unit as written (`ms`, `%`), if any; readings are taken to be in it.
        unit: Option<String>,
    },
    /// A condition that is not a comparison (`Baseline`): a person judges it.
    #[default]
    Manual,
}

impl Condition {
    /// Whether `value` (in the condition's unit) meets it; `None` when manual.
    pub fn holds(&self, value: f64) -> Option<bool> {
        match self {
            Self::Compare { op, value: v, .. } => Some(op.holds(value, *v)),
            Self::Manual => None,
        }
    }
}

/// One metric to watch during the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Metric {
    /// `m1`, `m2`, … in table order at import; never changes.
    pub id: String,
    /// What is measured (`Response p95`).
    pub name: String,
    /// As written: `< 200ms`.
    pub target: String,
    /// As written: `> 500ms`.
    pub alert: String,
    /// `target` parsed; the reading misses its target when it does not hold.
    pub target_condition: Condition,
    /// `alert` parsed; the reading is an alert when it holds.
    pub alert_condition: Condition,
    /// Columns the importer did not map, in table order.
    pub extra: Vec<Field>,
}

/// One item of the end-of-day checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ChecklistItem {
    /// `k1`, `k2`, … in order at import; never changes.
    pub id: String,
    /// What to check.
    pub text: String,
    /// Ticked in the document (the run's own ticks are in its live checklist).
    pub checked: bool,
}

/// One entry of the commands reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CommandRef {
    /// `x1`, `x2`, … in order at import; never changes.
    pub id: String,
    /// What it is for (the comment above it, or the list item's text); may be empty.
    pub label: String,
    /// The command, as written (lines joined by a line break; may hold `{{secret:…}}`).
    pub command: String,
}

/// A part of the document kept verbatim: its heading and its Markdown body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RawSection {
    /// `a1`, `a2`, … in order at import.
    pub id: String,
    /// Its heading, as written.
    pub heading: String,
    /// Its body, as written (Markdown).
    pub markdown: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_roles_split_on_common_separators() {
        assert_eq!(split_roles("Tech Lead + DBA"), vec!["Tech Lead", "DBA"]);
        assert_eq!(split_roles("QA/ DevOps, PM"), vec!["QA", "DevOps", "PM"]);
        assert_eq!(split_roles(""), Vec::<String>::new());
    }

    #[test]
    fn condition_checks_values() {
        let c = Condition::Compare { op: CmpOp::Lt, value: 200.0, unit: Some("ms".into()) };
        assert_eq!(c.holds(150.0), Some(true));
        assert_eq!(c.holds(250.0), Some(false));
        assert_eq!(Condition::Manual.holds(1.0), None);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json, serde_json::json!({"kind":"compare","op":"<","value":200.0,"unit":"ms"}));
    }
}

/// A command as shown: each `{{secret:VALUE}}` masked unless `reveal` (never on the wall, and
/// only on the laptop where someone chose to reveal it); plain `{{NAME}}` placeholders stay.
pub fn mask_secrets(cmd: &str, reveal: bool) -> String {
    let mut out = String::new();
    let mut rest = cmd;
    while let Some(i) = rest.find("{{secret:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 9..];
        match after.find("}}") {
            Some(j) => {
                out.push_str(if reveal { &after[..j] } else { "••••••" });
                rest = &after[j + 2..];
            }
            None => {
                out.push_str("••••••");
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod secret_tests {
    use super::mask_secrets;

    #[test]
    fn secrets_are_masked_until_revealed() {
        let cmd = "psql -U erp -W {{secret:hunter2}} -h {{DB_HOST}}";
        assert_eq!(mask_secrets(cmd, false), "psql -U erp -W •••••• -h {{DB_HOST}}");
        assert_eq!(mask_secrets(cmd, true), "psql -U erp -W hunter2 -h {{DB_HOST}}");
        assert_eq!(mask_secrets("a {{secret:x}} b {{secret:y}}", false), "a •••••• b ••••••");
        assert_eq!(
            mask_secrets("broken {{secret:never closed", false),
            "broken ••••••",
            "an unclosed secret stays hidden"
        );
        assert_eq!(mask_secrets("nothing secret", false), "nothing secret");
    }
}
