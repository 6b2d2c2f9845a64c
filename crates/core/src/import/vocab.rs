//! The words runbooks use, in English and Vietnamese, for sections, overview keys and table
//! columns. Matching is on a folded form (lower case, no diacritics, `đ` → `d`, punctuation as
//! spaces), so "Giờ", "GIO" and "giờ:" are the same word.

pub(crate) use warroom_model::fold;

/// How well `folded` names one of `words`: 3 exact, 2 starts or ends with it, 1 contains it.
fn score(folded: &str, words: &[&str]) -> u8 {
    let mut best = 0;
    for w in words {
        let s = if folded == *w {
            3
        } else if folded.strip_prefix(w).is_some_and(|rest| rest.starts_with(' '))
            || folded.strip_suffix(w).is_some_and(|rest| rest.ends_with(' '))
        {
            2
        } else if inner_word(folded, w) {
            1
        } else {
            0
        };
        best = best.max(s);
    }
    best
}

/// Whether `folded` holds ` word ` (spaces on both sides), without making that string: headers
/// are scored against the whole vocabulary, for every table of a large runbook.
fn inner_word(folded: &str, word: &str) -> bool {
    let (text, word) = (folded.as_bytes(), word.as_bytes());
    text.windows(word.len() + 2).any(|w| w[0] == b' ' && w[w.len() - 1] == b' ' && &w[1..w.len() - 1] == word)
}

/// The best of `options` for `text`, if any word matches.
fn best<T: Copy>(text: &str, options: &[(T, &[&str])]) -> Option<T> {
    let folded = fold(text);
    let mut found: Option<(u8, T)> = None;
    for (value, words) in options {
        let s = score(&folded, words);
        if s > 0 && found.is_none_or(|(b, _)| s > b) {
            found = Some((s, *value));
        }
    }
    found.map(|(_, v)| v)
}

/// What a heading announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Overview,
    Contacts,
    Timeline,
    Rollback,
    Triggers,
    Matrix,
    RollbackSteps,
    Deadline,
    Monitoring,
    Metrics,
    Checklist,
    /// Exit criteria and readiness checks: always a checklist, never tasks.
    Criteria,
    Commands,
}

impl Section {
    /// The key under which the heading's own words are kept for export.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Contacts => "contacts",
            Self::Timeline => "timeline",
            Self::Rollback => "rollback",
            Self::Triggers => "triggers",
            Self::Matrix => "matrix",
            Self::RollbackSteps => "steps",
            Self::Deadline => "deadline",
            Self::Monitoring => "monitoring",
            Self::Metrics => "metrics",
            Self::Checklist | Self::Criteria => "checklist",
            Self::Commands => "commands",
        }
    }

    pub(crate) fn is_rollback_part(self) -> bool {
        matches!(self, Self::Rollback | Self::Triggers | Self::Matrix | Self::RollbackSteps | Self::Deadline)
    }
}

const SECTIONS: &[(Section, &[&str])] = &[
    (Section::Overview, &["overview", "tong quan", "summary", "general", "thong tin chung", "gioi thieu"]),
    (
        Section::Contacts,
        &[
            "contacts",
            "contact",
            "lien he",
            "lien he khan cap",
            "emergency contacts",
            "escalation",
            "khan cap",
            "danh ba",
            "contact list",
            "team members",
            "owners",
            "roles",
            "key contacts",
            "thanh vien",
            "nhan su",
        ],
    ),
    (
        Section::Timeline,
        &[
            "timeline",
            "timeline chi tiet",
            "lich trinh",
            "schedule",
            "ke hoach",
            "cutover plan",
            "tasks",
            "chi tiet",
            "tien do",
            "runbook steps",
        ],
    ),
    (
        Section::Rollback,
        &[
            "rollback",
            "rollback procedure",
            "rollback plan",
            "backout",
            "back out",
            "hoan tac",
            "quy trinh rollback",
            "khoi phuc",
            "roll back",
        ],
    ),
    (
        Section::Triggers,
        &[
            "khi nao rollback",
            "when to rollback",
            "when to roll back",
            "triggers",
            "rollback triggers",
            "trigger",
            "dieu kien rollback",
            "khi nao",
        ],
    ),
    (Section::Matrix, &["decision matrix", "ma tran quyet dinh", "matrix", "ma tran", "decision"]),
    (
        Section::RollbackSteps,
        &["rollback steps", "steps", "cac buoc", "cac buoc rollback", "buoc rollback", "backout steps", "procedure"],
    ),
    (
        Section::Deadline,
        &["rollback deadline", "deadline", "han chot", "thoi han", "point of no return", "han rollback"],
    ),
    (Section::Monitoring, &["post go live monitoring", "monitoring", "giam sat", "theo doi", "hypercare monitoring"]),
    (
        Section::Metrics,
        &["metrics to watch", "metrics", "chi so", "kpi", "kpis", "chi so theo doi", "metrics to watch first 24h"],
    ),
    (
        Section::Checklist,
        &[
            "checklist",
            "checklist end of day 1",
            "end of day",
            "cuoi ngay",
            "danh sach kiem tra",
            "end of day checklist",
        ],
    ),
    (
        Section::Criteria,
        &[
            "exit criteria",
            "success criteria",
            "acceptance criteria",
            "rollback readiness",
            "readiness",
            "readiness checklist",
            "tieu chi hoan thanh",
            "tieu chi thanh cong",
            "dieu kien hoan thanh",
        ],
    ),
    (
        Section::Commands,
        &[
            "commands reference",
            "commands",
            "appendix commands reference",
            "lenh",
            "cac lenh",
            "command reference",
            "appendix",
            "phu luc",
            "useful commands",
        ],
    ),
];

pub(crate) fn section(heading: &str) -> Option<Section> {
    best(heading, SECTIONS)
}

/// Whether a heading names the rollback (`Rollback`, `Back-out`, `Fallback`, `Hoàn tác`,
/// `Khôi phục`), so that its steps are the rollback's and not the cutover's.
pub(crate) fn says_rollback(heading: &str) -> bool {
    const WORDS: &[&str] = &[
        "rollback",
        "roll back",
        "fallback",
        "fall back",
        "backout",
        "back out",
        "revert",
        "hoan tac",
        "khoi phuc",
        "quay lui",
    ];
    let f = format!(" {} ", fold(heading));
    WORDS.iter().any(|w| f.contains(&format!(" {w} ")))
}

/// An overview line's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    Version,
    Date,
    GoLiveDay,
    Window,
    Hypercare,
    Zone,
}

impl Key {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::Date => "date",
            Self::GoLiveDay => "go_live_day",
            Self::Window => "window",
            Self::Hypercare => "hypercare",
            Self::Zone => "zone",
        }
    }
}

const KEYS: &[(Key, &[&str])] = &[
    (Key::Version, &["version", "phien ban", "ver", "revision"]),
    (Key::Date, &["date", "ngay", "document date", "ngay tai lieu", "updated", "cap nhat"]),
    (
        Key::GoLiveDay,
        &[
            "ngay go live",
            "go live day",
            "go live date",
            "go live",
            "cutover date",
            "cutover day",
            "ngay trien khai",
            "ngay chuyen doi",
        ],
    ),
    (
        Key::Window,
        &[
            "khung gio",
            "window",
            "time window",
            "cutover window",
            "maintenance window",
            "go live window",
            "thoi gian trien khai",
            "khung thoi gian",
        ],
    ),
    (Key::Hypercare, &["hypercare", "ho tro sau go live", "hyper care"]),
    (Key::Zone, &["time zone", "timezone", "zone", "mui gio", "tz"]),
];

pub(crate) fn key(text: &str) -> Option<Key> {
    best(text, KEYS)
}

/// A table column's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Col {
    Id,
    Time,
    Task,
    Owner,
    Status,
    Notes,
    Duration,
    After,
    Phase,
    Role,
    Name,
    Phone,
    Backup,
    Trigger,
    Condition,
    Issue,
    Severity,
    Rollback,
    Approver,
    Metric,
    Target,
    Alert,
    Command,
    Label,
}

/// What a table holds, judged from its columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableKind {
    Tasks,
    Contacts,
    Triggers,
    Matrix,
    Metrics,
    Steps,
    Commands,
}

const TASK_COLS: &[(Col, &[&str])] = &[
    (Col::Id, &["id", "ma", "ref", "task id"]),
    (
        Col::Time,
        &[
            "time",
            "start",
            "start time",
            "planned",
            "planned start",
            "gio",
            "thoi gian",
            "thoi diem",
            "bat dau",
            "gio bat dau",
            "when",
            "at",
            "planned time",
            "eta",
        ],
    ),
    (
        Col::Task,
        &[
            "task",
            "step",
            "activity",
            "action",
            "description",
            "cong viec",
            "nhiem vu",
            "hoat dong",
            "hanh dong",
            "buoc",
            "mo ta",
            "item",
            "title",
            "noi dung",
        ],
    ),
    (
        Col::Owner,
        &[
            "owner",
            "responsible",
            "phu trach",
            "nguoi phu trach",
            "assignee",
            "assigned to",
            "who",
            "role",
            "team",
            "chu tri",
            "thuc hien",
            "nguoi thuc hien",
            "owner role",
        ],
    ),
    (Col::Status, &["status", "done", "trang thai", "xong", "hoan thanh", "check", "state", "tinh trang"]),
    (Col::Notes, &["notes", "note", "ghi chu", "comment", "comments", "remarks", "details"]),
    (
        Col::Duration,
        &["duration", "est", "estimate", "minutes", "mins", "thoi luong", "thoi gian du kien", "du kien", "est min"],
    ),
    (Col::After, &["after", "depends on", "dependencies", "predecessors", "phu thuoc", "sau khi"]),
    (Col::Phase, &["phase", "stage", "giai doan", "workstream"]),
];

const CONTACT_COLS: &[(Col, &[&str])] = &[
    (Col::Role, &["role", "vai tro", "chuc vu", "position", "function", "team", "bo phan"]),
    (Col::Name, &["name", "ten", "ho ten", "ho va ten", "person", "contact", "nguoi"]),
    (
        Col::Phone,
        &["phone", "sdt", "so dien thoai", "dien thoai", "mobile", "tel", "telephone", "phone number", "di dong", "dt"],
    ),
    (
        Col::Backup,
        &[
            "backup",
            "du phong",
            "thay the",
            "deputy",
            "alternate",
            "backup contact",
            "nguoi thay the",
            "nguoi du phong",
        ],
    ),
];

const TRIGGER_COLS: &[(Col, &[&str])] = &[
    (Col::Trigger, &["trigger", "tac nhan", "loai", "type", "kind", "dau hieu", "category", "nhom"]),
    (Col::Condition, &["condition", "dieu kien", "criteria", "tieu chi", "threshold", "when", "khi"]),
];

const MATRIX_COLS: &[(Col, &[&str])] = &[
    (Col::Issue, &["issue", "van de", "su co", "problem", "scenario", "tinh huong", "loi"]),
    (Col::Severity, &["severity", "muc do", "priority", "do nghiem trong", "uu tien", "sev"]),
    (
        Col::Rollback,
        &["rollback", "hoan tac", "action", "hanh dong", "decision", "quyet dinh", "roll back", "rollback decision"],
    ),
    (
        Col::Approver,
        &[
            "approver",
            "approvers",
            "nguoi duyet",
            "phe duyet",
            "nguoi phe duyet",
            "approved by",
            "decision maker",
            "nguoi quyet dinh",
        ],
    ),
];

const METRIC_COLS: &[(Col, &[&str])] = &[
    (Col::Metric, &["metric", "chi so", "kpi", "measure", "indicator", "chi tieu"]),
    (Col::Target, &["target", "muc tieu", "expected", "goal", "ky vong"]),
    (Col::Alert, &["alert", "alert threshold", "nguong canh bao", "threshold", "canh bao", "nguong"]),
];

const STEP_COLS: &[(Col, &[&str])] = &[
    (Col::Task, &["step", "task", "action", "buoc", "cong viec", "description", "mo ta"]),
    (Col::Command, &["command", "commands", "lenh", "cmd"]),
    (Col::Duration, &["duration", "est", "estimate", "minutes", "mins", "thoi luong", "du kien"]),
];

const COMMAND_COLS: &[(Col, &[&str])] = &[
    (Col::Label, &["label", "name", "description", "purpose", "muc dich", "mo ta", "ten", "action"]),
    (Col::Command, &["command", "commands", "lenh", "cmd"]),
];

impl TableKind {
    fn columns(self) -> &'static [(Col, &'static [&'static str])] {
        match self {
            Self::Tasks => TASK_COLS,
            Self::Contacts => CONTACT_COLS,
            Self::Triggers => TRIGGER_COLS,
            Self::Matrix => MATRIX_COLS,
            Self::Metrics => METRIC_COLS,
            Self::Steps => STEP_COLS,
            Self::Commands => COMMAND_COLS,
        }
    }

    fn complete(self, cols: &[Option<Col>]) -> bool {
        let has = |c| cols.contains(&Some(c));
        match self {
            Self::Tasks => has(Col::Time) && has(Col::Task),
            Self::Contacts => has(Col::Role) && (has(Col::Name) || has(Col::Phone)),
            Self::Triggers => has(Col::Trigger) && has(Col::Condition),
            Self::Matrix => has(Col::Severity) && (has(Col::Rollback) || has(Col::Approver)),
            Self::Metrics => has(Col::Metric) && (has(Col::Target) || has(Col::Alert)),
            Self::Steps => has(Col::Task) && (has(Col::Command) || has(Col::Duration)),
            Self::Commands => has(Col::Label) && has(Col::Command),
        }
    }

    /// The column `header` names in a table of this kind, if any.
    pub(crate) fn column_of(self, header: &str) -> Option<Col> {
        best(header, self.columns())
    }

    /// Each header's meaning for this kind of table; a column is mapped once, to its best header.
    pub(crate) fn map(self, headers: &[String]) -> Vec<Option<Col>> {
        let mut cols: Vec<Option<Col>> = headers.iter().map(|h| self.column_of(h)).collect();
        for i in 0..cols.len() {
            if cols[i].is_some() && cols[..i].contains(&cols[i]) {
                cols[i] = None;
            }
        }
        cols
    }
}

/// Judges a table by its headers; `context` (the section it stands in) breaks ties.
pub(crate) fn table_kind(headers: &[String], context: Option<Section>) -> Option<(TableKind, Vec<Option<Col>>)> {
    let preferred: &[TableKind] = match context {
        Some(Section::RollbackSteps) => &[TableKind::Steps],
        Some(Section::Commands) => &[TableKind::Commands],
        Some(Section::Triggers) => &[TableKind::Triggers],
        Some(Section::Matrix) => &[TableKind::Matrix],
        Some(Section::Metrics | Section::Monitoring) => &[TableKind::Metrics],
        Some(Section::Contacts) => &[TableKind::Contacts],
        _ => &[],
    };
    let general = [
        TableKind::Tasks,
        TableKind::Matrix,
        TableKind::Metrics,
        TableKind::Contacts,
        TableKind::Triggers,
        TableKind::Commands,
    ];
    preferred
        .iter()
        .chain(general.iter())
        .find_map(|&kind| {
            let cols = kind.map(headers);
            kind.complete(&cols).then_some((kind, cols))
        })
        .or_else(|| {
            // `| Item | Owner | Status |`: tasks without times, when the table is nothing else.
            let cols = TableKind::Tasks.map(headers);
            let has = |c| cols.contains(&Some(c));
            (has(Col::Task) && (has(Col::Owner) || has(Col::Status))).then_some((TableKind::Tasks, cols))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `score` without the strings it used to make: the same as ` word `, `word ` and
        /// ` word` searched for as written, also where a word repeats or overlaps itself.
        #[test]
        fn scores_as_the_spaced_words_would(folded in "[ab ]{0,12}", word in "[ab ]{1,4}") {
            let spaced = if folded == word {
                3
            } else if folded.starts_with(&format!("{word} ")) || folded.ends_with(&format!(" {word}")) {
                2
            } else {
                u8::from(folded.contains(&format!(" {word} ")))
            };
            prop_assert_eq!(score(&folded, &[word.as_str()]), spaced);
        }
    }

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("LIÊN HỆ KHẨN CẤP"), "lien he khan cap");
        assert_eq!(fold("Đường  dây: nóng!"), "duong day nong");
        assert_eq!(fold("Rollback?"), "rollback");
    }

    #[test]
    fn recognises_sections_in_both_languages() {
        assert_eq!(section("TỔNG QUAN"), Some(Section::Overview));
        assert_eq!(section("LIÊN HỆ KHẨN CẤP"), Some(Section::Contacts));
        assert_eq!(section("TIMELINE CHI TIẾT"), Some(Section::Timeline));
        assert_eq!(section("ROLLBACK PROCEDURE"), Some(Section::Rollback));
        assert_eq!(section("Khi nào Rollback?"), Some(Section::Triggers));
        assert_eq!(section("Decision Matrix"), Some(Section::Matrix));
        assert_eq!(section("Rollback Steps"), Some(Section::RollbackSteps));
        assert_eq!(section("Rollback Deadline"), Some(Section::Deadline));
        assert_eq!(section("POST GO-LIVE MONITORING"), Some(Section::Monitoring));
        assert_eq!(section("Metrics to Watch (First 24h)"), Some(Section::Metrics));
        assert_eq!(section("Checklist - End of Day 1"), Some(Section::Checklist));
        assert_eq!(section("Exit Criteria"), Some(Section::Criteria));
        assert_eq!(section("Rollback Readiness"), Some(Section::Criteria));
        assert_eq!(section("APPENDIX: Commands Reference"), Some(Section::Commands));
        assert_eq!(section("Phase 1: Chuẩn bị (6:00 - 6:30)"), None);
        assert!(
            says_rollback("Các bước hoàn tác")
                && says_rollback("Back-out steps")
                && !says_rollback("Cutover Window Steps")
        );
    }

    #[test]
    fn recognises_task_tables_in_any_wording_and_order() {
        for headers in [
            h(&["Time", "Task", "Owner", "Status"]),
            h(&["Start", "Step", "Responsible", "Done"]),
            h(&["Giờ", "Công việc", "Phụ trách", "Trạng thái"]),
            h(&["Owner", "Status", "Task", "Time", "Ticket"]),
        ] {
            let (kind, cols) = table_kind(&headers, None).unwrap();
            assert_eq!(kind, TableKind::Tasks, "{headers:?}");
            assert!(cols.contains(&Some(Col::Owner)) && cols.contains(&Some(Col::Status)), "{headers:?}");
        }
        let (_, cols) = table_kind(&h(&["Owner", "Status", "Task", "Time", "Ticket"]), None).unwrap();
        assert_eq!(cols, vec![Some(Col::Owner), Some(Col::Status), Some(Col::Task), Some(Col::Time), None]);
    }

    #[test]
    fn recognises_the_other_tables() {
        let kind = |v: &[&str]| table_kind(&h(v), None).map(|(k, _)| k);
        assert_eq!(kind(&["Role", "Name", "Phone", "Backup"]), Some(TableKind::Contacts));
        assert_eq!(kind(&["Vai trò", "Họ tên", "SĐT"]), Some(TableKind::Contacts));
        assert_eq!(kind(&["Trigger", "Condition"]), Some(TableKind::Triggers));
        assert_eq!(kind(&["Issue", "Severity", "Rollback?", "Approver"]), Some(TableKind::Matrix));
        assert_eq!(kind(&["Metric", "Target", "Alert Threshold"]), Some(TableKind::Metrics));
        assert_eq!(kind(&["Chỉ số", "Mục tiêu", "Ngưỡng cảnh báo"]), Some(TableKind::Metrics));
        assert_eq!(kind(&["Foo", "Bar"]), None);
        assert_eq!(kind(&["Item", "Details"]), None);
        assert_eq!(kind(&["Role", "Name", "Title", "Phone"]), Some(TableKind::Contacts));
        assert_eq!(kind(&["Item", "Owner", "Status", "Evidence"]), Some(TableKind::Tasks));
    }
}
