//! Who a laptop is between peers: a self-signed certificate made once per database (rcgen),
//! known by the SHA-256 fingerprint of its DER bytes, as Syncthing's device ids are. Both sides
//! of a connection present theirs (mutual TLS 1.3); a server is pinned by the fingerprint the
//! caller expects, and a client is admitted only if the room's members include its fingerprint.

use crate::store::{Store, StoreError};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::Arc;

const CERT: &str = "sync.cert";

/// Why this laptop's TLS identity or configuration could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Its certificate could not be read from or kept in the database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The certificate could not be generated; what rcgen said.
    #[error("cannot make this laptop's certificate: {0}")]
    Cert(String),
    /// rustls refused the configuration.
    #[error("TLS setup: {0}")]
    Tls(#[from] rustls::Error),
}

/// This laptop's certificate and key.
#[derive(Clone)]
pub struct Identity {
    /// The self-signed certificate (DER), whose SHA-256 is this laptop's fingerprint.
    pub cert: CertificateDer<'static>,
    key: Arc<PrivatePkcs8KeyDer<'static>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("fingerprint", &self.fingerprint()).finish()
    }
}

/// SHA-256 of a certificate's DER bytes, hex.
pub fn fingerprint(cert: &[u8]) -> String {
    hex::encode(Sha256::digest(cert))
}

/// A fingerprint as people compare it: groups of four.
pub fn shown(fp: &str) -> String {
    fp.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

/// A fingerprint however it was typed or pasted: hex digits only, lower case.
pub fn normalize(fp: &str) -> String {
    fp.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_ascii_lowercase()
}

impl Identity {
    /// This laptop's identity, made on first use: the certificate is kept in the database, its
    /// private key with the laptop's other keys, outside it.
    pub fn of(store: &mut Store) -> Result<Self, TlsError> {
        if let (Some(cert), Some(key)) = (store.local(CERT)?, store.laptop_keys()?.tls.clone())
            && let (Ok(cert), Ok(key)) = (hex::decode(cert), hex::decode(key))
        {
            return Ok(Self { cert: CertificateDer::from(cert), key: Arc::new(PrivatePkcs8KeyDer::from(key)) });
        }
        let key = rcgen::KeyPair::generate().map_err(|e| TlsError::Cert(e.to_string()))?;
        let params = rcgen::CertificateParams::new(vec![format!("warroom-{}", store.origin())])
            .map_err(|e| TlsError::Cert(e.to_string()))?;
        let cert = params.self_signed(&key).map_err(|e| TlsError::Cert(e.to_string()))?;
        store.keep_tls_key(&hex::encode(key.serialize_der()))?;
        store.set_local(CERT, &hex::encode(cert.der()))?;
        Ok(Self { cert: cert.der().clone(), key: Arc::new(PrivatePkcs8KeyDer::from(key.serialize_der())) })
    }

    /// This laptop's fingerprint: SHA-256 of its certificate, hex.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.cert)
    }

    fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.as_ref().clone_key())
    }

    /// Server side: presents this identity and asks every client for its certificate. Whether
    /// that certificate is a member's is decided per request, against the current members.
    pub fn server_config(&self) -> Result<rustls::ServerConfig, TlsError> {
        let verifier = Arc::new(AnyClient { provider: provider() });
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])?
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![self.cert.clone()], self.key())?;
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(cfg)
    }

    /// Client side: presents this identity and accepts only the server whose certificate has
    /// fingerprint `pinned`.
    pub fn client_config(&self, pinned: &str) -> Result<rustls::ClientConfig, TlsError> {
        let verifier = Arc::new(Pinned { fingerprint: normalize(pinned), provider: provider() });
        let cfg = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_auth_cert(vec![self.cert.clone()], self.key())?;
        Ok(cfg)
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The signature checks both verifiers share: TLS 1.3 only, with the provider's algorithms.
macro_rules! tls13_signatures {
    () => {
        fn verify_tls12_signature(
            &self,
            _message: &[u8],
            _cert: &CertificateDer<'_>,
            _dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            Err(rustls::Error::General("TLS 1.2 is not spoken between peers".into()))
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider.signature_verification_algorithms.supported_schemes()
        }
    };
}

/// The server's certificate must be the one the caller pinned; no certificate authority.
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if fingerprint(end_entity) == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the peer's certificate is {}, not the pinned {}",
                shown(&fingerprint(end_entity)),
                shown(&self.fingerprint)
            )))
        }
    }

    tls13_signatures!();
}

/// Any client that proves it holds its certificate's key; membership is checked afterwards.
#[derive(Debug)]
struct AnyClient {
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ClientCertVerifier for AnyClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    tls13_signatures!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_keeps_its_identity_and_another_has_its_own() {
        let mut a = Store::open_in_memory().unwrap();
        let first = Identity::of(&mut a).unwrap();
        assert_eq!(Identity::of(&mut a).unwrap().fingerprint(), first.fingerprint());
        let mut b = Store::open_in_memory().unwrap();
        assert_ne!(Identity::of(&mut b).unwrap().fingerprint(), first.fingerprint());
        assert_eq!(first.fingerprint().len(), 64);
        assert_eq!(normalize(&shown(&first.fingerprint()).to_uppercase()), first.fingerprint());
        first.server_config().unwrap();
        first.client_config(&first.fingerprint()).unwrap();
    }
}
