//! How each peer laptop was last seen (`Book`): when, at which address, what it held, its
//! clock's skew, its last error or a conflict; which losses were already told. It feeds the
//! Room view and the "out of reach" notice.

use super::VersionVector;
use super::room;
use super::tls::shown;
use crate::service::Service;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Mutex;
use warroom_model::notify::{Lang, Notice, NoticeKind};
use warroom_model::peers::{PeerView, RoomInfo, RoomView};
use warroom_model::{ApiError, Instant};

/// A peer heard from within this long counts as connected (a follower exchanges every 2 s).
const CONNECTED_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(10);

/// How each peer was last seen, by fingerprint; and which losses were already told.
#[derive(Debug, Default)]
pub struct Book(pub(super) Mutex<BTreeMap<String, Seen>>, Mutex<std::collections::BTreeSet<String>>);

/// A member laptop not heard from for this long is told as lost (once per loss).
pub const LOST_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

#[derive(Clone, Debug, Default)]
pub(super) struct Seen {
    /// Two databases writing as one laptop, seen in what this peer sent.
    pub(super) conflict: Option<String>,
    pub(super) url: Option<String>,
    pub(super) at: Option<DateTime<Utc>>,
    pub(super) error: Option<String>,
    pub(super) have: Option<VersionVector>,
    pub(super) skew_ms: Option<i64>,
}

impl Book {
    pub(super) fn update(&self, fp: &str, f: impl FnOnce(&mut Seen)) {
        if let Ok(mut book) = self.0.lock() {
            f(book.entry(fp.to_owned()).or_default());
        }
    }

    /// Records why `fp` at `url` is not synced with; true when that is news, to be logged once.
    pub(super) fn not_syncing(&self, fp: &str, url: &str, why: String) -> bool {
        let mut news = false;
        self.update(fp, |s| {
            s.url = Some(url.to_owned());
            news = s.error.as_ref() != Some(&why);
            s.error = Some(why);
        });
        news
    }

    /// The member laptops lost since last asked: heard from earlier in this session, and not
    /// for `LOST_AFTER`. Each loss is told once; a laptop that comes back and goes again is told
    /// again.
    pub fn lost(&self, svc: &mut Service) -> Result<Vec<Notice>, ApiError> {
        let view = self.view(svc)?;
        let now = svc.now();
        let vi = svc.notify_settings().map_err(|e| e.to_api())?.lang == Lang::Vi;
        let Ok(mut told) = self.1.lock() else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for p in view.peers.iter().filter(|p| p.member) {
            let Some(seen) = p.last_seen.map(|t| t.0) else {
                continue;
            };
            let seen = seen.with_timezone(&Utc);
            if now - seen < LOST_AFTER {
                continue;
            }
            let key = format!("peer_lost:{}:{}", p.fingerprint, seen.timestamp_millis());
            if !told.insert(key.clone()) {
                continue;
            }
            let name = if p.name.is_empty() { shown(&p.fingerprint) } else { p.name.clone() };
            let mins = (now - seen).num_minutes();
            let lacks = svc.store().people_events_after(&view.origin, p.has_mine).map_err(|e| e.to_api())?;
            let (title, body) = if vi {
                (
                    format!("Mất kết nối với {name}"),
                    format!(
                        "Không liên lạc được {mins} phút. Máy đó còn thiếu {lacks} thay đổi của bạn; chúng sẽ được gửi khi kết nối lại.",
                    ),
                )
            } else {
                (
                    format!("{name} is out of reach"),
                    format!(
                        "Not heard from for {mins} min. It lacks {lacks} of your changes; they reach it when it is back.",
                    ),
                )
            };
            out.push(Notice {
                at: Instant::utc(seen + LOST_AFTER),
                kind: NoticeKind::PeerLost,
                title,
                body,
                task_id: None,
                key,
            });
        }
        Ok(out)
    }

    /// The room as this laptop sees it now: its members from the log, each with how it was
    /// last seen.
    pub fn view(&self, svc: &mut Service) -> Result<RoomView, ApiError> {
        let seen = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        let api = |e: crate::service::ServiceError| e.to_api();
        let me = svc.identity().map_err(api)?.fingerprint();
        let store = svc.store();
        let origin = store.origin().to_owned();
        let mine = store.version_vector().map_err(|e| e.to_api())?;
        let my_changes = mine.get(&origin).copied().unwrap_or(0);
        let now = svc.now();
        let room = room::room(store).map_err(|e| e.to_api())?;
        let members = super::members::members(store).map_err(|e| e.to_api())?;
        let mut peers: Vec<PeerView> = Vec::new();
        let names: BTreeMap<&str, (&str, bool)> =
            members.iter().map(|m| (m.fingerprint.as_str(), (m.name.as_str(), !m.revoked))).collect();
        let origins: BTreeMap<&str, &str> =
            members.iter().map(|m| (m.fingerprint.as_str(), m.origin.as_str())).collect();
        let mut fps: Vec<&String> = members.iter().map(|m| &m.fingerprint).collect();
        fps.extend(seen.keys().filter(|k| !names.contains_key(k.as_str())));
        for fp in fps {
            if *fp == me {
                continue;
            }
            let s = seen.get(fp).cloned().unwrap_or_default();
            let (name, member) = names.get(fp.as_str()).copied().unwrap_or(("", false));
            let mut have = s.have.unwrap_or_default();
            // A peer holds all its own events, including those it wrote after telling us what it
            // had (the witness it signs at the end of an exchange).
            if let Some(o) = origins.get(fp.as_str()).filter(|o| !o.is_empty())
                && let Some(n) = mine.get(*o)
            {
                let top = have.entry((*o).to_owned()).or_default();
                *top = (*top).max(*n);
            }
            let behind = mine.iter().map(|(o, n)| n.saturating_sub(have.get(o).copied().unwrap_or(0))).sum();
            let ahead = have.iter().map(|(o, n)| n.saturating_sub(mine.get(o).copied().unwrap_or(0))).sum();
            peers.push(PeerView {
                fingerprint: fp.as_str().into(),
                name: name.to_owned(),
                member,
                connected: s.at.is_some_and(|at| now - at < CONNECTED_FOR) && s.error.is_none(),
                last_seen: s.at.map(Instant::utc),
                error: s.error,
                behind,
                ahead,
                has_mine: have.get(&origin).copied().unwrap_or(0),
                skew_ms: s.skew_ms,
            });
        }
        let shared = peers.iter().map(|p| p.has_mine).max().unwrap_or(0);
        let alarm = seen.iter().find_map(|(fp, s)| {
            let name = names.get(fp.as_str()).map(|(n, _)| n.to_string()).unwrap_or_else(|| shown(fp));
            s.conflict.as_ref().map(|c| format!("{name}: {c}. Sync with it has stopped: one of the two databases was copied or restored by hand; keep one and join the other laptop again with a new database."))
        });
        let unshared = store.people_events_after(&origin, shared).map_err(|e| e.to_api())?;
        Ok(RoomView {
            room: room.map(|r| RoomInfo { id: r.id.into(), name: r.name }),
            me: shown(&me),
            origin,
            addresses: room::serving_addresses(store).map_err(|e| e.to_api())?,
            online: peers.iter().any(|p| p.connected),
            alarm,
            unshared,
            my_changes,
            peers,
        })
    }
}
