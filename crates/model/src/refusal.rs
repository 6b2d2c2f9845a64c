//! Why an action was refused, as a type: the rule that stopped it and the values involved. The
//! UI says it in the person's language (`text`); the `warroom` command adds how to do it with its
//! flags. Core raises these; the words live here so that both sides say the same thing.

use crate::notify::Lang;
use serde::{Deserialize, Serialize};

/// A rule that stopped an action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Refusal {
    /// Nobody said who they are on this laptop.
    WhoAreYou,
    /// A person's name was left empty.
    NameNeeded,
    /// Notification lead times out of range.
    LeadTimes,
    /// The notification to snooze was not shown.
    NotShown {
        /// The key that was asked for.
        key: String,
    },
    /// `durations_from` names a live run.
    DurationsFromLive {
        /// The live run named.
        run: crate::RunId,
    },
    /// A run of the same kind is still going.
    RunActive {
        /// The run still going.
        run: crate::RunId,
    },
    /// The run is over.
    RunOver {
        /// The run that is over.
        run: crate::RunId,
        /// How it ended: `completed`, `rolled back` or `abandoned`.
        state: String,
    },
    /// A back-filled time is not a time.
    BadTime {
        /// What was written (`25:99`).
        text: String,
    },
    /// Runs and runbook edits happen when they are entered; they are not back-filled.
    NotBackfilled,
    /// A back-filled time before the run's go-live day began, or after the run ended.
    OutsideTheRun {
        /// What was written.
        text: String,
        /// When the run began: its go-live day's first moment, as shown.
        from: String,
    },
    /// A back-filled time is later than now.
    InTheFuture {
        /// What was written (`11:00`).
        text: String,
    },
    /// Checkpoints are decided, not ticked.
    CheckpointNotTicked {
        /// The checkpoint that was to be marked done or skipped.
        task: crate::TaskId,
    },
    /// Skip, fail and block need a reason.
    ReasonForTask {
        /// The state asked for: `skipped`, `failed` or `blocked`.
        status: String,
    },
    /// The task is closed already.
    TaskClosed {
        /// The task.
        task: crate::TaskId,
        /// What it is already: `done` or `skipped`.
        status: String,
    },
    /// The task is in that state already.
    TaskAlready {
        /// The task.
        task: crate::TaskId,
        /// The state it is in and was asked to go to.
        status: String,
    },
    /// Nothing recorded on the task to undo.
    NothingToUndo {
        /// The task, still pending with nothing recorded.
        task: crate::TaskId,
    },
    /// An id that is a task, used as a checkpoint.
    NotACheckpoint {
        /// The task's number.
        id: String,
    },
    /// The role signing is not one the checkpoint needs.
    NotASigner {
        /// The checkpoint.
        id: String,
        /// The role that tried to sign.
        role: String,
        /// The roles that sign it.
        required: Vec<String>,
    },
    /// A role signing a checkpoint it has already signed: one sign-off per role.
    AlreadySigned {
        /// The checkpoint.
        id: String,
        /// The role, as the checkpoint names it.
        role: String,
        /// Who signed for it first.
        by: String,
    },
    /// GO with sign-offs missing.
    SignOffsMissing {
        /// The checkpoint.
        id: String,
        /// The roles that have not signed yet.
        missing: Vec<String>,
    },
    /// NO-GO and HOLD need a reason.
    ReasonForDecision,
    /// A decision must be GO, NO-GO or HOLD.
    DecisionNeeded,
    /// A rollback decision needs its reason.
    ReasonForRollback,
    /// Past the rollback deadline: fix forward only, unless overridden.
    PastDeadline {
        /// The deadline, `HH:MM` in the run's zone.
        deadline: String,
    },
    /// The decision matrix's approvers have not all approved.
    ApprovalsMissing {
        /// The matrix's rows that apply, any one of which is enough (`Tech Lead + Business Owner`).
        needed: Vec<String>,
        /// The roles that have approved so far; empty if none.
        approved: Vec<String>,
    },
    /// One person approving a rollback again (in another role, or the same): its approvals must
    /// come from distinct people, names compared without case or diacritics.
    OnePersonTwoRoles {
        /// The person, as they first approved.
        name: String,
        /// The role they already approved as.
        role: String,
    },
    /// An override needs its reason.
    ReasonForOverride,
    /// A rollback step before any rollback was decided.
    NoRollbackDecided,
    /// A metric reading that is not a number.
    NotANumber,
    /// A field that `set` does not change.
    NotSetThisWay {
        /// The field named.
        field: String,
    },
    /// A field warroom sets itself.
    SetByWarroom {
        /// The field named (`status`, `actual_start`, …).
        field: String,
    },
    /// Tasks are added with their own form.
    NotAddedThisWay {
        /// The kind asked for (`task`, or one warroom does not know).
        kind: String,
    },
    /// The edit would leave a runbook that does not read back.
    InvalidEdit {
        /// What reading the edited runbook back said, in English.
        why: String,
    },
}

impl Refusal {
    /// What the person reads, in their language.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Vi => self.vi(),
        }
    }

    fn en(&self) -> String {
        match self {
            Self::WhoAreYou => "who are you? set your name and role before recording anything".into(),
            Self::NameNeeded => "a name is needed: it goes on everything you record".into(),
            Self::LeadTimes => {
                "notification lead times are minutes, at most 1440 (a day), and at most 10 deadline reminders".into()
            }
            Self::NotShown { key } => format!("nothing was shown as {key}: there is nothing to snooze"),
            Self::DurationsFromLive { run } => format!("durations come from a rehearsal; {run} is a live run"),
            Self::RunActive { run } => format!("run {run} is still active: finish or abandon it first"),
            Self::RunOver { run, state } => format!("run {run} is {state}: nothing more can be recorded in it"),
            Self::BadTime { text } => format!("`{text}` is not a time"),
            Self::NotBackfilled => {
                "starting or ending a run and editing the runbook happen when they are entered: leave out the time it happened".into()
            }
            Self::OutsideTheRun { text, from } => {
                format!("{text} is outside the run: a back-filled time falls within the run, from {from}")
            }
            Self::InTheFuture { text } => {
                format!("{text} is later than now: a back-filled time must have happened already")
            }
            Self::CheckpointNotTicked { task } => {
                format!("{task} is a checkpoint: it cannot be skipped or ticked off, only decided GO, NO-GO or HOLD")
            }
            Self::ReasonForTask { status } => format!("say why: a task is only {status} with a reason"),
            Self::TaskClosed { task, status } => format!("{task} is already {status}; undo it first"),
            Self::TaskAlready { task, status } => format!("{task} is already {status}"),
            Self::NothingToUndo { task } => format!("nothing to undo on {task}"),
            Self::NotACheckpoint { id } => format!("{id} is a task, not a checkpoint"),
            Self::NotASigner { id, role, required } => {
                format!("{id} needs sign-off from {}; {role} is not one of them", required.join(", "))
            }
            Self::AlreadySigned { id, role, by } => {
                format!("{id} is already signed for {role} (by {by}): one sign-off per role")
            }
            Self::SignOffsMissing { id, missing } => {
                format!("{id} cannot be decided GO: missing sign-off from {}", missing.join(", "))
            }
            Self::ReasonForDecision => "say why: NO-GO and HOLD are recorded with a reason".into(),
            Self::DecisionNeeded => "a decision is GO, NO-GO or HOLD".into(),
            Self::ReasonForRollback => "say why: a rollback decision is recorded with its reason".into(),
            Self::PastDeadline { deadline } => {
                format!("past the rollback deadline ({deadline}): fix forward only, unless overridden with a reason")
            }
            Self::ApprovalsMissing { needed, approved } => format!(
                "a rollback needs the approval of {} (the decision matrix); approved so far: {}",
                needed.join(" or "),
                if approved.is_empty() { "nobody".to_owned() } else { approved.join(", ") }
            ),
            Self::OnePersonTwoRoles { name, role } => format!(
                "{name} already approved this rollback as {role}: its approvals must come from different people"
            ),
            Self::ReasonForOverride => "an override needs a reason".into(),
            Self::NoRollbackDecided => "no rollback was decided: decide it first".into(),
            Self::NotANumber => "a reading must be a number".into(),
            Self::NotSetThisWay { field } => format!("`{field}` is not edited this way; move or delete instead"),
            Self::SetByWarroom { field } => format!("`{field}` is set by warroom"),
            Self::NotAddedThisWay { kind } => format!("a {kind} is not added this way; tasks have a form of their own"),
            Self::InvalidEdit { why } => format!("that edit would not leave a valid runbook: {why}"),
        }
    }

    fn vi(&self) -> String {
        match self {
            Self::WhoAreYou => "bạn là ai? hãy đặt tên và vai trò trước khi ghi nhận".into(),
            Self::NameNeeded => "cần có tên: tên được ghi vào mọi thứ bạn ghi nhận".into(),
            Self::LeadTimes => {
                "thời gian báo trước tính bằng phút, tối đa 1440 (một ngày), và tối đa 10 lời nhắc hạn chót".into()
            }
            Self::NotShown { key } => format!("chưa có thông báo {key}: không có gì để tạm hoãn"),
            Self::DurationsFromLive { run } => {
                format!("thời lượng lấy từ một buổi diễn tập; {run} là lần chạy thật")
            }
            Self::RunActive { run } => format!("lần chạy {run} vẫn đang diễn ra: hãy kết thúc hoặc hủy nó trước"),
            Self::RunOver { run, state } => {
                format!("lần chạy {run} đã {}: không thể ghi nhận thêm", run_state_vi(state))
            }
            Self::BadTime { text } => format!("`{text}` không phải là giờ"),
            Self::NotBackfilled => {
                "bắt đầu, kết thúc lần chạy và sửa runbook được ghi khi nhập: bỏ thời điểm xảy ra".into()
            }
            Self::OutsideTheRun { text, from } => {
                format!("{text} nằm ngoài lần chạy: thời điểm ghi bù phải nằm trong lần chạy, từ {from}")
            }
            Self::InTheFuture { text } => format!("{text} muộn hơn hiện tại: thời điểm ghi bù phải đã xảy ra"),
            Self::CheckpointNotTicked { task } => {
                format!("{task} là điểm kiểm tra: được quyết định GO, NO-GO hoặc HOLD, không đánh dấu hay bỏ qua")
            }
            Self::ReasonForTask { status } => {
                format!("hãy nêu lý do: một công việc chỉ được {} khi có lý do", task_status_vi(status))
            }
            Self::TaskClosed { task, status } => {
                format!("{task} đã {}; hãy hoàn lại trước", task_status_vi(status))
            }
            Self::TaskAlready { task, status } => format!("{task} đã {}", task_status_vi(status)),
            Self::NothingToUndo { task } => format!("không có gì để hoàn lại ở {task}"),
            Self::NotACheckpoint { id } => format!("{id} là công việc, không phải điểm kiểm tra"),
            Self::NotASigner { id, role, required } => {
                format!("{id} cần phê duyệt của {}; {role} không nằm trong số đó", required.join(", "))
            }
            Self::AlreadySigned { id, role, by } => {
                format!("{id} đã được phê duyệt cho {role} (bởi {by}): mỗi vai trò chỉ phê duyệt một lần")
            }
            Self::SignOffsMissing { id, missing } => {
                format!("chưa thể quyết định GO cho {id}: còn thiếu phê duyệt của {}", missing.join(", "))
            }
            Self::ReasonForDecision => "hãy nêu lý do: NO-GO và HOLD được ghi kèm lý do".into(),
            Self::DecisionNeeded => "quyết định là GO, NO-GO hoặc HOLD".into(),
            Self::ReasonForRollback => "hãy nêu lý do: quyết định quay lui được ghi kèm lý do".into(),
            Self::PastDeadline { deadline } => {
                format!("đã quá hạn chót quay lui ({deadline}): chỉ sửa tiếp, trừ khi ghi đè kèm lý do")
            }
            Self::ApprovalsMissing { needed, approved } => format!(
                "quay lui cần sự chấp thuận của {} (theo ma trận quyết định); đã chấp thuận: {}",
                needed.join(" hoặc "),
                if approved.is_empty() { "chưa ai".to_owned() } else { approved.join(", ") }
            ),
            Self::OnePersonTwoRoles { name, role } => format!(
                "{name} đã chấp thuận quay lui này với vai trò {role}: các chấp thuận phải đến từ những người khác nhau"
            ),
            Self::ReasonForOverride => "ghi đè cần có lý do".into(),
            Self::NoRollbackDecided => "chưa có quyết định quay lui: hãy quyết định trước".into(),
            Self::NotANumber => "số đo phải là một con số".into(),
            Self::NotSetThisWay { field } => format!("`{field}` không sửa theo cách này; hãy di chuyển hoặc xóa"),
            Self::SetByWarroom { field } => format!("`{field}` do warroom tự đặt"),
            Self::NotAddedThisWay { kind } => {
                format!("không thêm {kind} theo cách này; công việc có biểu mẫu riêng")
            }
            Self::InvalidEdit { why } => format!("thay đổi này sẽ làm runbook không hợp lệ: {why}"),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

/// A task's state as the Vietnamese sentence needs it.
fn task_status_vi(status: &str) -> &str {
    match status {
        "done" => "xong",
        "skipped" => "bỏ qua",
        "failed" => "thất bại",
        "blocked" => "bị chặn",
        "in_progress" | "in progress" => "đang làm",
        "pending" => "chờ",
        other => other,
    }
}

fn run_state_vi(state: &str) -> &str {
    match state {
        "completed" => "hoàn thành",
        "rolled_back" | "rolled back" => "quay lui",
        "abandoned" => "bị hủy",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_travels_as_its_rule_and_values_and_reads_in_both_languages() {
        let r = Refusal::SignOffsMissing { id: "2.5".into(), missing: vec!["DBA".into(), "QA Lead".into()] };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["rule"], "sign_offs_missing");
        assert_eq!(serde_json::from_value::<Refusal>(json).unwrap(), r);
        assert_eq!(r.text(Lang::En), "2.5 cannot be decided GO: missing sign-off from DBA, QA Lead");
        assert_eq!(r.text(Lang::Vi), "chưa thể quyết định GO cho 2.5: còn thiếu phê duyệt của DBA, QA Lead");
        let closed = Refusal::TaskClosed { task: "1.1".into(), status: "done".into() };
        assert_eq!(closed.text(Lang::Vi), "1.1 đã xong; hãy hoàn lại trước");
    }
}
