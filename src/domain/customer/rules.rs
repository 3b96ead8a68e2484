//! The validation rules, one small function per field kind. Messages name
//! the field as its label does, and field keys are the ids of the inputs:
//! `first_name`, `addresses.0.zip`, `contacts.1.value`...

use super::reference::{
    ADDRESS_PURPOSES, AFFILIATIONS, ATTRIBUTES, CONTACT_KINDS, CURRENCIES, ReferenceData, is_country,
    is_language,
};
use super::{
    AddressDraft, AttributeDraft, ContactDraft, CustomerDraft, PartyType, ValidAddress, ValidCustomer,
};
use crate::domain::operation::UNIX_EPOCH_JULIAN_DAY;
use crate::error::FieldErrors;

/// Column widths of the staging and customer tables.
pub struct Limits;

impl Limits {
    pub const NAME: usize = 60;
    pub const ORGANIZATION_NAME: usize = 100;
    pub const EMAIL: usize = 80;
    pub const PHONE: usize = 20;
    pub const ADDRESS_NAME: usize = 60;
    pub const STREET: usize = 100;
    pub const CITY: usize = 60;
    pub const STATE: usize = 30;
    pub const ZIP: usize = 10;
    pub const VALUE: usize = 100;
    /// Rows of one kind a single customer may carry.
    pub const ROWS: usize = 10;
}

/// Whether the channel needs an email: the online store signs its shoppers
/// in with it, a cashier may leave it out. Checked as of now.
pub fn validate_customer(
    draft: &CustomerDraft,
    reference: &ReferenceData,
    email_required: bool,
) -> Result<ValidCustomer, FieldErrors> {
    validate_customer_on(
        draft,
        reference,
        email_required,
        latest_birthday(now_unix_millis()),
    )
}

/// [`validate_customer`] as of the day whose latest birthday is given.
pub fn validate_customer_on(
    draft: &CustomerDraft,
    reference: &ReferenceData,
    email_required: bool,
    latest_birthday: time::Date,
) -> Result<ValidCustomer, FieldErrors> {
    let mut errors = FieldErrors::default();
    let own = tidy_own_fields(draft);
    check_names(&own, &mut errors);
    check_email(&own.email, "Email", "email", email_required, &mut errors);
    check_phone(&own.phone, "Phone", "phone", &mut errors);
    if !reference.knows_customer_group(&own.customer_group) {
        errors.add("customer_group", "Choose a customer group from the list.");
    }
    if !is_language(&own.language) {
        errors.add("language", "Choose a language from the list.");
    }
    if !CURRENCIES.contains(&own.currency.as_str()) {
        errors.add("currency", "Choose a currency from the list.");
    }
    let valid = CustomerDraft {
        addresses: check_addresses(&draft.addresses, &mut errors),
        contacts: check_contacts(&draft.contacts, &mut errors),
        affiliations: check_affiliations(&draft.affiliations, &mut errors),
        attributes: check_attributes(&draft.attributes, latest_birthday, &mut errors),
        ..own
    };
    if errors.is_empty() {
        Ok(ValidCustomer(valid))
    } else {
        Err(errors)
    }
}

/// The names the party type has: a person's first and last name (and an
/// optional middle name), or an organization's name.
fn check_names(own: &CustomerDraft, errors: &mut FieldErrors) {
    match own.party_type {
        PartyType::Person => {
            required(&own.first_name, "First name", "first_name", Limits::NAME, errors);
            optional(
                &own.middle_name,
                "Middle name",
                "middle_name",
                Limits::NAME,
                errors,
            );
            required(&own.last_name, "Last name", "last_name", Limits::NAME, errors);
        }
        PartyType::Organization => {
            required(
                &own.organization_name,
                "Organization name",
                "organization_name",
                Limits::ORGANIZATION_NAME,
                errors,
            );
        }
    }
}

/// The customer's own fields as `validate_customer` saves them, whether
/// or not they pass: trimmed, the email in lower case, the names of the
/// other party type cleared. Two drafts compared this way differ only where
/// what would be saved differs.
pub fn tidy_own_fields(draft: &CustomerDraft) -> CustomerDraft {
    let mut tidy = CustomerDraft {
        party_type: draft.party_type,
        first_name: draft.first_name.trim().to_string(),
        middle_name: draft.middle_name.trim().to_string(),
        last_name: draft.last_name.trim().to_string(),
        organization_name: draft.organization_name.trim().to_string(),
        email: draft.email.trim().to_lowercase(),
        phone: draft.phone.trim().to_string(),
        customer_group: draft.customer_group.trim().to_string(),
        language: draft.language.trim().to_string(),
        currency: draft.currency.trim().to_string(),
        ..CustomerDraft::default()
    };
    match draft.party_type {
        PartyType::Person => tidy.organization_name.clear(),
        PartyType::Organization => {
            tidy.first_name.clear();
            tidy.middle_name.clear();
            tidy.last_name.clear();
        }
    }
    tidy
}

/// One address on its own, as "Add address" sends it.
pub fn validate_address(address: &AddressDraft) -> Result<ValidAddress, FieldErrors> {
    let mut errors = FieldErrors::default();
    let valid = check_address(address, "address", &mut errors);
    if errors.is_empty() {
        Ok(ValidAddress(valid))
    } else {
        Err(errors)
    }
}

fn required(value: &str, label: &str, key: &str, max: usize, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(key, format!("{label} is required."));
    } else {
        check_text(value, label, key, max, errors);
    }
    value.to_string()
}

fn optional(value: &str, label: &str, key: &str, max: usize, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    check_text(value, label, key, max, errors);
    value.to_string()
}

fn check_text(value: &str, label: &str, key: &str, max: usize, errors: &mut FieldErrors) {
    if value.chars().count() > max {
        errors.add(key, format!("{label} can have at most {max} characters."));
    } else if value.chars().any(char::is_control) {
        errors.add(key, format!("{label} cannot contain control characters."));
    }
}

fn check_email(value: &str, label: &str, key: &str, is_required: bool, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if value.is_empty() {
        if is_required {
            errors.add(key, format!("{label} is required."));
        }
    } else if value.chars().count() > Limits::EMAIL {
        errors.add(
            key,
            format!("{label} can have at most {} characters.", Limits::EMAIL),
        );
    } else if !is_email(value) {
        errors.add(key, "Enter an email address like name@example.com.");
    }
    value.to_lowercase()
}

fn check_phone(value: &str, label: &str, key: &str, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    if !value.is_empty() && !is_phone(value) {
        errors.add(
            key,
            format!("{label} must have 7 to 15 digits, optionally with +, spaces, dashes, dots or brackets."),
        );
    }
    value.to_string()
}

fn check_addresses(addresses: &[AddressDraft], errors: &mut FieldErrors) -> Vec<AddressDraft> {
    if addresses.len() > Limits::ROWS {
        errors.add(
            "addresses",
            format!("A customer can have at most {} addresses.", Limits::ROWS),
        );
    }
    let mut valid: Vec<AddressDraft> = addresses
        .iter()
        .enumerate()
        .map(|(index, address)| check_address(address, &format!("addresses.{index}"), errors))
        .collect();
    one_primary(&mut valid, |address| &mut address.primary);
    valid
}

fn check_address(address: &AddressDraft, prefix: &str, errors: &mut FieldErrors) -> AddressDraft {
    let key = |field: &str| format!("{prefix}.{field}");
    let country_region = address.country_region.trim().to_ascii_uppercase();
    let zip = address.zip.trim().to_ascii_uppercase();
    let purpose = address.purpose.trim().to_string();
    if !ADDRESS_PURPOSES.contains(&purpose.as_str()) {
        errors.add(&key("purpose"), "Choose a purpose from the list.");
    }
    if !is_country(&country_region) {
        errors.add(&key("country_region"), "Choose a country/region from the list.");
    } else if zip.is_empty() {
        errors.add(&key("zip"), "ZIP/postal code is required.");
    } else if let Some(example) = postal_code_problem(&country_region, &zip) {
        errors.add(&key("zip"), format!("Enter a ZIP/postal code like {example}."));
    }
    AddressDraft {
        name: optional(
            &address.name,
            "Address name",
            &key("name"),
            Limits::ADDRESS_NAME,
            errors,
        ),
        purpose,
        street: required(&address.street, "Street", &key("street"), Limits::STREET, errors),
        city: required(&address.city, "City", &key("city"), Limits::CITY, errors),
        state: optional(&address.state, "State", &key("state"), Limits::STATE, errors),
        zip,
        country_region,
        primary: address.primary,
    }
}

fn check_contacts(contacts: &[ContactDraft], errors: &mut FieldErrors) -> Vec<ContactDraft> {
    if contacts.len() > Limits::ROWS {
        errors.add(
            "contacts",
            format!("A customer can have at most {} contacts.", Limits::ROWS),
        );
    }
    let mut valid: Vec<ContactDraft> = contacts
        .iter()
        .enumerate()
        .map(|(index, contact)| {
            let key = format!("contacts.{index}.value");
            let kind = contact.kind.trim().to_string();
            let value = match kind.as_str() {
                known if contact.value.trim().is_empty() && CONTACT_KINDS.contains(&known) => {
                    errors.add(&key, empty_contact_message(known, index));
                    String::new()
                }
                "Email" => check_email(&contact.value, "Email", &key, true, errors),
                "Phone" => check_phone(&contact.value, "Phone", &key, errors),
                "URL" => check_url(&contact.value, &key, errors),
                _ => {
                    errors.add(
                        &format!("contacts.{index}.kind"),
                        "Choose a contact type from the list.",
                    );
                    contact.value.trim().to_string()
                }
            };
            ContactDraft {
                kind,
                value,
                primary: contact.primary,
            }
        })
        .collect();
    for kind in CONTACT_KINDS {
        let mut of_kind: Vec<&mut ContactDraft> = valid.iter_mut().filter(|c| c.kind == kind).collect();
        if !of_kind.is_empty() && !of_kind.iter().any(|c| c.primary) {
            of_kind[0].primary = true;
        }
        for contact in of_kind.into_iter().filter(|c| c.primary).skip(1) {
            contact.primary = false;
        }
    }
    valid
}

/// What a contact row left empty says beside its "Contact details": the
/// field's label names no type, and the form has an Email field of its own.
fn empty_contact_message(kind: &str, index: usize) -> String {
    let what = match kind {
        "Email" => "an email address",
        "Phone" => "a phone number",
        _ => "a web address",
    };
    format!("Enter {what}, or remove contact {}.", index + 1)
}

fn check_url(value: &str, key: &str, errors: &mut FieldErrors) -> String {
    let value = value.trim();
    let has_host = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .is_some_and(|rest| rest.split('/').next().is_some_and(|host| host.contains('.')));
    if !has_host || value.contains(char::is_whitespace) {
        errors.add(key, "Enter a web address like https://example.com.");
    } else {
        check_text(value, "URL", key, Limits::VALUE, errors);
    }
    value.to_string()
}

fn check_affiliations(affiliations: &[String], errors: &mut FieldErrors) -> Vec<String> {
    let mut valid: Vec<String> = Vec::new();
    for (index, affiliation) in affiliations.iter().enumerate() {
        let affiliation = affiliation.trim().to_string();
        if !AFFILIATIONS.contains(&affiliation.as_str()) {
            errors.add(
                &format!("affiliations.{index}"),
                "Choose an affiliation from the list.",
            );
        } else if valid.contains(&affiliation) {
            errors.add(
                &format!("affiliations.{index}"),
                format!("{affiliation} is listed twice."),
            );
        }
        valid.push(affiliation);
    }
    valid
}

impl CustomerDraft {
    /// The draft without the attributes left blank: a form shows every
    /// attribute, and one left blank is not stored.
    pub fn without_blank_attributes(&self) -> CustomerDraft {
        let mut draft = self.clone();
        draft
            .attributes
            .retain(|attribute| !attribute.value.trim().is_empty());
        draft
    }
}

fn check_attributes(
    attributes: &[AttributeDraft],
    latest_birthday: time::Date,
    errors: &mut FieldErrors,
) -> Vec<AttributeDraft> {
    let mut valid: Vec<AttributeDraft> = Vec::new();
    for (index, attribute) in attributes.iter().enumerate() {
        let name = attribute.name.trim().to_string();
        let value = attribute.value.trim().to_string();
        let key = format!("attributes.{index}.value");
        if !ATTRIBUTES.contains(&name.as_str()) {
            errors.add(
                &format!("attributes.{index}.name"),
                "Choose an attribute from the list.",
            );
        } else if valid.iter().any(|a| a.name == name) {
            errors.add(
                &format!("attributes.{index}.name"),
                format!("{name} is listed twice."),
            );
        } else if let Some(problem) = attribute_value_problem(&name, &value, latest_birthday) {
            errors.add(&key, problem);
        } else {
            check_text(&value, &name, &key, Limits::VALUE, errors);
        }
        valid.push(AttributeDraft { name, value });
    }
    valid
}

fn attribute_value_problem(name: &str, value: &str, latest_birthday: time::Date) -> Option<String> {
    match name {
        "Birthday" => match date_of(value) {
            None => Some("Enter the birthday as YYYY-MM-DD.".to_string()),
            Some(birthday) if birthday.year() < EARLIEST_BIRTH_YEAR => {
                Some(format!("Enter a birthday from {EARLIEST_BIRTH_YEAR}-01-01 on."))
            }
            Some(birthday) if birthday > latest_birthday => {
                Some("The birthday cannot be in the future.".to_string())
            }
            Some(_) => None,
        },
        "Marketing opt-in" if value != "Yes" && value != "No" => {
            Some("Marketing opt-in is Yes or No.".to_string())
        }
        "Preferred store" if value.is_empty() => Some("Preferred store is required.".to_string()),
        _ => None,
    }
}

/// Makes exactly one row primary when there are rows: the first one marked,
/// or the first row.
fn one_primary<T>(rows: &mut [T], primary: impl Fn(&mut T) -> &mut bool) {
    let mut seen = false;
    for row in rows.iter_mut() {
        let flag = primary(row);
        if *flag && seen {
            *flag = false;
        }
        seen |= *flag;
    }
    if !seen && let Some(first) = rows.first_mut() {
        *primary(first) = true;
    }
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let labels_ok = domain
        .split('.')
        .all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-'));
    let local_ok = !local.is_empty() && !local.contains(|c: char| c.is_whitespace() || c.is_control());
    local_ok && domain.contains('.') && labels_ok
}

/// The fewest digits a phone number has.
pub(super) const SHORTEST_PHONE: usize = 7;

fn is_phone(value: &str) -> bool {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    value.chars().count() <= Limits::PHONE
        && (SHORTEST_PHONE..=15).contains(&digits)
        && value
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " -.()".contains(c) || (c == '+' && i == 0))
}

/// No one alive was born before.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// The date written `YYYY-MM-DD`.
fn date_of(value: &str) -> Option<time::Date> {
    let parts: Vec<&str> = value.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let number = |text: &str, len: usize| {
        (text.len() == len && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u16>().ok())
            .flatten()
    };
    let (year, month, day) = (number(year, 4)?, number(month, 2)?, number(day, 2)?);
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()
}

/// The latest birthday a customer may have at `unix_millis`: today where the
/// day is furthest ahead (UTC+14), so that no store refuses a customer born
/// today where it is.
pub fn latest_birthday(unix_millis: i64) -> time::Date {
    const FURTHEST_AHEAD_MS: i64 = 14 * 3_600_000;
    let days = (unix_millis + FURTHEST_AHEAD_MS).div_euclid(86_400_000);
    i32::try_from(days + UNIX_EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|day| time::Date::from_julian_day(day).ok())
        .unwrap_or(time::Date::MAX)
}

#[cfg(feature = "hydrate")]
fn now_unix_millis() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(feature = "hydrate"))]
fn now_unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
}

/// None when `zip` fits the country/region's format, else an example of it.
fn postal_code_problem(country_region: &str, zip: &str) -> Option<&'static str> {
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    let fits = match country_region {
        "USA" => match zip.split_once('-') {
            Some((five, four)) => digits(five, 5) && digits(four, 4),
            None => digits(zip, 5),
        },
        "CAN" => is_canadian_postal_code(zip),
        "GBR" => is_uk_postcode(zip),
        "DEU" | "FRA" => digits(zip, 5),
        _ => true,
    };
    if fits {
        return None;
    }
    Some(match country_region {
        "USA" => "98052 or 98052-6399",
        "CAN" => "K1A 0B1",
        "GBR" => "SW1A 1AA",
        _ => "75001",
    })
}

fn is_canadian_postal_code(zip: &str) -> bool {
    let chars: Vec<char> = zip.chars().filter(|c| *c != ' ').collect();
    chars.len() == 6
        && chars.iter().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_digit()
            }
        })
}

fn is_uk_postcode(zip: &str) -> bool {
    let Some((outward, inward)) = zip.split_once(' ') else {
        return false;
    };
    let inward: Vec<char> = inward.chars().collect();
    (2..=4).contains(&outward.len())
        && outward.starts_with(|c: char| c.is_ascii_alphabetic())
        && outward.chars().all(|c| c.is_ascii_alphanumeric())
        && inward.len() == 3
        && inward[0].is_ascii_digit()
        && inward[1].is_ascii_alphabetic()
        && inward[2].is_ascii_alphabetic()
}

#[cfg(test)]
mod tests;
