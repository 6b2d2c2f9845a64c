//! Join codes in the room's log: each code's issue (its id, how many laptops it may admit, when
//! it expires, when and by which laptop it was issued) and each use are events, so every laptop
//! that holds the log — a copy of the inviting database included — knows how many uses remain.
//! The rules a code must pass before it admits anyone live here too: not expired, not used up,
//! and not issued before any laptop's revocation (a revoked person comes back with a new
//! database and a new certificate, which nothing ties to them; so a revocation voids every code
//! issued before it). The code's secret itself never enters the log.

use super::tls::shown;
use crate::store::{Store, StoreError};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::num::NonZeroU32;
use warroom_model::Write;

const CODE: &str = "join_code";
const MEMBER: &str = "member";
/// Field-name prefix of a use: `used.<fingerprint>`, so that uses at several laptops merge.
const USED: &str = "used.";

/// A code's issue and uses, as the log holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// The code's id (not its secret).
    pub id: String,
    /// How many laptops it may admit.
    pub uses: u32,
    /// When it stops admitting (ms since the epoch).
    pub expires_ms: i64,
    /// When it was issued (ms since the epoch).
    pub issued_ms: i64,
    /// The hybrid logical clock of its issue: what a revocation is compared with.
    pub hlc: u64,
    /// The certificates it admitted, by fingerprint.
    pub used_by: Vec<String>,
}

/// Why a code admits no one (more).
#[derive(Debug, PartialEq, Eq)]
pub enum Spent {
    /// Its time ran out (when, as shown).
    Expired(String),
    /// It admitted as many laptops as it may.
    UsedUp {
        /// How many it could admit.
        uses: u32,
    },
    /// A laptop was revoked after it was issued (that laptop, as shown).
    Voided(String),
    /// The log holds no issue of it: made by a warroom that did not record codes.
    Unrecorded,
}

/// The id a code is known by in the log: a digest of its secret, which cannot be turned back
/// into the secret.
pub fn code_id(secret: &str) -> String {
    let digest = Sha256::new().chain_update(b"warroom join code id\0").chain_update(secret.as_bytes()).finalize();
    hex::encode(&digest[..8])
}

/// The writes that issue code `id`, good for `uses` laptops until `expires_ms`, from the laptop
/// with certificate `inviter`.
pub fn issue_writes(id: &str, uses: NonZeroU32, issued_ms: i64, expires_ms: i64, inviter: &str) -> Vec<Write> {
    vec![
        Write::set(CODE, id, "uses", json!(uses.get())),
        Write::set(CODE, id, "issued_ms", json!(issued_ms)),
        Write::set(CODE, id, "expires_ms", json!(expires_ms)),
        Write::set(CODE, id, "inviter", json!(inviter)),
    ]
}

/// The write that records code `id` admitting the laptop with certificate `fingerprint`.
pub fn use_write(id: &str, fingerprint: &str, at_ms: i64) -> Write {
    Write::set(CODE, id, &format!("{USED}{fingerprint}"), json!(at_ms))
}

/// Code `id` as the log holds it, if it was issued.
pub fn issued(store: &Store, id: &str) -> Result<Option<Issued>, StoreError> {
    let mut found: Option<Issued> = None;
    for ((code, field), v) in store.entity_versions(CODE)? {
        if code != id {
            continue;
        }
        let c = found.get_or_insert_with(|| Issued {
            id: code.clone(),
            uses: 0,
            expires_ms: 0,
            issued_ms: 0,
            hlc: 0,
            used_by: Vec::new(),
        });
        match field.as_str() {
            "uses" => {
                c.uses = v.value.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
                c.hlc = v.hlc;
            }
            "issued_ms" => c.issued_ms = v.value.as_i64().unwrap_or(0),
            "expires_ms" => c.expires_ms = v.value.as_i64().unwrap_or(0),
            f => {
                if let Some(fp) = f.strip_prefix(USED) {
                    c.used_by.push(fp.to_owned());
                }
            }
        }
    }
    // A code whose issue has not arrived (only uses) is not issued as far as this log knows.
    Ok(found.filter(|c| c.uses > 0))
}

/// Whether code `id` may admit one more laptop at `now_ms`; why not if it may not.
pub fn check(store: &Store, id: &str, now_ms: i64) -> Result<Result<Issued, Spent>, StoreError> {
    let Some(code) = issued(store, id)? else { return Ok(Err(Spent::Unrecorded)) };
    if code.expires_ms <= now_ms {
        let at = chrono::DateTime::from_timestamp_millis(code.expires_ms).unwrap_or_default();
        return Ok(Err(Spent::Expired(at.format("%Y-%m-%d %H:%M UTC").to_string())));
    }
    let revoked_later = store
        .entity_versions(MEMBER)?
        .into_iter()
        .find(|((_, field), v)| field == "revoked" && v.value.as_bool() == Some(true) && v.hlc > code.hlc);
    if let Some(((fp, _), _)) = revoked_later {
        return Ok(Err(Spent::Voided(shown(&fp))));
    }
    if code.used_by.len() >= usize::try_from(code.uses).unwrap_or(usize::MAX) {
        return Ok(Err(Spent::UsedUp { uses: code.uses }));
    }
    Ok(Ok(code))
}
