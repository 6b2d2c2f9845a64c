//! Incidents (open, update, resolve), metric readings and the end-of-day checklist.

use super::{Actions, Result, refused};
use crate::live::{LiveError, Snapshot, entity, key};
use chrono::Duration;
use serde_json::json;
use warroom_model::Refusal;
use warroom_model::live::{Comment, Reading, Severity};
use warroom_model::{Event, Write};

impl Actions<'_> {
    /// Opens an incident in the active run; returns its new id (`inc-3fa1-2`) with the event.
    /// `eta_minutes` counts from now.
    pub fn incident_open(
        &mut self,
        run: Option<&str>,
        title: &str,
        severity: Severity,
        description: &str,
        eta_minutes: Option<i64>,
    ) -> Result<(String, Event)> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let now = self.now();
        let id = format!(
            "inc-{}-{}",
            self.store.origin().get(..4).unwrap_or_default(),
            snap.ids(entity::INCIDENT).len() + 1
        );
        let writes = vec![
            Write::set(entity::INCIDENT, &id, "run", json!(r.id)),
            Write::set(entity::INCIDENT, &id, "title", json!(title)),
            Write::set(entity::INCIDENT, &id, "severity", json!(severity)),
            Write::set(entity::INCIDENT, &id, "description", json!(description)),
            Write::set(entity::INCIDENT, &id, "open", json!(true)),
            Write::set(entity::INCIDENT, &id, "opened_by", json!(self.stamp(now))),
            Write::set(entity::INCIDENT, &id, "eta", json!(eta_minutes.map(|m| now + Duration::minutes(m)))),
        ];
        let ev = self.commit(
            "incident.open",
            format!("{severity:?} incident: {title}"),
            json!({ "run": r.id, "incident": id, "severity": severity }),
            writes,
        )?;
        Ok((id, ev))
    }

    fn incident_exists(snap: &Snapshot, id: &str) -> Result<()> {
        if snap.ids(entity::INCIDENT).iter().any(|i| i == id) {
            Ok(())
        } else {
            Err(LiveError::Unknown { kind: "incident", id: id.into() })
        }
    }

    /// Adds `note` to an incident, changing its severity or its ETA (minutes from now) when given.
    pub fn incident_update(
        &mut self,
        id: &str,
        note: &str,
        severity: Option<Severity>,
        eta_minutes: Option<i64>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        Self::incident_exists(&snap, id)?;
        let now = self.now();
        let mut writes = vec![Write::add(
            entity::INCIDENT,
            id,
            "updates",
            json!(Comment { text: note.into(), by: self.stamp(now) }),
        )];
        if let Some(s) = severity {
            writes.push(Write::set(entity::INCIDENT, id, "severity", json!(s)));
        }
        if let Some(m) = eta_minutes {
            writes.push(Write::set(entity::INCIDENT, id, "eta", json!(now + Duration::minutes(m))));
        }
        self.commit("incident.update", format!("{id}: {note}"), json!({ "incident": id }), writes)
    }

    /// Resolves an incident; `note`, if not empty, is kept as its last update.
    pub fn incident_resolve(&mut self, id: &str, note: &str) -> Result<Event> {
        let snap = self.snap()?;
        Self::incident_exists(&snap, id)?;
        let now = self.now();
        let mut writes = vec![
            Write::set(entity::INCIDENT, id, "open", json!(false)),
            Write::set(entity::INCIDENT, id, "resolved_by", json!(self.stamp(now))),
        ];
        if !note.is_empty() {
            writes.push(Write::add(
                entity::INCIDENT,
                id,
                "updates",
                json!(Comment { text: note.into(), by: self.stamp(now) }),
            ));
        }
        self.commit("incident.resolve", format!("{id} resolved"), json!({ "incident": id }), writes)
    }

    /// Records a reading of a metric named by id or name.
    pub fn metric_record(
        &mut self,
        run: Option<&str>,
        name: &str,
        value: f64,
        unit: Option<&str>,
        source: Option<&str>,
    ) -> Result<Event> {
        let snap = self.snap()?;
        let r = self.active_run(&snap, run)?;
        let folded = crate::import::vocab::fold(name);
        let m = snap
            .runbook
            .metrics
            .iter()
            .find(|m| m.id == name || crate::import::vocab::fold(&m.name) == folded)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "metric", id: name.into() })?;
        if !value.is_finite() {
            return Err(refused(Refusal::NotANumber));
        }
        let reading = Reading {
            value,
            unit: unit.map(str::to_owned),
            source: source.map(str::to_owned),
            by: self.stamp(self.now()),
        };
        let state = crate::live::metric_state(&m.target_condition, &m.alert_condition, value);
        self.commit(
            "metric.record",
            format!("{} = {value}{}", m.name, unit.unwrap_or_default()),
            json!({ "run": r.id, "metric": m.id, "value": value, "state": state }),
            vec![Write::add(entity::METRIC, &key(&r.id, &m.id), "readings", json!(reading))],
        )
    }

    /// Ticks (or unticks) an end-of-day checklist item in `run` (default: the current run).
    pub fn checklist(&mut self, run: Option<&str>, item: &str, checked: bool) -> Result<Event> {
        let snap = self.snap()?;
        let r = snap.run(run)?;
        let c = snap
            .runbook
            .checklist
            .iter()
            .find(|c| c.id == item)
            .cloned()
            .ok_or_else(|| LiveError::Unknown { kind: "checklist item", id: item.into() })?;
        let k = key(&r.id, item);
        self.commit(
            "checklist.tick",
            format!("{} {}", if checked { "☑" } else { "☐" }, c.text),
            json!({ "run": r.id, "item": item }),
            vec![
                Write::set(entity::CHECK, &k, "checked", json!(checked)),
                Write::set(entity::CHECK, &k, "by", json!(self.stamp(self.now()))),
            ],
        )
    }
}
