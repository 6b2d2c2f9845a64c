//! Spreadsheet runbooks through the `warroom` binary: a workbook (one sheet per phase, plus
//! overview, contacts, rollback and metrics sheets) and a CSV (a Phase column) import to the
//! same runbook as their Markdown twins.

use serde_json::Value;
use warroom_tests::Scratch;

#[test]
fn a_workbook_and_a_csv_import_through_the_command_like_their_markdown_twins() {
    let dir = warroom_tests::fixtures().join("sheets");
    for (sheet, twin) in [("cutover.xlsx", "cutover.md"), ("timeline.csv", "timeline.md")] {
        let a = Scratch::new();
        let out = a.ok(&["import", dir.join(sheet).to_str().unwrap()]);
        assert!(out.contains(&format!("{sheet}: ")), "{out}");
        let b = Scratch::new();
        b.ok(&["import", dir.join(twin).to_str().unwrap()]);
        let json = |s: &Scratch| {
            let mut v: Value = serde_json::from_str(&s.ok(&["export", "--format", "json"])).unwrap();
            // Only what says which file it came from may differ.
            for k in ["id", "labels"] {
                v[k] = Value::Null;
            }
            v
        };
        assert_eq!(json(&a), json(&b), "{sheet} imports as {twin} does");
    }
}
