//! The customer as the channel takes it from a cashier or a shopper, and the
//! rules a draft must pass before it is staged. Compiled for the server and
//! the browser, so both show the same message for the same mistake.

mod fields;
mod reference;
mod rules;
mod search;

pub use fields::{ChangedFields, CustomerField};
pub use reference::{
    ADDRESS_PURPOSES, AFFILIATIONS, ATTRIBUTES, CONTACT_KINDS, COUNTRIES, CURRENCIES, LANGUAGES,
    ReferenceData, country_name, group_caption, is_country, language_name,
};
pub use rules::{
    Limits, latest_birthday, tidy_own_fields, validate_address, validate_customer, validate_customer_on,
};
pub use search::{CustomerSearch, fold_case, numbers_it_ends_with, phone_key, prefix_pattern};

use serde::{Deserialize, Serialize};

/// A person or an organisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartyType {
    #[default]
    Person,
    Organization,
}

impl PartyType {
    /// The value stored in the `party_type` columns.
    pub fn code(self) -> &'static str {
        match self {
            PartyType::Person => "person",
            PartyType::Organization => "organization",
        }
    }

    pub fn from_code(code: &str) -> PartyType {
        if code == "organization" {
            PartyType::Organization
        } else {
            PartyType::Person
        }
    }
}

/// A customer as a form holds it: free text, not yet trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// A form posted by the browser leaves out what it has no field for.
#[serde(default)]
pub struct CustomerDraft {
    pub party_type: PartyType,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub organization_name: String,
    pub email: String,
    pub phone: String,
    pub customer_group: String,
    pub language: String,
    pub currency: String,
    pub addresses: Vec<AddressDraft>,
    pub contacts: Vec<ContactDraft>,
    pub affiliations: Vec<String>,
    pub attributes: Vec<AttributeDraft>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddressDraft {
    pub name: String,
    pub purpose: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country_region: String,
    pub primary: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactDraft {
    pub kind: String,
    pub value: String,
    pub primary: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributeDraft {
    pub name: String,
    pub value: String,
}

/// A draft that passed every rule: trimmed, emails in lower case, exactly
/// one primary address and one primary contact of each kind when there are
/// any. Only `validate_customer` makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidCustomer(CustomerDraft);

impl ValidCustomer {
    pub fn get(&self) -> &CustomerDraft {
        &self.0
    }

    pub fn into_draft(self) -> CustomerDraft {
        self.0
    }

    pub fn display_name(&self) -> String {
        display_name(&self.0)
    }
}

/// An address that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidAddress(AddressDraft);

impl ValidAddress {
    pub fn get(&self) -> &AddressDraft {
        &self.0
    }
}

/// An email as HQ's unique-email rule compares it: trimmed, in lower case
/// (ASCII, as SQLite's `lower` and PostgreSQL's on the "C" collation fold
/// it); none for no email.
pub fn email_key(email: &str) -> Option<String> {
    let email = email.trim();
    (!email.is_empty()).then(|| email.to_ascii_lowercase())
}

/// What a shopper's sign-up makes: the sign-up form offers a person's first
/// and last name, email, phone and addresses, so only those are taken, also
/// from a request made by hand; the customer group, language and currency
/// are the online store's, and affiliations (Employee, say), contacts and
/// attributes are a cashier's to give.
pub fn shopper_sign_up(posted: &CustomerDraft) -> CustomerDraft {
    CustomerDraft {
        party_type: PartyType::Person,
        first_name: posted.first_name.clone(),
        last_name: posted.last_name.clone(),
        email: posted.email.clone(),
        phone: posted.phone.clone(),
        addresses: posted.addresses.clone(),
        ..CustomerDraft::default()
    }
}

/// A shopper's edit of their own profile, as it applies to the customer
/// `current`: My profile shows the name, email and phone, so those are the
/// shopper's to change; every other field stays as it is (the customer
/// group a cashier gave, the middle name, language and currency), also when
/// the form was posted without JavaScript and carries the shopper's fields
/// alone.
pub fn shopper_edit(current: &CustomerDraft, edited: &CustomerDraft) -> CustomerDraft {
    let mut customer = CustomerDraft {
        email: edited.email.clone(),
        phone: edited.phone.clone(),
        ..current.clone()
    };
    match current.party_type {
        PartyType::Person => {
            customer.first_name = edited.first_name.clone();
            customer.last_name = edited.last_name.clone();
        }
        PartyType::Organization => customer.organization_name = edited.organization_name.clone(),
    }
    customer
}

/// The customer's affiliations and attributes in name order, as HQ keeps
/// them (it has no line numbers for them): a page shows them in the same
/// order pending, in the order they were ticked and typed, and synced.
pub fn in_name_order(mut customer: CustomerDraft) -> CustomerDraft {
    customer.affiliations.sort();
    customer.attributes.sort_by(|a, b| a.name.cmp(&b.name));
    customer
}

/// "Ana M. Silva" for a person, the organisation name for an organisation.
pub fn display_name(draft: &CustomerDraft) -> String {
    match draft.party_type {
        PartyType::Organization => draft.organization_name.trim().to_string(),
        PartyType::Person => [&draft.first_name, &draft.middle_name, &draft.last_name]
            .iter()
            .map(|part| part.trim())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A customer as a search lists it: synced ones have an account, pending
/// ones only their temporary id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CustomerSummary {
    pub account: Option<String>,
    pub temporary_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl CustomerSummary {
    /// What opens this customer: its account, or its temporary id while pending.
    pub fn key(&self) -> String {
        self.account
            .clone()
            .or_else(|| self.temporary_id.clone())
            .unwrap_or_default()
    }
}

/// A customer as the channel shows it: from the channel copy once synced,
/// from its staged create while pending, with the changes staged since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelCustomer {
    pub account: Option<String>,
    pub temporary_id: Option<String>,
    pub customer: CustomerDraft,
    /// Staged updates and address additions not yet back from HQ.
    pub pending_changes: usize,
}

impl CustomerDraft {
    /// The customer's own fields, without its addresses, contacts,
    /// affiliations and attributes.
    pub fn own_fields(&self) -> CustomerDraft {
        CustomerDraft {
            addresses: Vec::new(),
            contacts: Vec::new(),
            affiliations: Vec::new(),
            attributes: Vec::new(),
            ..self.clone()
        }
    }
}

impl ChannelCustomer {
    pub fn key(&self) -> String {
        self.account
            .clone()
            .or_else(|| self.temporary_id.clone())
            .unwrap_or_default()
    }
}

/// How a change was carried out: staged for the P-job, or applied in HQ at
/// once by a real-time service call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeOutcome {
    Staged {
        temporary_id: String,
    },
    /// Staged although the change could be made in real time, because
    /// earlier changes of the customer are still on their way to HQ and a
    /// real-time change would be undone by them.
    StagedBehind {
        temporary_id: String,
        earlier_changes: usize,
    },
    AppliedInHq {
        account: String,
    },
}

impl ChangeOutcome {
    pub fn message(&self) -> String {
        match self {
            ChangeOutcome::Staged { .. } => {
                "Saved in asynchronous mode: the change is staged and reaches HQ with the next P-job and sync.".into()
            }
            ChangeOutcome::StagedBehind { earlier_changes, .. } => {
                let earlier = match earlier_changes {
                    1 => "1 earlier change of this customer is".to_string(),
                    n => format!("{n} earlier changes of this customer are"),
                };
                format!(
                    "Saved in asynchronous mode: {earlier} still on the way to HQ, so this change is staged behind, \
                     not made in real time, where the earlier one would undo it. It reaches HQ with the next P-job \
                     and sync."
                )
            }
            ChangeOutcome::AppliedInHq { account } => {
                format!("Saved: HQ updated customer {account} through a real-time service call.")
            }
        }
    }
}

/// The answer to Add customer or Sign up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedCustomer {
    pub full_name: String,
    pub channel_name: String,
    pub how: CreatedHow,
}

/// How a customer was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreatedHow {
    /// Staged in asynchronous mode: the customer exists in the channel under
    /// its temporary id until HQ gives it an account.
    Staged { temporary_id: String },
    /// Created in HQ at once by a real-time service call.
    InHq { account: String },
    /// A real-time call was needed but HQ or the register was unreachable,
    /// so the create was staged anyway.
    FellBack { temporary_id: String, why: String },
}

impl CreatedCustomer {
    pub fn temporary_id(&self) -> Option<&str> {
        match &self.how {
            CreatedHow::Staged { temporary_id } | CreatedHow::FellBack { temporary_id, .. } => {
                Some(temporary_id)
            }
            CreatedHow::InHq { .. } => None,
        }
    }

    /// What opens the customer: its account, or its temporary id.
    pub fn key(&self) -> String {
        match &self.how {
            CreatedHow::InHq { account } => account.clone(),
            CreatedHow::Staged { temporary_id } | CreatedHow::FellBack { temporary_id, .. } => {
                temporary_id.clone()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affiliations_and_attributes_are_shown_in_hqs_name_order() {
        let attribute = |name: &str| AttributeDraft {
            name: name.into(),
            value: "x".into(),
        };
        let typed = CustomerDraft {
            affiliations: vec!["Loyalty gold".into(), "Employee".into()],
            attributes: vec![
                attribute("Birthday"),
                attribute("Preferred store"),
                attribute("Marketing opt-in"),
            ],
            ..CustomerDraft::default()
        };
        let shown = in_name_order(typed);
        assert_eq!(shown.affiliations, ["Employee", "Loyalty gold"]);
        let names: Vec<&str> = shown.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Birthday", "Marketing opt-in", "Preferred store"]);
    }

    #[test]
    fn a_shoppers_sign_up_takes_what_the_sign_up_form_offers_only() {
        let address = AddressDraft {
            street: "12 Rue Verte".into(),
            ..AddressDraft::default()
        };
        let offered = CustomerDraft {
            first_name: "Ines".into(),
            last_name: "Roy".into(),
            email: "ines@example.com".into(),
            phone: "+1 206 555 0177".into(),
            addresses: vec![address],
            ..CustomerDraft::default()
        };
        let posted = CustomerDraft {
            party_type: PartyType::Organization,
            middle_name: "Jo".into(),
            organization_name: "Contoso".into(),
            customer_group: "20".into(),
            language: "fr-fr".into(),
            currency: "EUR".into(),
            contacts: vec![ContactDraft::default()],
            affiliations: vec!["Employee".into()],
            attributes: vec![AttributeDraft::default()],
            ..offered.clone()
        };
        assert_eq!(shopper_sign_up(&posted), offered);
    }

    #[test]
    fn a_shoppers_edit_changes_the_name_email_and_phone_only() {
        let current = CustomerDraft {
            first_name: "Samantha".into(),
            middle_name: "Jo".into(),
            last_name: "Smith".into(),
            email: "samantha.smith@contoso.com".into(),
            customer_group: "20".into(),
            language: "fr-fr".into(),
            currency: "EUR".into(),
            addresses: vec![AddressDraft::default()],
            affiliations: vec!["Employee".into()],
            ..CustomerDraft::default()
        };
        let posted = CustomerDraft {
            first_name: "Sam".into(),
            last_name: "Smith-Ray".into(),
            email: "sam@example.com".into(),
            phone: "+1 425 555 0144".into(),
            ..CustomerDraft::default()
        };
        assert_eq!(
            shopper_edit(&current, &posted),
            CustomerDraft {
                first_name: "Sam".into(),
                last_name: "Smith-Ray".into(),
                email: "sam@example.com".into(),
                phone: "+1 425 555 0144".into(),
                ..current.clone()
            }
        );
        let organization = CustomerDraft {
            party_type: PartyType::Organization,
            organization_name: "Contoso".into(),
            ..current
        };
        let renamed = CustomerDraft {
            organization_name: "Contoso Ltd".into(),
            ..posted
        };
        let saved = shopper_edit(&organization, &renamed);
        assert_eq!(
            (saved.organization_name.as_str(), saved.first_name.as_str()),
            ("Contoso Ltd", "Samantha")
        );
    }
}
