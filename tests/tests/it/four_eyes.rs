//! Four eyes through the CLI: one person (whatever case or diacritics they type) cannot fill two
//! roles of a rollback's approval, approvals given on one laptop are flagged in the audit record
//! and in status, and an override after the deadline needs the matrix's approvers and a reason.

use serde_json::Value;
use warroom_tests::{Scratch, fixtures, yesterday};

fn room_on(s: &Scratch, date: &str) {
    let seed = fixtures().join("go-live-runbook.utf8.md").display().to_string();
    s.ok(&["import", &seed]);
    s.ok(&["run", "start", "--live", "--date", date, "--tz", "UTC"]);
}

fn approve(s: &Scratch, name: &str, role: &str) -> warroom_tests::Run {
    s.warroom(&["rollback", "approve", "--by", name, "--role", role])
}

#[test]
fn one_person_cannot_approve_a_rollback_twice_and_one_laptop_is_flagged() {
    let s = Scratch::new();
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    room_on(&s, &later);
    assert!(approve(&s, "Nguyễn Văn An", "Tech Lead").ok());
    for again in ["nguyen van an", "NGUYỄN VĂN AN", "Nguyễn Văn An"] {
        let r = approve(&s, again, "DBA");
        assert_eq!(r.code, Some(1), "{again}: {r:?}");
        assert!(r.stderr.contains("Nguyễn Văn An already approved this rollback as Tech Lead"), "{r:?}");
        assert!(r.stderr.contains("hint:"), "{r:?}");
    }
    let r = s.warroom(&["rollback", "decide", "--rollback", "--reason", "core flow broken", "--by", "An"]);
    assert_eq!(r.code, Some(1), "one pair of eyes decides nothing: {r:?}");

    assert!(approve(&s, "Trần Thị Bình", "DBA").ok());
    s.ok(&["rollback", "decide", "--rollback", "--reason", "core flow broken", "--by", "Nguyễn Văn An"]);
    let st: Value = serde_json::from_str(&s.ok(&["status", "--json"])).unwrap();
    let approvals = st["rollback"]["approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 2, "{st}");
    let device = approvals[0]["by"]["device"].as_str().unwrap();
    assert_eq!(approvals[1]["by"]["device"], device, "both given on this laptop");
    assert_eq!(st["rollback"]["shared_laptops"], serde_json::json!([device]));
    let html = s.ok(&["report", "--format", "html"]);
    assert!(html.contains("FLAGGED: more than one person approved on laptop"), "the audit record flags it");
    assert!(html.contains("SAME LAPTOP as another approver"));
}

#[test]
fn a_late_override_needs_the_matrix_approvers_and_a_reason() {
    let s = Scratch::new();
    room_on(&s, &yesterday());
    let r = s.warroom(&["rollback", "decide", "--rollback", "--reason", "corruption"]);
    assert!(!r.ok() && r.stderr.contains("fix forward only"), "{r:?}");
    let r = s.warroom(&["rollback", "override", "--reason", "data corruption in Sales"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("a rollback needs the approval of Tech Lead + Business or Tech Lead + DBA"), "{r:?}");
    assert!(approve(&s, "Lan", "Tech Lead").ok());
    assert!(approve(&s, "Huy", "DBA").ok());
    let r = s.warroom(&["rollback", "override", "--reason", "  "]);
    assert!(!r.ok() && r.stderr.contains("an override needs a reason"), "{r:?}");
    s.ok(&["rollback", "override", "--reason", "data corruption in Sales", "--by", "Lan"]);
    let st: Value = serde_json::from_str(&s.ok(&["status", "--json"])).unwrap();
    assert_eq!(st["rollback"]["override_reason"], "data corruption in Sales");
}
