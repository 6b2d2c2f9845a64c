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

    // The record printed afterwards says so on its cover, before anything it shows.
    let page = ok(&s, &["report", "--format", "html"]);
    let alert = page.find("LOG INTEGRITY BROKEN").expect("the record says its log does not verify");
    assert!(page[alert..].contains(&named), "and names the event");
    assert!(alert < page.find("Who took part").unwrap(), "on the cover");
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
    "FIX FORWARD",
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
    let png = crate::browser::pictures().join("audit-record-page1");
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

/// The record's text flattened: runs of whitespace as one space.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One entry of `pdfinfo`.
pub(crate) fn info(pdf: &std::path::Path, key: &str) -> String {
    warroom_tests::tool("pdfinfo", &[pdf.to_str().unwrap()])
        .lines()
        .find_map(|l| l.strip_prefix(key).map(|v| v.trim_start_matches(':').trim().to_owned()))
        .unwrap_or_default()
}

/// The datacenter failover night of 20 to 21 March 2026 in Los Angeles (window 23:30–03:00,
/// rollback deadline 02:15), played through `warroom serve` with its clock moved to each moment:
/// the failover runs 40 minutes over, data corruption is found at 01:50, the Tech Lead and the
/// DBA approve a rollback, it is decided at 02:08 (entered at 02:18, back-filled) and its three
/// steps are done by 02:50. The
/// printed PDF must stand on its own: the window apart from the plan, the decision with its
/// reason, approvers and their laptops, the incident and matrix row, the margin to the deadline,
/// each step with who and when, every time local with its date after midnight, the checkpoint
/// labels, the importer, a note once, no word split, and the PDF's own metadata.
#[test]
fn the_record_of_a_night_rolled_back_before_the_deadline_reads_right() {
    use crate::zones::{get, post};
    use serde_json::json;
    let s = Scratch::new();
    ok(&s, &["me", "set", "Lan", "--role", "Tech Lead"]);
    let night = warroom_tests::fixtures().join("night-failover.md");
    ok(&s, &["import", night.to_str().unwrap()]);
    let (mai, lan, huy, minh) =
        (("Mai", "Incident Commander"), ("Lan", "Tech Lead"), ("Huy", "DBA"), ("Minh", "Network"));
    let at = |t: &str| warroom_tests::Server::start(&s, &["--now", t]);
    let task = |verb: &str, id: &str, when: &str| json!({"action": "task", "task": id, "verb": verb, "at": when});
    {
        let a = at("2026-03-20T23:57:00-07:00");
        post(
            &a,
            lan,
            json!({"action": "run_start", "kind": "live", "date": "2026-03-20", "tz": "America/Los_Angeles"}),
        );
        post(&a, mai, task("start", "1.1", "23:30"));
        post(&a, mai, task("done", "1.1", "23:36"));
        post(&a, huy, task("start", "1.2", "23:41"));
        let mut done = task("done", "1.2", "23:52");
        done["note"] = json!("DC-East read-only, checked twice");
        post(&a, huy, done);
        for who in [mai, lan, huy, minh] {
            post(&a, who, json!({"action": "checkpoint_sign", "id": "1.3"}));
        }
        post(&a, lan, json!({"action": "checkpoint_decide", "id": "1.3", "decision": "go"}));
    }
    let incident = {
        let b = at("2026-03-21T01:50:00-07:00");
        post(&b, huy, task("start", "2.1", "00:02"));
        post(&b, huy, task("done", "2.1", "01:05"));
        post(&b, minh, task("start", "2.2", "01:06"));
        let open = json!({"action": "incident_open", "title": "Data corruption in orders", "severity": "P1",
            "description": "Order totals differ between DC-East and DC-West.", "eta_minutes": 30});
        post(&b, huy, open);
        get(&b, "/api/status")["incidents"][0]["id"].as_str().unwrap().to_owned()
    };
    {
        let c = at("2026-03-21T02:05:00-07:00");
        post(&c, minh, task("done", "2.2", "02:00"));
        post(&c, lan, json!({"action": "rollback_approve"}));
        post(&c, huy, json!({"action": "rollback_approve"}));
    }
    {
        // Decided on the bridge at 02:08, entered ten minutes later.
        let d = at("2026-03-21T02:18:00-07:00");
        let decide = json!({"action": "rollback_decide", "rollback": true, "at": "02:08",
            "reason": "order data corrupted on DC-West", "incident": incident});
        post(&d, lan, decide);
    }
    for (t, who, step) in [("02:20", mai, "r1"), ("02:35", minh, "r2"), ("02:50", huy, "r3")] {
        let e = at(&format!("2026-03-21T{t}:00-07:00"));
        post(&e, who, json!({"action": "rollback_step", "id": step}));
    }
    let f = at("2026-03-21T03:10:00-07:00");
    post(&f, huy, json!({"action": "incident_resolve", "id": incident, "note": "rolled back to DC-East"}));
    let pdf = s.path("night.pdf");
    let bytes = crate::zones::http().get(format!("{}/api/report?format=pdf", f.url)).send().unwrap().bytes().unwrap();
    std::fs::write(&pdf, &bytes).unwrap();

    let raw = warroom_tests::pdf_text(&pdf);
    let text = flat(&raw);
    let log: Value = serde_json::from_str(&ok(&s, &["log", "--json"])).unwrap();
    let laptop = log[0]["origin"].as_str().unwrap()[..8].to_owned();
    let digest = ok(&s, &["verify"]).lines().next().unwrap().trim_start_matches("log digest").trim().to_owned();
    let shown = [
        // The window, and the implementation's planned end, apart.
        "Window 23:30 – 03:00 (21/03)".to_owned(),
        "Implementation planned 23:30 – 02:30 (21/03)".into(),
        "Every time is in America/Los_Angeles".into(),
        // The decision: what, why, who on which laptop, when against the deadline, approvers.
        "Decision ROLLBACK".into(),
        "Reason order data corrupted on DC-West".into(),
        format!("Decided by Lan (Tech Lead) on laptop {laptop}"),
        "02:08 (21/03), 7 min before the 02:15 (21/03) deadline".into(),
        "Entered 02:18 (21/03) by Lan, back-filled".into(),
        format!("Tech Lead — Lan, 02:05 (21/03) on laptop {laptop}"),
        format!("DBA — Huy, 02:05 (21/03) on laptop {laptop}"),
        "Incident followed P1 Data corruption in orders".into(),
        "Decision-matrix row Data corruption (P1): YES; approvers Tech Lead + DBA".into(),
        // Each step with who and when.
        "Announce the rollback on the bridge".into(),
        "02:20 (21/03)".into(),
        "02:35 (21/03)".into(),
        "02:50 (21/03)".into(),
        // The incident: the matrix's recommendation and what was decided.
        "Matrix recommends roll back".into(),
        "naming this incident".into(),
        // Labels, the importer, the event log in the run's zone with its date after midnight.
        "CHECKPOINT A: Go/No-Go for cutover".into(),
        "night-failover.md by Lan (Tech Lead) on laptop".into(),
        "02:18:".into(),
        "Outcome: rolled back".into(),
    ];
    for s in &shown {
        assert!(text.contains(s.as_str()), "the record says {s:?}:\n{raw}");
    }
    assert!(!text.contains("UTC") && !text.contains("09:08"), "02:08 PDT is never written as 09:08 UTC:\n{raw}");
    let tasks = text.split("Phases and tasks").nth(1).and_then(|t| t.split(" Rollback Deadline").next()).unwrap();
    assert_eq!(tasks.matches("checked twice").count(), 1, "a task's note is printed once: {tasks}");
    // Tasks left when the night rolled back were not run; none of them is still "pending".
    assert!(tasks.contains("not run") && !tasks.contains("pending"), "{tasks}");
    assert!(!raw.contains("Commande\n") && !raw.contains("Comman\n"), "no role split mid-word:\n{raw}");
    assert!(!text.contains("PARTIAL RECORD"), "the run is over");
    // What the PDF says about itself.
    assert_eq!(info(&pdf, "Title"), "DATACENTER FAILOVER NIGHT — audit record");
    assert_eq!(info(&pdf, "Author"), "Huy, Lan, Mai, Minh");
    assert!(info(&pdf, "Subject").contains("rolled back"), "{}", info(&pdf, "Subject"));
    assert!(info(&pdf, "Keywords").contains(&digest), "the digest in Keywords: {}", info(&pdf, "Keywords"));
    assert!(info(&pdf, "CreationDate").contains("Mar 21"), "{}", info(&pdf, "CreationDate"));
}

#[test]
fn a_run_entered_long_after_its_date_says_so_instead_of_printing_variances() {
    let s = Scratch::new();
    ok(&s, &["me", "set", "Lan", "--role", "Tech Lead"]);
    let night = warroom_tests::fixtures().join("night-failover.md");
    ok(&s, &["import", night.to_str().unwrap()]);
    // A night of March 2025, entered today as it is typed in, without back-filled times.
    ok(&s, &["run", "start", "--rehearsal", "--date", "2025-03-20", "--tz", "America/Los_Angeles"]);
    ok(&s, &["task", "1.1", "done"]);
    ok(&s, &["task", "1.2", "done"]);
    let pdf = s.path("late.pdf");
    ok(&s, &["report", "--format", "pdf", "-o", pdf.to_str().unwrap()]);
    let text = flat(&warroom_tests::pdf_text(&pdf));
    assert!(text.contains("not shown: the run was recorded"), "{text}");
    assert!(text.contains("day(s) after its planned date"), "{text}");
    assert!(!text.contains(" min late") && !text.contains("variance +"), "no variance of months: {text}");
}
