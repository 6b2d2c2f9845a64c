//! A laptop's private keys and where they live: the Ed25519 key that signs its events and the
//! key of its sync certificate, kept outside the database (the OS keyring, else a file only
//! the user can read in the OS config folder), so that handing a database to an auditor does not
//! hand over the power to write as its laptop. Also the signature rules every event follows.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Why a laptop's keys could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Neither the keyring nor the key file could keep the key.
    #[error("cannot keep this laptop's private key in {place}: {detail}")]
    Unstorable {
        /// Where it was tried (the key file's path).
        place: String,
        /// What the system said.
        detail: String,
    },
    /// A stored key that is not one (damaged, or edited by hand).
    #[error("the private key kept in {place} is damaged: {detail}")]
    Damaged {
        /// Where it is kept.
        place: String,
        /// What is wrong with it.
        detail: String,
    },
    /// No randomness from the OS to make a key with.
    #[error("the system gave no randomness to make a key: {0}")]
    NoRandomness(String),
}

/// The private keys of one laptop (one database's origin).
#[derive(Clone, Serialize, Deserialize)]
pub struct LaptopKeys {
    /// Ed25519 secret key that signs the laptop's events (hex of 32 bytes).
    sign: String,
    /// The sync certificate's private key (PKCS#8 DER, hex), once one was made.
    #[serde(default)]
    pub tls: Option<String>,
    /// `sign` read once: deriving the public half costs as much as a signature.
    #[serde(skip)]
    parsed: std::sync::OnceLock<Option<SigningKey>>,
}

impl std::fmt::Debug for LaptopKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaptopKeys").field("public", &self.public_hex()).finish_non_exhaustive()
    }
}

impl LaptopKeys {
    /// New keys from the OS's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|e| KeyError::NoRandomness(e.to_string()))?;
        Ok(Self { sign: hex::encode(b), tls: None, parsed: std::sync::OnceLock::new() })
    }

    fn signing(&self) -> Option<&SigningKey> {
        self.parsed
            .get_or_init(|| {
                let b: [u8; 32] = hex::decode(&self.sign).ok()?.try_into().ok()?;
                Some(SigningKey::from_bytes(&b))
            })
            .as_ref()
    }

    /// The public key that checks this laptop's signatures (hex of 32 bytes).
    pub fn public_hex(&self) -> String {
        self.signing().map(|k| hex::encode(k.verifying_key().to_bytes())).unwrap_or_default()
    }

    /// The signature of an event's hash by this laptop (hex of 64 bytes).
    pub fn sign_hash(&self, hash: &str) -> String {
        self.signing().map(|k| hex::encode(k.sign(&signed_bytes(hash)).to_bytes())).unwrap_or_default()
    }

    /// This laptop's proof that it holds its key, bound to one TLS session (its exporter value):
    /// what a joining laptop sends so no one can enrol another laptop's key as theirs (hex).
    pub fn sign_session(&self, exporter: &[u8]) -> String {
        self.signing().map(|k| hex::encode(k.sign(&session_bytes(exporter)).to_bytes())).unwrap_or_default()
    }

    fn check(self, place: &str) -> Result<Self, KeyError> {
        if self.signing().is_none() {
            return Err(KeyError::Damaged { place: place.into(), detail: "not a 32-byte Ed25519 key".into() });
        }
        Ok(self)
    }
}

/// What a signature covers: a fixed label, then the event's hash as written (hex).
fn signed_bytes(hash: &str) -> Vec<u8> {
    let mut m = b"warroom event v1\n".to_vec();
    m.extend_from_slice(hash.as_bytes());
    m
}

fn session_bytes(exporter: &[u8]) -> Vec<u8> {
    let mut m = b"warroom join v1\n".to_vec();
    m.extend_from_slice(exporter);
    m
}

/// Whether `sig` (hex) is `key`'s (hex) proof of holding it on the session of `exporter`.
pub fn verify_session(key: &str, exporter: &[u8], sig: &str) -> bool {
    verify_bytes(key, &session_bytes(exporter), sig)
}

/// Whether `sig` (hex) is `key`'s (hex) signature of the event hash `hash`.
pub fn verify_hash(key: &str, hash: &str, sig: &str) -> bool {
    verify_bytes(key, &signed_bytes(hash), sig)
}

fn verify_bytes(key: &str, message: &[u8], sig: &str) -> bool {
    let (Some(key), Some(sig)) = (parse_key(key), parse_sig(sig)) else { return false };
    key.verify_strict(message, &sig).is_ok()
}

fn parse_key(key: &str) -> Option<VerifyingKey> {
    let bytes = hex::decode(key).ok().and_then(|b| <[u8; 32]>::try_from(b).ok())?;
    VerifyingKey::from_bytes(&bytes).ok().filter(|k| !k.is_weak())
}

fn parse_sig(sig: &str) -> Option<Signature> {
    hex::decode(sig).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()).map(|b| Signature::from_bytes(&b))
}

/// One event signature to check: the signer's public key, the event's hash and the signature
/// (all hex, as events carry them).
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// The public key it claims.
    pub key: &'a str,
    /// The event hash it covers.
    pub hash: &'a str,
    /// The signature.
    pub sig: &'a str,
}

/// Which of `items` are good signatures (`verify_hash` of each), checked together: one batch
/// equation for a lot costs about half of checking each, which is most of what taking a page of
/// events from a peer costs, and a large page is split over the machine's cores. Only when a
/// batch fails are its signatures checked one by one, to say which. Weak (small-order) keys are
/// refused either way, as `verify_hash` does.
pub fn verify_hashes(items: &[Signed<'_>]) -> Vec<bool> {
    // Below this, a thread costs more than it saves.
    const PER_THREAD: usize = 128;
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(items.len() / PER_THREAD).max(1);
    if threads == 1 {
        return verify_lot(items);
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let lots: Vec<_> = items.chunks(size).map(|lot| s.spawn(move || verify_lot(lot))).collect();
        // A lot whose thread failed (it cannot panic short of running out of memory) counts as
        // unchecked: its events are refused, not taken.
        lots.into_iter()
            .zip(items.chunks(size))
            .flat_map(|(h, lot)| h.join().unwrap_or_else(|_| vec![false; lot.len()]))
            .collect()
    })
}

fn verify_lot(items: &[Signed<'_>]) -> Vec<bool> {
    let mut keys: HashMap<&str, Option<VerifyingKey>> = HashMap::new();
    let parsed: Vec<Option<(VerifyingKey, Signature, Vec<u8>)>> = items
        .iter()
        .map(|it| {
            let key = (*keys.entry(it.key).or_insert_with(|| parse_key(it.key)))?;
            Some((key, parse_sig(it.sig)?, signed_bytes(it.hash)))
        })
        .collect();
    let good: Vec<&(VerifyingKey, Signature, Vec<u8>)> = parsed.iter().flatten().collect();
    let messages: Vec<&[u8]> = good.iter().map(|(_, _, m)| m.as_slice()).collect();
    let sigs: Vec<Signature> = good.iter().map(|(_, s, _)| *s).collect();
    let vks: Vec<VerifyingKey> = good.iter().map(|(k, _, _)| *k).collect();
    let all_good = !good.is_empty() && ed25519_dalek::verify_batch(&messages, &sigs, &vks).is_ok();
    parsed
        .iter()
        .map(|p| match p {
            None => false,
            Some(_) if all_good => true,
            Some((key, sig, message)) => key.verify_strict(message, sig).is_ok(),
        })
        .collect()
}

/// The origin id a public key (hex) names: the first 64 bits of its SHA-256, hex. A laptop made
/// since events are signed takes this as its origin, so no one can sign as it without its key.
pub fn origin_of(key: &str) -> String {
    let bytes = hex::decode(key).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..8])
}

/// A key's short fingerprint for people and the audit record: SHA-256 of the public key, the
/// first 16 hex digits in groups of four.
pub fn fingerprint(key: &str) -> String {
    let digest = hex::encode(Sha256::digest(hex::decode(key).unwrap_or_default()));
    digest.as_bytes()[..16].chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// Where laptops' private keys are kept, by origin id.
pub trait KeyStore: Send + Sync {
    /// The keys kept for `origin`, if any.
    fn load(&self, origin: &str) -> Result<Option<LaptopKeys>, KeyError>;
    /// Keeps `keys` for `origin`, replacing what was kept.
    fn save(&self, origin: &str, keys: &LaptopKeys) -> Result<(), KeyError>;
}

/// Keys in memory only: for databases in memory and tests.
#[derive(Default)]
pub struct MemoryKeys(Mutex<HashMap<String, LaptopKeys>>);

impl KeyStore for MemoryKeys {
    fn load(&self, origin: &str) -> Result<Option<LaptopKeys>, KeyError> {
        Ok(self.0.lock().map_err(|_| poisoned())?.get(origin).cloned())
    }

    fn save(&self, origin: &str, keys: &LaptopKeys) -> Result<(), KeyError> {
        self.0.lock().map_err(|_| poisoned())?.insert(origin.into(), keys.clone());
        Ok(())
    }
}

fn poisoned() -> KeyError {
    KeyError::Unstorable { place: "memory".into(), detail: "a thread panicked holding the keys".into() }
}

/// The OS keyring (Secret Service, Keychain, Credential Manager), and where it cannot be reached,
/// a file readable only by the user: `<config>/warroom/keys/<origin>.key`.
pub struct SystemKeys {
    dir: PathBuf,
    keyring: bool,
}

const SERVICE: &str = "warroom";

impl SystemKeys {
    /// Keys in the OS keyring, with files under `dir` as the fallback. Without a session bus
    /// (a server, a bare terminal) the keyring is not tried: asking would start one.
    pub fn new(dir: PathBuf) -> Self {
        let keyring = !cfg!(target_os = "linux") || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
        Self { dir, keyring }
    }

    /// The keyring, and files in the OS config folder.
    pub fn os() -> Self {
        Self::new(dirs::config_dir().unwrap_or_else(std::env::temp_dir).join("warroom").join("keys"))
    }

    fn file(&self, origin: &str) -> PathBuf {
        self.dir.join(format!("{origin}.key"))
    }

    fn read_keyring(&self, origin: &str) -> Option<String> {
        if !self.keyring {
            return None;
        }
        match keyring::Entry::new(SERVICE, origin).and_then(|e| e.get_password()) {
            Ok(s) => Some(s),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => {
                tracing::debug!(error = %e, "the OS keyring cannot be read; using the key file");
                None
            }
        }
    }

    fn write_keyring(&self, origin: &str, text: &str) -> bool {
        if !self.keyring {
            return false;
        }
        match keyring::Entry::new(SERVICE, origin).and_then(|e| e.set_password(text)) {
            Ok(()) => true,
            Err(e) => {
                tracing::info!(error = %e, "the OS keyring cannot keep the key; keeping it in a file only this user reads");
                false
            }
        }
    }
}

impl KeyStore for SystemKeys {
    fn load(&self, origin: &str) -> Result<Option<LaptopKeys>, KeyError> {
        let file = self.file(origin);
        let place = file.display().to_string();
        let text = match self.read_keyring(origin) {
            Some(t) => Some(t),
            None => match std::fs::read_to_string(&file) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(KeyError::Damaged { place, detail: e.to_string() }),
            },
        };
        let Some(text) = text else { return Ok(None) };
        let keys: LaptopKeys = serde_json::from_str(&text)
            .map_err(|e| KeyError::Damaged { place: place.clone(), detail: e.to_string() })?;
        keys.check(&place).map(Some)
    }

    fn save(&self, origin: &str, keys: &LaptopKeys) -> Result<(), KeyError> {
        let file = self.file(origin);
        let place = file.display().to_string();
        let fail = |e: std::io::Error| KeyError::Unstorable { place: place.clone(), detail: e.to_string() };
        let text = serde_json::to_string(keys).map_err(|e| fail(std::io::Error::other(e)))?;
        if self.write_keyring(origin, &text) {
            // A file left from before the keyring was reachable would outlive a key change.
            if let Err(e) = std::fs::remove_file(&file)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(file = %place, error = %e, "an old key file could not be removed");
            }
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let aside = self.dir.join(format!(".{origin}.key.new"));
        write_private(&aside, text.as_bytes()).map_err(fail)?;
        std::fs::rename(&aside, &file).map_err(fail)
    }
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    // The user's own config folder is private to them on Windows and macOS.
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_only_for_its_key_and_its_hash() {
        let k = LaptopKeys::generate().unwrap();
        let other = LaptopKeys::generate().unwrap();
        let sig = k.sign_hash("abc");
        assert!(verify_hash(&k.public_hex(), "abc", &sig));
        assert!(!verify_hash(&k.public_hex(), "abd", &sig));
        assert!(!verify_hash(&other.public_hex(), "abc", &sig));
        assert!(!verify_hash(&k.public_hex(), "abc", "00"));
        assert!(!verify_hash("zz", "abc", &sig));
        assert_eq!(origin_of(&k.public_hex()).len(), 16);
    }

    #[test]
    fn a_page_checked_together_names_exactly_its_bad_signatures() {
        let a = LaptopKeys::generate().unwrap();
        let b = LaptopKeys::generate().unwrap();
        // The identity point: a weak key, whose "signatures" anyone can make.
        let weak = format!("01{}", "00".repeat(31));
        let hashes: Vec<String> = (0..700).map(|i| format!("{i:064x}")).collect();
        for n in [1, 5, 300, 700] {
            let mut items: Vec<(String, String, String)> = hashes[..n]
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let k = if i % 2 == 0 { &a } else { &b };
                    (k.public_hex(), h.clone(), k.sign_hash(h))
                })
                .collect();
            let mut bad = Vec::new();
            if n > 1 {
                // Signed by a, claimed as b's; the hash changed after signing; not hex; weak key.
                items[1].0 = a.public_hex();
                bad.push(1);
            }
            if n > 4 {
                items[4].1 = format!("{:064x}", 99_999);
                items[3].2 = "zz".into();
                items[2].0.clone_from(&weak);
                bad.extend([2, 3, 4]);
            }
            if n > 299 {
                items[n - 1].2 = a.sign_hash("something else");
                bad.push(n - 1);
            }
            let signed: Vec<Signed<'_>> = items.iter().map(|(key, hash, sig)| Signed { key, hash, sig }).collect();
            let got = verify_hashes(&signed);
            let want: Vec<bool> = (0..n).map(|i| !bad.contains(&i)).collect();
            assert_eq!(got, want, "{n} signatures");
            let one_by_one: Vec<bool> = items.iter().map(|(k, h, s)| verify_hash(k, h, s)).collect();
            assert_eq!(got, one_by_one, "the same answers as checking each");
        }
        assert!(verify_hashes(&[]).is_empty());
    }

    #[test]
    fn the_key_file_is_private_to_the_user_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = SystemKeys { dir: dir.path().join("keys"), keyring: false };
        assert!(store.load("abcd").unwrap().is_none());
        let k = LaptopKeys::generate().unwrap();
        store.save("abcd", &k).unwrap();
        let back = store.load("abcd").unwrap().unwrap();
        assert_eq!(back.public_hex(), k.public_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/abcd.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "group and others must not read the key: {mode:o}");
        }
        std::fs::write(dir.path().join("keys/abcd.key"), "{\"sign\":\"12\"}").unwrap();
        assert!(matches!(store.load("abcd"), Err(KeyError::Damaged { .. })));
    }
}
