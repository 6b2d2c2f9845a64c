//! The record's integrity through the `warroom` binary: `verify` passes on a record as made,
//! and names the event when a comment is edited directly in SQLite afterwards.

use serde_json::Value;
use warroom_tests::Scratch;

fn ok(s: &Scratch, args: &[&str]) -> String {
    s.ok(args)
}

#[test]
fn a_comment_edited_in_sqlite_afterwards_fails_verify_and_names_the_event() {
    let s = Scratch::new();
    ok(&s, &["import", "--demo"]);
    ok(&s, &["me", "set", "Lan", "--role", "Tech Lead"]);
    ok(&s, &["run", "start", "--rehearsal", "--date", "2026-01-31", "--tz", "Asia/Ho_Chi_Minh"]);
    ok(&s, &["task", "1.1", "start"]);
    ok(&s, &["task", "1.1", "comment", "--note", "Bridge call opened, 9 of 9 online"]);
    ok(&s, &["task", "1.1", "done"]);

    let out = ok(&s, &["verify"]);
    assert!(out.contains("intact"), "{out}");
    let digest = out.lines().next().unwrap().trim_start_matches("log digest").trim().to_owned();
    assert_eq!(digest.len(), 64, "{out}");
    assert_eq!(
        ok(&s, &["verify"]).lines().next().unwrap(),
        out.lines().next().unwrap(),
        "the same log, the same digest"
    );

    let log: Value = serde_json::from_str(&ok(&s, &["log", "--json"])).unwrap();
    let comment = log.as_array().unwrap().iter().find(|e| e["kind"] == "task.comment").expect("a comment event");
    let named = format!("{}#{}", &comment["origin"].as_str().unwrap()[..8], comment["seq"]);

    let db = rusqlite::Connection::open(s.db()).unwrap();
    let changed = db
        .execute("UPDATE members SET value = '{\"text\":\"all fine\"}' WHERE value LIKE '%9 of 9 online%'", [])
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let r = s.warroom(&["verify"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stderr.contains("changed after the fact"), "{}", r.stderr);
    assert!(r.stderr.contains(&named) && r.stderr.contains("all fine"), "names {named}: {}", r.stderr);
}

/// What the record of the scenario below must show: every person, the comment, the incident,
/// each checkpoint decision with its reason, the rollback decision, back-filled times.
const SHOWN: [&str; 14] = [
    "Lan",
    "Huy",
    "Minh",
    "Thảo",
    "Quân",
    "Khóa xong, đã kiểm tra",
    "Đơn hàng bị lỗi",
    "NO-GO",
    "record counts differ",
    "counts reconciled",
    "GO",
    "fix_forward",
    "patch applied",
    "(back-filled)",
];

/// Runs a poppler tool (Debian's poppler-utils); its standard output.
fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[test]
fn the_printed_record_has_every_task_person_decision_and_the_digest() {
    let s = Scratch::new();
    let day = warroom_tests::yesterday();
    let seed = warroom_tests::fixtures().join("go-live-runbook.utf8.md");
    ok(&s, &["import", seed.to_str().unwrap()]);
    ok(&s, &["me", "set", "Lan", "--role", "Tech Lead"]);
    ok(&s, &["run", "start", "--live", "--date", &day, "--tz", "Asia/Ho_Chi_Minh"]);
    ok(&s, &["task", "1.1", "start", "--at", "06:00"]);
    ok(&s, &["task", "1.1", "done", "--at", "06:25"]);
    ok(&s, &["task", "1.2", "done", "--at", "06:28", "--by", "Huy", "--role", "DBA"]);
    ok(&s, &["task", "1.3", "comment", "--note", "Khóa xong, đã kiểm tra", "--by", "Huy", "--role", "DBA"]);
    ok(&s, &["incident", "open", "Đơn hàng bị lỗi", "--severity", "P2", "--by", "Minh", "--role", "DevOps"]);
    for (who, role) in
        [("Lan", "Tech Lead"), ("Huy", "DBA"), ("Minh", "DevOps"), ("Thảo", "QA Lead"), ("Quân", "Business Owner")]
    {
        ok(&s, &["checkpoint", "1.5", "sign", "--by", who, "--role", role]);
    }
    ok(&s, &["checkpoint", "1.5", "no-go", "--reason", "record counts differ"]);
    ok(&s, &["checkpoint", "1.5", "go", "--reason", "counts reconciled"]);
    ok(&s, &["rollback", "decide", "--fix-forward", "--reason", "patch applied"]);

    let digest = ok(&s, &["verify"]).lines().next().unwrap().trim_start_matches("log digest").trim().to_owned();
    let page = ok(&s, &["report", "--format", "html"]);
    assert!(page.contains("PARTIAL RECORD"), "printed during the run, it says so");
    let rb: Value = serde_json::from_str(&ok(&s, &["export", "--format", "json"])).unwrap();
    let mut titles = 0;
    for phase in rb["phases"].as_array().unwrap() {
        for task in phase["tasks"].as_array().unwrap() {
            let title = html_escaped(task["title"].as_str().unwrap());
            assert!(page.contains(&title), "task title missing from the record: {title}");
            titles += 1;
        }
    }
    assert_eq!(titles, 32);
    for text in SHOWN {
        assert!(page.contains(text), "the page shows {text}");
    }
    assert!(page.matches(&digest).count() >= 2, "the digest is in the summary and the footer");

    // The PDF: every title with its diacritics, every person, each decision, the digest.
    let pdf = s.path("record.pdf");
    ok(&s, &["report", "--format", "pdf", "-o", pdf.to_str().unwrap()]);
    let text = warroom_tests::pdf_text(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for phase in rb["phases"].as_array().unwrap() {
        for task in phase["tasks"].as_array().unwrap() {
            let title = task["title"].as_str().unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&title), "task title missing from the PDF: {title}");
        }
    }
    for text in SHOWN.iter().chain(&["PARTIAL RECORD"]) {
        assert!(flat.contains(text), "the PDF shows {text}");
    }
    assert!(flat.replace(' ', "").contains(&digest), "the digest is printed");
    let pages: usize = warroom_tests::tool("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap();
    assert!(flat.contains(&format!("page {pages} of {pages}")), "every page says page x of y");
    assert!(warroom_tests::tool("pdfinfo", &[pdf.to_str().unwrap()]).contains("(A4)"));
    let letter = s.path("record-letter.pdf");
    ok(&s, &["report", "--paper", "letter", "-o", letter.to_str().unwrap()]);
    assert!(warroom_tests::tool("pdfinfo", &[letter.to_str().unwrap()]).contains("612 x 792 pts (letter)"));
    // Page 1 as the README shows it.
    let png = warroom_tests::repo().join("docs/audit-record-page1");
    warroom_tests::tool(
        "pdftoppm",
        &["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf.to_str().unwrap(), png.to_str().unwrap()],
    );

    ok(&s, &["run", "finish"]);
    let out = s.path("record.html");
    ok(&s, &["report", "--format", "html", "-o", out.to_str().unwrap()]);
    let final_page = std::fs::read_to_string(out).unwrap();
    assert!(!final_page.contains("PARTIAL RECORD"), "the finished run's record is final");
    assert!(final_page.contains("went live (fixed forward)"));
}
