//! Joining a room from a new laptop: connect to the inviting laptop over mutual TLS 1.3 with
//! this laptop's own certificate, the inviter pinned by the code's fingerprint; prove the code's
//! secret with an HMAC over this session's exporter value (`room::proof`); then, admitted, take
//! the runbook and its whole history by the ordinary pull. The join request needs the session
//! itself (its exporter), so it is one HTTP/1.1 exchange over a connection made here, not
//! through the pooled client the rest of sync uses.

use super::http::HttpPeer;
use super::room::{self, EXPORTER_LABEL, JoinAnswer, JoinCode, JoinRequest, KnownPeer};
use super::tls::{Identity, TlsError};
use super::{Report, SyncError};
use crate::clock::Clock;
use crate::store::{Store, StoreError};
use http_body_util::BodyExt;
use hyper::header;
use std::sync::Arc;
use std::time::Duration;
use warroom_model::ApiError;

/// Why joining a room failed; the database is left as it was, or holds what was pulled so far.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// This laptop's certificate could not be made or used.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Taking the room's history after admission failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The database already holds a runbook (its title): a room is joined into an empty one.
    #[error("this database already holds the runbook {0}: join with a new database (`warroom --db PATH room join …`)")]
    NotEmpty(String),
    /// No address in the code answered; what the last one said.
    #[error("none of the code's addresses answered: {0}")]
    Unreachable(String),
    /// The inviting laptop answered and refused (a wrong, expired or revoked code, another room).
    #[error("{addr} refused the join: {why}")]
    Refused {
        /// The address that refused.
        addr: String,
        /// What it said.
        why: String,
    },
    /// The network runtime could not start.
    #[error("cannot start the network client: {0}")]
    Runtime(std::io::Error),
}

impl JoinError {
    /// The error as the UI receives it.
    pub fn to_api(&self) -> ApiError {
        use warroom_model::ErrorKind;
        let kind = match self {
            Self::Store(e) | Self::Sync(SyncError::Store(e)) => return e.to_api(),
            Self::Refused { .. } => ErrorKind::Forbidden,
            Self::Unreachable(_) | Self::Sync(SyncError::Unreachable(_)) => ErrorKind::Unavailable,
            Self::NotEmpty(_) | Self::Sync(_) => ErrorKind::Invalid,
            Self::Tls(_) | Self::Runtime(_) => ErrorKind::Internal,
        };
        ApiError::new(kind, self.to_string())
    }
}

/// What a join did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joined {
    /// What the inviter answered: the room, and whether this laptop was newly admitted.
    pub answer: JoinAnswer,
    /// The inviter, as reached.
    pub peer: KnownPeer,
    /// What taking the runbook and its history did.
    pub pulled: Report,
}

const CONNECT: Duration = Duration::from_secs(5);

/// Joins the room of `code` as `name`, then takes everything the inviter holds. `addresses`
/// are where this laptop serves peers, if it does, so the inviter can reach it too. Blocks on
/// the network with a runtime of its own: call it outside any other.
pub fn join(
    store: &mut Store,
    code: &JoinCode,
    name: &str,
    addresses: Vec<String>,
    clock: &dyn Clock,
) -> Result<Joined, JoinError> {
    match room::room(store)? {
        Some(r) if r.id == code.room => {}
        _ => {
            if let Some(rb) = store.runbook()? {
                return Err(JoinError::NotEmpty(rb.title));
            }
        }
    }
    let me = Identity::of(store)?;
    let keys = store.laptop_keys()?.clone();
    let origin = store.origin().to_owned();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(JoinError::Runtime)?;
    let mut failures = Vec::new();
    for addr in &code.addresses {
        let req = |exporter: &[u8]| JoinRequest {
            room: code.room.clone(),
            proof: room::proof(code, exporter),
            name: name.to_owned(),
            addresses: addresses.clone(),
            origin: origin.clone(),
            key: keys.public_hex(),
            key_proof: keys.sign_session(exporter),
        };
        match rt.block_on(request(&me, addr, &code.fingerprint, req)) {
            Ok(answer) => {
                let peer = KnownPeer { url: format!("https://{addr}"), fingerprint: code.fingerprint.clone() };
                let http = HttpPeer::new(&me, &peer.url, &peer.fingerprint)?;
                let pulled = rt.block_on(super::exchange(store, &http, clock))?;
                room::remember(store, &peer)?;
                return Ok(Joined { answer, peer, pulled });
            }
            Err(Attempt::Refused(why)) => return Err(JoinError::Refused { addr: addr.clone(), why }),
            Err(Attempt::Failed(why)) => failures.push(format!("{addr}: {why}")),
        }
    }
    Err(JoinError::Unreachable(failures.join("; ")))
}

enum Attempt {
    /// The inviter answered no: trying its other addresses would not change that.
    Refused(String),
    Failed(String),
}

fn failed(e: impl std::fmt::Display) -> Attempt {
    Attempt::Failed(e.to_string())
}

/// One join request over a connection of its own, so that the proof can name its session.
async fn request(
    me: &Identity,
    addr: &str,
    pinned: &str,
    make: impl FnOnce(&[u8]) -> JoinRequest,
) -> Result<JoinAnswer, Attempt> {
    let config = me.client_config(pinned).map_err(failed)?;
    let tcp = tokio::time::timeout(CONNECT, tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| failed("no answer within 5 s"))?
        .map_err(failed)?;
    // The name is not checked (the certificate is pinned); it only has to be well formed.
    let name = rustls::pki_types::ServerName::try_from("warroom-peer").map_err(failed)?;
    let tls = tokio::time::timeout(CONNECT, tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp))
        .await
        .map_err(|_| failed("no TLS handshake within 5 s"))?
        .map_err(failed)?;
    let mut exporter = [0u8; 32];
    tls.get_ref().1.export_keying_material(&mut exporter, EXPORTER_LABEL, None).map_err(failed)?;
    let body = serde_json::to_string(&make(&exporter)).map_err(failed)?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await.map_err(failed)?;
    tokio::spawn(conn);
    let req = hyper::Request::post("/v1/join")
        .header(header::HOST, addr)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .map_err(failed)?;
    let resp = tokio::time::timeout(Duration::from_secs(30), sender.send_request(req))
        .await
        .map_err(|_| failed("no answer within 30 s"))?
        .map_err(failed)?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await.map_err(failed)?.to_bytes();
    if status.is_success() {
        serde_json::from_slice(&bytes).map_err(|e| failed(format!("unreadable answer: {e}")))
    } else {
        let why = serde_json::from_slice::<ApiError>(&bytes)
            .map(|e| e.message)
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        Err(Attempt::Refused(format!("{status}: {why}")))
    }
}
