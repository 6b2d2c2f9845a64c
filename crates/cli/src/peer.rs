//! Naming a peer on the command line: `https://ADDR:PORT#FINGERPRINT`. The peer service itself
//! is core's (`warroom_core::sync::node`), shared with the desktop app.

use warroom_core::sync::room::KnownPeer;

/// A member laptop to keep in step with: `https://ADDR:PORT#FINGERPRINT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PeerSpec(pub KnownPeer);

impl std::str::FromStr for PeerSpec {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (url, fp) = s.split_once('#').ok_or_else(|| format!("`{s}`: expected https://ADDR:PORT#FINGERPRINT"))?;
        let fingerprint = warroom_core::sync::tls::normalize(fp);
        if !url.starts_with("https://") || fingerprint.len() != 64 {
            return Err(format!("`{s}`: expected https://ADDR:PORT#FINGERPRINT (64 hex digits)"));
        }
        Ok(Self(KnownPeer { url: url.to_owned(), fingerprint }))
    }
}
