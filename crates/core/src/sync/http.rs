//! The other laptop over HTTPS: mutual TLS 1.3, the server pinned by its fingerprint, JSON
//! bodies under `/v1/`. Refusals come back as the typed error the server sent.

use super::tls::Identity;
use super::{Hello, Page, Peer, PullRequest, SyncError};
use crate::store::Applied;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use warroom_model::{ApiError, Event};

pub struct HttpPeer {
    base: String,
    client: reqwest::blocking::Client,
}

impl HttpPeer {
    /// `base` is `https://ADDR:PORT`; `pinned` the fingerprint the peer's certificate must have.
    pub fn new(me: &Identity, base: &str, pinned: &str) -> Result<Self, SyncError> {
        let tls = me.client_config(pinned).map_err(|e| SyncError::Unreachable(e.to_string()))?;
        let client = reqwest::blocking::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| SyncError::Unreachable(e.to_string()))?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), client })
    }

    fn post<B: Serialize + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, SyncError> {
        let url = format!("{}{path}", self.base);
        let resp = self.client.post(&url).json(body).send().map_err(|e| {
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why = format!("{why}: {s}");
                source = s.source();
            }
            SyncError::Unreachable(format!("{url}: {why}"))
        })?;
        if resp.status().is_success() {
            resp.json().map_err(|e| SyncError::Refused(format!("{url}: unreadable answer: {e}")))
        } else {
            Err(refused(&url, resp))
        }
    }
}

/// The typed error a peer answered with, or what it said instead.
fn refused(url: &str, resp: reqwest::blocking::Response) -> SyncError {
    let status = resp.status();
    let text = resp.text().unwrap_or_default();
    let why = serde_json::from_str::<ApiError>(&text).map(|e| e.message).unwrap_or(text);
    SyncError::Refused(format!("{url}: {status}: {why}"))
}

impl HttpPeer {
    /// Follows the peer's stream of changes (`/v1/events`, server-sent events): calls `poked`
    /// once connected (the peer is reachable again: time to catch up) and for each change it
    /// announces, until the stream ends or fails. The peer sends a comment every few seconds,
    /// so a connection that died silently ends in a read timeout.
    pub fn watch(&self, mut poked: impl FnMut()) -> Result<(), SyncError> {
        use std::io::BufRead as _;
        let url = format!("{}/v1/events", self.base);
        let resp = self.client.get(&url).send().map_err(|e| SyncError::Unreachable(format!("{url}: {e}")))?;
        if !resp.status().is_success() {
            return Err(refused(&url, resp));
        }
        poked();
        for line in std::io::BufReader::new(resp).lines() {
            let line = line.map_err(|e| SyncError::Unreachable(format!("{url}: {e}")))?;
            if line == "event: changed" {
                poked();
            }
        }
        Ok(())
    }
}

impl Peer for HttpPeer {
    fn hello(&self) -> Result<Hello, SyncError> {
        self.post("/v1/hello", &serde_json::json!({}))
    }

    fn pull(&self, req: &PullRequest) -> Result<Page, SyncError> {
        self.post("/v1/pull", req)
    }

    fn push(&self, events: &[Event]) -> Result<Applied, SyncError> {
        self.post("/v1/push", events)
    }
}
