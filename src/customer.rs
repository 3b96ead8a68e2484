//! The customer as the channel takes it from a cashier or a shopper: the
//! rules a draft must pass before it is staged. Compiled for the server and
//! the browser, so both show the same message for the same mistake.

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;

/// Column widths of the staging and customer tables.
pub const NAME_MAX: usize = 60;
pub const EMAIL_MAX: usize = 80;

/// What a form sends: free text, not yet trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDraft {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// Whether the channel needs an email to create the customer: the online
/// store signs its shoppers in with it, a cashier may leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailRule {
    Required,
    Optional,
}

/// A draft that passed every rule; its fields are trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidCustomer {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
}

impl ValidCustomer {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// The answer to a create in asynchronous mode: the customer exists in the
/// channel under its temporary id until HQ gives it an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagedCustomer {
    pub temporary_id: String,
    pub full_name: String,
    pub channel_name: String,
}

pub fn validate(draft: &CustomerDraft, email_rule: EmailRule) -> Result<ValidCustomer, FieldErrors> {
    let mut errors = FieldErrors::default();
    let first_name = check_name(&draft.first_name, "First name", "first_name", &mut errors);
    let last_name = check_name(&draft.last_name, "Last name", "last_name", &mut errors);
    let email = check_email(&draft.email, email_rule, &mut errors);
    if errors.is_empty() {
        Ok(ValidCustomer {
            first_name,
            last_name,
            email,
        })
    } else {
        Err(errors)
    }
}

/// The message for one field alone, for showing it while the user types.
pub fn field_message(draft: &CustomerDraft, email_rule: EmailRule, field: &str) -> Option<String> {
    validate(draft, email_rule)
        .err()
        .and_then(|errors| errors.get(field).map(str::to_string))
}

fn check_name(value: &str, label: &str, field: &str, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("{label} is required."));
    } else if value.chars().count() > NAME_MAX {
        errors.add(field, format!("{label} can have at most {NAME_MAX} characters."));
    } else if value.chars().any(char::is_control) {
        errors.add(field, format!("{label} cannot contain control characters."));
    }
    value.to_string()
}

fn check_email(value: &str, rule: EmailRule, errors: &mut FieldErrors) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        if rule == EmailRule::Required {
            errors.add("email", "Email is required.");
        }
        return None;
    }
    if value.chars().count() > EMAIL_MAX {
        errors.add("email", format!("Email can have at most {EMAIL_MAX} characters."));
    } else if !is_email(value) {
        errors.add("email", "Enter an email address like name@example.com.");
    }
    Some(value.to_lowercase())
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let labels_ok = domain
        .split('.')
        .all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-'));
    !local.is_empty() && !local.contains(char::is_whitespace) && domain.contains('.') && labels_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(first: &str, last: &str, email: &str) -> CustomerDraft {
        CustomerDraft {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
        }
    }

    #[test]
    fn a_complete_draft_is_trimmed_and_accepted() {
        let valid = validate(
            &draft("  Ana ", "Silva ", " Ana@Example.COM "),
            EmailRule::Optional,
        )
        .unwrap();
        assert_eq!(valid.first_name, "Ana");
        assert_eq!(valid.last_name, "Silva");
        assert_eq!(valid.email.as_deref(), Some("ana@example.com"));
        assert_eq!(valid.full_name(), "Ana Silva");
    }

    #[test]
    fn names_are_required() {
        let errors = validate(&draft(" ", "", ""), EmailRule::Optional).unwrap_err();
        assert_eq!(errors.get("first_name"), Some("First name is required."));
        assert_eq!(errors.get("last_name"), Some("Last name is required."));
        assert_eq!(errors.get("email"), None);
    }

    #[test]
    fn names_longer_than_the_column_are_refused() {
        let long = "a".repeat(NAME_MAX + 1);
        let errors = validate(&draft(&long, "Silva", ""), EmailRule::Optional).unwrap_err();
        assert_eq!(
            errors.get("first_name"),
            Some("First name can have at most 60 characters.")
        );
        let exact = "é".repeat(NAME_MAX);
        assert!(validate(&draft(&exact, "Silva", ""), EmailRule::Optional).is_ok());
    }

    #[test]
    fn control_characters_are_refused() {
        let errors = validate(&draft("Ana\u{0}", "Silva", ""), EmailRule::Optional).unwrap_err();
        assert_eq!(
            errors.get("first_name"),
            Some("First name cannot contain control characters.")
        );
    }

    #[test]
    fn email_is_required_only_where_the_channel_needs_it() {
        assert!(validate(&draft("Ana", "Silva", ""), EmailRule::Optional).is_ok());
        let errors = validate(&draft("Ana", "Silva", ""), EmailRule::Required).unwrap_err();
        assert_eq!(errors.get("email"), Some("Email is required."));
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "an a@example.com",
            "ana@exa_mple.com",
            "ana@example..com",
        ] {
            let errors = validate(&draft("Ana", "Silva", bad), EmailRule::Optional).unwrap_err();
            assert_eq!(
                errors.get("email"),
                Some("Enter an email address like name@example.com."),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn field_message_names_one_field() {
        let d = draft("", "Silva", "bad");
        assert_eq!(
            field_message(&d, EmailRule::Optional, "first_name").as_deref(),
            Some("First name is required.")
        );
        assert_eq!(field_message(&d, EmailRule::Optional, "last_name"), None);
    }
}
