//! Secrets written in a runbook as `{{secret:VALUE}}`, hidden from whatever leaves this laptop
//! without someone choosing to reveal them: a runbook, the activity, a live picture, an audit
//! record (so its HTML and PDF too). A secret is hidden by replacing its value with bullets while
//! keeping its marker, so a reader still sees that a secret is there. Shells decide when to
//! reveal; what hiding means is decided here, once, over every string a value holds, so a field
//! added later is covered too.

use crate::report::Record;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;

/// What a secret reads as when hidden.
pub const HIDDEN: &str = "{{secret:••••••}}";
const OPEN: &str = "{{secret:";
const CLOSE: &str = "}}";

/// Why a value could not be hidden: it did not survive its own JSON form.
#[derive(Debug, thiserror::Error)]
#[error("the secrets in what was asked for could not be hidden: {0}")]
pub struct SecretsError(#[from] serde_json::Error);

/// `text` with each secret's value hidden; an unclosed one hides everything after its marker.
pub fn hide(text: &str) -> Cow<'_, str> {
    if !text.contains(OPEN) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        out.push_str(HIDDEN);
        let after = &rest[i + OPEN.len()..];
        rest = after.find(CLOSE).map_or("", |j| &after[j + CLOSE.len()..]);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Hides the secrets in every string of `v`; whether there were any.
pub fn hide_json(v: &mut Value) -> bool {
    match v {
        Value::String(s) => match hide(s) {
            Cow::Borrowed(_) => false,
            Cow::Owned(hidden) => {
                *s = hidden;
                true
            }
        },
        Value::Array(items) => items.iter_mut().fold(false, |any, item| hide_json(item) | any),
        Value::Object(fields) => fields.values_mut().fold(false, |any, field| hide_json(field) | any),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `value` with every secret it holds hidden: the value itself when it holds none.
pub fn hidden<T: Serialize + DeserializeOwned>(value: T) -> Result<T, SecretsError> {
    let mut json = serde_json::to_value(&value)?;
    if !hide_json(&mut json) {
        return Ok(value);
    }
    Ok(serde_json::from_value(json)?)
}

impl Record {
    /// The record with every secret hidden: in the runbook, the live picture and the events.
    /// Its verification stays as it was made, over the log as stored.
    pub fn hidden(self) -> Result<Self, SecretsError> {
        Ok(Self { runbook: hidden(self.runbook)?, status: hidden(self.status)?, events: hidden(self.events)?, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_hidden_its_marker_kept_and_the_rest_left_as_written() {
        let cmd = "psql -U erp -W {{secret:hunter2}} -h {{DB_HOST}}";
        assert_eq!(hide(cmd), "psql -U erp -W {{secret:••••••}} -h {{DB_HOST}}");
        assert_eq!(hide("a {{secret:x}} b {{secret:y}}"), "a {{secret:••••••}} b {{secret:••••••}}");
        assert_eq!(hide("broken {{secret:never closed"), "broken {{secret:••••••}}", "an unclosed one hides the rest");
        assert!(matches!(hide("nothing secret"), Cow::Borrowed(_)));
        assert_eq!(hide(HIDDEN), HIDDEN, "hiding twice changes nothing");
        assert_eq!(warroom_model::mask_secrets(HIDDEN, true), "••••••", "revealing a hidden one shows bullets");
    }

    #[test]
    fn every_string_of_a_value_is_covered_and_a_value_without_secrets_is_kept() {
        let mut v = serde_json::json!({"a": ["x {{secret:k1}}", {"b": "{{secret:k2}}"}], "n": 3, "c": "plain"});
        assert!(hide_json(&mut v));
        assert!(!v.to_string().contains("k1") && !v.to_string().contains("k2"), "{v}");
        assert_eq!(v["c"], "plain");
        let rb = crate::demo::runbook().unwrap().runbook;
        assert_eq!(hidden(rb.clone()).unwrap(), rb, "the demo holds no secret");
        let mut with = rb.clone();
        with.commands[0].command = "login {{secret:pa55}}".into();
        let shown = hidden(with).unwrap();
        assert_eq!(shown.commands[0].command, "login {{secret:••••••}}");
        assert_eq!(shown.commands[1..], rb.commands[1..]);
    }
}
