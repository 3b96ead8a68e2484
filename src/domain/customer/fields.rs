//! The customer's own fields one by one, and which of them an update
//! changes: HQ applies those alone, so that an edit made from a copy that
//! is behind HQ does not put back what another store changed since.

use serde::{Deserialize, Serialize};

use super::CustomerDraft;

/// One of the customer's own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerField {
    PartyType,
    FirstName,
    MiddleName,
    LastName,
    OrganizationName,
    Email,
    Phone,
    CustomerGroup,
    Language,
    Currency,
}

impl CustomerField {
    /// Every field, in the order of the tables' columns.
    pub const ALL: [CustomerField; 10] = [
        CustomerField::PartyType,
        CustomerField::FirstName,
        CustomerField::MiddleName,
        CustomerField::LastName,
        CustomerField::OrganizationName,
        CustomerField::Email,
        CustomerField::Phone,
        CustomerField::CustomerGroup,
        CustomerField::Language,
        CustomerField::Currency,
    ];

    /// The column that stores it, in the customer and staging tables.
    pub fn column(self) -> &'static str {
        match self {
            CustomerField::PartyType => "party_type",
            CustomerField::FirstName => "first_name",
            CustomerField::MiddleName => "middle_name",
            CustomerField::LastName => "last_name",
            CustomerField::OrganizationName => "organization_name",
            CustomerField::Email => "email",
            CustomerField::Phone => "phone",
            CustomerField::CustomerGroup => "customer_group",
            CustomerField::Language => "language",
            CustomerField::Currency => "currency",
        }
    }

    /// Its name as the pages show it.
    pub fn label(self) -> &'static str {
        match self {
            CustomerField::PartyType => "Type",
            CustomerField::FirstName => "First name",
            CustomerField::MiddleName => "Middle name",
            CustomerField::LastName => "Last name",
            CustomerField::OrganizationName => "Organization name",
            CustomerField::Email => "Email",
            CustomerField::Phone => "Phone",
            CustomerField::CustomerGroup => "Customer group",
            CustomerField::Language => "Language",
            CustomerField::Currency => "Currency",
        }
    }

    /// Its value in `customer`, as its column stores it.
    pub fn value(self, customer: &CustomerDraft) -> &str {
        match self {
            CustomerField::PartyType => customer.party_type.code(),
            CustomerField::FirstName => &customer.first_name,
            CustomerField::MiddleName => &customer.middle_name,
            CustomerField::LastName => &customer.last_name,
            CustomerField::OrganizationName => &customer.organization_name,
            CustomerField::Email => &customer.email,
            CustomerField::Phone => &customer.phone,
            CustomerField::CustomerGroup => &customer.customer_group,
            CustomerField::Language => &customer.language,
            CustomerField::Currency => &customer.currency,
        }
    }

    fn copy(self, from: &CustomerDraft, to: &mut CustomerDraft) {
        match self {
            CustomerField::PartyType => to.party_type = from.party_type,
            CustomerField::FirstName => to.first_name.clone_from(&from.first_name),
            CustomerField::MiddleName => to.middle_name.clone_from(&from.middle_name),
            CustomerField::LastName => to.last_name.clone_from(&from.last_name),
            CustomerField::OrganizationName => to.organization_name.clone_from(&from.organization_name),
            CustomerField::Email => to.email.clone_from(&from.email),
            CustomerField::Phone => to.phone.clone_from(&from.phone),
            CustomerField::CustomerGroup => to.customer_group.clone_from(&from.customer_group),
            CustomerField::Language => to.language.clone_from(&from.language),
            CustomerField::Currency => to.currency.clone_from(&from.currency),
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// The fields an update changes. An update staged before they were
/// recorded, and a create, carry every field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFields(u16);

impl ChangedFields {
    pub const ALL: ChangedFields = ChangedFields((1 << CustomerField::ALL.len()) - 1);
    const NAMES: ChangedFields = ChangedFields(
        CustomerField::FirstName.bit()
            | CustomerField::MiddleName.bit()
            | CustomerField::LastName.bit()
            | CustomerField::OrganizationName.bit(),
    );

    /// The fields whose values differ between `before` and `after`. A
    /// change of party type changes every name field with it: a person's
    /// names and an organisation's name belong to the type they were given
    /// for.
    pub fn between(before: &CustomerDraft, after: &CustomerDraft) -> ChangedFields {
        let differing = CustomerField::ALL
            .iter()
            .filter(|field| field.value(before) != field.value(after))
            .fold(0, |bits, field| bits | field.bit());
        let changed = ChangedFields(differing);
        if changed.contains(CustomerField::PartyType) {
            return changed.union(ChangedFields::NAMES);
        }
        changed
    }

    pub fn contains(self, field: CustomerField) -> bool {
        self.0 & field.bit() != 0
    }

    /// Whether both change a field.
    pub fn overlaps(self, other: ChangedFields) -> bool {
        self.0 & other.0 != 0
    }

    pub fn union(self, other: ChangedFields) -> ChangedFields {
        ChangedFields(self.0 | other.0)
    }

    pub fn fields(self) -> impl Iterator<Item = CustomerField> {
        CustomerField::ALL
            .into_iter()
            .filter(move |field| self.contains(*field))
    }

    /// `customer` with these fields taken from `change`.
    pub fn apply(self, mut customer: CustomerDraft, change: &CustomerDraft) -> CustomerDraft {
        for field in self.fields() {
            field.copy(change, &mut customer);
        }
        customer
    }

    /// What was typed over `opened`, carried onto `now` (the customer as
    /// another change left it meanwhile): the fields and lists the typing
    /// changed are the typed ones, the rest `now`'s.
    pub fn carried_onto(now: CustomerDraft, opened: &CustomerDraft, typed: &CustomerDraft) -> CustomerDraft {
        let mut carried = ChangedFields::between(opened, typed).apply(now, typed);
        if typed.addresses != opened.addresses {
            carried.addresses = typed.addresses.clone();
        }
        if typed.contacts != opened.contacts {
            carried.contacts = typed.contacts.clone();
        }
        if typed.affiliations != opened.affiliations {
            carried.affiliations = typed.affiliations.clone();
        }
        if typed.attributes != opened.attributes {
            carried.attributes = typed.attributes.clone();
        }
        carried
    }

    /// The fields by their labels, for an admin: "Email, Phone".
    pub fn describe(self) -> String {
        if self == ChangedFields::ALL {
            return "Every field".to_string();
        }
        let labels: Vec<&str> = self.fields().map(CustomerField::label).collect();
        if labels.is_empty() {
            "None".to_string()
        } else {
            labels.join(", ")
        }
    }

    /// The `changed_fields` column's value: the columns' names, comma
    /// separated; none for every field, as rows staged before it say.
    pub fn code(self) -> Option<String> {
        (self != ChangedFields::ALL).then(|| {
            self.fields()
                .map(CustomerField::column)
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// The fields a `changed_fields` column names; none when it names a
    /// column that is not one of the customer's fields.
    pub fn from_code(code: Option<&str>) -> Option<ChangedFields> {
        let Some(code) = code else {
            return Some(ChangedFields::ALL);
        };
        code.split(',')
            .filter(|name| !name.is_empty())
            .map(|name| {
                CustomerField::ALL
                    .into_iter()
                    .find(|field| field.column() == name)
            })
            .try_fold(ChangedFields(0), |fields, field| {
                Some(ChangedFields(fields.0 | field?.bit()))
            })
    }
}

impl Default for ChangedFields {
    fn default() -> Self {
        ChangedFields::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::PartyType;

    fn karen() -> CustomerDraft {
        CustomerDraft {
            first_name: "Karen".into(),
            last_name: "Berg".into(),
            email: "karen.berg@contoso.com".into(),
            customer_group: "30".into(),
            ..CustomerDraft::default()
        }
    }

    #[test]
    fn the_fields_that_differ_are_the_ones_changed() {
        let edited = CustomerDraft {
            phone: "+1 713 555 0133".into(),
            email: "karen@example.com".into(),
            ..karen()
        };
        let changed = ChangedFields::between(&karen(), &edited);
        assert_eq!(
            changed.fields().collect::<Vec<_>>(),
            [CustomerField::Email, CustomerField::Phone]
        );
        assert_eq!(changed.code().as_deref(), Some("email,phone"));
        assert_eq!(changed.describe(), "Email, Phone");
        assert!(changed.overlaps(ChangedFields::ALL));
        let group = ChangedFields::between(
            &karen(),
            &CustomerDraft {
                customer_group: "20".into(),
                ..karen()
            },
        );
        assert!(!changed.overlaps(group));
        assert_eq!(ChangedFields::ALL.describe(), "Every field");
        assert_eq!(
            ChangedFields::between(&karen(), &karen()).code().as_deref(),
            Some("")
        );
    }

    #[test]
    fn a_change_of_party_type_changes_every_name_field() {
        let organization = CustomerDraft {
            party_type: PartyType::Organization,
            organization_name: "Berg Consulting".into(),
            ..karen()
        };
        let changed = ChangedFields::between(&karen(), &organization);
        assert_eq!(
            changed.code().as_deref(),
            Some("party_type,first_name,middle_name,last_name,organization_name")
        );
        let first_name_only = ChangedFields::between(
            &karen(),
            &CustomerDraft {
                first_name: "Kari".into(),
                ..karen()
            },
        );
        assert!(changed.overlaps(first_name_only));
    }

    #[test]
    fn applying_a_change_takes_its_changed_fields_and_keeps_the_rest() {
        let newer_in_hq = CustomerDraft {
            customer_group: "20".into(),
            ..karen()
        };
        let edit = CustomerDraft {
            phone: "+1 713 555 0133".into(),
            ..karen()
        };
        let applied = ChangedFields::between(&karen(), &edit).apply(newer_in_hq, &edit);
        assert_eq!(applied.phone, "+1 713 555 0133");
        assert_eq!(applied.customer_group, "20", "the field the edit left alone");
    }

    #[test]
    fn typing_carried_onto_a_newer_customer_keeps_both_changes() {
        let opened = CustomerDraft {
            addresses: vec![crate::domain::customer::AddressDraft {
                street: "1 Main Street".into(),
                ..Default::default()
            }],
            ..karen()
        };
        let newer = CustomerDraft {
            email: "karen.new@contoso.com".into(),
            affiliations: vec!["Employee".into()],
            ..opened.clone()
        };
        let typed = CustomerDraft {
            phone: "+1 206 555 0142".into(),
            addresses: Vec::new(),
            ..opened.clone()
        };
        let carried = ChangedFields::carried_onto(newer, &opened, &typed);
        assert_eq!(carried.phone, "+1 206 555 0142", "what was typed");
        assert_eq!(carried.addresses, Vec::new(), "a list the typing changed");
        assert_eq!(
            carried.email, "karen.new@contoso.com",
            "what the other change made"
        );
        assert_eq!(carried.affiliations, vec!["Employee".to_string()]);
    }

    #[test]
    fn the_column_reads_back_what_was_written_and_none_means_every_field() {
        for fields in [
            ChangedFields::ALL,
            ChangedFields::between(&karen(), &CustomerDraft::default()),
            ChangedFields::between(&karen(), &karen()),
        ] {
            assert_eq!(ChangedFields::from_code(fields.code().as_deref()), Some(fields));
        }
        assert_eq!(ChangedFields::ALL.code(), None);
        assert_eq!(ChangedFields::from_code(None), Some(ChangedFields::ALL));
        assert_eq!(ChangedFields::from_code(Some("email,shoe_size")), None);
    }
}
