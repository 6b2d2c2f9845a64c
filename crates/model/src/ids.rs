//! The identifiers that cross the model: a run, a task, a room, a laptop's certificate
//! fingerprint. Each is its own type so one cannot be passed where another is meant; on the wire
//! each is the plain string it always was, so stored events and the JSON schemas are unchanged.

use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as written on the wire and in the store.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether no id was given (a default value).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// The string, given up.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                Self(s.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        #[cfg(feature = "clap")]
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self(s.to_owned()))
            }
        }
    };
}

id_type!(
    /// A run of the runbook (`golive-2026-03-08`, a rehearsal's id): the unit the live engine,
    /// the report and every action work on.
    RunId
);
id_type!(
    /// A task of the runbook (`2.3`: phase 2, task 3 at import); never changes afterwards, so
    /// records keep pointing at the same task across edits and re-imports.
    TaskId
);
id_type!(
    /// A room: the laptops that share one runbook and sync with each other.
    RoomId
);
id_type!(
    /// A laptop's certificate fingerprint, in hex: who a peer is, whatever address it calls from.
    Fingerprint
);

impl Fingerprint {
    /// The fingerprint in groups of four, as people read it aloud to compare.
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn an_id_is_its_string_on_the_wire() {
        let id = TaskId::from("2.3");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"2.3\"");
        let back: TaskId = serde_json::from_str("\"2.3\"").unwrap();
        assert_eq!(back, id);
        assert_eq!(id, "2.3");
        assert_eq!(id.to_string(), "2.3");
    }

    #[test]
    fn a_map_keyed_by_ids_is_looked_up_by_str() {
        let mut m = HashMap::new();
        m.insert(RunId::from("golive"), 1);
        assert_eq!(m.get("golive"), Some(&1));
    }

    #[test]
    fn a_fingerprint_reads_in_groups_of_four() {
        assert_eq!(Fingerprint::from("0123456789ab").grouped(), "0123 4567 89ab");
        assert_eq!(Fingerprint::from("012345").grouped(), "0123 45");
    }
}
