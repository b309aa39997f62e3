//! What makes a password acceptable (ASVS 5.0 §6.2: at least 12 characters, up to at least 64,
//! any character allowed, no composition rules; none of the most common passwords, nothing of
//! its user's own name, email or logon, nor the product's name).

use crate::ids::Invalid;

pub const MIN_CHARS: usize = 12;
/// The product's name, as [`letters_and_digits`] writes it.
const PRODUCT: &str = "partnerhub";
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
        if common(input) {
            return Err(Invalid::new(
                "common",
                "is one of the most common passwords, the first an attacker tries: choose another",
            ));
        }
        if letters_and_digits(input).contains(PRODUCT) {
            return Err(Invalid::new(
                "names_the_product",
                "must not contain the product's name",
            ));
        }
        Ok(NewPassword(input.to_owned()))
    }

    /// Refuses a password that holds its owner's email address (or the part before the `@`),
    /// logon or name, or a word of the name of 4 letters or more: the first guesses of anyone
    /// who knows the user.
    pub fn check_owner(&self, owner: &Owner<'_>) -> Result<(), Invalid> {
        let password = self.0.to_lowercase();
        let squeezed = letters_and_digits(&self.0);
        let local = |address: &str| address.split('@').next().unwrap_or_default().to_lowercase();
        let mut words = vec![
            local(owner.email),
            local(owner.logon),
            owner.logon.to_lowercase(),
        ];
        words.push(letters_and_digits(owner.name));
        words.extend(
            owner
                .name
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| word.chars().count() >= 4)
                .map(str::to_lowercase),
        );
        let personal = words.iter().filter(|word| word.chars().count() >= 3);
        for word in personal {
            if password.contains(word.as_str()) || squeezed.contains(word.as_str()) {
                return Err(Invalid::new(
                    "personal",
                    "must not contain your name, email address or logon",
                ));
            }
        }
        Ok(())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Who a new password is for.
pub struct Owner<'a> {
    pub email: &'a str,
    pub logon: &'a str,
    pub name: &'a str,
}

/// Whether `input` is on the list of common passwords (the `passwords` crate's, from leaked
/// password lists: about 100 000 entries), as typed, in lower case, or with its trailing digits
/// and symbols taken off (`Summer2024!`).
fn common(input: &str) -> bool {
    let lower = input.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    let stem = (stem.chars().count() >= 4).then_some(stem);
    [Some(input), Some(lower.as_str()), stem]
        .into_iter()
        .flatten()
        .any(passwords::analyzer::is_common_password)
}

/// `input` in lower case, letters and digits only: `Partner-Hub` is `partnerhub`.
fn letters_and_digits(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
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

    #[test]
    fn common_passwords_are_refused_however_they_are_dressed() {
        for common in [
            "password1234",
            "PASSWORD1234",
            "Summer2024!!!",
            "qwertyuiop123",
            "1q2w3e4r5t6y",
        ] {
            assert_eq!(
                NewPassword::parse(common).unwrap_err().code,
                "common",
                "{common}"
            );
        }
        assert!(NewPassword::parse("correct horse battery staple").is_ok());
        assert!(NewPassword::parse("x9$kQ2!mP0zL").is_ok());
    }

    #[test]
    fn the_products_name_is_refused() {
        for named in ["my partner hub 1", "PartnerHub-2026", "partner_hub_rocks"] {
            assert_eq!(
                NewPassword::parse(named).unwrap_err().code,
                "names_the_product",
                "{named}"
            );
        }
    }

    #[test]
    fn what_names_the_user_is_refused() {
        let owner = Owner {
            email: "jo.bloggs@example.com",
            logon: "jbloggs77",
            name: "Joanna Bloggs-Smith",
        };
        let refused = |password: &str| {
            NewPassword::parse(password)
                .unwrap()
                .check_owner(&owner)
                .map_err(|e| e.code)
        };
        for personal in [
            "i am jo.bloggs!",
            "JBLOGGS77 forever",
            "joanna is great",
            "long live smith",
            "JoannaBloggsSmith",
            "joanna bloggs-smith",
        ] {
            assert_eq!(refused(personal), Err("personal"), "{personal}");
        }
        assert_eq!(refused("correct horse battery staple"), Ok(()));
        // Two or three letters of a name are too common to refuse ("jo" in "major").
        assert_eq!(refused("a major battery staple"), Ok(()));
    }
}
