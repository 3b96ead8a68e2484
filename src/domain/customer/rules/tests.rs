use super::*;
use crate::domain::customer::{
    AddressDraft, AttributeDraft, ContactDraft, CustomerDraft, PartyType, ReferenceData,
};

fn reference() -> ReferenceData {
    ReferenceData {
        customer_groups: vec![("30".into(), "Retail customers".into())],
        default_customer_group: "30".into(),
    }
}

fn person() -> CustomerDraft {
    CustomerDraft {
        first_name: "Ana".into(),
        last_name: "Silva".into(),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        ..CustomerDraft::default()
    }
}

fn address(country: &str, zip: &str) -> AddressDraft {
    AddressDraft {
        purpose: "Home".into(),
        street: "1 Main St".into(),
        city: "Houston".into(),
        zip: zip.into(),
        country_region: country.into(),
        ..AddressDraft::default()
    }
}

fn errors_of(draft: &CustomerDraft) -> crate::error::FieldErrors {
    validate_customer(draft, &reference(), false).unwrap_err()
}

#[test]
fn a_complete_person_is_trimmed_and_accepted() {
    let mut draft = person();
    draft.first_name = "  Ana ".into();
    draft.email = " Ana@Example.COM ".into();
    let valid = validate_customer(&draft, &reference(), false).unwrap();
    assert_eq!(valid.get().first_name, "Ana");
    assert_eq!(valid.get().email, "ana@example.com");
    assert_eq!(valid.display_name(), "Ana Silva");
}

#[test]
fn tidy_own_fields_are_the_fields_validation_saves() {
    let mut draft = person();
    draft.first_name = "  Ana ".into();
    draft.organization_name = "Silva Ltd".into();
    draft.email = " Ana@Example.COM ".into();
    draft.phone = " +1 713 555 0100 ".into();
    draft.language = " en-us".into();
    let valid = validate_customer(&draft, &reference(), false).unwrap();
    assert_eq!(tidy_own_fields(&draft), valid.get().own_fields());

    let organization = CustomerDraft {
        party_type: PartyType::Organization,
        ..draft
    };
    let valid = validate_customer(&organization, &reference(), false).unwrap();
    assert_eq!(tidy_own_fields(&organization), valid.get().own_fields());
}

#[test]
fn names_are_required_for_a_person() {
    let mut draft = person();
    draft.first_name = " ".into();
    draft.last_name.clear();
    let errors = errors_of(&draft);
    assert_eq!(errors.get("first_name"), Some("First name is required."));
    assert_eq!(errors.get("last_name"), Some("Last name is required."));
}

#[test]
fn an_organization_needs_its_name_and_drops_person_names() {
    let mut draft = person();
    draft.party_type = PartyType::Organization;
    let errors = errors_of(&draft);
    assert_eq!(
        errors.get("organization_name"),
        Some("Organization name is required.")
    );
    draft.organization_name = "Fabrikam".into();
    let valid = validate_customer(&draft, &reference(), false).unwrap();
    assert_eq!(valid.get().first_name, "");
    assert_eq!(valid.display_name(), "Fabrikam");
}

#[test]
fn lengths_match_the_columns() {
    let mut draft = person();
    draft.first_name = "a".repeat(Limits::NAME + 1);
    assert_eq!(
        errors_of(&draft).get("first_name"),
        Some("First name can have at most 60 characters.")
    );
    draft.first_name = "é".repeat(Limits::NAME);
    assert!(validate_customer(&draft, &reference(), false).is_ok());
}

#[test]
fn control_characters_are_refused() {
    let mut draft = person();
    draft.last_name = "Sil\u{0}va".into();
    assert_eq!(
        errors_of(&draft).get("last_name"),
        Some("Last name cannot contain control characters.")
    );
}

#[test]
fn email_is_required_only_where_the_channel_needs_it() {
    assert!(validate_customer(&person(), &reference(), false).is_ok());
    let errors = validate_customer(&person(), &reference(), true).unwrap_err();
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
        // Control characters, which every other field refuses too, and which
        // PostgreSQL's text cannot hold (NUL).
        "a\u{0}b@example.com",
        "a\u{1b}b@example.com",
        "a\u{7f}b@example.com",
    ] {
        let mut draft = person();
        draft.email = bad.into();
        assert_eq!(
            errors_of(&draft).get("email"),
            Some("Enter an email address like name@example.com."),
            "{bad}"
        );
    }
}

#[test]
fn phones_need_7_to_15_digits() {
    for good in ["+1 (713) 555-0100", "713.555.0100", "5550100"] {
        let mut draft = person();
        draft.phone = good.into();
        assert!(validate_customer(&draft, &reference(), false).is_ok(), "{good}");
    }
    for bad in ["555-01", "phone", "1+7135550100", "+1 713 555 0100 0100 99"] {
        let mut draft = person();
        draft.phone = bad.into();
        assert!(errors_of(&draft).get("phone").is_some(), "{bad}");
    }
}

#[test]
fn choices_must_come_from_their_lists() {
    let mut draft = person();
    draft.customer_group = "99".into();
    draft.language = "xx".into();
    draft.currency = "ABC".into();
    let errors = errors_of(&draft);
    assert_eq!(
        errors.get("customer_group"),
        Some("Choose a customer group from the list.")
    );
    assert_eq!(errors.get("language"), Some("Choose a language from the list."));
    assert_eq!(errors.get("currency"), Some("Choose a currency from the list."));
}

#[test]
fn postal_codes_follow_their_country_region() {
    let good = [
        ("USA", "77002"),
        ("USA", "98052-6399"),
        ("CAN", "k1a 0b1"),
        ("GBR", "SW1A 1AA"),
        ("DEU", "10115"),
        ("FRA", "75001"),
    ];
    for (country, zip) in good {
        assert!(
            validate_address(&address(country, zip)).is_ok(),
            "{country} {zip}"
        );
    }
    let bad = [
        ("USA", "7700", "98052 or 98052-6399"),
        ("USA", "ABCDE", "98052 or 98052-6399"),
        ("CAN", "12345", "K1A 0B1"),
        ("GBR", "SW1A1AA", "SW1A 1AA"),
        ("DEU", "1011", "75001"),
    ];
    for (country, zip, example) in bad {
        let errors = validate_address(&address(country, zip)).unwrap_err();
        assert_eq!(
            errors.get("address.zip"),
            Some(format!("Enter a ZIP/postal code like {example}.").as_str()),
            "{country} {zip}"
        );
    }
}

#[test]
fn an_address_needs_street_city_zip_country_and_purpose() {
    let errors = validate_address(&AddressDraft::default()).unwrap_err();
    assert_eq!(errors.get("address.street"), Some("Street is required."));
    assert_eq!(errors.get("address.city"), Some("City is required."));
    assert_eq!(
        errors.get("address.country_region"),
        Some("Choose a country/region from the list.")
    );
    assert_eq!(
        errors.get("address.purpose"),
        Some("Choose a purpose from the list.")
    );
    let errors = validate_address(&address("USA", "")).unwrap_err();
    assert_eq!(errors.get("address.zip"), Some("ZIP/postal code is required."));
}

#[test]
fn address_messages_name_their_row() {
    let mut draft = person();
    draft.addresses = vec![address("USA", "77002"), address("USA", "1")];
    let errors = errors_of(&draft);
    assert_eq!(errors.get("addresses.0.zip"), None);
    assert!(errors.get("addresses.1.zip").is_some());
}

#[test]
fn exactly_one_address_is_primary() {
    let mut draft = person();
    draft.addresses = vec![address("USA", "77002"), address("USA", "77003")];
    let valid = validate_customer(&draft, &reference(), false).unwrap();
    let primaries: Vec<bool> = valid.get().addresses.iter().map(|a| a.primary).collect();
    assert_eq!(primaries, [true, false]);

    draft.addresses[0].primary = true;
    draft.addresses[1].primary = true;
    let valid = validate_customer(&draft, &reference(), false).unwrap();
    let primaries: Vec<bool> = valid.get().addresses.iter().map(|a| a.primary).collect();
    assert_eq!(primaries, [true, false]);
}

#[test]
fn contacts_are_checked_by_kind_with_one_primary_per_kind() {
    let mut draft = person();
    draft.contacts = vec![
        ContactDraft {
            kind: "Email".into(),
            value: "a@example.com".into(),
            primary: false,
        },
        ContactDraft {
            kind: "Phone".into(),
            value: "713 555 0100".into(),
            primary: false,
        },
        ContactDraft {
            kind: "Email".into(),
            value: "b@example.com".into(),
            primary: true,
        },
    ];
    let valid = validate_customer(&draft, &reference(), false).unwrap();
    let primaries: Vec<bool> = valid.get().contacts.iter().map(|c| c.primary).collect();
    assert_eq!(primaries, [false, true, true]);

    draft.contacts = vec![
        ContactDraft {
            kind: "Email".into(),
            value: "nope".into(),
            primary: false,
        },
        ContactDraft {
            kind: "URL".into(),
            value: "example.com".into(),
            primary: false,
        },
        ContactDraft {
            kind: "Fax".into(),
            value: "1".into(),
            primary: false,
        },
        ContactDraft {
            kind: "Phone".into(),
            value: "".into(),
            primary: false,
        },
    ];
    let errors = errors_of(&draft);
    assert_eq!(
        errors.get("contacts.0.value"),
        Some("Enter an email address like name@example.com.")
    );
    assert_eq!(
        errors.get("contacts.1.value"),
        Some("Enter a web address like https://example.com.")
    );
    assert_eq!(
        errors.get("contacts.2.kind"),
        Some("Choose a contact type from the list.")
    );
    assert_eq!(
        errors.get("contacts.3.value"),
        Some("Enter a phone number, or remove contact 4.")
    );
}

#[test]
fn a_contact_left_empty_names_what_to_enter_not_the_customers_own_email() {
    let mut draft = person();
    draft.contacts = ["Email", "URL"]
        .into_iter()
        .map(|kind| ContactDraft {
            kind: kind.into(),
            value: "  ".into(),
            primary: false,
        })
        .collect();
    let errors = errors_of(&draft);
    assert_eq!(
        errors.get("contacts.0.value"),
        Some("Enter an email address, or remove contact 1.")
    );
    assert_eq!(
        errors.get("contacts.1.value"),
        Some("Enter a web address, or remove contact 2.")
    );
}

#[test]
fn affiliations_come_from_the_list_once() {
    let mut draft = person();
    draft.affiliations = vec!["Loyalty gold".into(), "Loyalty gold".into(), "VIP".into()];
    let errors = errors_of(&draft);
    assert_eq!(errors.get("affiliations.0"), None);
    assert_eq!(
        errors.get("affiliations.1"),
        Some("Loyalty gold is listed twice.")
    );
    assert_eq!(
        errors.get("affiliations.2"),
        Some("Choose an affiliation from the list.")
    );
}

fn attribute(name: &str, value: &str) -> AttributeDraft {
    AttributeDraft {
        name: name.into(),
        value: value.into(),
    }
}

#[test]
fn attribute_values_are_checked_by_name() {
    let mut draft = person();
    draft.attributes = vec![
        attribute("Birthday", "1990-02-29"),
        attribute("Marketing opt-in", "maybe"),
        attribute("Preferred store", ""),
        attribute("Shoe size", "42"),
    ];
    let errors = errors_of(&draft);
    assert_eq!(
        errors.get("attributes.0.value"),
        Some("Enter the birthday as YYYY-MM-DD.")
    );
    assert_eq!(
        errors.get("attributes.1.value"),
        Some("Marketing opt-in is Yes or No.")
    );
    assert_eq!(
        errors.get("attributes.2.value"),
        Some("Preferred store is required.")
    );
    assert_eq!(
        errors.get("attributes.3.name"),
        Some("Choose an attribute from the list.")
    );

    draft.attributes = vec![
        attribute("Birthday", "1992-02-29"),
        attribute("Marketing opt-in", "Yes"),
        attribute("Preferred store", "Houston"),
    ];
    assert!(validate_customer(&draft, &reference(), false).is_ok());
}

#[test]
fn a_birthday_in_the_future_is_refused_and_today_is_taken_wherever_it_is_today() {
    let on = |birthday: &str, latest: time::Date| {
        let mut draft = person();
        draft.attributes = vec![attribute("Birthday", birthday)];
        validate_customer_on(&draft, &reference(), false, latest)
            .err()
            .and_then(|errors| errors.get("attributes.0.value").map(str::to_string))
    };
    let december_8 = time::Date::from_calendar_date(2026, time::Month::December, 8).unwrap();
    let in_the_future = Some("The birthday cannot be in the future.");
    let not_a_date = Some("Enter the birthday as YYYY-MM-DD.");
    for (birthday, message) in [
        ("2026-12-08", None),
        ("2026-12-09", in_the_future),
        ("2099-01-01", in_the_future),
        ("1899-12-31", Some("Enter a birthday from 1900-01-01 on.")),
        ("0001-01-01", Some("Enter a birthday from 1900-01-01 on.")),
        ("1990-02-30", not_a_date),
        ("1990-+1-05", not_a_date),
    ] {
        assert_eq!(on(birthday, december_8).as_deref(), message, "{birthday}");
    }

    // 2026-12-07 09:59:59.999 UTC is still the 7th in Kiritimati (UTC+14);
    // a millisecond later the 8th has begun there.
    let december_7 = time::Date::from_calendar_date(2026, time::Month::December, 7).unwrap();
    assert_eq!(latest_birthday(1_796_637_599_999), december_7);
    assert_eq!(latest_birthday(1_796_637_600_000), december_8);
}

#[test]
fn too_many_rows_are_refused() {
    let mut draft = person();
    draft.addresses = vec![address("USA", "77002"); Limits::ROWS + 1];
    assert_eq!(
        errors_of(&draft).get("addresses"),
        Some("A customer can have at most 10 addresses.")
    );
}

#[test]
fn a_form_posts_every_attribute_and_the_blank_ones_are_left_out() {
    let mut draft = person();
    draft.attributes = vec![
        attribute("Birthday", " "),
        attribute("Preferred store", "Houston"),
        attribute("Marketing opt-in", ""),
    ];
    let kept = draft.without_blank_attributes();
    assert_eq!(kept.attributes, vec![attribute("Preferred store", "Houston")]);
    assert!(validate_customer(&kept, &reference(), false).is_ok());
}
