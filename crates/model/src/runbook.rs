//! The runbook as written: overview, contacts, phases of timed tasks, the rollback procedure,
//! metrics, the end-of-day checklist and the commands reference. Its serde form is the
//! documented JSON export (docs/json-schema.md): keep field names stable.

use crate::time::ClockTime;
use serde::{Deserialize, Serialize};

/// Identifier of the JSON export's schema; bump only with a documented migration.
pub const RUNBOOK_SCHEMA: &str = "warroom.runbook/1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Runbook {
    /// Stable id of this runbook, kept across export and re-import.
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    /// The document's date as written (`2026-01-25`).
    pub date: Option<String>,
    /// The go-live day as written (`Saturday (giảm thiểu ảnh hưởng)`).
    pub go_live_day: Option<String>,
    pub window: Option<Window>,
    /// Hypercare as written (`24h đầu tiên`) and in hours when it says so.
    pub hypercare: Option<String>,
    pub hypercare_hours: Option<u32>,
    /// Other `**Key**: value` lines of the overview, in order.
    pub overview: Vec<Field>,
    pub contacts: Vec<Contact>,
    pub phases: Vec<Phase>,
    pub rollback: Rollback,
    pub metrics: Vec<Metric>,
    pub checklist: Vec<ChecklistItem>,
    pub commands: Vec<CommandRef>,
    /// Sections the importer did not understand, kept verbatim so an export loses nothing.
    pub appendix: Vec<RawSection>,
    /// Section headings and overview keys in the document's own words (`contacts` →
    /// `LIÊN HỆ KHẨN CẤP`), so an export reads like the original.
    pub labels: Vec<Field>,
}

impl Runbook {
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.phases.iter().flat_map(|p| p.tasks.iter())
    }

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
    pub name: String,
    pub value: String,
}

/// The go-live window, local to the runbook; `end_day` is 1 when it ends after midnight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Window {
    pub start: ClockTime,
    pub end: ClockTime,
    pub end_day: u8,
}

impl Window {
    pub fn start_minutes(&self) -> u32 {
        self.start.minutes()
    }
    pub fn end_minutes(&self) -> u32 {
        self.end.on_day(self.end_day)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Contact {
    pub id: String,
    pub role: String,
    pub name: String,
    pub phone: String,
    pub backup: String,
    /// Columns beyond role, name, phone and backup, in table order.
    pub extra: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Phase {
    pub id: String,
    /// `Phase 2` in `Phase 2: Data Migration`, when the heading has one.
    pub label: Option<String>,
    pub name: String,
    pub start: Option<ClockTime>,
    pub start_day: u8,
    pub end: Option<ClockTime>,
    pub end_day: u8,
    /// Written as `12:00+`: the phase may run past its end.
    pub open_end: bool,
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
    pub fn start_minutes(&self) -> Option<u32> {
        self.start.map(|t| t.on_day(self.start_day))
    }
    pub fn end_minutes(&self) -> Option<u32> {
        self.end.map(|t| t.on_day(self.end_day))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Task {
    /// `2.3`: phase 2, task 3 at import; never changes afterwards.
    pub id: crate::TaskId,
    /// Planned start, local to the runbook.
    pub time: ClockTime,
    /// Days after the go-live day (a window past midnight, or `+24h`).
    pub day: u8,
    /// The time as a relative offset when written so (`+24h`), measured from the window start.
    pub offset: Option<String>,
    /// The task as written; inline code stays in backticks.
    pub title: String,
    /// Owner as written: one role, `All`, or several (`Tech Lead + DBA`).
    pub owner: String,
    pub checkpoint: bool,
    /// `2` for `CHECKPOINT 2`.
    pub checkpoint_no: Option<u32>,
    /// The checkpoint's label as written: `CHECKPOINT A` in `**CHECKPOINT A**: Go/No-Go`,
    /// `Checkpoint 2`, `CP-3`; what the bridge calls it.
    pub checkpoint_label: Option<String>,
    /// Inline commands such as `make migrate`.
    pub commands: Vec<String>,
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
    /// Minutes from 00:00 of the go-live day.
    pub fn minutes(&self) -> u32 {
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Rollback {
    pub triggers: Vec<Trigger>,
    pub matrix: Vec<MatrixRow>,
    pub steps: Vec<RollbackStep>,
    /// The last moment a rollback may be decided.
    pub deadline: Option<ClockTime>,
    pub deadline_day: u8,
    /// The deadline section as written (what holds after it).
    pub deadline_notes: Vec<String>,
    /// Minutes for a rollback step without an estimate; unset, the time between the deadline
    /// and the window's end is spread over them.
    pub default_step_minutes: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Trigger {
    pub id: String,
    pub name: String,
    pub condition: String,
}

/// What the decision matrix says to do about an issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MatrixAction {
    Rollback,
    FixForward,
    DisableFeature,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MatrixRow {
    pub id: String,
    pub issue: String,
    /// As written: `P1`.
    pub severity: String,
    /// The rollback cell as written: `YES`, `No, fix forward`.
    pub rollback: String,
    pub action: MatrixAction,
    /// As written: `Tech Lead + Business`.
    pub approver: String,
    pub approvers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RollbackStep {
    pub id: String,
    pub title: String,
    pub commands: Vec<String>,
    pub notes: Vec<String>,
    /// Estimated minutes, when the runbook gives them.
    pub duration_min: Option<u32>,
}

/// A comparison a metric reading is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "=")]
    Eq,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Eq => "=",
        }
    }
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
    Compare {
        op: CmpOp,
        value: f64,
        unit: Option<String>,
    },
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Metric {
    pub id: String,
    pub name: String,
    /// As written: `< 200ms`.
    pub target: String,
    /// As written: `> 500ms`.
    pub alert: String,
    pub target_condition: Condition,
    pub alert_condition: Condition,
    pub extra: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ChecklistItem {
    pub id: String,
    pub text: String,
    pub checked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CommandRef {
    pub id: String,
    pub label: String,
    pub command: String,
}

/// A part of the document kept verbatim: its heading and its Markdown body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RawSection {
    pub id: String,
    pub heading: String,
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
