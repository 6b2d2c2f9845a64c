//! Re-importing a runbook without an ID column during a live run, through the `warroom`
//! binary: rows deleted from the file move no progress or comment onto another task; the dry
//! run lists what goes; removing a task that holds progress needs `--yes`, and the audit record
//! keeps it, marked removed, with its history.

use serde_json::Value;
use warroom_tests::Scratch;

const SEED: &str = "go-live-runbook.utf8.md";
const STANDUP: &str = "| 6:00 | Team standup call - xác nhận ready | Tech Lead | ☐ |\n";
const VERIFY: &str = "| 6:10 | Verify tất cả thành viên online | Tech Lead | ☐ |\n";

/// The seed with `rows` taken out, written next to the database.
fn without(s: &Scratch, name: &str, rows: &[&str]) -> String {
    let mut md = std::fs::read_to_string(warroom_tests::fixtures().join(SEED)).unwrap();
    for row in rows {
        assert!(md.contains(row), "the seed has {row}");
        md = md.replacen(row, "", 1);
    }
    let path = s.path(name);
    std::fs::write(&path, md).unwrap();
    path.display().to_string()
}

/// Task id → (title, status, who finished it, comments) from `status --json`.
fn tasks(s: &Scratch) -> Vec<(String, String, String, String, Vec<String>)> {
    let st: Value = serde_json::from_str(&s.ok(&["status", "--json"])).unwrap();
    st["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            let comments = t["comments"].as_array().map(|c| c.iter().map(|c| text(&c["text"])).collect());
            (
                text(&t["id"]),
                text(&t["title"]),
                text(&t["status"]),
                text(&t["finished_by"]["name"]),
                comments.unwrap_or_default(),
            )
        })
        .collect()
}

fn find<'a>(
    all: &'a [(String, String, String, String, Vec<String>)],
    title: &str,
) -> Option<&'a (String, String, String, String, Vec<String>)> {
    all.iter().find(|t| t.1.starts_with(title))
}

#[test]
fn deleting_rows_of_a_runbook_without_ids_keeps_every_tasks_progress_and_comments_with_it() {
    let s = Scratch::new();
    let day = warroom_tests::yesterday();
    s.ok(&["import", warroom_tests::fixtures().join(SEED).to_str().unwrap()]);
    s.ok(&["me", "set", "Lan", "--role", "Tech Lead"]);
    s.ok(&["run", "start", "--live", "--date", &day, "--tz", "Asia/Ho_Chi_Minh"]);
    s.ok(&["task", "1.1", "done", "--at", "06:08"]);
    s.ok(&["task", "1.1", "comment", "--note", "9 of 9 on the bridge"]);
    s.ok(&["task", "1.3", "done", "--at", "06:19", "--by", "Huy", "--role", "DBA"]);
    s.ok(&["task", "1.4", "comment", "--note", "backup 42 GB", "--by", "Huy", "--role", "DBA"]);
    let before = tasks(&s);

    // A row without progress goes: nothing to confirm, and every later task keeps its own.
    let v2 = without(&s, "v2.md", &[VERIFY]);
    let dry = s.ok(&["import", "--replace", "--dry-run", &v2]);
    assert!(dry.contains("1 removed") && dry.contains("removed 1.2 `Verify tất cả thành viên online`"), "{dry}");
    assert!(dry.contains("nothing was written"), "{dry}");
    assert_eq!(tasks(&s), before, "a dry run writes nothing");
    s.ok(&["import", "--replace", &v2]);
    let after = tasks(&s);
    assert_eq!(after.len(), before.len() - 1);
    let standup = find(&after, "Team standup call").unwrap();
    assert_eq!((standup.0.as_str(), standup.2.as_str(), standup.3.as_str()), ("1.1", "done", "Lan"));
    assert_eq!(standup.4, ["9 of 9 on the bridge"]);
    let lock = find(&after, "Khóa hệ thống cũ").unwrap();
    assert_eq!((lock.0.as_str(), lock.2.as_str(), lock.3.as_str()), ("1.3", "done", "Huy"));
    let backup = find(&after, "Backup cuối cùng").unwrap();
    assert_eq!((backup.0.as_str(), backup.4.as_slice()), ("1.4", ["backup 42 GB".to_owned()].as_slice()));
    let verify_row = find(&after, "Verify tất cả");
    assert!(verify_row.is_none(), "the deleted row is gone: {after:?}");
    for t in &after {
        if !["1.1", "1.3", "1.4"].contains(&t.0.as_str()) {
            assert!(t.2 == "pending" && t.4.is_empty(), "no progress moved onto {t:?}");
        }
    }

    // The case: the row done by Lan goes. The dry run says what it holds (also as
    // JSON); without --yes nothing is imported.
    let v3 = without(&s, "v3.md", &[STANDUP, VERIFY]);
    let dry = s.ok(&["import", "--replace", "--dry-run", &v3]);
    assert!(dry.contains("removed 1.1 `Team standup call"), "{dry}");
    assert!(dry.contains("holds recorded progress") && dry.contains("done by Lan (Tech Lead), 1 comment(s)"), "{dry}");
    let json: Value = serde_json::from_str(&s.ok(&["import", "--replace", "--dry-run", "--json", &v3])).unwrap();
    assert_eq!(json["matching"], "by_content");
    assert_eq!(json["removed"][0]["id"], "1.1");
    assert_eq!(json["removed"][0]["progress"].as_array().map(Vec::len), Some(1));
    let refused = s.warroom(&["import", "--replace", &v3]);
    assert!(!refused.ok(), "{refused:?}");
    assert!(
        refused.stderr.contains("1.1 `Team standup call") && refused.stderr.contains("--yes"),
        "{}",
        refused.stderr
    );
    assert_eq!(tasks(&s), after, "a refused import writes nothing");
    s.ok(&["import", "--replace", "--yes", &v3]);
    let last = tasks(&s);
    assert!(find(&last, "Team standup call").is_none());
    let lock = find(&last, "Khóa hệ thống cũ").unwrap();
    assert_eq!((lock.0.as_str(), lock.2.as_str(), lock.3.as_str()), ("1.3", "done", "Huy"));
    assert!(last.iter().filter(|t| t.0 != "1.3").all(|t| t.2 == "pending"), "{last:?}");

    // The record keeps the removed task, marked so, with who did it and the comment.
    let page = s.ok(&["report", "--format", "html"]);
    let removed = page.find("Tasks removed from the runbook").expect("a section for removed tasks");
    let rest = &page[removed..];
    let section = &rest[..rest[1..].find("<h2").map_or(rest.len(), |e| e + 1)];
    for shown in ["1.1", "Team standup call", "Lan (Tech Lead)", "done (removed)", "9 of 9 on the bridge"] {
        assert!(section.contains(shown), "the record shows {shown} under the removed tasks");
    }
    assert!(!section.contains("Verify tất cả"), "a removed task without history is not listed");
}
