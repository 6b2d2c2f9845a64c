//! Importing a runbook through the service: a refused file is an outcome with its problems
//! by line, not an error.

use super::*;
use crate::import::{ImportError, import_file};
use crate::store::StoreError;
use warroom_model::api::{ImportOutcome, ImportRequest, LineProblem};

impl Service {
    /// Imports a runbook file. A refused file is an outcome with its problems, not an error:
    /// the UI shows them in place.
    pub fn import(&mut self, req: &ImportRequest) -> Result<ImportOutcome> {
        // Who imports goes on the record: refused before anything else when nobody is set.
        let author = named_author(&self.store)?;
        let imported = match import_file(&req.name, req.text.as_bytes()) {
            Ok(i) => i,
            Err(e) => {
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
                return Ok(ImportOutcome { imported: false, summary, repaired: None, warnings: Vec::new(), problems });
            }
        };
        let replace = req.replace || self.store.is_demo()?;
        let before = self.store.generation();
        let ev = match self.store.import(&imported, &author, replace, self.clock.as_ref()) {
            Ok(ev) => ev,
            Err(e) => {
                let summary = match &e {
                    StoreError::HasRunbook { .. } => {
                        "this laptop already holds a runbook: tick Replace to replace it (runs and history are kept)"
                            .to_owned()
                    }
                    other => other.to_string(),
                };
                return Ok(ImportOutcome {
                    imported: false,
                    summary,
                    repaired: None,
                    warnings: Vec::new(),
                    problems: vec![],
                });
            }
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
            // Lines left out or cut come first among the warnings: the runbook was imported.
            warnings: crate::import::tidy::grouped(&r.problems)
                .into_iter()
                .map(|p| LineProblem { line: p.line, message: format!("not imported as written: {}", p.message) })
                .chain(
                    crate::import::tidy::grouped(&r.warnings)
                        .into_iter()
                        .map(|w| LineProblem { line: w.line, message: w.message }),
                )
                .collect(),
            problems: Vec::new(),
        })
    }
}
