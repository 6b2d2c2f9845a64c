//! The corpus of public runbooks (tests/fixtures/corpus): each imports, none is refused, and
//! what it imports to is kept as a reviewed snapshot.

use super::*;

macro_rules! corpus {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_bytes!(concat!("../../../../tests/fixtures/corpus/", $name)).as_slice())),*]
    };
}

const CORPUS: [(&str, &[u8]); 8] = corpus![
    "en-cutover-numbered.md",
    "en-cutover-stages.md",
    "en-day-tables.md",
    "en-migration-t-minus-hours.md",
    "en-pm-template-placeholders.md",
    "vi-bold-time-lines.md",
    "vi-checklist-diacritics.md",
    "vi-multiday-no-diacritics.md",
];

/// What a person checks after an import: phases with their days, tasks with time, day and owner,
/// checkpoints, rollback triggers and steps, contacts, and how many problems and warnings.
fn summary(i: &Imported) -> String {
    let rb = &i.runbook;
    let mut o = format!("zone: {}\n", rb.zone.as_deref().unwrap_or("-"));
    for p in &rb.phases {
        let span = match (p.start, p.end) {
            (Some(s), Some(e)) => format!(" {s}-{e}"),
            _ => String::new(),
        };
        o.push_str(&format!("phase {} day {}{span}: {} tasks\n", p.display_name(), p.start_day, p.tasks.len()));
        for t in &p.tasks {
            let cp = if t.checkpoint { " [checkpoint]" } else { "" };
            let owner = if t.owner.is_empty() { "-" } else { &t.owner };
            o.push_str(&format!("  {} {}{:+}d {} ({owner}){cp}\n", t.id, t.time, t.day, t.title));
        }
    }
    for t in &rb.rollback.triggers {
        o.push_str(&format!("trigger: {}\n", t.name));
    }
    for s in &rb.rollback.steps {
        o.push_str(&format!("rollback step: {} ({} commands)\n", s.title, s.commands.len()));
    }
    for c in &rb.contacts {
        o.push_str(&format!("contact: {} / {} / {}\n", c.role, c.name, c.phone));
    }
    o.push_str(&format!("problems: {}, warnings: {}\n", i.report.problems.len(), i.report.warnings.len()));
    o
}

#[test]
fn every_corpus_runbook_imports() {
    for (name, bytes) in CORPUS {
        let imported = import_markdown(name, bytes).unwrap_or_else(|e| panic!("{name} was refused: {e}"));
        assert!(imported.runbook.tasks().count() > 0, "{name}");
        insta::assert_snapshot!(format!("corpus_{name}"), summary(&imported));
    }
}

/// Not yet understood: a task table with no time column (`| Item | Owner | Status |`), and a
/// rollback-only checklist (every list is under a rollback heading). Each is refused with its
/// line and what was expected; this test fails once one imports, to move it above.
#[test]
fn runbooks_not_yet_understood_are_refused_with_what_was_expected() {
    for (name, bytes) in corpus!["en-golive-table-checklist.md", "en-rollback-template.md"] {
        let e = import_markdown(name, bytes).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{name}:2: no timeline found")), "{e}");
    }
}
