//! What notifications say, in English or Vietnamese. Times are the run's local `HH:MM`; the
//! runbook's own words (titles, roles) stay as written.

use chrono::{DateTime, FixedOffset};
use warroom_model::Instant;
use warroom_model::live::{
    CheckpointLive, IncidentLive, MatrixAdvice, MetricLive, RollbackLive, RollbackStepLive, Status, TaskLive,
};
use warroom_model::notify::{Lang, NoticeKind};

pub(super) struct Texts {
    lang: Lang,
    tz: Option<chrono_tz::Tz>,
}

type Text = (String, String);

impl Texts {
    pub(super) fn new(lang: Lang, tz: Option<chrono_tz::Tz>) -> Self {
        Self { lang, tz }
    }

    fn vi(&self) -> bool {
        self.lang == Lang::Vi
    }

    /// `HH:MM` in the run's zone.
    fn hm(&self, at: &Instant) -> String {
        match self.tz {
            Some(tz) => at.with_timezone(&tz).format("%H:%M").to_string(),
            None => at.hm(),
        }
    }

    pub(super) fn task_due(&self, t: &TaskLive, minutes: u32) -> Text {
        let (start, planned) = (self.hm(&t.forecast_start), self.hm(&t.planned_start));
        let late = if start == planned {
            String::new()
        } else if self.vi() {
            format!(" (kế hoạch {planned})")
        } else {
            format!(" (planned {planned})")
        };
        if self.vi() {
            (
                format!("Việc {} bắt đầu sau {minutes} phút", t.id),
                format!("{} · {} · dự kiến {start}{late}", t.title, t.owner),
            )
        } else {
            (
                format!("Task {} starts in {minutes} min", t.id),
                format!("{} · {} · forecast {start}{late}", t.title, t.owner),
            )
        }
    }

    /// `expected`: when it should have finished, given when it started (or will).
    pub(super) fn overdue(&self, t: &TaskLive, expected: DateTime<FixedOffset>, minutes: u32) -> Text {
        // Only work is told overdue; a checkpoint has its own notice.
        let finish = self.hm(&t.planned_finish);
        let expected = self.hm(&Instant(expected));
        let when = match (self.vi(), expected == finish) {
            (true, true) => format!("kế hoạch xong lúc {finish}"),
            (true, false) => format!("lẽ ra xong lúc {expected} (kế hoạch {finish})"),
            (false, true) => format!("planned to finish at {finish}"),
            (false, false) => format!("due to finish at {expected} (planned {finish})"),
        };
        if self.vi() {
            (format!("Việc {} đã trễ {minutes} phút", t.id), format!("{} · {} · {when}", t.title, t.owner))
        } else {
            (format!("Task {} is {minutes} min overdue", t.id), format!("{} · {} · {when}", t.title, t.owner))
        }
    }

    pub(super) fn checkpoint_due(&self, c: &CheckpointLive, minutes: u32) -> Text {
        let at = self.hm(&c.forecast);
        let roles = c.required.join(", ");
        match (self.vi(), &c.label) {
            (true, Some(l)) => (format!("{l} — {} sau {minutes} phút", c.title), format!("{at} · cần ký: {roles}")),
            (true, None) => {
                (format!("Điểm kiểm tra {} sau {minutes} phút", c.id), format!("{} · {at} · cần ký: {roles}", c.title))
            }
            (false, Some(l)) => (format!("{l} — {} in {minutes} min", c.title), format!("{at} · sign-off: {roles}")),
            (false, None) => {
                (format!("Checkpoint {} in {minutes} min", c.id), format!("{} · {at} · sign-off: {roles}", c.title))
            }
        }
    }

    pub(super) fn signoff_waiting(&self, c: &CheckpointLive) -> Text {
        let signed: Vec<String> = c.signed.iter().map(|s| format!("{} ({})", s.by.name, s.role)).collect();
        let signed = signed.join(", ");
        match (self.vi(), &c.label) {
            (true, Some(l)) => (format!("{l} — {} chờ bạn ký", c.title), format!("đã ký: {signed}")),
            (true, None) => (format!("Điểm kiểm tra {} chờ bạn ký", c.id), format!("{} · đã ký: {signed}", c.title)),
            (false, Some(l)) => (format!("{l} — {} waits for your sign-off", c.title), format!("signed: {signed}")),
            (false, None) => {
                (format!("Checkpoint {} waits for your sign-off", c.id), format!("{} · signed: {signed}", c.title))
            }
        }
    }

    pub(super) fn deadline(&self, r: &RollbackLive, minutes: u32) -> Text {
        let by = r.decide_by.as_ref().map(|d| self.hm(d)).unwrap_or_default();
        let end = self.hm(&r.implementation_end);
        let v = r.implementation_variance_minutes;
        let variance = if v == 0 { String::new() } else { format!(" ({v:+} min)") };
        match (self.vi(), minutes) {
            (true, 0) => (
                "Đã đến hạn chót hoàn tác".into(),
                format!("Quyết định ngay: hoàn tác hay tiếp tục. Dự báo xong triển khai {end}{variance}."),
            ),
            (true, m) => (
                format!("Hạn chót rollback còn {m} phút"),
                format!("Quyết định trước {by}: hoàn tác hay tiếp tục. Dự báo xong triển khai {end}{variance}."),
            ),
            (false, 0) => (
                "Rollback deadline: now".into(),
                format!("Decide now: roll back or go on. Implementation forecast to end {end}{variance}."),
            ),
            (false, m) => (
                format!("Rollback deadline in {m} min"),
                format!("Decide by {by}: roll back or go on. Implementation forecast to end {end}{variance}."),
            ),
        }
    }

    pub(super) fn point_of_no_return(&self, r: &RollbackLive) -> Text {
        let by = r.decide_by.as_ref().map(|d| self.hm(d)).unwrap_or_default();
        let end = self.hm(&r.implementation_end);
        let left = r.slack_minutes.max(0);
        if self.vi() {
            (
                format!("Nguy cơ vượt điểm không thể quay lại ({by}, còn {left} phút)"),
                format!(
                    "Dự báo triển khai xong lúc {end}, sau hạn chót hoàn tác {by}. Cần quyết định: hoàn tác hay tiếp tục."
                ),
            )
        } else {
            (
                format!("Point of no return at risk ({by}, {left} min left)"),
                format!(
                    "The implementation is forecast to end at {end}, after the rollback deadline {by}. Decide: roll back or go on."
                ),
            )
        }
    }

    pub(super) fn metric_alert(&self, m: &MetricLive) -> Text {
        let value = m
            .last
            .as_ref()
            .map(|r| format!("{}{}", r.value, r.unit.as_deref().unwrap_or_default()))
            .unwrap_or_default();
        if self.vi() {
            (
                format!("Cảnh báo chỉ số: {}", m.name),
                format!("{value} · ngưỡng cảnh báo {} · mục tiêu {}", m.alert, m.target),
            )
        } else {
            (format!("Metric alert: {}", m.name), format!("{value} · alert at {} · target {}", m.alert, m.target))
        }
    }

    pub(super) fn incident(&self, i: &IncidentLive) -> Text {
        let sev = i.severity.map(|s| format!("{s:?}")).unwrap_or_default();
        let by = format!("{} ({})", i.opened_by.name, i.opened_by.role);
        let advice = self.advice(&i.matrix).map(|a| format!(" · {a}")).unwrap_or_default();
        if self.vi() {
            (format!("Sự cố {sev}: {}", i.title), format!("Mở bởi {by}{advice}"))
        } else {
            (format!("{sev} incident: {}", i.title), format!("Opened by {by}{advice}"))
        }
    }

    /// What the decision matrix says: `matrix: rollback (Data corruption; approval: Tech Lead +
    /// DBA)`, or that no row fits and which might; nothing when the runbook has no matrix.
    pub(super) fn advice(&self, m: &MatrixAdvice) -> Option<String> {
        if m.row.is_none() && m.candidates.is_empty() {
            return None;
        }
        let action = m.action().map(|a| a.to_string());
        Some(match (&m.row, self.vi()) {
            (Some(r), vi) => {
                let (approval, label) = if vi { ("duyệt", "ma trận") } else { ("approval", "matrix") };
                let who = if r.approver.is_empty() { String::new() } else { format!("; {approval}: {}", r.approver) };
                format!("{label}: {} ({}{who})", r.action, r.issue)
            }
            (None, vi) => {
                let rows: Vec<String> = m.candidates.iter().map(|r| format!("{} ({})", r.issue, r.action)).collect();
                let rows = rows.join(", ");
                let action = action.map(|a| format!(" → {a}")).unwrap_or_default();
                if vi {
                    format!("ma trận: không dòng nào khớp{action}; có thể là: {rows}")
                } else {
                    format!("matrix: no row fits{action}; candidates: {rows}")
                }
            }
        })
    }

    /// "Rollback decided by NAME (ROLE): REASON", and what comes now.
    pub(super) fn rollback_decided(&self, r: &RollbackLive) -> Text {
        let (who, why) = decided(r);
        let steps = r.steps.iter().filter(|s| !s.done).count();
        let minutes: u32 = r.steps.iter().filter(|s| !s.done).map(|s| s.minutes).sum();
        let end = r.restore_by.as_ref().map(|t| self.hm(t));
        let overridden = r.override_reason.is_some();
        if self.vi() {
            let end = end.map(|e| format!("; hết khung giờ lúc {e}")).unwrap_or_default();
            let late = if overridden { " (vượt hạn chót, có lý do)" } else { "" };
            (
                format!("{who} đã quyết định hoàn tác{late}{why}"),
                format!("{steps} bước, {minutes} phút{end}. Dừng nhắc việc triển khai."),
            )
        } else {
            let end = end.map(|e| format!("; the window ends {e}")).unwrap_or_default();
            let late = if overridden { " (override after the deadline)" } else { "" };
            (
                format!("Rollback decided by {who}{late}{why}"),
                format!("{steps} steps, {minutes} min{end}. Go-live reminders stop."),
            )
        }
    }

    /// A rollback step falls due: `n` of `of`, to be done by `end`.
    pub(super) fn rollback_step(&self, s: &RollbackStepLive, n: usize, of: usize, end: &Instant) -> Text {
        let end = self.hm(end);
        if self.vi() {
            (
                format!("Bước hoàn tác {n}/{of}: {}", s.title),
                format!("Bước {} · {} phút · xong trước {end}", s.id, s.minutes),
            )
        } else {
            (
                format!("Rollback step {n} of {of}: {}", s.title),
                format!("Step {} · {} min · done by {end}", s.id, s.minutes),
            )
        }
    }

    /// "Fix forward decided by NAME (ROLE): REASON", and what is being fixed: the open
    /// incidents and the failed or blocked tasks.
    pub(super) fn fix_forward(&self, st: &Status) -> Text {
        let (who, why) = decided(&st.rollback);
        let incidents = st.incidents.iter().filter(|i| i.open).map(|i| {
            let sev = i.severity.map(|s| format!("{s} ")).unwrap_or_default();
            format!("{sev}{}", i.title)
        });
        let tasks = st.stopped.iter().map(|x| {
            let title = st.tasks.iter().find(|t| t.id == x.task).map(|t| t.title.as_str()).unwrap_or_default();
            if self.vi() {
                format!("việc {} {title} ({})", x.task, x.status)
            } else {
                format!("task {} {title} ({})", x.task, x.status)
            }
        });
        let fixing: Vec<String> = incidents.chain(tasks).collect();
        if self.vi() {
            let body = if fixing.is_empty() {
                "Không có sự cố hay việc lỗi nào đang mở; tiếp tục triển khai.".into()
            } else {
                format!("Đang sửa: {}", fixing.join("; "))
            };
            (format!("{who} đã quyết định sửa tiếp (fix forward){why}"), body)
        } else {
            let body = if fixing.is_empty() {
                "No incident or failed task is open; the go-live goes on.".into()
            } else {
                format!("Fixing: {}", fixing.join("; "))
            };
            (format!("Fix forward decided by {who}{why}"), body)
        }
    }

    /// "While you were away": how many of each kind passed.
    /// `passed`: the last rollback deadline reminder (T-0) was among them.
    pub(super) fn summary(&self, counts: &[(NoticeKind, usize)], passed: bool) -> Text {
        let parts: Vec<String> = counts.iter().map(|(k, n)| self.count(*k, *n, passed)).collect();
        if self.vi() {
            ("Trong lúc bạn vắng mặt".into(), parts.join(", "))
        } else {
            ("While you were away".into(), parts.join(", "))
        }
    }

    fn count(&self, kind: NoticeKind, n: usize, passed: bool) -> String {
        let s = if n == 1 { "" } else { "s" };
        let vi = self.vi();
        match kind {
            NoticeKind::TaskDue if vi => format!("{n} việc đến giờ bắt đầu"),
            NoticeKind::TaskDue => format!("{n} task{s} due to start"),
            NoticeKind::TaskOverdue if vi => format!("{n} việc quá hạn"),
            NoticeKind::TaskOverdue => format!("{n} task{s} overdue"),
            NoticeKind::CheckpointDue if vi => format!("{n} điểm kiểm tra đến hạn"),
            NoticeKind::CheckpointDue => format!("{n} checkpoint{s} due"),
            NoticeKind::SignoffWaiting if vi => format!("{n} điểm kiểm tra chờ bạn ký"),
            NoticeKind::SignoffWaiting => format!("{n} checkpoint{s} waiting for your sign-off"),
            // Reminders of one deadline are one thing to know: whether it is near or gone.
            NoticeKind::RollbackDeadline if vi && passed => "đã qua hạn chót hoàn tác".into(),
            NoticeKind::RollbackDeadline if vi => "hạn chót hoàn tác sắp đến".into(),
            NoticeKind::RollbackDeadline if passed => "the rollback deadline passed".into(),
            NoticeKind::RollbackDeadline => "the rollback deadline is near".into(),
            NoticeKind::PointOfNoReturn if vi => "nguy cơ vượt điểm không thể quay lại".into(),
            NoticeKind::PointOfNoReturn => "the point of no return at risk".into(),
            NoticeKind::MetricAlert if vi => format!("{n} cảnh báo chỉ số"),
            NoticeKind::MetricAlert => format!("{n} metric alert{s}"),
            NoticeKind::Incident if vi => format!("{n} sự cố P1/P2"),
            NoticeKind::Incident => format!("{n} P1/P2 incident{s}"),
            NoticeKind::PeerLost if vi => format!("{n} máy mất kết nối"),
            NoticeKind::PeerLost => format!("{n} laptop{s} lost"),
            NoticeKind::RollbackDecided if vi => "đã quyết định hoàn tác".into(),
            NoticeKind::RollbackDecided => "a rollback was decided".into(),
            NoticeKind::RollbackStep if vi => format!("{n} bước hoàn tác đến giờ"),
            NoticeKind::RollbackStep => format!("{n} rollback step{s} due"),
            NoticeKind::FixForwardDecided if vi => "đã quyết định fix forward".into(),
            NoticeKind::FixForwardDecided => "fix forward was decided".into(),
            NoticeKind::Summary => String::new(),
        }
    }
}

/// Who decided (`Lan (Tech Lead)`) and why (`: core flow broken`, or nothing).
fn decided(r: &RollbackLive) -> (String, String) {
    let who = r.decided_by.as_ref().map(|b| format!("{} ({})", b.name, b.role)).unwrap_or_default();
    let why =
        r.reason.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(|x| format!(": {x}")).unwrap_or_default();
    (who, why)
}
