//! The complete customer through the channel and HQ: every staging table,
//! search, edits and address additions, staged or real-time.

mod common;

use custsync::domain::customer::{
    AddressDraft, AttributeDraft, ChangeOutcome, ChangedFields, ChannelCustomer, ContactDraft, CustomerDraft,
    CustomerField,
};
use custsync::domain::features::Feature;
use custsync::domain::hq_customers::HqCustomerSearch;
use custsync::domain::jobs::Job;
use custsync::domain::operation::OperationId;
use custsync::domain::records::OperationKind;
use custsync::domain::registers::Origin;
use custsync::services::backend::Backend;
use custsync::services::channel_customers::{
    CustomerError, add_address, create_customer, edit_customer, find_customer, search_customers,
};
use custsync::services::feature_management::change_feature;
use custsync::storage::channel_db::NewOperation;
use custsync::storage::hq_db::{EditSaved, HqDb};
use sqlx::{Connection, SqliteConnection};

const HOUSTON: Origin = Origin::Register {
    channel_id: 1,
    register_number: 1,
};

fn address(street: &str, city: &str, zip: &str, purpose: &str) -> AddressDraft {
    AddressDraft {
        name: purpose.into(),
        purpose: purpose.into(),
        street: street.into(),
        city: city.into(),
        state: "TX".into(),
        zip: zip.into(),
        country_region: "USA".into(),
        primary: false,
    }
}

fn complete_customer() -> CustomerDraft {
    CustomerDraft {
        first_name: "Ana".into(),
        middle_name: "M".into(),
        last_name: "Silva".into(),
        email: "ana.silva@example.com".into(),
        phone: "+1 713 555 0100".into(),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        addresses: vec![
            address("1 Main St", "Houston", "77002", "Home"),
            address("9 Dock Rd", "Houston", "77003", "Delivery"),
        ],
        contacts: vec![
            ContactDraft {
                kind: "Phone".into(),
                value: "713 555 0199".into(),
                primary: false,
            },
            ContactDraft {
                kind: "URL".into(),
                value: "https://ana.example.com".into(),
                primary: false,
            },
        ],
        affiliations: vec!["Loyalty gold".into()],
        attributes: vec![
            AttributeDraft {
                name: "Birthday".into(),
                value: "1990-05-17".into(),
            },
            AttributeDraft {
                name: "Preferred store".into(),
                value: "Houston".into(),
            },
            AttributeDraft {
                name: "Marketing opt-in".into(),
                value: "Yes".into(),
            },
        ],
        ..CustomerDraft::default()
    }
}

fn person(first: &str, last: &str) -> CustomerDraft {
    CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        ..CustomerDraft::default()
    }
}

async fn sync_all(backend: &Backend) {
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
}

#[tokio::test]
async fn a_complete_create_arrives_whole_in_hq() {
    let app = common::start().await;
    let backend = &app.backend;
    let staged = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &complete_customer(),
    )
    .await
    .unwrap();

    let waiting = backend.channel.not_uploaded(10).await.unwrap();
    let customer = &waiting[0].customer;
    assert_eq!((customer.addresses.len(), customer.contacts.len()), (2, 2));
    assert_eq!((customer.affiliations.len(), customer.attributes.len()), (1, 3));

    sync_all(backend).await;
    let uploaded = backend
        .hq
        .uploaded_operation(&staged.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        uploaded.customer, waiting[0].customer,
        "HQ holds the staged rows as the channel wrote them"
    );

    let record = backend.hq.customer_record("C000013").await.unwrap().unwrap();
    assert_eq!(record.async_customer_id.as_deref(), Some(staged.key().as_str()));
    let hq = record.customer;
    assert_eq!(
        (
            hq.first_name.as_str(),
            hq.middle_name.as_str(),
            hq.last_name.as_str()
        ),
        ("Ana", "M", "Silva")
    );
    assert_eq!(
        (hq.phone.as_str(), hq.customer_group.as_str()),
        ("+1 713 555 0100", "30")
    );
    let streets: Vec<(&str, bool)> = hq
        .addresses
        .iter()
        .map(|a| (a.street.as_str(), a.primary))
        .collect();
    assert_eq!(streets, [("1 Main St", true), ("9 Dock Rd", false)]);
    let contacts: Vec<(&str, &str, bool)> = hq
        .contacts
        .iter()
        .map(|c| (c.kind.as_str(), c.value.as_str(), c.primary))
        .collect();
    assert_eq!(
        contacts,
        [
            ("Phone", "713 555 0199", true),
            ("URL", "https://ana.example.com", true)
        ]
    );
    assert_eq!(hq.affiliations, ["Loyalty gold"]);
    let attributes: Vec<(&str, &str)> = hq
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(
        attributes,
        [
            ("Birthday", "1990-05-17"),
            ("Marketing opt-in", "Yes"),
            ("Preferred store", "Houston")
        ]
    );
}

/// Stages `complete_customer` at Houston and syncs it: its temporary id.
async fn synced_complete_customer(backend: &Backend) -> String {
    let staged = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &complete_customer(),
    )
    .await
    .unwrap();
    sync_all(backend).await;
    staged.key()
}

/// The customer as the register shows it: found by `key` in the channel.
async fn at_the_register(backend: &Backend, key: &str) -> CustomerDraft {
    find_customer(&backend.channel, key)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{key} is not at the register"))
        .customer
}

/// A synced customer comes down to the registers whole: job 1010 (and a
/// real-time call's answer, which writes the copy the same way) carries
/// its contacts, affiliations and attributes beside its addresses, and a
/// second copy of it replaces the first rather than adding to it.
#[tokio::test]
async fn job_1010_brings_a_customers_contacts_affiliations_and_attributes_to_the_registers() {
    let app = common::start().await;
    let backend = &app.backend;
    let key = synced_complete_customer(backend).await;
    let pending = at_the_register(backend, &key).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();

    let hq = backend.hq.customer_record("C000013").await.unwrap().unwrap();
    let shown = at_the_register(backend, &key).await;
    assert_eq!(
        shown, hq.customer,
        "the register shows the customer as HQ holds it"
    );
    assert_eq!(
        (
            shown.contacts.len(),
            shown.affiliations.len(),
            shown.attributes.len()
        ),
        (
            pending.contacts.len(),
            pending.affiliations.len(),
            pending.attributes.len()
        ),
        "nothing the pending customer showed is gone once it is synced"
    );
    assert_eq!(shown.contacts.len(), 2);

    backend
        .channel
        .save_customers(std::slice::from_ref(&hq))
        .await
        .unwrap();
    assert_eq!(
        at_the_register(backend, "C000013").await,
        hq.customer,
        "copied again, not doubled"
    );
}

/// A channel database whose copy was filled before it kept contacts,
/// affiliations and attributes gets them as the store starts: its
/// migration has the start run job 1010 again, for every customer.
#[tokio::test]
async fn a_copy_filled_before_it_kept_contacts_gets_them_as_the_store_starts() {
    let app = common::start().await;
    let key = synced_complete_customer(&app.backend).await;
    app.backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    app.backend.close().await;
    drop(app.backend);
    as_before_the_copy_kept_contacts(&app.dir).await;

    let restarted = common::start_in(&app.dir).await;
    let hq = restarted.hq.customer_record("C000013").await.unwrap().unwrap();
    assert_eq!(at_the_register(&restarted, &key).await, hq.customer);
    assert_eq!(hq.customer.contacts.len(), 2);
}

/// The channel database in `dir` as a version before migration 15 left it.
async fn as_before_the_copy_kept_contacts(dir: &tempfile::TempDir) {
    let url = format!("sqlite://{}", dir.path().join("channel.db").display());
    let mut channel_db = SqliteConnection::connect(&url).await.unwrap();
    for statement in [
        "DROP TABLE customer_contacts",
        "DROP TABLE customer_affiliations",
        "DROP TABLE customer_attributes",
        "DELETE FROM _sqlx_migrations WHERE version = 15",
    ] {
        sqlx::query(statement).execute(&mut channel_db).await.unwrap();
    }
    channel_db.close().await.unwrap();
}

#[tokio::test]
async fn an_organization_is_created_under_its_name() {
    let app = common::start().await;
    let draft = CustomerDraft {
        party_type: custsync::domain::customer::PartyType::Organization,
        organization_name: "Fabrikam Catering".into(),
        ..CustomerDraft::default()
    };
    let staged = create_customer(
        &app.backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &draft,
    )
    .await
    .unwrap();
    assert_eq!(staged.full_name, "Fabrikam Catering");
    sync_all(&app.backend).await;
    let rows = app.backend.hq.customer_list(None, 1).await.unwrap();
    assert_eq!(rows[0].name, "Fabrikam Catering");
}

#[tokio::test]
async fn hq_finds_a_customer_by_its_account_or_the_start_of_its_email_and_opens_it_whole() {
    let app = common::start().await;
    let hq = &app.backend.hq;
    let staged = create_customer(
        &app.backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &complete_customer(),
    )
    .await
    .unwrap();
    sync_all(&app.backend).await;
    let find = |term: &str| HqCustomerSearch::from_term(term);

    let by_email = hq.customer_list(find("ANA.silva@").as_ref(), 10).await.unwrap();
    assert_eq!(by_email.len(), 1);
    let account = by_email[0].account.clone();
    assert_eq!(
        by_email[0].async_customer_id.as_deref(),
        Some(staged.key().as_str())
    );
    let by_account = hq
        .customer_list(find(&account.to_lowercase()).as_ref(), 10)
        .await
        .unwrap();
    assert_eq!(
        by_account.iter().map(|row| &row.account).collect::<Vec<_>>(),
        [&account]
    );
    assert!(
        hq.customer_list(find("c00").as_ref(), 10)
            .await
            .unwrap()
            .is_empty(),
        "an account is found whole, not by its start"
    );
    let contoso = hq.customer_list(find("@").as_ref(), 10).await.unwrap();
    assert!(contoso.is_empty(), "an email by its start, not by a part inside");
    let by_letter = hq.customer_list(find("a").as_ref(), 2).await.unwrap();
    assert_eq!(
        by_letter.len(),
        2,
        "the newest of those whose email starts with it"
    );
    assert_eq!(by_letter[0].account, account, "newest first");
    assert!(
        hq.customer_list(find("nobody@").as_ref(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        hq.customer_list(find("%").as_ref(), 10).await.unwrap().is_empty(),
        "wildcards are literal"
    );

    let page = hq
        .customer_page(&account)
        .await
        .unwrap()
        .expect("the customer's page");
    assert_eq!(page.customer.email, "ana.silva@example.com");
    assert_eq!(page.customer.addresses.len(), 2);
    assert_eq!(page.customer.contacts.len(), 2);
    assert_eq!(page.customer.affiliations, ["Loyalty gold"]);
    assert_eq!(page.customer_group_caption, "30 Retail customers");
    assert_eq!(page.async_customer_id.as_deref(), Some(staged.key().as_str()));
    assert_eq!(
        page.last_async_operation_id.as_deref(),
        Some(staged.key().as_str())
    );
    assert!(
        page.source_channel
            .is_some_and(|channel| channel.contains("Houston"))
    );
    assert!(hq.customer_page("C999999").await.unwrap().is_none());
}

/// Find on HQ Customers reads the names' keys: made by a create, changed
/// by an update of a name, and made again when an HQ whose keys an earlier
/// version left unfolded opens.
#[tokio::test]
async fn hq_finds_a_customer_by_its_names_whatever_the_case_and_marks_of_their_letters() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let asa = CustomerDraft {
        first_name: "Åsa".into(),
        last_name: "Nyström".into(),
        email: "asa.nystrom@example.com".into(),
        ..complete_customer()
    };
    create_customer(&backend.channel_side(), HOUSTON, &OperationId::random(), &asa)
        .await
        .unwrap();
    let mut karen = karen_in_the_channel(backend).await;
    karen.last_name = "Öberg".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    sync_all(backend).await;
    let found = |term: &'static str| async move {
        backend
            .hq
            .customer_list(HqCustomerSearch::from_term(term).as_ref(), 10)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.account)
            .collect::<Vec<_>>()
    };

    let by_last_name = found("NYSTROM").await;
    assert_eq!(
        by_last_name.len(),
        1,
        "Åsa Nyström, by her last name without its mark"
    );
    assert_eq!(
        found("asa nys").await,
        by_last_name,
        "a first name and a last name's start"
    );
    assert!(
        found("åsa").await.contains(&by_last_name[0]),
        "a first name with its mark"
    );
    assert_eq!(found("öberg").await, ["C000001"], "the last name an update gave");
    assert_eq!(found("Karen Ob").await, ["C000001"]);
    assert!(
        !found("karen berg").await.contains(&"C000001".to_string()),
        "the name the update replaced"
    );

    common::execute_on_hq(
        backend,
        "UPDATE customers SET first_name_key = first_name, last_name_key = last_name",
    )
    .await;
    common::execute_on_hq(
        backend,
        "INSERT INTO customer_keys_to_refold (account) SELECT account FROM customers",
    )
    .await;
    assert!(
        found("nystrom").await.is_empty(),
        "as an HQ of an earlier version left it"
    );
    let reopened = HqDb::open_at(&backend.settings.hq_location()).await.unwrap();
    reopened.close().await;
    assert_eq!(found("nystrom").await, by_last_name);
    assert_eq!(found("karen ob").await, ["C000001"]);
}

#[tokio::test]
async fn search_finds_synced_and_pending_customers_by_every_key() {
    let app = common::start().await;
    let backend = &app.backend;
    let staged = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &complete_customer(),
    )
    .await
    .unwrap();

    for term in ["ana sil", "ANA.SILVA@", "713 555 0100", &staged.key()[..8]] {
        let found = search_customers(&backend.channel, term).await.unwrap();
        assert_eq!(found.len(), 1, "{term}");
        assert_eq!(
            found[0].account, None,
            "pending sync until 1010 brings the account"
        );
        assert_eq!(found[0].temporary_id.as_deref(), Some(staged.key().as_str()));
    }
    let demo = search_customers(&backend.channel, "C000001").await.unwrap();
    assert_eq!(demo[0].name, "Karen Berg");
    assert!(
        search_customers(&backend.channel, "%").await.unwrap().is_empty(),
        "wildcards are literal"
    );

    sync_all(backend).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    let found = search_customers(&backend.channel, &staged.key()).await.unwrap();
    assert_eq!(
        found.len(),
        1,
        "the temporary id still finds the customer once synced"
    );
    assert_eq!(found[0].account.as_deref(), Some("C000013"));
    let shown = find_customer(&backend.channel, &staged.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shown.account.as_deref(), Some("C000013"));
}

/// A cashier types a name as it sounds, in whatever case, and a phone as
/// the customer says it: SQLite's LIKE folds A to Z only, and a phone stored
/// with brackets and dashes was not found by its digits.
#[tokio::test]
async fn search_finds_names_in_any_alphabet_whatever_their_case_and_phones_by_their_digits() {
    let app = common::start().await;
    let backend = &app.backend;
    let draft = CustomerDraft {
        first_name: "Åsa".into(),
        last_name: "Öberg".into(),
        email: "åsa.öberg@example.com".into(),
        phone: "+1 (713) 555-0177".into(),
        ..complete_customer()
    };
    create_customer(&backend.channel_side(), HOUSTON, &OperationId::random(), &draft)
        .await
        .unwrap();
    let finds = |term: &'static str| async move {
        let found = search_customers(&backend.channel, term).await.unwrap();
        found.iter().any(|customer| customer.name == "Åsa Öberg")
    };
    for term in [
        "åsa öb",
        "ÅSA",
        "ÖBERG",
        "Åsa.Öberg@",
        "7135550177",
        "713-555-0177",
        "(713) 555",
    ] {
        assert!(finds(term).await, "pending: {term}");
    }
    assert!(!finds("7135550199").await);
    assert!(
        finds("+44 1 713 555 0177").await,
        "the phone typed after a country code"
    );
    assert!(!finds("+1 555 0177").await, "not the phone's end");
    assert!(
        !finds("99 441 713 555 0177").await,
        "more than a country code before it"
    );
    assert!(finds("asa oberg").await, "typed without the letters' marks");
    assert!(finds("ÄSA").await, "or with other marks");
    // What a regular expression reads as more than itself is found as typed.
    assert!(!finds("Ö.erg").await, "a dot is a dot");
    assert!(!finds("Åsa|x").await);
    for term in ["(713", "[", "a+", "\\", "*"] {
        assert!(
            search_customers(&backend.channel, term).await.is_ok(),
            "{term} is searched, not refused as a pattern"
        );
    }

    sync_all(backend).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    for term in ["öberg", "7135550177"] {
        let found = search_customers(&backend.channel, term).await.unwrap();
        assert!(
            found
                .iter()
                .any(|customer| customer.name == "Åsa Öberg" && customer.account.is_some()),
            "synced: {term}"
        );
    }
}

#[tokio::test]
async fn an_edit_is_staged_as_an_update_of_the_right_hq_customer_when_async_editing_is_on() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let mut karen = karen_in_the_channel(backend).await;
    karen.phone = "+1 713 555 0142".into();
    karen.customer_group = "20".into();

    let outcome = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    assert!(matches!(outcome, ChangeOutcome::Staged { .. }));
    let shown = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0142", 1)
    );
    let before = backend.hq.customer_record("C000001").await.unwrap().unwrap();
    assert_eq!(
        before.customer.phone, "+1 555 010 0001",
        "HQ is unchanged until the sync"
    );

    sync_all(backend).await;
    let after = common::customer_in_hq(backend, "C000001").await;
    assert_eq!(
        (after.phone.as_str(), after.customer_group.as_str()),
        ("+1 713 555 0142", "20")
    );
    assert_eq!(
        after.addresses.len(),
        1,
        "an update keeps the customer's addresses"
    );
    assert_eq!(backend.hq.count_customers().await.unwrap(), 12);
}

#[tokio::test]
async fn changes_to_a_pending_customer_wait_for_its_create_and_apply_in_order() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let staged = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &complete_customer(),
    )
    .await
    .unwrap();
    let mut renamed = complete_customer();
    renamed.first_name = "Anna".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &staged.key(),
        &renamed,
        None,
    )
    .await
    .unwrap();
    let mut new_home = address("5 Oak Ave", "Houston", "77004", "Home");
    new_home.primary = true;
    add_address(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &staged.key(),
        &new_home,
    )
    .await
    .unwrap();

    let shown = find_customer(&backend.channel, &staged.key())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (shown.customer.first_name.as_str(), shown.customer.addresses.len()),
        ("Anna", 3)
    );

    sync_all(backend).await;
    let hq = common::customer_in_hq(backend, "C000013").await;
    assert_eq!(hq.first_name, "Anna");
    let streets: Vec<(&str, bool)> = hq
        .addresses
        .iter()
        .map(|a| (a.street.as_str(), a.primary))
        .collect();
    assert_eq!(
        streets,
        [("1 Main St", false), ("9 Dock Rd", false), ("5 Oak Ave", true)]
    );
    let operations = backend.hq.recent_operations(10).await.unwrap();
    assert!(
        operations
            .iter()
            .all(|op| op.account.as_deref() == Some("C000013"))
    );
    assert!(operations.iter().all(|op| op.online_operation_completed));
}

#[tokio::test]
async fn the_first_address_of_a_customer_is_its_primary_address_in_hq_even_unticked() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let mut without_address = person("Pat", "Twotab");
    without_address.customer_group = complete_customer().customer_group;
    let staged = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &without_address,
    )
    .await
    .unwrap();
    for street in ["5 Oak Ave", "7 Bay St"] {
        let unticked = address(street, "Houston", "77004", "Home");
        assert!(!unticked.primary);
        add_address(
            &backend.channel_side(),
            HOUSTON,
            &OperationId::random(),
            &staged.key(),
            &unticked,
        )
        .await
        .unwrap();
    }

    sync_all(backend).await;
    let hq = common::customer_in_hq(backend, "C000013").await;
    assert_eq!(hq.last_name, "Twotab");
    let streets: Vec<(&str, bool)> = hq
        .addresses
        .iter()
        .map(|a| (a.street.as_str(), a.primary))
        .collect();
    assert_eq!(streets, [("5 Oak Ave", true), ("7 Bay St", false)]);
}

#[tokio::test]
async fn an_update_waits_while_its_create_has_failed() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = "00000000-0000-4000-8000-00000000000a".to_string();
    let create = CustomerDraft {
        customer_group: "99".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        ..person("Ana", "Silva")
    };
    for (id, kind, target, customer) in [
        (temporary_id.clone(), OperationKind::Create, None, create.clone()),
        (
            "00000000-0000-4000-8000-00000000000b".to_string(),
            OperationKind::Update,
            Some(temporary_id.clone()),
            CustomerDraft {
                customer_group: "30".into(),
                ..create
            },
        ),
    ] {
        backend
            .channel
            .stage(NewOperation {
                temporary_id: id,
                kind,
                channel_id: 1,
                register_number: Some(1),
                customer_account: None,
                customer_temporary_id: target,
                changed_fields: ChangedFields::ALL,
                customer,
            })
            .await
            .unwrap();
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let run = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    // The run's counts add up: the row neither synced nor failed is said.
    assert_eq!((run.rows_total, run.succeeded, run.failed), (2, 0, 1));
    assert_eq!(
        run.message.as_deref(),
        Some(
            "1 operation waits for an earlier operation of its customer that failed, and is synchronized once \
             that one has synced."
        )
    );
    let operations = backend.hq.recent_operations(10).await.unwrap();
    let update = &operations[0];
    let create = &operations[1];
    assert_eq!((create.retry_count, create.error.is_some()), (1, true));
    assert_eq!(
        (update.retry_count, update.error.as_deref()),
        (0, None),
        "the update waits, it does not fail"
    );
    assert!(!update.online_operation_completed);
}

#[tokio::test]
async fn without_async_editing_an_edit_is_a_real_time_call_and_the_channel_sees_it_at_once() {
    let app = common::start().await;
    let backend = &app.backend;
    let mut karen = karen_in_the_channel(backend).await;
    karen.last_name = "Berg-Larsen".into();
    let outcome = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        outcome,
        ChangeOutcome::AppliedInHq {
            account: "C000001".into()
        }
    );
    assert_eq!(
        common::customer_in_hq(backend, "C000001").await.last_name,
        "Berg-Larsen"
    );
    let shown = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.last_name.as_str(), shown.pending_changes),
        ("Berg-Larsen", 0)
    );
    assert_eq!(
        backend.channel.count_not_uploaded().await.unwrap(),
        0,
        "nothing staged"
    );

    let outcome = add_address(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &address("7 Bay St", "Houston", "77005", "Delivery"),
    )
    .await
    .unwrap();
    assert!(matches!(outcome, ChangeOutcome::AppliedInHq { .. }));
    let shown = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(shown.customer.addresses.len(), 2);
}

#[tokio::test]
async fn without_async_editing_a_pending_customer_cannot_be_changed_yet() {
    let app = common::start().await;
    let backend = &app.backend;
    let staged = create_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &complete_customer(),
    )
    .await
    .unwrap();
    let error = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &staged.key(),
        &complete_customer(),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(error, CustomerError::PendingCustomer(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("Enable editing customers in asynchronous mode")
    );
    let error = add_address(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        &staged.key(),
        &address("7 Bay St", "Houston", "77005", "Home"),
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Enable asynchronous creation for customer addresses")
    );
    assert_eq!(
        backend.channel.count_not_uploaded().await.unwrap(),
        1,
        "only the create is staged"
    );
}

#[tokio::test]
async fn invalid_edits_and_addresses_are_refused_with_field_messages() {
    let app = common::start().await;
    let backend = &app.backend;
    let mut karen = karen_in_the_channel(backend).await;
    karen.email = "karen-at-contoso".into();
    let Err(CustomerError::Invalid(fields)) = edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    else {
        panic!("an invalid edit must be refused");
    };
    assert_eq!(
        fields.get("email"),
        Some("Enter an email address like name@example.com.")
    );

    let Err(CustomerError::Invalid(fields)) = add_address(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &address("7 Bay St", "Houston", "7700", "Home"),
    )
    .await
    else {
        panic!("an invalid address must be refused");
    };
    assert_eq!(
        fields.get("address.zip"),
        Some("Enter a ZIP/postal code like 98052 or 98052-6399.")
    );
    let hq = common::customer_in_hq(backend, "C000001").await;
    assert_eq!(
        (hq.email.as_str(), hq.addresses.len()),
        ("karen.berg@contoso.com", 1)
    );
}

/// The field messages of a create Houston's register refuses, which
/// stages nothing.
async fn refused_create(draft: &CustomerDraft) -> custsync::error::FieldErrors {
    let app = common::start().await;
    let staged_before = app.backend.channel.count_not_uploaded().await.unwrap();
    let Err(CustomerError::Invalid(fields)) = create_customer(
        &app.backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        draft,
    )
    .await
    else {
        panic!("the create must be refused for a field");
    };
    assert_eq!(
        app.backend.channel.count_not_uploaded().await.unwrap(),
        staged_before
    );
    fields
}

#[tokio::test]
async fn an_unknown_customer_group_in_a_create_is_named_beside_its_field() {
    let mut draft = complete_customer();
    draft.customer_group = "99".into();
    assert_eq!(
        refused_create(&draft).await.get("customer_group"),
        Some("Choose a customer group from the list.")
    );
}

#[tokio::test]
async fn a_birthday_in_the_future_is_named_beside_its_field() {
    let mut draft = complete_customer();
    draft.attributes = vec![AttributeDraft {
        name: "Birthday".into(),
        value: "2099-01-01".into(),
    }];
    assert_eq!(
        refused_create(&draft).await.get("attributes.0.value"),
        Some("The birthday cannot be in the future.")
    );
}

#[tokio::test]
async fn a_staged_edit_stays_visible_until_hq_has_applied_it_whenever_1010_runs() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let mut karen = karen_in_the_channel(backend).await;
    karen.phone = "+1 713 555 0177".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();

    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0177", 1)
    );

    sync_all(backend).await;
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0177", 0)
    );
}

#[tokio::test]
async fn a_change_waits_while_an_earlier_change_of_its_customer_has_failed() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let mut karen = karen_in_the_channel(backend).await;
    karen.email = "jodi.christiansen@contoso.com".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    karen.email = "karen.berg@contoso.com".into();
    karen.phone = "+1 713 555 0178".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();

    sync_all(backend).await;
    let operations = backend.hq.recent_operations(2).await.unwrap();
    let (second, first) = (&operations[0], &operations[1]);
    assert!(
        first
            .error
            .as_deref()
            .is_some_and(|e| e.contains("already has the email")),
        "{first:?}"
    );
    assert_eq!(
        (second.online_operation_completed, second.error.as_deref()),
        (false, None),
        "it waits"
    );
    let waiting =
        custsync::services::cdx::operation_detail(&backend.channel, &backend.hq, &second.temporary_id)
            .await
            .unwrap()
            .unwrap();
    let reason = waiting.row.error.unwrap_or_default();
    assert!(
        reason.starts_with("Waits for operation") && reason.contains(&first.temporary_id),
        "{reason}"
    );
    let hq = common::customer_in_hq(backend, "C000001").await;
    assert_eq!(hq.phone, "+1 555 010 0001", "nothing applied out of order");
}

/// A shopper's My profile shows names, email and phone only: saving it
/// keeps every other field as it was (the customer group a cashier gave,
/// the middle name), also when the form was posted without JavaScript and
/// carries the shopper's fields alone.
#[tokio::test]
async fn a_shoppers_profile_edit_changes_only_the_fields_the_shopper_sees() {
    let app = common::start().await;
    let backend = &app.backend;
    let samantha = CustomerDraft {
        middle_name: "Jo".into(),
        customer_group: "20".into(),
        addresses: Vec::new(),
        ..find_customer(&backend.channel, "C000004")
            .await
            .unwrap()
            .unwrap()
            .customer
    };
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000004",
        &samantha,
        None,
    )
    .await
    .unwrap();

    let posted = CustomerDraft {
        first_name: "Samantha".into(),
        last_name: "Smith".into(),
        email: "samantha.smith@contoso.com".into(),
        phone: "+1 425 555 0144".into(),
        ..CustomerDraft::default()
    };
    edit_customer(
        &backend.channel_side(),
        Origin::OnlineStore,
        &OperationId::random(),
        "C000004",
        &posted,
        None,
    )
    .await
    .unwrap();

    let in_hq = common::customer_in_hq(backend, "C000004").await;
    assert_eq!(in_hq.phone, "+1 425 555 0144");
    assert_eq!(
        (in_hq.customer_group.as_str(), in_hq.middle_name.as_str()),
        ("20", "Jo"),
        "what the shopper does not see stays"
    );
    assert_eq!(
        (in_hq.language.as_str(), in_hq.currency.as_str()),
        (samantha.language.as_str(), samantha.currency.as_str())
    );
}

/// Karen (C000001) as the Houston channel shows her.
async fn karen_in_the_channel(backend: &Backend) -> CustomerDraft {
    at_the_register(backend, "C000001").await
}

/// `draft` checked against the Houston channel's customer groups, as a
/// real-time call or an admin's correction takes it.
async fn valid(backend: &Backend, draft: &CustomerDraft) -> custsync::domain::customer::ValidCustomer {
    let reference = custsync::services::channel_customers::reference_data(&backend.channel, HOUSTON)
        .await
        .unwrap();
    custsync::domain::customer::validate_customer(draft, &reference, false).unwrap()
}

/// Whether the newest operation in HQ is still open, and its error.
async fn newest_operation(backend: &Backend) -> (bool, String) {
    let operation = backend.hq.recent_operations(1).await.unwrap().remove(0);
    (
        operation.online_operation_completed,
        operation.error.unwrap_or_default(),
    )
}

/// The error HQ recorded for the operation `temporary_id`, empty for none.
async fn error_of(backend: &Backend, temporary_id: &str) -> String {
    let operations = backend.hq.recent_operations(100).await.unwrap();
    operations
        .into_iter()
        .find(|operation| operation.temporary_id == temporary_id)
        .and_then(|operation| operation.error)
        .unwrap_or_default()
}

/// Stages an edit of Karen (C000001) with `phone`, as a Houston cashier.
async fn edit_karens_phone(backend: &Backend, phone: &str) -> ChangeOutcome {
    let mut karen = karen_in_the_channel(backend).await;
    karen.phone = phone.into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap()
}

/// Karen (C000001) as the POS shows her once job 1010 has run.
async fn karen_at_the_pos_after_1010(backend: &Backend) -> ChannelCustomer {
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    find_customer(&backend.channel, "C000001").await.unwrap().unwrap()
}

async fn hq_phone_of_karen(backend: &Backend) -> String {
    common::customer_in_hq(backend, "C000001").await.phone
}

#[tokio::test]
async fn a_real_time_edit_while_a_staged_edit_is_on_its_way_is_staged_behind_it_and_is_not_undone() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    edit_karens_phone(backend, "+1 713 555 0101").await;
    change_feature(&backend.hq, Feature::AsyncEditing, false, "test")
        .await
        .unwrap();
    backend
        .jobs
        .run(Job::GlobalConfiguration, "Run now")
        .await
        .unwrap();

    let outcome = edit_karens_phone(backend, "+1 713 555 0102").await;
    assert!(
        matches!(
            outcome,
            ChangeOutcome::StagedBehind {
                earlier_changes: 1,
                ..
            }
        ),
        "{outcome:?}"
    );
    let shown = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0102", 2)
    );

    sync_all(backend).await;
    assert_eq!(hq_phone_of_karen(backend).await, "+1 713 555 0102");
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0102", 0)
    );
}

/// A real-time edit HQ applied after a staged update was made, by a
/// channel that could not know of it, or before an admin resyncs it.
async fn edit_karens_phone_in_hq_in_real_time(backend: &Backend, phone: &str) {
    let mut karen = common::customer_in_hq(backend, "C000001").await;
    let before = karen.clone();
    karen.phone = phone.into();
    karen.addresses.clear();
    let changed = ChangedFields::between(&before, &karen);
    let valid = valid(backend, &karen).await;
    let context = custsync::services::realtime::CallContext {
        channel_id: 2,
        register_number: Some(1),
        reason: "another store".into(),
    };
    backend
        .realtime
        .update_customer(&context, &OperationId::random(), "C000001", &valid, changed)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_older_staged_edit_fails_with_its_reason_instead_of_undoing_a_newer_real_time_edit() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    edit_karens_phone(backend, "+1 713 555 0103").await;
    edit_karens_phone_in_hq_in_real_time(backend, "+1 206 555 0104").await;

    sync_all(backend).await;
    assert_eq!(hq_phone_of_karen(backend).await, "+1 206 555 0104");
    let (completed, error) = newest_operation(backend).await;
    assert!(!completed && error.contains("changed in real time"), "{error}");

    // Refused for good, the edit is no longer shown at the register as on
    // its way: once 1010 has run, the POS shows Karen as HQ has her.
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 206 555 0104", 0)
    );
}

/// A staged edit of Karen's email, made before a real-time edit of her
/// phone at another store: it changes another field, so HQ applies it
/// beside the real-time one.
#[tokio::test]
async fn an_older_staged_edit_of_another_field_than_a_newer_real_time_edit_is_applied_beside_it() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let mut karen = karen_in_the_channel(backend).await;
    karen.email = "karen.staged@example.com".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &OperationId::random(),
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    edit_karens_phone_in_hq_in_real_time(backend, "+1 206 555 0105").await;

    sync_all(backend).await;

    let (completed, error) = newest_operation(backend).await;
    assert!(completed, "{error}");
    let in_hq = common::customer_in_hq(backend, "C000001").await;
    assert_eq!(
        (in_hq.email.as_str(), in_hq.phone.as_str()),
        ("karen.staged@example.com", "+1 206 555 0105")
    );
}

/// "Make the change again", as the failed edit's reason says: the new edit
/// does not wait behind the failed one for ever.
#[tokio::test]
async fn an_edit_made_again_after_one_failed_for_good_is_applied() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    edit_karens_phone(backend, "+1 713 555 0107").await;
    edit_karens_phone_in_hq_in_real_time(backend, "+1 206 555 0108").await;
    sync_all(backend).await;
    assert!(newest_operation(backend).await.1.contains("changed in real time"));

    edit_karens_phone(backend, "+1 713 555 0109").await;
    sync_all(backend).await;

    assert_eq!(hq_phone_of_karen(backend).await, "+1 713 555 0109");
    let (completed, error) = newest_operation(backend).await;
    assert!(completed, "{error}");
}

/// Later sync runs try a change refused for good again, and refuse it
/// again: the store still learns that its newest change is the last one
/// HQ settled, not the refused older one.
#[tokio::test]
async fn a_change_refused_again_by_a_later_sync_leaves_nothing_on_its_way_at_the_store() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    edit_karens_phone(backend, "+1 713 555 0107").await;
    edit_karens_phone_in_hq_in_real_time(backend, "+1 206 555 0108").await;
    sync_all(backend).await;
    edit_karens_phone(backend, "+1 713 555 0109").await;
    sync_all(backend).await;
    sync_all(backend).await;
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0109", 0)
    );
}

/// A change HQ refuses for good with a reason that names no customer (an
/// address addition carrying two addresses) is settled for the customer
/// it names: the store no longer shows it on its way.
#[tokio::test]
async fn a_change_refused_for_good_for_its_own_rows_is_no_longer_shown_on_its_way() {
    let app = common::start().await;
    let backend = &app.backend;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    let two_addresses = CustomerDraft {
        addresses: vec![
            address("1 Main St", "Houston", "77002", "Delivery"),
            address("2 Main St", "Houston", "77002", "Delivery"),
        ],
        ..karen_in_the_channel(backend).await
    };
    stage_change_of_karen(backend, "", OperationKind::AddAddress, two_addresses).await;
    sync_all(backend).await;
    assert!(newest_operation(backend).await.1.contains("exactly one address"));
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(shown.pending_changes, 0);
}

/// A store's change refused for good while an older change of the same
/// store waits for an admin's correction: both stay on their way at the
/// store until the older one is corrected and synced.
#[tokio::test]
async fn a_change_refused_for_good_behind_a_failed_one_of_its_store_stays_on_its_way_until_that_one_syncs() {
    let app = common::start().await;
    let backend = &app.backend;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    let karen = CustomerDraft {
        addresses: Vec::new(),
        ..karen_in_the_channel(backend).await
    };
    let failed = "00000000-0000-4000-8000-0000000000d1";
    let unknown_group = CustomerDraft {
        customer_group: "99".into(),
        ..karen.clone()
    };
    stage_change_of_karen(backend, failed, OperationKind::Update, unknown_group).await;
    let two_addresses = CustomerDraft {
        addresses: vec![
            address("1 Main St", "Houston", "77002", "Delivery"),
            address("2 Main St", "Houston", "77002", "Delivery"),
        ],
        ..karen.clone()
    };
    stage_change_of_karen(backend, "", OperationKind::AddAddress, two_addresses).await;
    sync_all(backend).await;
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(shown.pending_changes, 2, "the failed update is still on its way");

    correct_operation(backend, failed, &karen).await;
    sync_all(backend).await;
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(shown.pending_changes, 0);
}

/// An admin corrects a change HQ refused for good into one the next sync
/// fails for a reason to correct again (an email another customer has):
/// the change is open again, and the store shows it on its way.
#[tokio::test]
async fn a_change_refused_for_good_then_corrected_into_a_failing_one_is_on_its_way_again() {
    let app = common::start().await;
    let backend = &app.backend;
    let (refused, karen) = karens_phone_edit_refused_for_good(backend).await;
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(shown.pending_changes, 0, "refused for good, the edit is settled");

    correct_into_an_email_another_customer_has(backend, &refused, karen).await;
    assert!(
        newest_operation(backend)
            .await
            .1
            .contains("already has the email")
    );
    let shown = karen_at_the_pos_after_1010(backend).await;
    assert_eq!(
        shown.pending_changes, 1,
        "failed again, the edit waits for a correction"
    );
}

/// A store's change HQ applied after an older one it refused for good,
/// which an admin then corrects into one that fails again: the applied
/// change is in HQ's copy, and the store does not lay it over that copy a
/// second time (its address twice).
#[tokio::test]
async fn a_change_applied_after_one_refused_for_good_is_not_shown_again_when_that_one_reopens() {
    let app = common::start().await;
    let backend = &app.backend;
    let (refused, karen) = karens_phone_edit_refused_for_good(backend).await;
    let new_address = CustomerDraft {
        addresses: vec![address("9 Elm St", "Houston", "77002", "Delivery")],
        ..karen.clone()
    };
    stage_change_of_karen(backend, "", OperationKind::AddAddress, new_address).await;
    sync_all(backend).await;
    assert!(newest_operation(backend).await.0, "the address is applied");

    correct_into_an_email_another_customer_has(backend, &refused, karen).await;
    let shown = karen_at_the_pos_after_1010(backend).await;
    let elm_street = shown
        .customer
        .addresses
        .iter()
        .filter(|address| address.street == "9 Elm St")
        .count();
    assert_eq!((elm_street, shown.pending_changes), (1, 0));
}

/// Stages at Houston, with asynchronous editing on, an edit of Karen's
/// phone that the sync refuses for good, as a real-time edit of her phone at
/// another store is newer; its id and the Karen it staged.
async fn karens_phone_edit_refused_for_good(backend: &Backend) -> (OperationId, CustomerDraft) {
    common::enable_all_features_in_channel(backend).await;
    let refused = OperationId::random();
    let mut karen = karen_in_the_channel(backend).await;
    karen.phone = "+1 713 555 0107".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &refused,
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    edit_karens_phone_in_hq_in_real_time(backend, "+1 206 555 0108").await;
    sync_all(backend).await;
    (refused, karen)
}

/// The admin corrects the edit `refused` into one whose email another
/// customer has, which the next sync, run here, fails for another reason.
async fn correct_into_an_email_another_customer_has(
    backend: &Backend,
    refused: &OperationId,
    karen: CustomerDraft,
) {
    let corrected = CustomerDraft {
        email: "jodi.christiansen@contoso.com".into(),
        ..karen
    };
    correct_operation(backend, refused.as_str(), &corrected).await;
    sync_all(backend).await;
}

/// A change HQ refuses for good while the create of its customer waits for
/// an admin's correction names no customer HQ has yet: it is settled when
/// the create syncs, also when the admin synchronizes the create alone.
#[tokio::test]
async fn a_change_refused_for_good_before_its_customers_create_synced_is_settled_when_it_does() {
    let app = common::start().await;
    let backend = &app.backend;
    let (create, _) = addition_refused_while_its_create_failed(backend).await;

    correct_create_of_ana_and_synchronize_it(backend, &create).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();

    let shown = find_customer(&backend.channel, &create).await.unwrap().unwrap();
    assert!(shown.account.is_some(), "the create synced");
    assert_eq!(shown.pending_changes, 0);
}

/// The same change, corrected by the admin before the create: it waits
/// for the create, open again, and stays on its way at the store after the
/// admin synchronizes the create alone.
#[tokio::test]
async fn a_corrected_change_waiting_for_its_customers_create_stays_on_its_way() {
    let app = common::start().await;
    let backend = &app.backend;
    let (create, addition) = addition_refused_while_its_create_failed(backend).await;
    let one_address = CustomerDraft {
        addresses: vec![address("1 Main St", "Houston", "77002", "Delivery")],
        ..ana_without_addresses()
    };
    correct_operation(backend, &addition, &one_address).await;
    sync_all(backend).await;
    assert_eq!(
        newest_operation(backend).await,
        (false, String::new()),
        "the addition waits for the create, without its refusal"
    );

    correct_create_of_ana_and_synchronize_it(backend, &create).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();

    let shown = find_customer(&backend.channel, &create).await.unwrap().unwrap();
    assert!(shown.account.is_some(), "the create synced");
    assert_eq!(shown.pending_changes, 1, "the corrected address is on its way");
}

fn ana_without_addresses() -> CustomerDraft {
    CustomerDraft {
        addresses: Vec::new(),
        ..complete_customer()
    }
}

/// Stages at Houston a create of Ana that the sync fails (a customer group
/// HQ does not know) and an address addition to her that it refuses for
/// good (two addresses), and syncs both; their temporary ids.
async fn addition_refused_while_its_create_failed(backend: &Backend) -> (String, String) {
    let staged = |temporary_id: &str, kind, customer_temporary_id: Option<String>, customer| NewOperation {
        temporary_id: temporary_id.into(),
        kind,
        channel_id: 1,
        register_number: Some(1),
        customer_account: None,
        customer_temporary_id,
        changed_fields: ChangedFields::ALL,
        customer,
    };
    let unknown_group = CustomerDraft {
        customer_group: "99".into(),
        ..ana_without_addresses()
    };
    let two_addresses = CustomerDraft {
        addresses: vec![
            address("1 Main St", "Houston", "77002", "Delivery"),
            address("2 Main St", "Houston", "77002", "Delivery"),
        ],
        ..ana_without_addresses()
    };
    let (create, addition) = (
        OperationId::random().to_string(),
        OperationId::random().to_string(),
    );
    let channel = &backend.channel;
    channel
        .stage(staged(&create, OperationKind::Create, None, unknown_group))
        .await
        .unwrap();
    channel
        .stage(staged(
            &addition,
            OperationKind::AddAddress,
            Some(create.clone()),
            two_addresses,
        ))
        .await
        .unwrap();
    sync_all(backend).await;
    assert!(newest_operation(backend).await.1.contains("exactly one address"));
    (create, addition)
}

/// The admin corrects the failed create of Ana and synchronizes it alone.
async fn correct_create_of_ana_and_synchronize_it(backend: &Backend, create: &str) {
    correct_operation(backend, create, &ana_without_addresses()).await;
    custsync::services::sync::synchronize_selected(
        &backend.hq,
        &[create.to_string()],
        backend.settings.sync_options(),
        "admin",
    )
    .await
    .unwrap();
}

/// Stages at Houston's register 1 a change of Karen (C000001) with these
/// values, under `temporary_id` (a new one when empty).
async fn stage_change_of_karen(
    backend: &Backend,
    temporary_id: &str,
    kind: OperationKind,
    customer: CustomerDraft,
) {
    let temporary_id = match temporary_id {
        "" => OperationId::random().to_string(),
        given => given.to_string(),
    };
    backend
        .channel
        .stage(NewOperation {
            temporary_id,
            kind,
            channel_id: 1,
            register_number: Some(1),
            customer_account: Some("C000001".into()),
            customer_temporary_id: None,
            changed_fields: ChangedFields::ALL,
            customer,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn an_admin_resync_of_an_old_failed_edit_does_not_undo_a_newer_real_time_edit() {
    let app = common::start().await;
    let backend = &app.backend;
    let old_edit = "00000000-0000-4000-8000-0000000000c1";
    let karen = CustomerDraft {
        phone: "+1 713 555 0105".into(),
        addresses: Vec::new(),
        ..karen_in_the_channel(backend).await
    };
    // Staged with a group HQ does not know, so that the sync fails it.
    backend
        .channel
        .stage(NewOperation {
            temporary_id: old_edit.into(),
            kind: OperationKind::Update,
            channel_id: 1,
            register_number: Some(1),
            customer_account: Some("C000001".into()),
            customer_temporary_id: None,
            changed_fields: ChangedFields::ALL,
            customer: CustomerDraft {
                customer_group: "99".into(),
                ..karen.clone()
            },
        })
        .await
        .unwrap();
    sync_all(backend).await;
    assert!(newest_operation(backend).await.1.contains("'99'"));

    edit_karens_phone_in_hq_in_real_time(backend, "+1 206 555 0106").await;
    correct_operation(backend, old_edit, &karen).await;
    custsync::services::sync::synchronize_selected(
        &backend.hq,
        &[old_edit.to_string()],
        backend.settings.sync_options(),
        "admin",
    )
    .await
    .unwrap();

    assert_eq!(hq_phone_of_karen(backend).await, "+1 206 555 0106");
    let (completed, error) = newest_operation(backend).await;
    assert!(!completed && error.contains("changed in real time"), "{error}");
}

#[tokio::test]
async fn two_edits_staged_in_one_group_each_stay_visible_until_hq_has_applied_it() {
    let app = common::start().await;
    let backend = &app.backend;
    let edit = |temporary_id: &str, phone: &str, email: &str| NewOperation {
        temporary_id: temporary_id.into(),
        kind: OperationKind::Update,
        channel_id: 1,
        register_number: Some(1),
        customer_account: Some("C000001".into()),
        customer_temporary_id: None,
        changed_fields: ChangedFields::ALL,
        customer: CustomerDraft {
            phone: phone.into(),
            email: email.into(),
            customer_group: "30".into(),
            language: "en-us".into(),
            currency: "USD".into(),
            ..person("Karen", "Berg")
        },
    };
    // One writer group: both are committed with one timestamp.
    let (first, second) = tokio::join!(
        backend.channel.stage(edit(
            "00000000-0000-4000-8000-0000000000d1",
            "+1 713 555 0107",
            "karen.berg@contoso.com"
        )),
        backend.channel.stage(edit(
            "00000000-0000-4000-8000-0000000000d2",
            "+1 713 555 0108",
            "jodi.christiansen@contoso.com"
        )),
    );
    first.unwrap();
    second.unwrap();

    sync_all(backend).await;
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    assert_eq!(hq_phone_of_karen(backend).await, "+1 713 555 0107");
    let shown = find_customer(&backend.channel, "C000001").await.unwrap().unwrap();
    assert_eq!(
        (shown.customer.phone.as_str(), shown.pending_changes),
        ("+1 713 555 0108", 1),
        "the second edit failed on the email rule: it is still on its way"
    );
}

/// An admin's correction of an uploaded operation, as the detail page saves it.
async fn correct_operation(backend: &Backend, temporary_id: &str, corrected: &CustomerDraft) {
    let corrected = valid(backend, corrected).await;
    let saved = backend
        .hq
        .save_operation_edit(
            temporary_id,
            0,
            &corrected,
            ChangedFields::ALL,
            ("Admin", "corrected"),
        )
        .await
        .unwrap();
    assert_eq!(saved, EditSaved::Saved);
}

#[tokio::test]
async fn a_batch_never_applies_the_copy_it_read_before_an_admin_corrected_the_operation() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let operation_id = OperationId::random();
    let mut karen = karen_in_the_channel(backend).await;
    karen.phone = "+1 713 555 0111".into();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &operation_id,
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let options = backend.settings.sync_options();

    let copy = custsync::services::sync::read_batch(&backend.hq, 0, options)
        .await
        .unwrap();
    assert_eq!(copy.operations().len(), 1);
    karen.phone = "+1 713 555 0112".into();
    karen.addresses.clear();
    correct_operation(backend, operation_id.as_str(), &karen).await;
    let counts = custsync::services::sync::synchronize_batch(&backend.hq, &copy, options, "Batch run 99")
        .await
        .unwrap();

    assert_eq!((counts.rows, counts.succeeded), (0, 0), "left for the next run");
    assert_eq!(hq_phone_of_karen(backend).await, "+1 555 010 0001");
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(hq_phone_of_karen(backend).await, "+1 713 555 0112");
}

#[tokio::test]
async fn a_batch_judges_the_email_an_admin_corrected_after_it_read_the_create() {
    let app = common::start().await;
    let backend = &app.backend;
    let operation_id = OperationId::random();
    let mut ana = complete_customer();
    create_customer(&backend.channel_side(), HOUSTON, &operation_id, &ana)
        .await
        .unwrap();
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let options = backend.settings.sync_options();

    let copy = custsync::services::sync::read_batch(&backend.hq, 0, options)
        .await
        .unwrap();
    ana.email = "karen.berg@contoso.com".into();
    correct_operation(backend, operation_id.as_str(), &ana).await;
    custsync::services::sync::synchronize_batch(&backend.hq, &copy, options, "Batch run 99")
        .await
        .unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();

    assert_eq!(backend.hq.count_customers().await.unwrap(), 12, "no second Karen");
    let (_, error) = newest_operation(backend).await;
    assert!(
        error.contains("already has the email karen.berg@contoso.com"),
        "{error}"
    );
}

/// An admin's correction to an email another customer has is named before
/// Save (the status page's Save refuses it beside the field), as the batch
/// would fail it; the customer the operation makes or changes does not count.
#[tokio::test]
async fn a_correction_to_an_email_another_customer_has_is_named_as_the_batch_then_fails_it() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let create_id = OperationId::random();
    let ana = complete_customer();
    create_customer(&backend.channel_side(), HOUSTON, &create_id, &ana)
        .await
        .unwrap();
    let mut karen = karen_in_the_channel(backend).await;
    karen.phone = "+1 713 555 0142".into();
    let update_id = OperationId::random();
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &update_id,
        "C000001",
        &karen,
        None,
    )
    .await
    .unwrap();
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let uploaded = |id: &OperationId| {
        let id = id.as_str().to_string();
        async move { backend.hq.uploaded_operation(&id).await.unwrap().unwrap() }
    };
    let (create, update) = (uploaded(&create_id).await, uploaded(&update_id).await);
    let holder = |op: &custsync::domain::records::StagedOperation, email: &str, changed: ChangedFields| {
        let corrected = CustomerDraft {
            email: email.into(),
            ..op.customer.clone()
        };
        let op = op.clone();
        async move {
            custsync::services::sync::email_holder_for_correction(&backend.hq, &op, &corrected, changed, true)
                .await
                .unwrap()
        }
    };

    assert_eq!(
        holder(&create, "Karen.Berg@Contoso.com", ChangedFields::ALL)
            .await
            .as_deref(),
        Some("C000001")
    );
    assert_eq!(
        holder(&create, "ana.silva@example.com", ChangedFields::ALL).await,
        None
    );
    let email_too = update.changed_fields.union(ChangedFields::between(
        &update.customer,
        &CustomerDraft {
            email: "grace.okafor@contoso.com".into(),
            ..update.customer.clone()
        },
    ));
    assert_eq!(
        holder(&update, "grace.okafor@contoso.com", email_too)
            .await
            .as_deref(),
        Some("C000011")
    );
    assert_eq!(
        holder(&update, "KAREN.BERG@contoso.com", email_too).await,
        None,
        "her own email"
    );
    assert_eq!(
        holder(&update, "grace.okafor@contoso.com", update.changed_fields).await,
        None,
        "an update that does not change the email keeps it"
    );
    // What Save names, the batch fails for: the same corrections, saved
    // as they are and synchronized.
    let karen_email = CustomerDraft {
        email: "Karen.Berg@Contoso.com".into(),
        ..create.customer.clone()
    };
    correct_operation(backend, create_id.as_str(), &karen_email).await;
    let grace_email = CustomerDraft {
        email: "grace.okafor@contoso.com".into(),
        ..update.customer.clone()
    };
    correct_operation(backend, update_id.as_str(), &grace_email).await;
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    for (id, account) in [(&create_id, "C000001"), (&update_id, "C000011")] {
        let error = error_of(backend, id.as_str()).await;
        assert!(
            error.starts_with(&format!("Customer {account} already has the email")),
            "{error}"
        );
    }

    let unchecked = custsync::services::sync::email_holder_for_correction(
        &backend.hq,
        &create,
        &CustomerDraft {
            email: "karen.berg@contoso.com".into(),
            ..create.customer.clone()
        },
        ChangedFields::ALL,
        false,
    )
    .await
    .unwrap();
    assert_eq!(unchecked, None, "HQ does not require unique emails");
}

/// A customer kept by the register as the cashier typed it (an email in
/// capitals, a name with spaces), then edited: the edit's form started from
/// what was typed, and its update changes the one field the cashier changed,
/// not those the store tidied when it staged the create.
#[tokio::test]
async fn an_edit_started_from_untidy_typed_values_changes_only_the_field_changed() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let typed = CustomerDraft {
        first_name: " Ida ".into(),
        last_name: "Berg".into(),
        email: "Ida.Berg@Example.com".into(),
        ..CustomerDraft::default()
    };
    let created = create_customer(&backend.channel_side(), HOUSTON, &OperationId::random(), &typed)
        .await
        .unwrap()
        .key();
    let edit = OperationId::random();
    let with_phone = CustomerDraft {
        phone: "713 555 0111".into(),
        ..typed.clone()
    };
    edit_customer(
        &backend.channel_side(),
        HOUSTON,
        &edit,
        &created,
        &with_phone,
        Some(&typed),
    )
    .await
    .unwrap();

    let staged = backend
        .channel
        .staged_operation(edit.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        staged.changed_fields.fields().collect::<Vec<_>>(),
        [CustomerField::Phone]
    );
}
