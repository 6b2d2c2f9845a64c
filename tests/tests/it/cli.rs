//! The `warroom` binary as a user runs it.

use serde_json::Value;
use warroom_tests::{Scratch, fixtures};

fn seed(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn export_json(s: &Scratch, db: &std::path::Path) -> Value {
    let r = s.warroom_db(db, &["export", "--format", "json"]);
    assert!(r.ok(), "{r:?}");
    let mut v: Value = serde_json::from_str(&r.stdout).unwrap();
    v["id"] = Value::Null;
    v
}

#[test]
fn both_seeds_import_to_the_same_runbook() {
    let s = Scratch::new();
    let a = s.path("a.db");
    let b = s.path("b.db");
    let r = s.warroom_db(&a, &["import", &seed("go-live-runbook.utf8.md")]);
    assert!(r.ok(), "{r:?}");
    assert!(r.stdout.contains("6 phases, 32 tasks (4 checkpoints)"), "{}", r.stdout);
    let r = s.warroom_db(&b, &["import", &seed("go-live-runbook.seed.md")]);
    assert!(r.ok(), "{r:?}");
    assert!(r.stdout.contains("repaired double-encoded UTF-8") && r.stdout.contains("Mac Roman"), "{}", r.stdout);
    assert_eq!(export_json(&s, &a), export_json(&s, &b));
}

#[test]
fn export_then_import_gives_the_same_runbook() {
    let s = Scratch::new();
    assert!(s.warroom(&["import", &seed("go-live-runbook.utf8.md")]).ok());
    for (format, file) in [("markdown", "out.md"), ("json", "out.json")] {
        let r = s.warroom(&["export", "--format", format, "-o", file]);
        assert!(r.ok(), "{r:?}");
        let other = s.path(&format!("{format}.db"));
        let r = s.warroom_db(&other, &["import", file]);
        assert!(r.ok(), "{format}: {r:?}");
        let mut original = export_json(&s, &s.db());
        let mut again = export_json(&s, &other);
        original["id"] = Value::Null;
        again["id"] = Value::Null;
        assert_eq!(again, original, "{format}");
    }
    let r = s.warroom(&["export", "--format", "csv"]);
    assert!(r.ok());
    assert_eq!(r.stdout.lines().count(), 33, "a header and 32 tasks");
    assert!(
        r.stdout.contains("2.5,Phase 2: Data Migration,08:00,0,Data migration OK,All,true,pending"),
        "{}",
        r.stdout
    );
}

#[test]
fn show_and_log_tell_what_is_there() {
    let s = Scratch::new();
    let r = s.warroom(&["show"]);
    assert!(!r.ok());
    assert!(r.stderr.contains("no such database"), "{r:?}");
    assert!(s.warroom(&["me", "set", "Nguyễn Lan", "--role", "Tech Lead"]).ok());
    let r = s.warroom(&["show"]);
    assert!(!r.ok());
    assert!(r.stderr.contains("no runbook") && r.stderr.contains("warroom import"), "{r:?}");
    assert!(s.warroom(&["import", "--demo"]).ok());
    let r = s.warroom(&["show"]);
    assert!(r.ok());
    assert!(r.stdout.contains("◆ CHECKPOINT 4: Verification OK"), "{}", r.stdout);
    let r = s.warroom(&["log"]);
    assert!(r.stdout.contains("runbook.import") && r.stdout.contains("Nguyễn Lan (Tech Lead)"), "{}", r.stdout);
    let r = s.warroom(&["log", "--json"]);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log[0]["author"]["name"], "Nguyễn Lan");
    assert_eq!(log[0]["seq"], 1);
    assert_eq!(log[0]["hash"].as_str().unwrap().len(), 64);
}

/// Every bad input is refused with a message that says what and where, and the database
/// that held a good runbook is exactly as it was.
#[test]
fn bad_inputs_are_refused_and_change_nothing() {
    let s = Scratch::new();
    assert!(s.warroom(&["import", &seed("go-live-runbook.utf8.md")]).ok());
    let before = (s.warroom(&["log", "--json"]).stdout, export_json(&s, &s.db()));
    let mut garbage = vec![0u8; 4096];
    for (i, b) in garbage.iter_mut().enumerate() {
        *b = (i * 7919 % 251) as u8;
    }
    let huge = "| 06:00 | x | DBA |\n".repeat(20 * 1024 * 1024 / 18);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.md", Vec::new(), "empty.md: the file is empty"),
        ("garbage.bin", garbage, "garbage.bin: not a text file"),
        ("notimeline.md", b"# Plan\n\nWe will go live.\n".to_vec(), "no timeline found"),
        (
            "badtime.md",
            b"# Plan\n\n| Time | Task | Owner |\n|---|---|---|\n| 06:00 | a | DBA |\n| 25:99 | b | DBA |\n".to_vec(),
            "badtime.md:6: `25:99` is not a time",
        ),
        (
            "ragged.md",
            b"# Plan\n\n| Time | Task | Owner |\n|---|---|---|\n| 06:00 | a |\n".to_vec(),
            "ragged.md:5: this row has 2 cells but the table's header (line 3) has 3",
        ),
        ("huge.md", huge.into_bytes(), "warroom imports runbooks up to 10 MB"),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(s.path(name), bytes).unwrap();
        let r = s.warroom(&["import", "--replace", "--strict", name]);
        assert_eq!(r.code, Some(1), "{name}: {r:?}");
        assert!(r.stderr.contains(expected), "{name}: expected {expected:?} in {}", r.stderr);
        assert!(r.stdout.is_empty(), "{name}: {}", r.stdout);
        let after = (s.warroom(&["log", "--json"]).stdout, export_json(&s, &s.db()));
        assert_eq!(after, before, "{name} changed the database");
    }
}

/// Without `--strict`, a bad line is left out and named with its line; the rest is imported.
#[test]
fn a_bad_line_is_listed_and_the_rest_imported() {
    let s = Scratch::new();
    let md = "# Plan\n\n| Time | Task | Owner |\n|---|---|---|\n| 06:00 | a | DBA |\n| 25:99 | b | DBA |\n| 06:10 | c | DBA |\n";
    std::fs::write(s.path("badtime.md"), md).unwrap();
    let r = s.warroom(&["import", "badtime.md"]);
    assert!(r.ok(), "{r:?}");
    assert!(r.stdout.contains("problem: badtime.md:6: `25:99` is not a time"), "{}", r.stdout);
    assert!(r.stdout.contains("`--strict` refuses the file instead"), "{}", r.stdout);
    let shown = s.warroom(&["show"]).stdout;
    assert!(shown.contains("06:10") && !shown.contains("25:99"), "{shown}");
}

/// A runbook with a day-before table shows its days in `show` and the JSON export.
#[test]
fn days_before_and_after_go_live_are_shown_and_exported() {
    let s = Scratch::new();
    let md = "# Migration\n\n## T-1 Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 18:00 | Freeze | DBA |\n\n## T-Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 02:00 | Migrate | DBA |\n\n## T+1 Day\n\n| Time | Task | Owner |\n|---|---|---|\n| 09:00 | Review | PM |\n";
    std::fs::write(s.path("days.md"), md).unwrap();
    assert!(s.warroom(&["import", "days.md"]).ok());
    let shown = s.warroom(&["show"]).stdout;
    assert!(shown.contains("18:00-1d"), "{shown}");
    assert!(shown.contains("09:00+1d"), "{shown}");
    let json = s.warroom(&["export", "--format", "json"]).stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let days: Vec<i64> = v["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["tasks"].as_array().unwrap().iter())
        .map(|t| t["day"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(days, [-1, 0, 1]);
}

#[test]
fn an_unusable_database_gets_a_clear_error() {
    let s = Scratch::new();
    let bad = s.path("not-a-db.db");
    std::fs::write(&bad, b"this is a text file, not SQLite, but long enough to look like a header ........").unwrap();
    let r = s.warroom_db(&bad, &["show"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("not a warroom database"), "{r:?}");
}

/// A rollback-only runbook (no timeline) imports with a warning, and show, a run, status, a
/// rollback and the audit record all work without tasks.
#[test]
fn a_runbook_without_tasks_can_still_be_run_and_rolled_back() {
    let s = Scratch::new();
    let file = seed("corpus/en-rollback-template.md");
    let out = s.ok(&["import", &file, "--by", "Lan", "--role", "Tech Lead"]);
    assert!(out.contains("no timeline found: only the rollback plan (4 triggers, 3 steps)"), "{out}");
    let shown = s.ok(&["show"]);
    assert!(shown.contains("Redeploy the previous stable version"), "{shown}");
    let who = ["--by", "Lan", "--role", "Tech Lead"];
    let started = s.ok(&[&["run", "start", "--rehearsal", "--date", "2026-01-31"][..], &who].concat());
    // Without --tz (and no zone in the runbook) the run takes this machine's zone, and says it.
    let zone = started.trim_end().strip_suffix(')').and_then(|s| s.rsplit_once(" in ")).map(|(_, z)| z);
    assert!(zone.is_some_and(|z| !z.is_empty()), "{started}");
    let status = s.ok(&["status"]);
    assert!(status.contains("no timeline: the runbook has no tasks"), "{status}");
    assert!(status.contains("no decision deadline") && !status.contains("decide by  ("), "{status}");
    s.ok(&[&["rollback", "decide", "--rollback", "--reason", "health checks fail"][..], &who].concat());
    s.ok(&[&["rollback", "step", "r1", "done"][..], &who].concat());
    let status = s.ok(&["status"]);
    assert!(status.contains("ROLLING BACK") && status.contains("✓ r1. Redeploy"), "{status}");
    let page = s.ok(&["report", "--format", "html"]);
    assert!(page.contains("Redeploy the previous stable version"), "the record names the rollback step");
}

#[test]
fn with_no_runbook_the_command_says_the_three_ways_to_begin() {
    let s = Scratch::new();
    let says_how_to_begin = |s: &Scratch, when: &str| {
        for args in [&[][..], &["show"], &["status"], &["export", "--format", "json"]] {
            let r = s.warroom(args);
            assert!(!r.ok(), "{when}, `warroom {}` fails: {r:?}", args.join(" "));
            for way in ["warroom import FILE", "warroom import --demo", "warroom room join CODE"] {
                assert!(r.stderr.contains(way), "{when}, `warroom {}` names `{way}`: {}", args.join(" "), r.stderr);
            }
            assert_eq!(r.stderr.matches("To begin").count(), 1, "said once: {}", r.stderr);
        }
    };
    says_how_to_begin(&s, "with no database yet");
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    says_how_to_begin(&s, "with a database but no runbook");
    s.ok(&["import", "--demo"]);
    let r = s.warroom(&[]);
    assert!(r.ok() && r.stdout.contains("Usage: warroom"), "with a runbook, what there is to ask: {r:?}");
    assert!(s.warroom(&["show"]).ok());
}
