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
            let status = resp.status();
            let text = resp.text().unwrap_or_default();
            let why = serde_json::from_str::<ApiError>(&text).map(|e| e.message).unwrap_or(text);
            Err(SyncError::Refused(format!("{url}: {status}: {why}")))
        }
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
