//! The room's members: the laptops whose certificates may sync with this one. A member is added
//! or revoked by an event in the log like any other change, so every laptop learns it through
//! sync and the audit record shows who let whom in.

use crate::clock::Clock;
use crate::store::{Store, StoreError};
use serde::Serialize;
use serde_json::json;
use warroom_model::{Author, Event, Write};

const MEMBER: &str = "member";

/// A laptop the room's log names: trusted, or revoked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Its certificate's SHA-256 fingerprint (hex).
    pub fingerprint: String,
    /// The name it joined with (`Lan's laptop`).
    pub name: String,
    /// Shut out: it may no longer sync with the room.
    pub revoked: bool,
    /// The origin id of its database, recorded when it was admitted or made the room.
    pub origin: String,
    /// Its public signing key (hex), recorded with `origin`: only this key signs as it.
    pub key: String,
}

/// Lets the laptop with certificate `fingerprint` sync with this room.
pub fn trust(
    store: &mut Store,
    by: &Author,
    fingerprint: &str,
    name: &str,
    clock: &dyn Clock,
) -> Result<Event, StoreError> {
    let writes = trust_writes(fingerprint, name);
    let summary = format!("{name} ({}) may sync", super::tls::shown(fingerprint));
    store.commit(by, "member.trust", json!({ "summary": summary }), writes, clock)
}

/// The writes that make `fingerprint` a member named `name`.
pub fn trust_writes(fingerprint: &str, name: &str) -> Vec<Write> {
    vec![Write::set(MEMBER, fingerprint, "name", json!(name)), Write::set(MEMBER, fingerprint, "revoked", json!(false))]
}

/// The writes that bind the member `fingerprint` to the database (`origin`) and signing key that
/// are its own: what lets every laptop refuse events signed as it by anyone else, and cut off
/// what it writes once revoked.
pub fn laptop_writes(fingerprint: &str, origin: &str, key: &str) -> Vec<Write> {
    vec![Write::set(MEMBER, fingerprint, "origin", json!(origin)), Write::set(MEMBER, fingerprint, "key", json!(key))]
}

/// Shuts the laptop with certificate `fingerprint` out from now on. Where its database is known,
/// every laptop refuses what it writes after the last of its events held here (`upto`), even
/// when another member or a relay passes it on.
pub fn revoke(store: &mut Store, by: &Author, fingerprint: &str, clock: &dyn Clock) -> Result<Event, StoreError> {
    let mut writes = vec![Write::set(MEMBER, fingerprint, "revoked", json!(true))];
    let origin = members(store)?.into_iter().find(|m| m.fingerprint == fingerprint).map(|m| m.origin);
    if let Some(origin) = origin.filter(|o| !o.is_empty()) {
        let upto = store.version_vector()?.get(&origin).copied().unwrap_or(0);
        writes.push(Write::set(MEMBER, fingerprint, "upto", json!(upto)));
    }
    let summary = format!("{} may no longer sync", super::tls::shown(fingerprint));
    store.commit(by, "member.revoke", json!({ "summary": summary }), writes, clock)
}

/// Every laptop the log has trusted, revoked ones included, by fingerprint.
pub fn members(store: &Store) -> Result<Vec<Member>, StoreError> {
    let mut out: Vec<Member> = Vec::new();
    for ((id, field), value) in store.entity_values(MEMBER)? {
        if out.last().is_none_or(|m| m.fingerprint != id) {
            out.push(Member {
                fingerprint: id.clone(),
                name: String::new(),
                revoked: false,
                origin: String::new(),
                key: String::new(),
            });
        }
        if let Some(m) = out.last_mut() {
            match field.as_str() {
                "name" => m.name = value.as_str().unwrap_or_default().to_owned(),
                "revoked" => m.revoked = value.as_bool().unwrap_or(false),
                "origin" => m.origin = value.as_str().unwrap_or_default().to_owned(),
                "key" => m.key = value.as_str().unwrap_or_default().to_owned(),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// May the laptop with `fingerprint` sync with this one?
pub fn admitted(store: &Store, fingerprint: &str) -> Result<bool, StoreError> {
    Ok(members(store)?.iter().any(|m| m.fingerprint == fingerprint && !m.revoked))
}
