use super::*;
use crate::demo;
use crate::import::import_markdown;
use warroom_model::Runbook;

/// Points at the first differing line of the two runbooks' JSON.
fn assert_same(a: &Runbook, b: &Runbook, context: &str) {
    let (ja, jb) = (serde_json::to_string_pretty(a).unwrap(), serde_json::to_string_pretty(b).unwrap());
    if let Some((i, (la, lb))) = ja.lines().zip(jb.lines()).enumerate().find(|(_, (x, y))| x != y) {
        panic!("line {i}: {la}  !=  {lb}\n{context}");
    }
    assert_eq!(a, b, "{context}");
}

#[test]
fn markdown_round_trip_gives_the_same_runbook() {
    let rb = demo::runbook().unwrap().runbook;
    let md = to_markdown(&rb, &Progress::new());
    let again = import_markdown("export.md", md.as_bytes()).unwrap();
    assert_same(&again.runbook, &rb, &md);
    assert!(again.report.warnings.is_empty(), "{}", again.report);
    // And it is stable: exporting the re-import gives the same text.
    assert_eq!(to_markdown(&again.runbook, &Progress::new()), md);
}

#[test]
fn markdown_round_trip_keeps_extras_ids_and_midnight() {
    let src = "# Night move\n\n## Timeline\n\n### Stage 1 - Prep (23:30 - 00:30) {#prep}\n\n| ID | Time | Task | Owner | Status | Ticket | Notes | Duration | After |\n|---|---|---|---|---|---|---|---|---|\n| A1 | 23:30 | Freeze `freeze.sh` | DBA | [x] | CHG-1 | careful \\| slow | 10 min | |\n| A2 | 00:10 | **CHECKPOINT 1**: go? | All | | | | | A1 |\n\n## Notes for the night\n\nBring snacks.\n";
    let rb = import_markdown("n.md", src.as_bytes()).unwrap().runbook;
    assert_eq!(rb.phases[0].id, "prep");
    assert_eq!(rb.phases[0].tasks[0].notes, "careful | slow");
    let md = to_markdown(&rb, &Progress::new());
    let again = import_markdown("n2.md", md.as_bytes()).unwrap().runbook;
    assert_same(&again, &rb, &md);
}

#[test]
fn markdown_fills_status_and_actual_times_from_a_run() {
    let rb = demo::runbook().unwrap().runbook;
    let mut p = Progress::new();
    p.insert(
        "1.1".into(),
        TaskProgress { status: "done".into(), actual_start: Some("06:02".into()), actual_finish: Some("06:09".into()) },
    );
    let md = to_markdown(&rb, &p);
    assert!(
        md.contains("| 1.1 | 06:00 | Team standup call - xác nhận ready | Tech Lead | ☑ | 06:02 | 06:09 |"),
        "{md}"
    );
    assert!(md.contains("| 1.2 | 06:10 | Verify tất cả thành viên online | Tech Lead | ☐ |  |  |"));
}

#[test]
fn json_has_the_documented_fields() {
    let rb = demo::runbook().unwrap().runbook;
    let v: serde_json::Value = serde_json::from_str(&to_json(&rb, &Progress::new()).unwrap()).unwrap();
    assert_eq!(v["schema"], "warroom.runbook/1");
    assert_eq!(v["title"], "GO-LIVE RUNBOOK");
    assert_eq!(v["contacts"][0]["role"], "Tech Lead");
    for key in ["role", "name", "phone", "backup"] {
        assert!(v["contacts"][0].get(key).is_some(), "{key}");
    }
    let task = &v["phases"][1]["tasks"][4];
    assert_eq!(task["id"], "2.5");
    assert_eq!(task["time"], "08:00");
    assert_eq!(task["owner"], "All");
    assert_eq!(task["checkpoint"], true);
    assert_eq!(v["phases"][1]["start"], "06:30");
    assert_eq!(v["phases"][1]["end"], "08:00");
    assert_eq!(v["rollback"]["deadline"], "11:00");
    assert_eq!(v["rollback"]["triggers"][0]["condition"], "Lỗi ảnh hưởng > 50% users");
    assert_eq!(v["rollback"]["matrix"][2]["approver"], "Tech Lead + Business");
    assert_eq!(v["rollback"]["matrix"][2]["rollback"], "YES");
    assert_eq!(v["metrics"][1]["alert"], "> 500ms");
    assert_eq!(v["checklist"].as_array().unwrap().len(), 5);
    assert_eq!(v["commands"][0]["command"], "./scripts/deploy.sh v1.0.0");
}

#[test]
fn csv_has_one_row_per_task() {
    let rb = demo::runbook().unwrap().runbook;
    let csv = to_csv(&rb, &Progress::new()).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 32);
    assert_eq!(&rows[0][0], "1.1");
    assert_eq!(&rows[0][1], "Phase 1: Chuẩn bị");
    assert_eq!(&rows[0][4], "Team standup call - xác nhận ready");
    assert_eq!(&rows[12][10], "make migrate");
}

#[test]
fn json_export_imports_back() {
    let rb = demo::runbook().unwrap().runbook;
    let json = to_json(&rb, &Progress::new()).unwrap();
    let again = crate::import::import_file("rb.json", json.as_bytes()).unwrap();
    assert_same(&again.runbook, &rb, &json);
    let e = crate::import::import_file("bad.json", b"{\n  \"title\": 5\n}").unwrap_err();
    assert!(e.to_string().contains("bad.json:2:"), "{e}");
}

#[test]
fn checkpoint_labels_survive_markdown_and_json_round_trips() {
    let src = "# Cutover\n\n## Timeline\n\n| Time | Task | Owner |\n|---|---|---|\n| 23:00 | **CHECKPOINT A**: Go/No-Go for cutover | All |\n| 23:30 | Checkpoint 2: data OK | All |\n| 23:50 | CP-3: done | All |\n";
    let rb = import_markdown("cp.md", src.as_bytes()).unwrap().runbook;
    let labels = |rb: &Runbook| rb.tasks().map(|t| t.checkpoint_label.clone()).collect::<Vec<_>>();
    assert_eq!(labels(&rb), vec![Some("CHECKPOINT A".into()), Some("Checkpoint 2".into()), Some("CP-3".into())]);
    let md = to_markdown(&rb, &Progress::new());
    assert!(md.contains("**CHECKPOINT A**: Go/No-Go for cutover"), "{md}");
    let again = import_markdown("cp2.md", md.as_bytes()).unwrap().runbook;
    assert_same(&again, &rb, &md);
    let json = to_json(&rb, &Progress::new()).unwrap();
    let back = crate::import::import_file("cp.json", json.as_bytes()).unwrap().runbook;
    assert_same(&back, &rb, &json);
    // A store or export from before labels were kept still reads, and names the checkpoint by number.
    let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
    for p in old["phases"].as_array_mut().unwrap() {
        for t in p["tasks"].as_array_mut().unwrap() {
            t.as_object_mut().unwrap().remove("checkpoint_label");
        }
    }
    let old = crate::import::import_file("old.json", old.to_string().as_bytes()).unwrap().runbook;
    let names: Vec<_> = old.tasks().map(|t| t.checkpoint_name()).collect();
    assert_eq!(names, vec![None, Some("CHECKPOINT 2".into()), Some("CHECKPOINT 3".into())]);
}
