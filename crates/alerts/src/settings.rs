//! `[alerts]`: the configuration a service reads (the contract's key names).

use serde::{Deserialize, Serialize};

use crate::rule::{Rule, default_rules, validate};

/// `[alerts]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertSettings {
    /// Seconds between evaluations.
    pub evaluation_seconds: u64,
    /// Whether the default rules apply when `rules` is empty.
    pub default_rules: bool,
    /// `[[alerts.rules]]`: when given, they replace the default set.
    pub rules: Vec<Rule>,
    /// `[alerts.webhook]`.
    pub webhook: WebhookSettings,
}

/// `[alerts.webhook]`: where notifications are posted (none when `url` is empty: they stay in
/// the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSettings {
    /// The receiver, `http://…` or `https://…`.
    pub url: String,
    /// The HMAC-SHA256 key of `X-Orion-Signature` (required with a URL).
    pub secret: String,
    /// How long one POST may take.
    pub timeout_seconds: u64,
    /// Attempts before a notification is given up.
    pub max_attempts: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            evaluation_seconds: 15,
            default_rules: true,
            rules: Vec::new(),
            webhook: WebhookSettings::default(),
        }
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings { url: String::new(), secret: String::new(), timeout_seconds: 5, max_attempts: 10 }
    }
}

impl AlertSettings {
    /// The rules in force: the configured ones, else the defaults (unless turned off).
    pub fn rules(&self, thresholds: &health::Thresholds) -> Vec<Rule> {
        match (self.rules.is_empty(), self.default_rules) {
            (false, _) => self.rules.clone(),
            (true, true) => default_rules(thresholds),
            (true, false) => Vec::new(),
        }
    }

    /// Refuses settings that cannot work, naming the key.
    pub fn validate(&self, thresholds: &health::Thresholds) -> Result<(), String> {
        if self.evaluation_seconds == 0 {
            return Err("alerts.evaluation_seconds must be at least 1".to_owned());
        }
        validate(&self.rules(thresholds))?;
        let hook = &self.webhook;
        if !hook.url.is_empty() {
            if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
                return Err(format!(
                    "alerts.webhook.url must start with http:// or https://, got {:?}",
                    hook.url
                ));
            }
            if hook.secret.is_empty() {
                return Err("alerts.webhook.secret is required with alerts.webhook.url (it signs each POST)"
                    .to_owned());
            }
            if hook.timeout_seconds == 0 || hook.max_attempts == 0 {
                return Err("alerts.webhook.timeout_seconds and max_attempts must be at least 1".to_owned());
            }
        }
        Ok(())
    }

    /// The webhook, if one is configured.
    #[cfg(feature = "webhook")]
    pub fn webhook(&self) -> Option<crate::Webhook> {
        let hook = &self.webhook;
        (!hook.url.is_empty()).then(|| crate::Webhook {
            url: hook.url.clone(),
            secret: hook.secret.clone(),
            timeout: std::time::Duration::from_secs(hook.timeout_seconds),
            max_attempts: hook.max_attempts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_rules_replace_the_defaults_which_can_be_turned_off() {
        let thresholds = health::Thresholds::default();
        let defaults = AlertSettings::default();
        assert_eq!(defaults.rules(&thresholds).len(), 32);
        let mine = default_rules(&thresholds)[..1].to_vec();
        assert_eq!(
            AlertSettings { rules: mine.clone(), ..AlertSettings::default() }.rules(&thresholds),
            mine
        );
        assert!(
            AlertSettings { default_rules: false, ..AlertSettings::default() }.rules(&thresholds).is_empty()
        );
        assert_eq!(defaults.validate(&thresholds), Ok(()));
        let unsigned = AlertSettings {
            webhook: WebhookSettings {
                url: "http://hooks.example/orion".to_owned(),
                ..WebhookSettings::default()
            },
            ..AlertSettings::default()
        };
        assert!(unsigned.validate(&thresholds).unwrap_err().starts_with("alerts.webhook.secret is required"));
    }
}
