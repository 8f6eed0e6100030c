use super::TenancyError;

/// A Retell agent id as an operator types it: 1 to 128 ASCII letters, digits, `_` and `-`
/// (Retell's are `agent_` and hex). Mapping one to a clinic routes its webhooks there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentId(String);

impl AgentId {
    pub const MAX_LEN: usize = 128;

    /// Surrounding whitespace (from a paste) is dropped.
    pub fn parse(raw: &str) -> Result<Self, TenancyError> {
        let id = raw.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if id.is_empty() || id.len() > Self::MAX_LEN || !id.chars().all(allowed) {
            return Err(TenancyError::InvalidAgentId(id.to_owned()));
        }
        Ok(Self(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_ids_are_letters_digits_underscores_and_dashes() {
        assert_eq!(
            AgentId::parse(" agent_0a1b-2c ").map(|a| a.as_str().to_owned()),
            Ok("agent_0a1b-2c".to_owned())
        );
        for bad in ["", "   ", "agent 1", "agent/1", "agënt", &"a".repeat(129)] {
            assert!(AgentId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(AgentId::parse(&"a".repeat(128)).is_ok());
    }
}
