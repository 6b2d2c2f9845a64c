//! The other laptop over HTTPS: mutual TLS 1.3, the server pinned by its fingerprint, JSON
//! bodies under `/v1/`, on the async client. Refusals come back as the typed error the server
//! sent. Its stream of changes (`/v1/events`, server-sent events) is read by an SSE parser.

use super::tls::Identity;
use super::{Hello, Page, Peer, PullRequest, SyncError};
use crate::store::Applied;
use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use warroom_model::{ApiError, Event};

/// How long a connection may take to open.
const CONNECT: Duration = Duration::from_secs(5);
/// How long one call may take, answer included.
const CALL: Duration = Duration::from_secs(60);
/// How long the peer may stay silent on an open connection. Its change stream sends a comment
/// every few seconds, so a connection that died silently ends the stream after this.
const SILENCE: Duration = Duration::from_secs(60);

/// A peer laptop reached over HTTPS with mutual TLS, its certificate pinned by fingerprint.
pub struct HttpPeer {
    base: String,
    client: reqwest::Client,
}

impl HttpPeer {
    /// `base` is `https://ADDR:PORT`; `pinned` the fingerprint the peer's certificate must have.
    pub fn new(me: &Identity, base: &str, pinned: &str) -> Result<Self, SyncError> {
        let tls = me.client_config(pinned).map_err(|e| SyncError::Unreachable(e.to_string()))?;
        // No timeout for the whole of a request here: the change stream is meant to last.
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(CONNECT)
            .read_timeout(SILENCE)
            .build()
            .map_err(|e| SyncError::Unreachable(e.to_string()))?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), client })
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, SyncError> {
        let url = format!("{}{path}", self.base);
        let resp = self.client.post(&url).timeout(CALL).json(body).send().await.map_err(|e| unreachable(&url, &e))?;
        if resp.status().is_success() {
            resp.json().await.map_err(|e| SyncError::Refused(format!("{url}: unreadable answer: {e}")))
        } else {
            Err(refused(&url, resp).await)
        }
    }

    /// Follows the peer's stream of changes (`/v1/events`): calls `poked` once connected (the
    /// peer is reachable again: time to catch up) and for each change it announces, until the
    /// stream ends or fails.
    pub async fn watch(&self, mut poked: impl FnMut()) -> Result<(), SyncError> {
        let url = format!("{}/v1/events", self.base);
        let resp = self.client.get(&url).send().await.map_err(|e| unreachable(&url, &e))?;
        if !resp.status().is_success() {
            return Err(refused(&url, resp).await);
        }
        poked();
        let mut events = resp.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let event = event.map_err(|e| SyncError::Unreachable(format!("{url}: {e}")))?;
            if event.event == "changed" {
                poked();
            }
        }
        Ok(())
    }
}

/// A failed call, with every cause reqwest knows of (the TLS or socket error underneath).
fn unreachable(url: &str, e: &reqwest::Error) -> SyncError {
    let mut why = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        why = format!("{why}: {s}");
        source = s.source();
    }
    SyncError::Unreachable(format!("{url}: {why}"))
}

/// The typed error a peer answered with, or what it said instead.
async fn refused(url: &str, resp: reqwest::Response) -> SyncError {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let why = serde_json::from_str::<ApiError>(&text).map(|e| e.message).unwrap_or(text);
    SyncError::Refused(format!("{url}: {status}: {why}"))
}

impl Peer for HttpPeer {
    async fn hello(&self) -> Result<Hello, SyncError> {
        self.post("/v1/hello", &serde_json::json!({})).await
    }

    async fn pull(&self, req: &PullRequest) -> Result<Page, SyncError> {
        self.post("/v1/pull", req).await
    }

    async fn push(&self, events: &[Event]) -> Result<Applied, SyncError> {
        self.post("/v1/push", events).await
    }
}
