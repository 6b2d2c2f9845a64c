//! Importing a runbook through the service: a refused file is an outcome with its problems
//! by line, not an error; a replacing import can be previewed first, and one that would remove
//! tasks with recorded progress waits for a confirmation.

use super::*;
use crate::import::{ImportError, Imported, import_file};
use crate::reimport::{self, ReimportError};
use crate::store::StoreError;
use base64::Engine as _;
use warroom_model::api::{ImportOutcome, ImportRequest, LineProblem};

/// An outcome that imported nothing, for `summary`.
fn refused(summary: String) -> ImportOutcome {
    ImportOutcome {
        imported: false,
        summary,
        repaired: None,
        warnings: Vec::new(),
        problems: Vec::new(),
        preview: None,
    }
}

/// The file read, or the outcome that says why it was refused.
fn read(req: &ImportRequest) -> std::result::Result<Imported, Box<ImportOutcome>> {
    let bytes = match &req.base64 {
        Some(b) => base64::engine::general_purpose::STANDARD.decode(b.trim()).map_err(|e| {
            Box::new(refused(format!("{}: the file did not arrive whole ({e}); nothing was imported", req.name)))
        })?,
        None => req.text.as_bytes().to_vec(),
    };
    import_file(&req.name, &bytes).map_err(|e| {
        let problems = match &e {
            ImportError::Invalid { problems, .. } => {
                problems.iter().map(|p| LineProblem { line: p.line, message: p.message.clone() }).collect()
            }
            _ => Vec::new(),
        };
        let summary = match &e {
            ImportError::Invalid { file, problems } => {
                format!("{file}: {} problem(s); nothing was imported", problems.len())
            }
            other => format!("{other}; nothing was imported"),
        };
        Box::new(ImportOutcome { problems, ..refused(summary) })
    })
}

/// Lines left out or cut come first among the warnings (the runbook was imported), each kind
/// grouped when many lines say the same.
fn warnings(i: &Imported) -> Vec<LineProblem> {
    let r = &i.report;
    crate::import::tidy::grouped(&r.problems)
        .into_iter()
        .map(|p| LineProblem { line: p.line, message: format!("not imported as written: {}", p.message) })
        .chain(
            crate::import::tidy::grouped(&r.warnings)
                .into_iter()
                .map(|w| LineProblem { line: w.line, message: w.message }),
        )
        .collect()
}

impl Service {
    /// What importing a file would do to the tasks held — added, changed, moved, removed —
    /// without writing anything.
    pub fn preview_import(&self, req: &ImportRequest) -> Result<ImportOutcome> {
        let imported = match read(req) {
            Ok(i) => i,
            Err(outcome) => return Ok(*outcome),
        };
        let plan = reimport::plan(&self.store, &imported)?;
        let summary = format!("{}; nothing written yet", plan.preview.summary());
        Ok(ImportOutcome {
            repaired: imported.report.repaired.clone(),
            warnings: warnings(&imported),
            preview: Some(plan.preview),
            ..refused(summary)
        })
    }

    /// Opens the bundled demo to look around: imported into a database that holds no runbook
    /// and marked as the demo until another runbook is imported. Like any import it is
    /// recorded, so it is refused until the person said who they are; a laptop that already
    /// holds a runbook of its own keeps it (refused, nothing written).
    pub fn open_demo(&mut self) -> Result<ImportOutcome> {
        let author = named_author(&self.store)?;
        if self.store.has_runbook()? {
            if self.store.is_demo()? {
                return Ok(ImportOutcome { imported: true, ..refused("the demo runbook is already open".to_owned()) });
            }
            return Ok(refused(
                "this laptop already holds a runbook: import the demo over it from Import if you mean to".to_owned(),
            ));
        }
        let before = self.store.generation();
        let ev = self.store.import_demo(&author, self.clock.as_ref())?;
        self.follow(before, &[&ev]);
        self.runbook_version += 1;
        self.changed();
        let title = self.snapshot()?.runbook.title.clone();
        Ok(ImportOutcome { imported: true, ..refused(format!("{title}: the demo runbook, to look around")) })
    }

    /// Imports a runbook file. A refused file is an outcome with its problems, not an error:
    /// the UI shows them in place.
    pub fn import(&mut self, req: &ImportRequest) -> Result<ImportOutcome> {
        // Who imports goes on the record: refused before anything else when nobody is set.
        let author = named_author(&self.store)?;
        let imported = match read(req) {
            Ok(i) => i,
            Err(outcome) => return Ok(*outcome),
        };
        let replace = req.replace || self.store.is_demo()?;
        let before = self.store.generation();
        let (ev, preview) =
            match reimport::import(&mut self.store, &imported, &author, replace, req.confirm, self.clock.as_ref()) {
                Ok(done) => done,
                Err(ReimportError::Store(StoreError::HasRunbook { .. })) => {
                    return Ok(refused(
                        "this laptop already holds a runbook: tick Replace to replace it (runs and history are kept)"
                            .to_owned(),
                    ));
                }
                Err(e @ ReimportError::WouldDetach { .. }) => {
                    let summary = e.to_string();
                    let ReimportError::WouldDetach { preview } = e else { return Ok(refused(summary)) };
                    return Ok(ImportOutcome { preview: Some(*preview), ..refused(summary) });
                }
                Err(e) => return Ok(refused(e.to_string())),
            };
        self.follow(before, &[&ev]);
        // Also when nothing differed: the runbook is no longer the demo.
        self.runbook_version += 1;
        self.changed();
        let r = &imported.report;
        Ok(ImportOutcome {
            imported: true,
            summary: format!(
                "{}: {} phases, {} tasks ({} checkpoints), {} contacts, {} rollback steps, {} metrics",
                r.file, r.phases, r.tasks, r.checkpoints, r.contacts, r.rollback_steps, r.metrics
            ),
            repaired: r.repaired.clone(),
            warnings: warnings(&imported),
            problems: Vec::new(),
            preview: Some(preview),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FakeClock;
    use chrono::TimeZone;

    #[test]
    fn the_demo_opens_only_for_someone_named_and_stays_marked_until_a_real_runbook_comes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let clock: Arc<dyn Clock> = Arc::new(FakeClock::new(Utc.with_ymd_and_hms(2026, 1, 30, 23, 0, 0).unwrap()));
        let mut svc = Service::new(Store::open(&path).unwrap(), clock.clone()).unwrap();
        let first = svc.session(true).unwrap();
        assert!(!first.has_runbook && !first.is_demo, "an empty database: {first:?}");

        let err = svc.open_demo().unwrap_err().to_api();
        assert_eq!(err.refusal, Some(warroom_model::Refusal::WhoAreYou));
        assert!(!svc.session(true).unwrap().has_runbook, "nothing recorded before a name");

        svc.set_me(&Me { name: "Lan".into(), role: "Tech Lead".into() }).unwrap();
        assert!(svc.open_demo().unwrap().imported);
        let s = svc.session(true).unwrap();
        assert!(s.has_runbook && s.is_demo, "{s:?}");
        assert_eq!(svc.activity(1).unwrap()[0].name, "Lan", "the import is Lan's");
        drop(svc);

        // A restart keeps the mark; a real runbook clears it.
        let mut svc = Service::new(Store::open(&path).unwrap(), clock).unwrap();
        assert!(svc.loaded().unwrap().is_demo, "the demo mark survives a restart");
        let md = crate::demo::synthetic_markdown(5);
        let out = svc.import(&ImportRequest { name: "mine.md".into(), text: md, ..ImportRequest::default() }).unwrap();
        assert!(out.imported, "{out:?}");
        assert!(!svc.session(true).unwrap().is_demo);
        let again = svc.open_demo().unwrap();
        assert!(!again.imported, "a real runbook is kept: {again:?}");
        assert!(!svc.loaded().unwrap().is_demo);
    }
}
