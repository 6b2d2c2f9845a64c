//! CSV for spreadsheets: one row per task, with the run's progress when there is one.

use super::{ExportError, Progress};
use warroom_model::Runbook;

pub fn to_csv(rb: &Runbook, progress: &Progress) -> Result<String, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "phase",
        "time",
        "day",
        "title",
        "owner",
        "checkpoint",
        "status",
        "actual_start",
        "actual_finish",
        "commands",
        "notes",
        "duration_min",
    ])?;
    for phase in &rb.phases {
        for t in &phase.tasks {
            let p = progress.get(&t.id);
            let status = p.map_or_else(
                || {
                    if t.checked { "done".into() } else { "pending".into() }
                },
                |p| p.status.clone(),
            );
            w.write_record([
                t.id.to_string(),
                phase.display_name(),
                t.offset.clone().unwrap_or_else(|| t.time.to_string()),
                t.day.to_string(),
                t.title.clone(),
                t.owner.clone(),
                t.checkpoint.to_string(),
                status,
                p.and_then(|p| p.actual_start.clone()).unwrap_or_default(),
                p.and_then(|p| p.actual_finish.clone()).unwrap_or_default(),
                t.commands.join("; "),
                t.notes.clone(),
                t.duration_min.map(|d| d.to_string()).unwrap_or_default(),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes)?)
}
