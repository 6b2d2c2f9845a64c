use super::*;
use warroom_model::{CmpOp, Condition, MatrixAction};

const SEED_UTF8: &[u8] = include_bytes!("../../../../tests/fixtures/go-live-runbook.utf8.md");
const SEED_MOJIBAKE: &[u8] = include_bytes!("../../../../tests/fixtures/go-live-runbook.seed.md");

fn seed() -> Imported {
    import_markdown("go-live-runbook.utf8.md", SEED_UTF8).unwrap()
}

fn problems(md: &str) -> Vec<Diagnostic> {
    match import_markdown_with("bad.md", md.as_bytes(), Mode::Strict) {
        Err(ImportError::Invalid { problems, .. }) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn seed_imports_everything_it_says() {
    let Imported { runbook: rb, report } = seed();
    assert_eq!(rb.title, "GO-LIVE RUNBOOK");
    assert_eq!(rb.version.as_deref(), Some("1.0"));
    assert_eq!(rb.date.as_deref(), Some("2026-01-25"));
    assert_eq!(rb.go_live_day.as_deref(), Some("Saturday (giảm thiểu ảnh hưởng)"));
    let w = rb.window.clone().unwrap();
    assert_eq!((w.start.to_string(), w.end.to_string()), ("06:00".into(), "12:00".into()));
    assert_eq!(rb.hypercare_hours, Some(24));
    assert_eq!(rb.contacts.len(), 5);
    assert_eq!(rb.contacts[4].role, "Business Owner");
    assert_eq!(rb.phases.len(), 6);
    assert_eq!(rb.phases[1].label.as_deref(), Some("Phase 2"));
    assert_eq!(rb.phases[1].name, "Data Migration");
    assert!(rb.phases[5].open_end);
    assert_eq!(rb.tasks().count(), 32);
    let cp2 = rb.task("2.5").unwrap();
    assert!(cp2.checkpoint);
    assert_eq!((cp2.checkpoint_no, cp2.title.as_str(), cp2.owner.as_str()), (Some(2), "Data migration OK", "All"));
    assert_eq!(cp2.checkpoint_label.as_deref(), Some("CHECKPOINT 2"));
    assert_eq!(rb.tasks().filter(|t| t.checkpoint).count(), 4);
    let migrate = rb.task("3.3").unwrap();
    assert_eq!(migrate.commands, vec!["make migrate"]);
    assert_eq!(migrate.title, "Run database migrations (`make migrate`)");
    let announce = rb.task("5.4").unwrap();
    assert_eq!((announce.title.as_str(), announce.checkpoint), ("GO-LIVE ANNOUNCEMENT", false));
    let hyper = rb.task("6.4").unwrap();
    assert_eq!((hyper.offset.as_deref(), hyper.day, hyper.time.to_string()), (Some("+24h"), 1, "06:00".into()));
    assert_eq!(rb.rollback.triggers.len(), 4);
    assert_eq!(rb.rollback.triggers[2].condition, "< 50% target (p95 > 400ms)");
    assert_eq!(rb.rollback.matrix.len(), 4);
    assert_eq!(rb.rollback.matrix[0].action, MatrixAction::FixForward);
    assert_eq!(rb.rollback.matrix[1].action, MatrixAction::DisableFeature);
    assert_eq!(rb.rollback.matrix[3].action, MatrixAction::Rollback);
    assert_eq!(rb.rollback.matrix[3].approvers, vec!["Tech Lead", "DBA"]);
    assert_eq!(rb.rollback.steps.len(), 7);
    assert_eq!(rb.rollback.steps[2].commands, vec!["docker-compose -f docker-compose.prod.yml down"]);
    assert_eq!(rb.rollback.steps[1].notes, vec!["(Toggle maintenance mode)"]);
    assert_eq!(rb.rollback.deadline.unwrap().to_string(), "11:00");
    assert_eq!(rb.rollback.deadline_notes.len(), 2);
    assert_eq!(rb.metrics.len(), 5);
    assert_eq!(
        rb.metrics[1].alert_condition,
        Condition::Compare { op: CmpOp::Gt, value: 500.0, unit: Some("ms".into()) }
    );
    assert_eq!(rb.metrics[4].alert_condition, Condition::Manual);
    assert_eq!(rb.checklist.len(), 5);
    assert_eq!(rb.commands.len(), 5);
    assert_eq!(rb.commands[2].label, "View logs");
    assert!(rb.appendix.is_empty(), "{:?}", rb.appendix);
    assert_eq!(report.repaired, None);
    assert_eq!(report.warnings, vec![], "{report}");
    assert_eq!(rb.label("contacts", ""), "LIÊN HỆ KHẨN CẤP");
}

#[test]
fn double_encoded_seed_imports_to_the_same_runbook_and_says_so() {
    let good = seed();
    let repaired = import_markdown("go-live-runbook.seed.md", SEED_MOJIBAKE).unwrap();
    let mut a = good.runbook.clone();
    let mut b = repaired.runbook.clone();
    // The id is derived from the text, which differs before repair.
    a.id.clear();
    b.id.clear();
    assert_eq!(a, b);
    let note = repaired.report.repaired.unwrap();
    assert!(note.contains("Mac Roman"), "{note}");
}

#[test]
fn seed_json_snapshot() {
    insta::assert_json_snapshot!("seed_runbook", seed().runbook);
}

#[test]
fn other_teams_words_and_column_orders() {
    let md = "# Cutover\n\n## Lịch trình\n\n### Stage 1 - Prep (23:30 - 00:30)\n\n| Phụ trách | Giờ | Công việc | Trạng thái | Ticket |\n|---|---|---|---|---|\n| DBA | 23:30 | Freeze | [x] | CHG-1 |\n| DevOps | 23:50 | Drain | ✅ | |\n| Tech Lead | 00:15 | Checkpoint: proceed? | [ ] | |\n\n### Stage 2 - Move\n\n| Start | Step | Responsible | Done |\n|---|---|---|---|\n| 12:40 AM | Copy data (`rsync -a`) | DBA | |\n";
    let rb = import_markdown("other.md", md.as_bytes()).unwrap().runbook;
    assert_eq!(rb.phases.len(), 2);
    let p = &rb.phases[0];
    assert_eq!((p.label.as_deref(), p.name.as_str()), (Some("Stage 1"), "Prep"));
    assert_eq!((p.end_day, p.end.unwrap().to_string()), (1, "00:30".into()));
    let t: Vec<_> = rb.tasks().collect();
    assert_eq!(t[0].owner, "DBA");
    assert!(t[0].checked && t[1].checked && !t[2].checked);
    assert_eq!(t[0].extra, vec![Field { name: "Ticket".into(), value: "CHG-1".into() }]);
    assert_eq!((t[2].day, t[2].checkpoint, t[2].title.as_str()), (1, true, "proceed?"));
    assert_eq!(
        (t[3].time.to_string(), t[3].day, t[3].commands.clone()),
        ("00:40".into(), 1, vec!["rsync -a".to_owned()])
    );
    assert!(t[2].minutes() > t[1].minutes(), "midnight keeps order");
}

/// A numbered Step column beside the step's words: the words are the title, in rollback steps
/// and in the timeline alike; a Step column of words stays the title.
#[test]
fn a_numbered_step_column_is_not_the_title() {
    let md = "# Cutover\n\n## Timeline\n\n| Time | Step | Task | Owner |\n|---|---|---|---|\n| 22:30 | 1 | Announce freeze | IC |\n| 22:35 | 2. | Disable batch jobs | SRE |\n\n## Rollback\n\n### Rollback Steps\n\n| Step | Task | Duration |\n|---|---|---|\n| 1 | Point DNS back to old cluster | 10 min |\n| 2 | Restore ledger DB from backup | 45 min |\n\n### Rollback deadline\n\n- Before 01:15\n";
    let rb = import_markdown("steps.md", md.as_bytes()).unwrap().runbook;
    let steps: Vec<_> = rb.rollback.steps.iter().map(|s| (s.title.as_str(), s.duration_min)).collect();
    assert_eq!(steps, vec![("Point DNS back to old cluster", Some(10)), ("Restore ledger DB from backup", Some(45))]);
    let titles: Vec<_> = rb.tasks().map(|t| (t.title.as_str(), t.owner.as_str())).collect();
    assert_eq!(titles, vec![("Announce freeze", "IC"), ("Disable batch jobs", "SRE")]);
    let words = "# R\n\n## Rollback\n\n### Rollback Steps\n\n| Step | Duration |\n|---|---|\n| Point DNS back | 10 min |\n\n### Rollback deadline\n\n- Before 01:15\n";
    let rb = import_markdown("words.md", words.as_bytes()).unwrap().runbook;
    assert_eq!(rb.rollback.steps[0].title, "Point DNS back");
}

#[test]
fn a_bad_time_names_its_line_and_what_was_expected() {
    let md =
        "# R\n\n## Timeline\n\n| Time | Task | Owner |\n|---|---|---|\n| 6:00 | ok | DBA |\n| 25:99 | bad | DBA |\n";
    let p = problems(md);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].line, 8);
    assert!(p[0].message.contains("`25:99` is not a time") && p[0].message.contains("00–23"), "{}", p[0].message);
    let err = import_markdown_with("bad.md", md.as_bytes(), Mode::Strict).unwrap_err().to_string();
    assert!(err.contains("bad.md:8:"), "{err}");
}

#[test]
fn ragged_rows_are_refused_with_the_header_they_break() {
    let md = "# R\n\n| Time | Task | Owner | Status |\n|---|---|---|---|\n| 6:00 | a | DBA | ☐ |\n| 6:10 | b | DBA |\n| 6:20 | c | DBA | ☐ | extra |\n";
    let p = problems(md);
    assert_eq!(p.iter().map(|d| d.line).collect::<Vec<_>>(), vec![6, 7]);
    assert!(p[0].message.contains("3 cells") && p[0].message.contains("(line 3) has 4"), "{}", p[0].message);
}

#[test]
fn empty_binary_huge_and_timeline_less_files_are_refused() {
    let e = import_markdown("e.md", b"").unwrap_err();
    assert_eq!(e.to_string(), "e.md: the file is empty");
    let e = import_markdown("b.md", &[0x89, b'P', b'N', b'G', 0, 0, 1, 2]).unwrap_err();
    assert!(e.to_string().starts_with("b.md: not a text file"), "{e}");
    let big = vec![b'a'; 20 * 1024 * 1024];
    let e = import_markdown("big.md", &big).unwrap_err();
    assert!(matches!(e, ImportError::TooLarge { size, .. } if size == 20 * 1024 * 1024), "{e}");
    let e = import_markdown("n.md", b"# Just a title\n\nSome words.\n").unwrap_err();
    assert!(e.to_string().contains("no timeline found"), "{e}");
}

#[test]
fn warnings_do_not_block() {
    let md = "# R\n\n| Time | Task | Owner | Mood |\n|---|---|---|---|\n| 6:00 | a | | calm |\n| | b | QA | |\n\n## Random notes\n\nKeep coffee ready.\n";
    let Imported { runbook, report } = import_markdown("w.md", md.as_bytes()).unwrap();
    assert_eq!(runbook.tasks().count(), 2);
    let msgs: Vec<&str> = report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("has no owner")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("no time given")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("Random notes")), "{msgs:?}");
    assert_eq!(runbook.appendix[0].markdown, "Keep coffee ready.");
    assert_eq!(runbook.phases[0].tasks[0].extra[0].value, "calm");
}

#[test]
fn duplicate_ids_and_unknown_dependencies_are_problems() {
    let md = "# R\n\n| ID | Time | Task | Owner | After |\n|---|---|---|---|---|\n| A | 6:00 | a | DBA | |\n| A | 6:10 | b | DBA | Z |\n";
    let p = problems(md);
    let text: Vec<&str> = p.iter().map(|d| d.message.as_str()).collect();
    assert!(text.iter().any(|m| m.contains("`A` is used twice")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("waits for `Z`")), "{text:?}");
}

#[test]
fn conditions_parse_or_stay_manual() {
    let c = |s| parse_condition(s);
    assert_eq!(c("< 0.1%"), Condition::Compare { op: CmpOp::Lt, value: 0.1, unit: Some("%".into()) });
    assert_eq!(c("> 85 %"), Condition::Compare { op: CmpOp::Gt, value: 85.0, unit: Some("%".into()) });
    assert_eq!(c("≤ 200 ms"), Condition::Compare { op: CmpOp::Le, value: 200.0, unit: Some("ms".into()) });
    assert_eq!(c("dưới 3s"), Condition::Compare { op: CmpOp::Lt, value: 3.0, unit: Some("s".into()) });
    assert_eq!(c("Baseline"), Condition::Manual);
    assert_eq!(c("-50% or spike"), Condition::Manual);
}

#[test]
fn checkpoint_labels_are_kept_as_written() {
    let night = import_markdown("night.md", include_bytes!("../../../../tests/fixtures/night-across-dst.md")).unwrap();
    let labels: Vec<_> =
        night.runbook.tasks().filter(|t| t.checkpoint).map(|t| (t.checkpoint_label.clone(), t.title.clone())).collect();
    assert_eq!(
        labels,
        vec![
            (Some("CHECKPOINT A".to_owned()), "Ready to fail over".to_owned()),
            (Some("CHECKPOINT B".to_owned()), "Failover OK".to_owned())
        ]
    );
    let md = "# R\n\n## Timeline\n\n| Time | Task | Owner |\n|---|---|---|\n\
        | 23:00 | CHECKPOINT C: Go/No-Go for cutover | All |\n\
        | 23:10 | Checkpoint 2 - data OK | All |\n\
        | 23:20 | **CP-3** Cutover done | All |\n\
        | 23:30 | Go/No-Go: final | All |\n\
        | 23:40 | **CHECKPOINT**: plain | All |\n\
        | 23:50 | checkpoint list finalized for docs | PM |\n";
    let rb = import_markdown("labels.md", md.as_bytes()).unwrap().runbook;
    let got: Vec<_> =
        rb.tasks().map(|t| (t.checkpoint, t.checkpoint_label.as_deref(), t.checkpoint_no, t.title.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (true, Some("CHECKPOINT C"), None, "Go/No-Go for cutover"),
            (true, Some("Checkpoint 2"), Some(2), "data OK"),
            (true, Some("CP-3"), Some(3), "Cutover done"),
            (true, None, None, "final"),
            (true, None, None, "plain"),
            (false, None, None, "checkpoint list finalized for docs"),
        ]
    );
    assert_eq!(rb.tasks().next().and_then(|t| t.checkpoint_name()).as_deref(), Some("CHECKPOINT C"));
}

#[test]
fn times_with_zones_ranges_and_marks_import() {
    let md = "# R\n\n**Window**: 2026-06-02 02:00-04:00 UTC (23:00 Brazil June 1 - 01:00 Brazil June 2)\n\n## Timeline\n\n| Time | Task | Owner |\n|---|---|---|\n| **02:00 UTC** | Freeze | DBA |\n| 02:05 - 02:15 | Backup | DBA |\n| 0230 | Migrate | DBA |\n| 6:40 PT | Call the US team | PM |\n";
    let Imported { runbook: rb, report } = import_markdown("z.md", md.as_bytes()).unwrap();
    let w = rb.window.clone().unwrap();
    assert_eq!((w.start.to_string(), w.end.to_string()), ("02:00".into(), "04:00".into()));
    assert_eq!(rb.date.as_deref(), Some("2026-06-02"));
    assert_eq!(rb.zone.as_deref(), Some("UTC"));
    let t: Vec<_> = rb.tasks().map(|t| (t.time.to_string(), t.duration_min)).collect();
    assert_eq!(t[..3], [("02:00".into(), None), ("02:05".into(), Some(10)), ("02:30".into(), None)]);
    let us = rb.tasks().nth(3).unwrap();
    assert_eq!(us.extra, vec![Field { name: "Zone".into(), value: "PT".into() }]);
    let w = report.warnings.iter().find(|w| w.message.contains("written in PT")).expect("a zone warning");
    assert_eq!(w.line, 12);
}

#[test]
fn a_bad_line_no_longer_refuses_the_file_but_strict_does() {
    let md = "# R\n\n## Timeline\n\n| Time | Task | Owner |\n|---|---|---|\n| 6:00 | ok | DBA |\n| 25:99 | bad | DBA |\n| 6:20 | also ok | ____ |\n";
    let Imported { runbook, report } = import_markdown("bad.md", md.as_bytes()).unwrap();
    assert_eq!(runbook.tasks().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["ok", "also ok"]);
    assert_eq!(runbook.tasks().nth(1).map(|t| t.owner.as_str()), Some(""), "a placeholder owner is no owner");
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].line, 8);
    let shown = report.to_string();
    assert!(shown.contains("problem: bad.md:8: `25:99` is not a time"), "{shown}");
    let strict = import_markdown_with("bad.md", md.as_bytes(), Mode::Strict).unwrap_err();
    assert!(strict.to_string().contains("bad.md:8:"), "{strict}");
}

#[test]
fn many_warnings_are_grouped_and_limits_are_stated() {
    let mut md = String::from("# R\n\n| Time | Task | Owner |\n|---|---|---|\n");
    for i in 0..200 {
        md.push_str(&format!("| 6:{:02} | task {i} | |\n", i % 60));
    }
    md.push_str(&format!("| 7:00 | {} | DBA |\n", "x".repeat(5000)));
    let Imported { runbook, report } = import_markdown("many.md", md.as_bytes()).unwrap();
    let shown = report.to_string();
    let owner_lines: Vec<&str> = shown.lines().filter(|l| l.contains("has no owner")).collect();
    assert_eq!(owner_lines.len(), 1, "{shown}");
    assert!(owner_lines[0].contains("on 200 lines: 5, 6, 7, 8, 9 and 195 more"), "{}", owner_lines[0]);
    assert!(shown.lines().count() < 20, "{shown}");
    let long = runbook.tasks().last().unwrap();
    assert_eq!(long.title.chars().count(), tidy::MAX_TITLE_CHARS);
    assert!(report.problems.iter().any(|p| p.line == 205 && p.message.contains("5000 characters")), "{shown}");
    let big = vec![b'a'; 11 * 1024 * 1024];
    let e = import_markdown("big.md", &big).unwrap_err().to_string();
    assert!(e.contains("11 MB") && e.contains("up to 10 MB"), "{e}");
}

#[test]
fn a_duplicate_id_is_reported_at_its_line_and_renamed() {
    let md = "# R\n\n| ID | Time | Task | Owner |\n|---|---|---|---|\n| A | 6:00 | a | DBA |\n| B | 6:05 | b | DBA |\n| A | 6:10 | c | DBA |\n";
    let Imported { runbook, report } = import_markdown("d.md", md.as_bytes()).unwrap();
    assert_eq!(runbook.tasks().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["A", "B", "A-2"]);
    assert_eq!(report.problems[0].line, 7);
    assert!(report.problems[0].message.contains("first at line 5"), "{:?}", report.problems);
}

#[test]
fn placeholders_and_diagrams_stay_out_of_contacts_and_commands() {
    let md = "# R\n\n## Contacts\n\n| Role | Name | Phone |\n|---|---|---|\n| DBA | [Name] | _________ |\n| PM | Lan | 0901 |\n\n## Timeline\n\n| Time | Task | Owner |\n|---|---|---|\n| 6:00 | a | DBA |\n\n## Rollback\n\n### Rollback steps\n\n1. Stop the app\n\n```\nError rate > 5%?\n   |\n   +-- yes --> Roll back\n   +-- no  --> Watch\n```\n";
    let rb = import_markdown("p.md", md.as_bytes()).unwrap().runbook;
    assert_eq!((rb.contacts[0].name.as_str(), rb.contacts[0].phone.as_str()), ("", ""));
    assert_eq!(rb.contacts[1].name, "Lan");
    assert_eq!(rb.rollback.steps.len(), 1);
    assert!(rb.rollback.steps[0].commands.is_empty());
    assert!(rb.rollback.steps[0].notes[0].contains("+-- yes --> Roll back"), "{:?}", rb.rollback.steps);
}

#[test]
fn day_tables_put_their_tasks_on_their_days() {
    let md = "# Migration\n\n## Timeline\n\n### T-1 Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 18:00 | Freeze changes | DBA |\n| 23:30 | Final backup | DBA |\n| 00:30 | Verify backup | DBA |\n\n### T-Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 02:00 | Migrate | DBA |\n\n### T+1 Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 09:00 | Review | PM |\n\n### Ngày 3\n\n| Giờ | Công việc | Phụ trách |\n|---|---|---|\n| 10:00 | Đóng | PM |\n";
    let rb = import_markdown("m.md", md.as_bytes()).unwrap().runbook;
    let days: Vec<(&str, i16, String)> = rb.tasks().map(|t| (t.title.as_str(), t.day, t.time.to_string())).collect();
    assert_eq!(
        days,
        [
            ("Freeze changes", -1, "18:00".into()),
            ("Final backup", -1, "23:30".into()),
            ("Verify backup", 0, "00:30".into()),
            ("Migrate", 0, "02:00".into()),
            ("Review", 1, "09:00".into()),
            ("Đóng", 2, "10:00".into()),
        ]
    );
    assert_eq!(
        rb.phases.iter().map(|p| (p.name.as_str(), p.start_day)).collect::<Vec<_>>()[..3],
        [("T-1 Day", -1), ("T-Day", 0), ("T+1 Day", 1)]
    );
    let dated = "# M\n\n**Window**: 2026-06-02 02:00-04:00 UTC\n\n## June 1\n\n| Time | Task | Owner |\n|---|---|---|\n| 20:00 | Prep | DBA |\n\n## June 2\n\n| Time | Task | Owner |\n|---|---|---|\n| 02:00 | Go | DBA |\n";
    let rb = import_markdown("d.md", dated.as_bytes()).unwrap().runbook;
    assert_eq!(rb.tasks().map(|t| t.day).collect::<Vec<_>>(), [-1, 0]);
}

#[test]
fn checklist_runbooks_become_timed_tasks() {
    let md = "# Kế hoạch go-live\n\n## Liên hệ\n\n- DBA: Lan - 0901 234 567\n- PM: [Name] - _________\n- QA: [Tên] - ___\n\n## Lịch trình\n\n**06:00 - 07:00: Chuẩn bị**\n\n- [ ] Họp team (PM)\n- [ ] Backup DB — DBA\n- [x] Khóa hệ thống cũ (DBA)\n- [ ] Checkpoint: Go/No-Go (All)\n\n**07:00 - 08:00: Triển khai**\n\n- [ ] 07:10 - 07:40 Deploy (DevOps)\n- [ ] Smoke test (QA)\n\n## Rollback triggers\n\n- Error rate > 5%\n- Data mismatch\n\n## Rollback\n\n1. Stop the app\n2. Restore the backup\n";
    let Imported { runbook: rb, report } = import_markdown("c.md", md.as_bytes()).unwrap();
    let phases: Vec<_> = rb.phases.iter().map(|p| (p.name.as_str(), p.start.map(|t| t.to_string()))).collect();
    assert_eq!(phases, [("Chuẩn bị", Some("06:00".into())), ("Triển khai", Some("07:00".into()))]);
    let tasks = timed_tasks(&rb);
    assert_eq!(
        tasks,
        [
            ("06:00".into(), "Họp team", "PM", false, Some(15)),
            ("06:15".into(), "Backup DB", "DBA", false, Some(15)),
            ("06:30".into(), "Khóa hệ thống cũ", "DBA", true, Some(15)),
            ("06:45".into(), "Go/No-Go", "All", false, Some(15)),
            ("07:10".into(), "Deploy", "DevOps", false, Some(30)),
            ("07:10".into(), "Smoke test", "QA", false, None),
        ]
    );
    assert!(rb.tasks().nth(3).is_some_and(|t| t.checkpoint));
    assert_eq!(rb.contacts.len(), 3);
    assert_eq!(
        (rb.contacts[0].role.as_str(), rb.contacts[0].name.as_str(), rb.contacts[0].phone.as_str()),
        ("DBA", "Lan", "0901 234 567")
    );
    assert_eq!((rb.contacts[1].name.as_str(), rb.contacts[1].phone.as_str()), ("", ""));
    assert_eq!(
        (rb.contacts[2].role.as_str(), rb.contacts[2].name.as_str(), rb.contacts[2].phone.as_str()),
        ("QA", "", "")
    );
    assert_eq!(rb.rollback.triggers.len(), 2);
    assert_eq!(rb.rollback.steps.len(), 2);
    assert!(report.problems.is_empty(), "{report}");
}

#[test]
fn nothing_found_says_where_and_what_was_expected() {
    let e = import_markdown("n.md", b"# Just a title\n\nSome words.\n").unwrap_err().to_string();
    assert!(e.starts_with("n.md:3: no timeline found"), "{e}");
    assert!(e.contains("- [ ]") && e.contains("| Time | Task"), "{e}");
}

#[test]
fn a_task_table_without_times_is_sequenced_from_the_window_start() {
    let md = "# Go-Live\n\n**Window**: 22:00 - 02:00\n\n## Checks\n\n| Item | Owner | Status |\n|---|---|---|\n| Freeze writes | DBA | ☐ |\n| Deploy | DevOps | ✅ |\n\n## Exit criteria\n\n| Item | Status |\n|---|---|\n| Error rate normal | ☐ |\n";
    let Imported { runbook: rb, report } = import_markdown("t.md", md.as_bytes()).unwrap();
    let tasks = timed_tasks(&rb);
    assert_eq!(
        tasks,
        [("22:00".into(), "Freeze writes", "DBA", false, None), ("22:00".into(), "Deploy", "DevOps", true, None)]
    );
    assert_eq!(rb.checklist.iter().map(|k| k.text.as_str()).collect::<Vec<_>>(), ["Error rate normal"]);
    assert!(
        warned(&report, 7, "this task table has no time column: its 2 tasks are placed in order from 22:00"),
        "{report}"
    );
}

/// Each task's time, title, owner, tick and duration, in order.
fn timed_tasks(rb: &Runbook) -> Vec<(String, &str, &str, bool, Option<u32>)> {
    rb.tasks().map(|t| (t.time.to_string(), t.title.as_str(), t.owner.as_str(), t.checked, t.duration_min)).collect()
}

/// Whether the report warns at `line` with a message starting with `start`.
pub(super) fn warned(report: &ImportReport, line: usize, start: &str) -> bool {
    report.warnings.iter().any(|w| w.line == line && w.message.starts_with(start))
}

#[test]
fn a_phase_column_with_the_range_on_every_row_makes_one_phase_per_range() {
    let md = "# Night\n\n## Timeline\n\n| Phase | Time | Task | Owner |\n|---|---|---|---|\n\
        | Phase 1: Prepare (22:00 - 23:00) | 22:00 | Open the bridge | All |\n\
        | Phase 1: Prepare (22:00 - 23:00) | 22:30 | Freeze writes | DBA |\n\
        |  | 22:45 | Check backups | DBA |\n\
        | Phase 2: Move (23:00 - 01:00) | 23:00 | Copy data | DBA |\n\
        | Phase 2: Move (23:00 - 01:00) | 00:30 | Verify counts | QA |\n";
    let rb = import_markdown("night.md", md.as_bytes()).unwrap().runbook;
    let phases: Vec<(String, usize)> = rb.phases.iter().map(|p| (p.display_name(), p.tasks.len())).collect();
    assert_eq!(phases, [("Phase 1: Prepare".to_owned(), 3), ("Phase 2: Move".to_owned(), 2)]);
    assert_eq!(rb.phases[1].end.map(|t| t.to_string()).as_deref(), Some("01:00"));
    assert_eq!(rb.task("2.2").map(|t| t.day), Some(1), "00:30 is after midnight");
}
