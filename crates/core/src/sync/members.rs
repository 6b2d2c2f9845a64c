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

/// Shuts the laptop with certificate `fingerprint` out from now on.
pub fn revoke(store: &mut Store, by: &Author, fingerprint: &str, clock: &dyn Clock) -> Result<Event, StoreError> {
    let writes = vec![Write::set(MEMBER, fingerprint, "revoked", json!(true))];
    let summary = format!("{} may no longer sync", super::tls::shown(fingerprint));
    store.commit(by, "member.revoke", json!({ "summary": summary }), writes, clock)
}

/// Every laptop the log has trusted, revoked ones included, by fingerprint.
pub fn members(store: &Store) -> Result<Vec<Member>, StoreError> {
    let mut out: Vec<Member> = Vec::new();
    for ((id, field), value) in store.entity_values(MEMBER)? {
        if out.last().is_none_or(|m| m.fingerprint != id) {
            out.push(Member { fingerprint: id.clone(), name: String::new(), revoked: false });
        }
        if let Some(m) = out.last_mut() {
            match field.as_str() {
                "name" => m.name = value.as_str().unwrap_or_default().to_owned(),
                "revoked" => m.revoked = value.as_bool().unwrap_or(false),
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
