//! What makes a password acceptable (ASVS 5.0 §6.2: at least 12 characters, up to at least 64,
//! any character allowed, no composition rules).

use crate::ids::Invalid;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// A password a user chose, checked against the policy. Never logged, never stored: only its
/// hash is.
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

impl NewPassword {
    pub fn parse(input: &str) -> Result<NewPassword, Invalid> {
        let chars = input.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new(
                "too_short",
                format!("must be at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new(
                "too_long",
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if input.trim().is_empty() {
            return Err(Invalid::new("blank", "must not be only spaces"));
        }
        Ok(NewPassword(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy() {
        assert!(NewPassword::parse("correct horse").is_ok());
        assert!(NewPassword::parse("ünïcødé pässwörd ✓").is_ok());
        assert_eq!(NewPassword::parse("short").unwrap_err().code, "too_short");
        assert_eq!(
            NewPassword::parse(&"x".repeat(129)).unwrap_err().code,
            "too_long"
        );
        assert!(NewPassword::parse(&"x".repeat(128)).is_ok());
        assert_eq!(
            NewPassword::parse(&" ".repeat(12)).unwrap_err().code,
            "blank"
        );
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse").unwrap()),
            "NewPassword(…)"
        );
    }
}
