//! The corpus of public runbooks (tests/fixtures/corpus): each imports, none is refused, and
//! what it imports to is kept as a reviewed snapshot.

use super::*;

macro_rules! corpus {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_bytes!(concat!("../../../../tests/fixtures/corpus/", $name)).as_slice())),*]
    };
}

const CORPUS: [(&str, &[u8]); 14] = corpus![
    "en-cutover-numbered.md",
    "en-cutover-stages.md",
    "en-day-tables.md",
    "en-golive-table-checklist.md",
    "en-launch-weeks.md",
    "en-migration-t-minus-hours.md",
    "en-pm-template-placeholders.md",
    "en-release-day-offsets.md",
    "en-rollback-template.md",
    "en-rollout-hours-before.md",
    "vi-bold-time-lines.md",
    "vi-checklist-diacritics.md",
    "vi-date-table.md",
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
    for k in &rb.checklist {
        o.push_str(&format!("checklist: {}\n", k.text));
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
        let rb = &imported.runbook;
        assert!(rb.tasks().count() + rb.rollback.steps.len() > 0, "{name}");
        insta::assert_snapshot!(format!("corpus_{name}"), summary(&imported));
    }
}

/// A first import stores the runbook's serialized form from the runbook itself, without reading
/// its fields back: that holds only if every runbook reads back from its fields as it went in.
#[test]
fn every_corpus_runbook_reads_back_from_its_fields_as_imported() {
    use crate::test_support::{clock, lan};
    for (name, bytes) in CORPUS {
        let imported = import_markdown(name, bytes).unwrap();
        let mut store = crate::store::Store::open_in_memory().unwrap();
        store.import(&imported, &lan(), false, &clock()).unwrap();
        let from_fields = store.runbook_from_fields().unwrap();
        assert_eq!(from_fields.as_ref(), Some(&imported.runbook), "{name}: the fields give the runbook imported");
        assert_eq!(store.runbook().unwrap(), from_fields, "{name}: the stored form is what the fields give");
    }
}

/// A rollback-only template has no timeline: its triggers and steps are imported, and the
/// report says there is nothing to run and how to add it.
#[test]
fn a_rollback_only_runbook_imports_its_rollback_and_says_there_is_no_timeline() {
    let (name, bytes) = corpus!["en-rollback-template.md"][0];
    let Imported { runbook: rb, report } = import_markdown(name, bytes).unwrap();
    assert_eq!(rb.tasks().count(), 0);
    assert_eq!((rb.rollback.triggers.len(), rb.rollback.steps.len(), rb.checklist.len()), (4, 3, 4));
    assert!(super::tests::warned(&report, 4, "no timeline found: only the rollback plan"), "{report}");
    let none = import_markdown("n.md", b"# Title\n\n## Metadata\n- Date:\n").unwrap_err().to_string();
    assert!(none.starts_with("n.md:3: no timeline found"), "{none}");
}
