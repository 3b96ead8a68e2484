//! The detail of one operation: what it carries as HQ holds it, its full
//! error and its timeline; the pure parts the page and the server share.

use serde::{Deserialize, Serialize};

use crate::domain::customer::{ChangedFields, CustomerDraft, ReferenceData};
use crate::domain::records::StagedOperation;
use crate::domain::status_page::StatusRow;

/// One moment in an operation's life, as the detail lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationDetail {
    pub row: StatusRow,
    pub operation: StagedOperation,
    pub timeline: Vec<TimelineEntry>,
    /// Uploaded, not completed, and a create or an update: Edit can correct it.
    pub editable: bool,
    /// How many admin edits it had when read: Save sends it back, and is
    /// refused when another edit was saved meanwhile.
    pub edits_seen: i64,
    /// HQ's customer groups, for the editor to offer and check.
    pub reference: ReferenceData,
}

/// One line per field an admin's edit changed: "Email: old → new".
pub fn describe_changes(old: &CustomerDraft, new: &CustomerDraft) -> Vec<String> {
    let mut changes: Vec<String> = ChangedFields::between(old, new)
        .fields()
        .map(|field| {
            format!(
                "{}: {} → {}",
                field.label(),
                shown(field.value(old)),
                shown(field.value(new))
            )
        })
        .collect();
    for (label, changed) in [
        ("Addresses", old.addresses != new.addresses),
        ("Contacts", old.contacts != new.contacts),
        ("Affiliations", old.affiliations != new.affiliations),
        ("Attributes", old.attributes != new.attributes),
    ] {
        if changed {
            changes.push(format!("{label} changed"));
        }
    }
    changes
}

fn shown(value: &str) -> &str {
    if value.is_empty() { "(empty)" } else { value }
}

/// Orders timeline entries by time; entries at the same moment keep the
/// order they were given in.
pub fn in_time_order(mut entries: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    entries.sort_by(|a, b| a.at.cmp(&b.at));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::AddressDraft;

    #[test]
    fn each_changed_field_is_named_with_its_old_and_new_value() {
        let old = CustomerDraft {
            first_name: "Karen".into(),
            email: "karen.berg@contoso.com".into(),
            addresses: vec![AddressDraft::default()],
            ..CustomerDraft::default()
        };
        let new = CustomerDraft {
            email: "karen.b@contoso.com".into(),
            phone: "+1 206 555 0100".into(),
            ..old.clone()
        };
        assert_eq!(
            describe_changes(&old, &new),
            [
                "Email: karen.berg@contoso.com → karen.b@contoso.com",
                "Phone: (empty) → +1 206 555 0100"
            ]
        );
        let moved = CustomerDraft {
            addresses: vec![],
            ..old.clone()
        };
        assert_eq!(describe_changes(&old, &moved), ["Addresses changed"]);
        assert!(describe_changes(&old, &old).is_empty());
    }

    #[test]
    fn the_timeline_reads_in_time_order() {
        let entry = |at: &str, text: &str| TimelineEntry {
            at: at.into(),
            text: text.into(),
        };
        let ordered = in_time_order(vec![
            entry("t3", "synced"),
            entry("t1", "created"),
            entry("t2", "uploaded"),
        ]);
        let texts: Vec<&str> = ordered.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["created", "uploaded", "synced"]);
    }
}
