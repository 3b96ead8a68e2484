//! The Customer synchronization status page's queries on a generated data
//! set spread over both databases: counts, filters, search, keyset pages
//! forward and back, and Synchronize for chosen operations.

mod common;

use std::collections::HashSet;

use custsync::domain::backlog::BacklogSample;
use custsync::domain::customer::ChangedFields;
use custsync::domain::customer::{CustomerDraft, validate_customer};
use custsync::domain::jobs::Job;
use custsync::domain::operation::OperationId;
use custsync::domain::operation::OperationStatus;
use custsync::domain::records::OperationKind;
use custsync::domain::registers::Origin;
use custsync::domain::status_page::{Cursor, StatusPage, StatusRow, StatusView};
use custsync::services::backend::Backend;
use custsync::services::cdx;
use custsync::services::channel_customers::{create_customer, edit_customer, find_customer};
use custsync::services::sync::SyncOptions;
use custsync::storage::hq_db::{EditSaved, HqDb};

const ORIGINS: [Origin; 3] = [
    Origin::Register {
        channel_id: 1,
        register_number: 1,
    },
    Origin::Register {
        channel_id: 2,
        register_number: 1,
    },
    Origin::OnlineStore,
];

/// 90 operations synced or failed (every tenth reuses an email HQ holds),
/// then 6 still waiting for the P-job.
async fn generated(backend: &Backend) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..90 {
        let email = if n % 10 == 3 {
            "karen.berg@contoso.com".to_string()
        } else {
            format!("status{n:03}@example.com")
        };
        let last = format!("Status{n:03}");
        let id = match ORIGINS[n % 3] {
            Origin::OnlineStore if n % 10 == 3 => sign_up_unchecked(backend, &last, &email).await,
            origin => create(backend, origin, "Ana", &last, &email).await,
        };
        ids.push(id);
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    for n in 0..6 {
        let email = format!("waiting{n}@example.com");
        ids.push(create(backend, ORIGINS[n % 3], "Bo", &format!("Waiting{n}"), &email).await);
    }
    ids
}

/// A sign-up whose email HQ's batch refuses, made while HQ could not be
/// asked (the store's own waiting creates uploaded first): staged, then
/// failed by the batch as a cashier's create is.
async fn sign_up_unchecked(backend: &Backend, last: &str, email: &str) -> String {
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.hq.set_realtime_unreachable(true).await.unwrap();
    let id = create(backend, Origin::OnlineStore, "Ana", last, email).await;
    backend.hq.set_realtime_unreachable(false).await.unwrap();
    id
}

async fn create(backend: &Backend, origin: Origin, first: &str, last: &str, email: &str) -> String {
    let draft = CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        ..CustomerDraft::default()
    };
    create_draft(backend, origin, &draft).await
}

async fn create_with_phone(backend: &Backend, origin: Origin, last: &str, phone: &str) -> String {
    let draft = CustomerDraft {
        first_name: "Ana".into(),
        last_name: last.into(),
        phone: phone.into(),
        ..CustomerDraft::default()
    };
    create_draft(backend, origin, &draft).await
}

async fn create_draft(backend: &Backend, origin: Origin, draft: &CustomerDraft) -> String {
    create_customer(&backend.channel_side(), origin, &OperationId::random(), draft)
        .await
        .unwrap()
        .temporary_id()
        .expect("a create in asynchronous mode")
        .to_string()
}

/// The status page's view with `term` in its search box.
fn searching(term: &str) -> StatusView {
    StatusView {
        search: term.into(),
        ..StatusView::default()
    }
}

async fn page(backend: &Backend, view: &StatusView, size: u32) -> StatusPage {
    cdx::status_page(&backend.channel, &backend.hq, view, size)
        .await
        .unwrap()
}

fn ids(page: &StatusPage) -> Vec<String> {
    page.rows.iter().map(|row| row.operation_id.clone()).collect()
}

#[tokio::test]
async fn each_run_of_the_p_job_and_the_sync_records_the_backlog_as_it_starts_and_ends() {
    let app = common::start().await;
    let backend = &app.backend;
    let origin = ORIGINS[0];
    create(backend, origin, "Ana", "Trend1", "trend1@example.com").await;
    create(backend, origin, "Ana", "Trend2", "trend2@example.com").await;
    create(backend, origin, "Ana", "Trend3", "karen.berg@contoso.com").await;
    for job in [Job::Upload, Job::SyncCustomers, Job::Customers] {
        backend.jobs.run(job, "Run now").await.unwrap();
    }

    let trend = cdx::backlog_trend(&backend.channel, &backend.hq).await.unwrap();
    let samples: Vec<[i64; 3]> = trend.samples.iter().map(BacklogSample::values).collect();
    // Pending upload, pending sync, failed: before and after the P-job,
    // then before and after the sync; job 1010 records nothing.
    assert_eq!(samples, vec![[3, 0, 0], [0, 3, 0], [0, 3, 0], [0, 0, 1]]);
    let runs: Vec<(&str, i64)> = trend
        .runs
        .iter()
        .map(|run| (run.job.as_str(), run.rows_done))
        .collect();
    assert_eq!(
        runs,
        vec![(Job::Upload.code(), 3), (Job::SyncCustomers.code(), 3)]
    );
    assert!(trend.runs.iter().all(|run| run.rows_per_second().is_some()));
    assert_eq!(trend.now.values(), [0, 0, 1]);
}

#[tokio::test]
async fn counts_follow_the_other_filters_and_ignore_the_status_filter() {
    let app = common::start().await;
    generated(&app.backend).await;
    let all = page(&app.backend, &StatusView::default(), 50).await;
    assert_eq!(
        (
            all.counts.pending_upload,
            all.counts.pending_sync,
            all.counts.synced,
            all.counts.failed
        ),
        (6, 0, 81, 9)
    );
    let failed_view = StatusView {
        status: Some(OperationStatus::Failed),
        channel_id: Some(2),
        ..StatusView::default()
    };
    let seattle = page(&app.backend, &failed_view, 50).await;
    assert_eq!(seattle.counts.total(), 32);
    assert_eq!(seattle.rows.len() as i64, seattle.counts.failed);
    assert!(
        seattle
            .rows
            .iter()
            .all(|row| row.channel == "Seattle" && row.status == OperationStatus::Failed)
    );
    assert!(
        seattle.rows[0]
            .error
            .as_deref()
            .is_some_and(|error| error.contains("already has the email karen.berg@contoso.com"))
    );
}

#[tokio::test]
async fn keyset_pages_walk_every_operation_once_forward_and_back() {
    let app = common::start().await;
    let staged = generated(&app.backend).await;
    let mut view = StatusView::default();
    let mut pages = Vec::new();
    loop {
        let current = page(&app.backend, &view, 10).await;
        pages.push(ids(&current));
        match current.next {
            Some(key) => view = view.with_cursor(Cursor::After(key)),
            None => break,
        }
    }
    assert_eq!(pages.len(), 10);
    let walked: Vec<String> = pages.concat();
    assert_eq!(walked.len(), staged.len());
    assert_eq!(
        walked.iter().collect::<HashSet<_>>(),
        staged.iter().collect::<HashSet<_>>()
    );
    // Newest first: the last staged operation opens the list.
    assert_eq!(walked.first(), staged.last());

    let third = page(
        &app.backend,
        &StatusView::default().with_cursor(Cursor::After(page_key(&app.backend, 2).await)),
        10,
    )
    .await;
    assert_eq!(ids(&third), pages[2]);
    let back = page(
        &app.backend,
        &StatusView::default().with_cursor(Cursor::Before(third.previous.clone().unwrap())),
        10,
    )
    .await;
    assert_eq!(ids(&back), pages[1]);

    let oldest_first = StatusView {
        oldest_first: true,
        ..StatusView::default()
    };
    assert_eq!(
        page(&app.backend, &oldest_first, 1).await.rows[0].operation_id,
        staged[0]
    );
}

/// The key of the last row of page `pages_before` (0-based) of size 10.
async fn page_key(backend: &Backend, pages_before: usize) -> custsync::domain::status_page::PageKey {
    let mut view = StatusView::default();
    let mut key = None;
    for _ in 0..pages_before {
        let current = page(backend, &view, 10).await;
        key = current.next.clone();
        view = view.with_cursor(Cursor::After(current.next.unwrap()));
    }
    key.unwrap()
}

#[tokio::test]
async fn search_finds_by_name_prefix_email_temporary_id_and_account() {
    let app = common::start().await;
    let staged = generated(&app.backend).await;
    assert_eq!(
        page(&app.backend, &searching("status01"), 50).await.rows.len(),
        10
    );
    assert_eq!(page(&app.backend, &searching("WAITING"), 50).await.rows.len(), 6);
    assert_eq!(
        page(&app.backend, &searching("status042@example"), 50)
            .await
            .rows
            .len(),
        1
    );
    let by_id = page(&app.backend, &searching(&staged[5]), 50).await;
    assert_eq!(ids(&by_id), [staged[5].clone()]);
    let synced = page(&app.backend, &searching("status000"), 50).await.rows[0].clone();
    let account = synced.account.unwrap();
    let by_account = page(&app.backend, &searching(&account.to_lowercase()), 50).await;
    assert_eq!(ids(&by_account), [staged[0].clone()]);
    assert!(page(&app.backend, &searching("nobody"), 50).await.rows.is_empty());
}

/// A name or an email is found whatever the case of its letters, in any
/// alphabet ("öberg" finds "Öberg": SQLite's `lower()`, and PostgreSQL's
/// under its byte order, change A to Z only), and with or without their
/// marks ("oberg" finds "Öberg", "YILMAZ" finds "Yılmaz"), whether the
/// operation is still in the channel or already in HQ.
#[tokio::test]
async fn search_finds_names_and_emails_whatever_their_case_and_marks_in_any_alphabet() {
    let app = common::start().await;
    let backend = &app.backend;
    let uploaded = create(backend, ORIGINS[0], "Åsa", "Öberg", "åsa@exämple.com").await;
    let greek = create(backend, ORIGINS[0], "Σοφία", "Παπαδοπούλου", "sofia@example.com").await;
    let turkish = create(backend, ORIGINS[0], "İlker", "Yılmaz", "ilker@example.com").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let waiting = create(backend, ORIGINS[1], "Élise", "Ørsted", "elise@example.com").await;
    let waiting_turkish = create(backend, ORIGINS[1], "Şule", "Işık", "sule@example.com").await;
    for term in [
        "Öberg",
        "öberg",
        "ÖBERG",
        "åsa",
        "ÅSA",
        "åsa öb",
        "ÅSA@EXÄ",
        "oberg",
        "ASA OBERG",
        "asa@exa",
    ] {
        assert_eq!(
            ids(&page(backend, &searching(term), 50).await),
            [uploaded.as_str()],
            "{term}"
        );
    }
    for term in ["σοφία", "ΣΟΦΊΑ", "παπαδοπούλου", "Σοφία ΠΑΠ"] {
        assert_eq!(
            ids(&page(backend, &searching(term), 50).await),
            [greek.as_str()],
            "{term}"
        );
    }
    for term in ["Ørst", "ørst", "ÉLISE", "élise ørsted", "elise orsted", "ORSTED"] {
        assert_eq!(
            ids(&page(backend, &searching(term), 50).await),
            [waiting.as_str()],
            "{term}"
        );
    }
    for term in ["YILMAZ", "yilmaz", "Yılmaz", "ilker", "İLKER yıl"] {
        assert_eq!(
            ids(&page(backend, &searching(term), 50).await),
            [turkish.as_str()],
            "{term}"
        );
    }
    for term in ["ISIK", "işık", "sule isik"] {
        assert_eq!(
            ids(&page(backend, &searching(term), 50).await),
            [waiting_turkish.as_str()],
            "{term}"
        );
    }
}

/// The search keys read "é" as "e", HQ's check of a new email against the
/// creates waiting for the sync does not: "jose@…" is not taken by a
/// waiting "josé@…", as the batch would not refuse it either.
#[tokio::test]
async fn an_email_differing_only_by_a_mark_is_not_taken_by_a_waiting_create() {
    let app = common::start().await;
    let backend = &app.backend;
    create(backend, ORIGINS[0], "José", "Ruiz", "josé@example.com").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let another = OperationId::random().to_string();
    assert!(
        backend
            .hq
            .email_in_use("josé@example.com", &another)
            .await
            .unwrap()
    );
    assert!(
        !backend
            .hq
            .email_in_use("jose@example.com", &another)
            .await
            .unwrap()
    );
}

/// A phone number, or its last digits, typed however they were written
/// finds the operations whose phone ends with them, in HQ and still at the
/// store.
#[tokio::test]
async fn search_finds_a_phone_by_its_last_digits_however_it_was_written() {
    let app = common::start().await;
    let backend = &app.backend;
    let uploaded = create_with_phone(backend, ORIGINS[0], "Berg", "+1 (713) 555-0150").await;
    let other = create_with_phone(backend, ORIGINS[0], "Lund", "+1 713 555 0199").await;
    let local = create_with_phone(backend, ORIGINS[0], "Ng", "713 555 0152").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let waiting = create_with_phone(backend, ORIGINS[1], "Moreno", "713.555.0177").await;
    let nothing: &[&str] = &[];
    // A number typed with its country code finds a phone stored without it.
    for (term, found) in [
        ("555-0150", [uploaded.as_str()].as_slice()),
        ("7135550150", &[uploaded.as_str()]),
        ("(713) 555 0150", &[uploaded.as_str()]),
        ("+1 713 555 0150", &[uploaded.as_str()]),
        ("0150", &[uploaded.as_str()]),
        ("555 0177", &[waiting.as_str()]),
        ("+1 713 555 0177", &[waiting.as_str()]),
        ("0199", &[other.as_str()]),
        ("+1 (713) 555-0152", &[local.as_str()]),
        ("555 01", nothing),
        ("713 555", nothing),
        ("+1 555 0177", nothing),
    ] {
        assert_eq!(ids(&page(backend, &searching(term), 50).await), found, "{term}");
    }
}

/// An admin's correction of an operation is found by the name it now holds,
/// and no longer by the one it held.
#[tokio::test]
async fn an_operation_an_admin_corrected_is_found_by_its_new_name() {
    let app = common::start().await;
    let backend = &app.backend;
    let id = create(backend, ORIGINS[0], "Ana", "Öberg", "ana@example.com").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let detail = cdx::operation_detail(&backend.channel, &backend.hq, &id)
        .await
        .unwrap()
        .unwrap();
    let mut corrected = detail.operation.customer.clone();
    corrected.last_name = "Ångström".into();
    corrected.phone = "+1 206 555 0111".into();
    let valid = validate_customer(&corrected, &detail.reference, false).unwrap();
    let saved = backend
        .hq
        .save_operation_edit(&id, 0, &valid, ChangedFields::ALL, ("HQ admin", "Last name"))
        .await
        .unwrap();
    assert_eq!(saved, EditSaved::Saved);

    assert_eq!(ids(&page(backend, &searching("ångs"), 50).await), [id.as_str()]);
    assert_eq!(
        ids(&page(backend, &searching("206-555-0111"), 50).await),
        [id.as_str()]
    );
    assert!(page(backend, &searching("öberg"), 50).await.rows.is_empty());
}

/// HQ's operations stored before their search keys were made by the app
/// (the migration that made the name keys folds A to Z only, SQLite's that
/// made the phone keys lists the operations with a phone) are keyed when HQ
/// next opens.
#[tokio::test]
async fn operations_stored_before_their_search_keys_are_found_once_hq_opens_again() {
    let app = common::start().await;
    let backend = &app.backend;
    let uploaded = create(backend, ORIGINS[0], "Åsa", "Öberg", "asa@example.com").await;
    let with_phone = create_with_phone(backend, ORIGINS[0], "Lund", "+1 (713) 555-0150").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    common::execute_on_hq(
        backend,
        "UPDATE RETAILASYNCCUSTOMERV2
         SET first_name_key = first_name, last_name_key = last_name, phone_key = ''",
    )
    .await;
    common::execute_on_hq(
        backend,
        "INSERT INTO search_keys_to_refold (operation_id) SELECT id FROM RETAILASYNCCUSTOMERV2",
    )
    .await;
    assert!(
        page(backend, &searching("öberg"), 50).await.rows.is_empty(),
        "as an HQ of an earlier version left it"
    );
    assert!(page(backend, &searching("555 0150"), 50).await.rows.is_empty());

    let reopened = HqDb::open_at(&backend.settings.hq_location()).await.unwrap();
    reopened.close().await;

    assert_eq!(
        ids(&page(backend, &searching("öberg"), 50).await),
        [uploaded.as_str()]
    );
    assert_eq!(ids(&page(backend, &searching("asa oberg"), 50).await), [uploaded]);
    assert_eq!(
        ids(&page(backend, &searching("555 0150"), 50).await),
        [with_phone]
    );
}

/// A full name typed in the search box finds the operation by its first and
/// last names, whether it is still in the channel or already in HQ.
#[tokio::test]
async fn search_finds_a_full_name() {
    let app = common::start().await;
    let uploaded = create(&app.backend, ORIGINS[0], "Eve", "Berg", "eve@example.com").await;
    create(&app.backend, ORIGINS[0], "Eve", "Lind", "eve.lind@example.com").await;
    create(&app.backend, ORIGINS[0], "Ann", "Berg", "ann@example.com").await;
    app.backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let waiting = create(&app.backend, ORIGINS[1], "Eva", "Bergman", "eva@example.com").await;
    assert_eq!(
        ids(&page(&app.backend, &searching("Eve Berg"), 50).await),
        [uploaded.as_str()],
        "Eve Berg, not Eve Lind or Ann Berg"
    );
    assert_eq!(
        ids(&page(&app.backend, &searching("eva  bergm"), 50).await),
        [waiting.as_str()]
    );
    assert_eq!(
        ids(&page(&app.backend, &searching("Ev Berg"), 50).await).len(),
        2,
        "Eve Berg in HQ and Eva Bergman in the channel"
    );
}

/// Stages a change of demo customer `account`, as a Houston register would.
async fn stage_change(backend: &Backend, kind: OperationKind, account: &str) {
    let customer = CustomerDraft {
        first_name: "Changed".into(),
        last_name: account.into(),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        addresses: match kind {
            OperationKind::AddAddress => vec![common::calls::address()],
            _ => Vec::new(),
        },
        ..CustomerDraft::default()
    };
    backend
        .channel
        .stage(custsync::storage::channel_db::NewOperation {
            temporary_id: OperationId::random().to_string(),
            kind,
            channel_id: 1,
            register_number: Some(1),
            customer_account: Some(account.into()),
            customer_temporary_id: None,
            changed_fields: ChangedFields::ALL,
            customer,
        })
        .await
        .unwrap();
}

/// Moves the first `count` operations HQ holds to 15 January 2026, as if
/// they had been made then.
async fn made_on_15_january(app: &common::TestBackend, count: i64) {
    let statement = format!(
        "UPDATE RETAILASYNCCUSTOMERV2 SET created_at = '2026-01-15T10:00:00.000Z' WHERE id <= {count}"
    );
    common::execute_on_hq(&app.backend, &statement).await;
}

#[tokio::test]
async fn operation_and_date_filters_narrow_the_list_to_what_they_name() {
    let app = common::start().await;
    let backend = &app.backend;
    generated(backend).await;
    for (kind, account) in [
        (OperationKind::Update, "C000001"),
        (OperationKind::Update, "C000002"),
        (OperationKind::AddAddress, "C000003"),
    ] {
        stage_change(backend, kind, account).await;
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    stage_change(backend, OperationKind::Update, "C000004").await;
    made_on_15_january(&app, 5).await;
    let count = |view: StatusView| async move { page(backend, &view, 50).await.counts.total() };
    let of = |operation| StatusView {
        operation: Some(operation),
        ..StatusView::default()
    };
    let days = |from: &str, to: &str| StatusView {
        from: from.into(),
        to: to.into(),
        ..StatusView::default()
    };

    assert_eq!(
        count(of(OperationKind::Update)).await,
        3,
        "two uploaded, one waiting"
    );
    assert_eq!(count(of(OperationKind::AddAddress)).await, 1);
    assert_eq!(count(of(OperationKind::Create)).await, 96);
    assert_eq!(count(days("2026-01-15", "2026-01-15")).await, 5);
    assert_eq!(count(days("2026-01-14", "2026-01-14")).await, 0);
    assert_eq!(count(days("2026-01-16", "")).await, 100 - 5);
    assert_eq!(count(days("", "2026-01-15")).await, 5);
    assert_eq!(count(days("2999-01-01", "")).await, 0);
    assert_eq!(count(days("2000-01-01", "2999-12-31")).await, 100);
}

/// The counts of `view` as HQ keeps them and as a count of the matching
/// operations finds them (a day range that holds every operation makes the
/// page count them).
async fn kept_and_counted(backend: &Backend, view: StatusView) -> ([i64; 4], [i64; 4]) {
    let values = |page: StatusPage| {
        let c = page.counts;
        [c.pending_upload, c.pending_sync, c.synced, c.failed]
    };
    let counted_view = StatusView {
        from: "2000-01-01".into(),
        ..view.clone()
    };
    assert!(view.counts_are_kept() && !counted_view.counts_are_kept());
    (
        values(page(backend, &view, 10).await),
        values(page(backend, &counted_view, 10).await),
    )
}

/// Every view the kept counts answer: all, each channel, each kind.
fn kept_views() -> Vec<StatusView> {
    let mut views = vec![StatusView::default()];
    views.extend((1..=3).map(|channel_id| StatusView {
        channel_id: Some(channel_id),
        ..StatusView::default()
    }));
    views.extend(
        [
            OperationKind::Create,
            OperationKind::Update,
            OperationKind::AddAddress,
        ]
        .map(|kind| StatusView {
            operation: Some(kind),
            status: Some(OperationStatus::Failed),
            ..StatusView::default()
        }),
    );
    views
}

#[tokio::test]
async fn the_counts_hq_keeps_match_the_operations_after_uploads_syncs_edits_and_resyncs() {
    let app = common::start().await;
    let backend = &app.backend;
    let ids = generated(backend).await;
    for (kind, account) in [
        (OperationKind::Update, "C000001"),
        (OperationKind::AddAddress, "C000003"),
    ] {
        stage_change(backend, kind, account).await;
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let failed = &ids[3];
    let detail = cdx::operation_detail(&backend.channel, &backend.hq, failed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.row.status, OperationStatus::Failed);
    let mut corrected = detail.operation.customer.clone();
    corrected.email = "fixed@example.com".into();
    let valid = validate_customer(&corrected, &detail.reference, false).unwrap();
    assert!(
        backend
            .hq
            .save_operation_edit(failed, 0, &valid, ChangedFields::ALL, ("HQ admin", "Email"))
            .await
            .unwrap()
            == EditSaved::Saved
    );
    custsync::services::sync::synchronize_selected(
        &backend.hq,
        std::slice::from_ref(failed),
        backend.settings.sync_options(),
        "HQ admin",
    )
    .await
    .unwrap();

    let all = kept_and_counted(backend, StatusView::default()).await;
    assert_eq!(all.0, [0, 8, 82, 8], "waiting, pending sync, synced, failed");
    for view in kept_views() {
        let (kept, counted) = kept_and_counted(backend, view.clone()).await;
        assert_eq!(kept, counted, "{view:?}");
    }
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    for view in kept_views() {
        let (kept, counted) = kept_and_counted(backend, view.clone()).await;
        assert_eq!(kept, counted, "{view:?}");
    }
}

#[tokio::test]
async fn synchronize_processes_the_chosen_operations_and_skips_the_rest() {
    let app = common::start().await;
    let backend = &app.backend;
    let staged = generated(backend).await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let waiting: Vec<String> = staged[90..].to_vec();
    let mut chosen = waiting.clone();
    chosen.push(staged[0].clone());
    let counts = custsync::services::sync::synchronize_selected(
        &backend.hq,
        &chosen,
        backend.settings.sync_options(),
        "HQ admin",
    )
    .await
    .unwrap();
    assert_eq!((counts.rows, counts.succeeded, counts.failed), (6, 6, 0));
    let view = StatusView {
        search: "waiting".into(),
        ..StatusView::default()
    };
    let rows = page(backend, &view, 50).await.rows;
    assert!(
        rows.iter()
            .all(|row| row.status == OperationStatus::Synced && row.account.is_some())
    );

    // A failed operation past the retry limit is still processed when the
    // admin asks, and says again why it fails.
    let failed_view = StatusView {
        status: Some(OperationStatus::Failed),
        ..StatusView::default()
    };
    // "Synchronize all failed" reads them a page at a time (here pages of
    // 4), so that memory stays bounded however many failed, and processes
    // each once a click.
    let options = SyncOptions {
        batch_size: 4,
        ..backend.settings.sync_options()
    };
    for _ in 0..3 {
        let (found, counts) =
            custsync::services::sync::synchronize_failed(&backend.hq, &failed_view, options, "HQ admin")
                .await
                .unwrap();
        assert_eq!((found, counts.rows, counts.failed), (9, 9, 9));
    }
    let rows = page(backend, &failed_view, 50).await.rows;
    assert_eq!(rows.len(), 9);
    assert!(rows.iter().all(|row| row.retries == 4));
}

#[tokio::test]
async fn an_edited_failed_create_syncs_and_its_timeline_tells_the_story() {
    let app = common::start().await;
    let backend = &app.backend;
    let id = create(backend, ORIGINS[1], "Karen", "Second", "karen.berg@contoso.com").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    let run = backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();

    let failed = cdx::operation_detail(&backend.channel, &backend.hq, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.row.status, OperationStatus::Failed);
    assert!(failed.editable);
    let texts: Vec<&str> = failed.timeline.iter().map(|entry| entry.text.as_str()).collect();
    assert_eq!(texts[0], "Created in Seattle, register 1.");
    assert!(texts[1].starts_with("Uploaded to HQ by P-job run "));
    assert!(texts[2].starts_with(&format!(
        "Sync failed (Batch run {}): Customer C000001",
        run.run_id
    )));

    let mut corrected = failed.operation.customer.clone();
    corrected.email = "karen.second@contoso.com".into();
    let valid = validate_customer(&corrected, &failed.reference, false).unwrap();
    let changes = "Email: karen.berg@contoso.com → karen.second@contoso.com";
    assert!(
        backend
            .hq
            .save_operation_edit(&id, 0, &valid, ChangedFields::ALL, ("HQ admin", changes))
            .await
            .unwrap()
            == EditSaved::Saved
    );
    let counts = custsync::services::sync::synchronize_selected(
        &backend.hq,
        std::slice::from_ref(&id),
        backend.settings.sync_options(),
        "HQ admin",
    )
    .await
    .unwrap();
    assert_eq!((counts.succeeded, counts.failed), (1, 0));
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();

    let synced = cdx::operation_detail(&backend.channel, &backend.hq, &id)
        .await
        .unwrap()
        .unwrap();
    let account = synced.row.account.clone().unwrap();
    assert_eq!(synced.operation.customer.email, "karen.second@contoso.com");
    assert!(!synced.editable);
    let texts: Vec<&str> = synced.timeline.iter().map(|entry| entry.text.as_str()).collect();
    assert_eq!(texts[3], format!("Edited by HQ admin: {changes}"));
    assert_eq!(texts[4], format!("Synced as account {account} (HQ admin)."));
    assert!(texts[5].starts_with("Sent back to the channels by job 1010, run "));
    let hq_customer = backend.hq.customer_record(&account).await.unwrap().unwrap();
    assert_eq!(hq_customer.customer.email, "karen.second@contoso.com");

    // Synced, the operation can no longer be edited.
    assert_eq!(
        backend
            .hq
            .save_operation_edit(&id, 1, &valid, ChangedFields::ALL, ("HQ admin", changes))
            .await
            .unwrap(),
        EditSaved::Completed
    );
}

/// A create at Seattle's register (first name, last name, email) and, while
/// it is pending, an edit of its customer made by `change`, both uploaded:
/// their operation ids.
async fn create_and_edit_while_pending(
    backend: &Backend,
    (first, last, email): (&str, &str, &str),
    change: impl FnOnce(&mut CustomerDraft),
) -> (String, OperationId) {
    let create_id = create(backend, ORIGINS[1], first, last, email).await;
    let mut customer = find_customer(&backend.channel, &create_id)
        .await
        .unwrap()
        .unwrap()
        .customer;
    change(&mut customer);
    let update_id = OperationId::random();
    edit_customer(
        &backend.channel_side(),
        ORIGINS[1],
        &update_id,
        &create_id,
        &customer,
        None,
    )
    .await
    .unwrap();
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    (create_id, update_id)
}

/// A change staged while its customer was pending names the customer by
/// its create's temporary id. Once that create synced, the change's row
/// and its page show the account the customer got, and a search for that
/// account finds the change too, also when it failed. Before, its Account
/// was empty and the search found the create alone.
#[tokio::test]
async fn a_failed_change_made_while_its_customer_was_pending_shows_and_is_found_by_its_account() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let (create_id, update_id) = create_and_edit_while_pending(
        backend,
        ("Double", "Click", "double.click@example.com"),
        |customer| {
            customer.email = "karen.berg@contoso.com".into();
        },
    )
    .await;
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();

    let rows = page(backend, &StatusView::default(), 50).await.rows;
    let account = rows
        .iter()
        .find(|row| row.operation_id == create_id)
        .and_then(|row| row.account.clone())
        .expect("the create synced");
    let update = rows
        .iter()
        .find(|row| row.operation_id == update_id.as_str())
        .expect("listed");
    assert_eq!(update.status, OperationStatus::Failed);
    assert_eq!(update.temporary_id, create_id, "the customer's temporary id");
    assert_eq!(update.account.as_deref(), Some(account.as_str()));

    let mut found = ids(&page(backend, &searching(&account.to_lowercase()), 50).await);
    found.sort();
    let mut both = vec![create_id.clone(), update_id.to_string()];
    both.sort();
    assert_eq!(found, both);
    let detail = cdx::operation_detail(&backend.channel, &backend.hq, update_id.as_str())
        .await
        .unwrap()
        .expect("its page");
    assert_eq!(detail.row.account, Some(account));
}

/// A change of a customer whose create failed waits for that create; its
/// row and its page say so, naming the create, instead of a bare "Pending
/// sync" the batch never moves.
#[tokio::test]
async fn a_change_waiting_behind_a_failed_create_names_the_create_it_waits_for() {
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let (create_id, update_id) = create_and_edit_while_pending(
        backend,
        ("Karen", "Second", "karen.berg@contoso.com"),
        |customer| {
            customer.phone = "+1 206 555 0150".into();
            customer.email = "karen.second@contoso.com".into();
        },
    )
    .await;
    for _ in 0..2 {
        backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    }

    let rows = page(backend, &StatusView::default(), 50).await.rows;
    let update = rows
        .iter()
        .find(|row| row.operation_id == update_id.as_str())
        .expect("listed");
    assert_eq!(update.status, OperationStatus::PendingSync);
    let reason = update.error.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("Waits for operation") && reason.contains(&create_id),
        "{reason}"
    );
    let detail = cdx::operation_detail(&backend.channel, &backend.hq, update_id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.row.error, update.error);
}

/// Troubleshoot's counts are the status page's: its "uploaded to HQ,
/// waiting for the sync" links to the Pending sync list and counts what
/// that list shows, not the failed operations the sync will retry (those
/// it counts as failed, once).
#[tokio::test]
async fn troubleshoot_counts_what_the_lists_it_links_to_show() {
    let app = common::start().await;
    let backend = &app.backend;
    create(backend, ORIGINS[1], "Karen", "Second", "karen.berg@contoso.com").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    create(backend, ORIGINS[1], "Ana", "Waiting", "ana.waiting@example.com").await;
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();

    let counts = page(backend, &StatusView::default(), 50).await.counts;
    assert_eq!((counts.pending_sync, counts.failed), (1, 1));
    let report = custsync::services::troubleshoot::report(backend).await.unwrap();
    assert_eq!(
        (report.pending_sync, report.failed),
        (counts.pending_sync, counts.failed)
    );
}

/// Troubleshoot says how many customers HQ made or changed since job 1010
/// last ran for the store, whose registers show them only after it.
#[tokio::test]
async fn troubleshoot_counts_the_customers_waiting_for_job_1010() {
    let app = common::start().await;
    let backend = &app.backend;
    let waiting = || async {
        custsync::services::troubleshoot::report(backend)
            .await
            .unwrap()
            .customers_not_downloaded
    };
    assert_eq!(waiting().await, 0, "the demo company downloaded");
    for last_name in ["One", "Two"] {
        create(
            backend,
            ORIGINS[0],
            "Ana",
            last_name,
            &format!("ana.{last_name}@example.com"),
        )
        .await;
    }
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(waiting().await, 2);
    backend.jobs.run(Job::Customers, "Run now").await.unwrap();
    assert_eq!(waiting().await, 0);
}

/// A P-job batch HQ has stored is marked uploaded in the channel a moment
/// later, or by the next run when the job was killed in between: until
/// then it is in both databases, and the page lists and counts each of its
/// operations once, as HQ has it.
#[tokio::test]
async fn operations_in_both_databases_between_a_p_jobs_two_commits_are_listed_once() {
    let app = common::start().await;
    let backend = &app.backend;
    for n in 0..3 {
        create(
            backend,
            ORIGINS[0],
            "Ana",
            &format!("Between{n}"),
            &format!("between{n}@example.com"),
        )
        .await;
    }
    let waiting = backend.channel.not_uploaded(10).await.unwrap();
    backend
        .hq
        .save_uploaded_operations(custsync::storage::hq_db::PreparedUpload::new(waiting, 0))
        .await
        .unwrap();
    create(backend, ORIGINS[0], "Ana", "After", "after@example.com").await;

    let all = page(backend, &StatusView::default(), 50).await;
    assert_eq!(all.rows.len(), 4, "{:?}", ids(&all));
    assert_eq!((all.counts.pending_upload, all.counts.pending_sync), (1, 3));
    let pending_upload = StatusView {
        status: Some(OperationStatus::PendingUpload),
        ..StatusView::default()
    };
    let waiting = page(backend, &pending_upload, 50).await;
    assert_eq!(waiting.rows.len(), 1);
    assert_eq!(waiting.counts.pending_upload, 1);
}

#[tokio::test]
async fn a_day_out_of_the_calendar_or_days_the_wrong_way_round_are_answered_beside_the_field_not_with_an_empty_list()
 {
    use axum::http::StatusCode;
    use common::http::{JSON, WebApp};
    use custsync::api::hq::sync_status::LoadStatusPage;
    use leptos::server_fn::ServerFn;

    let app = WebApp::start().await;
    let admin = app.sign_in("admin").await;
    let body = serde_json::json!({"view": StatusView { to: "2024-13-01".into(), ..StatusView::default() }});
    let answer = app
        .post(LoadStatusPage::PATH, JSON, body.to_string(), &admin)
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    assert!(
        answer.body.contains("\"to\""),
        "the message names the field: {}",
        answer.body
    );

    for (query, expected) in [
        ("to=2024-13-01", "Enter a day of the calendar"),
        (
            "from=2024-12-08&to=2024-12-01",
            "Created to is before Created from",
        ),
    ] {
        let page = app
            .get(&format!("/hq/customer-synchronization-status?{query}"), &admin)
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let beside_the_field = page
            .body
            .split("id=\"to-filter-message\"")
            .nth(1)
            .unwrap_or_default();
        let message: String = beside_the_field.chars().take(120).collect();
        assert!(
            message.contains(expected),
            "the page says what is wrong beside Created to: {message}"
        );
    }
    let export = app
        .get("/hq/customer-synchronization-status.csv?to=2024-13-01", &admin)
        .await;
    assert_eq!(export.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", export.body);
}

/// Four creates committed in one writer group, so at one time, under
/// temporary ids that sort the other way round from the order they were
/// made. The four requests race the writer's thread, which under load may
/// start a group before the last of them is queued: they are made again,
/// under new ids, until one group has taken them all.
async fn made_at_one_time(backend: &Backend) -> Vec<String> {
    for attempt in 0..50 {
        let ids: Vec<String> = ["0f", "0e", "0d", "0c"]
            .iter()
            .map(|end| format!("00000000-0000-4000-8000-0000000{attempt:03x}{end}"))
            .collect();
        let create = |id: &String, n: usize| {
            custsync::storage::channel_db::NewOperation::create(
                id.clone(),
                1,
                Some(1),
                CustomerDraft {
                    first_name: "Tie".into(),
                    last_name: format!("Made{n}"),
                    customer_group: "30".into(),
                    language: "en-us".into(),
                    currency: "USD".into(),
                    ..CustomerDraft::default()
                },
            )
        };
        let staged = tokio::join!(
            backend.channel.stage(create(&ids[0], 0)),
            backend.channel.stage(create(&ids[1], 1)),
            backend.channel.stage(create(&ids[2], 2)),
            backend.channel.stage(create(&ids[3], 3)),
        );
        for result in [staged.0, staged.1, staged.2, staged.3] {
            result.unwrap();
        }
        let rows = rows_among(all_pages_oldest_first(backend).await, &ids);
        let times: HashSet<&str> = rows.iter().map(|row| row.created_at.as_str()).collect();
        if times.len() == 1 {
            return ids;
        }
    }
    panic!("no attempt staged the four creates in one writer group");
}

/// The rows of these operations, in the order listed.
fn rows_among(rows: Vec<StatusRow>, ids: &[String]) -> Vec<StatusRow> {
    rows.into_iter()
        .filter(|row| ids.contains(&row.operation_id))
        .collect()
}

/// Every row of the view, oldest first, two a page.
async fn all_pages_oldest_first(backend: &Backend) -> Vec<StatusRow> {
    let mut view = StatusView {
        oldest_first: true,
        ..StatusView::default()
    };
    let mut rows = Vec::new();
    loop {
        let current = page(backend, &view, 2).await;
        rows.extend(current.rows);
        let Some(next) = current.next else {
            return rows;
        };
        view = view.with_cursor(Cursor::After(next));
    }
}

#[tokio::test]
async fn operations_made_at_one_time_are_listed_in_the_order_they_were_made_on_every_page() {
    let app = common::start().await;
    let made = made_at_one_time(&app.backend).await;
    for uploaded in [false, true] {
        if uploaded {
            app.backend.jobs.run(Job::Upload, "Run now").await.unwrap();
        }
        let rows = rows_among(all_pages_oldest_first(&app.backend).await, &made);
        let times: HashSet<&str> = rows.iter().map(|row| row.created_at.as_str()).collect();
        assert_eq!(times.len(), 1, "one writer group, one time");
        let listed: Vec<&str> = rows.iter().map(|row| row.operation_id.as_str()).collect();
        assert_eq!(listed, made, "uploaded: {uploaded}");
    }
}

/// `count` creates uploaded to HQ at once, one a second from 1 October, as
/// the P-job would store them.
async fn uploaded_to_hq(backend: &Backend, count: usize) -> Vec<String> {
    let operations: Vec<custsync::domain::records::StagedOperation> = (0..count)
        .map(|n| custsync::domain::records::StagedOperation {
            id: n as i64 + 1,
            temporary_id: format!("00000000-0000-4000-8000-{n:012}"),
            kind: OperationKind::Create,
            channel_id: 2,
            register_number: Some(1),
            customer_account: None,
            customer_temporary_id: None,
            changed_fields: ChangedFields::ALL,
            customer: CustomerDraft {
                first_name: "Export".into(),
                last_name: format!("Row{n}"),
                customer_group: "30".into(),
                language: "en-us".into(),
                currency: "USD".into(),
                ..CustomerDraft::default()
            },
            created_at: format!("2026-10-01T{:02}:{:02}:{:02}.000Z", n / 3600, n / 60 % 60, n % 60),
        })
        .collect();
    let ids = operations.iter().map(|op| op.temporary_id.clone()).collect();
    backend
        .hq
        .save_uploaded_operations(custsync::storage::hq_db::PreparedUpload::new(operations, 0))
        .await
        .unwrap();
    ids
}

#[tokio::test]
async fn the_csv_export_carries_every_operation_of_a_view_over_many_pages_once_in_order() {
    use axum::http::StatusCode;
    let app = common::http::WebApp::start().await;
    let admin = app.sign_in("admin").await;
    let mut ids = uploaded_to_hq(&app.test.backend, 2_345).await;
    ids.push(
        create(
            &app.test.backend,
            ORIGINS[0],
            "Bo",
            "Waiting",
            "bo.waiting@example.com",
        )
        .await,
    );

    let export = app
        .get("/hq/customer-synchronization-status.csv?order=oldest", &admin)
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let lines: Vec<&str> = export
        .body
        .split("\r\n")
        .filter(|line| !line.is_empty())
        .collect();
    assert!(
        lines[0].starts_with("\u{FEFF}Operation,Channel,Scale unit,Created,Temporary ID"),
        "a byte order mark, for Excel to read the names as UTF-8, then the header: {}",
        lines[0]
    );
    let exported: Vec<&str> = lines[1..]
        .iter()
        .map(|line| line.split(',').nth(4).unwrap_or_default())
        .collect();
    assert_eq!(
        exported, ids,
        "each operation once, oldest first, across three pages"
    );

    let houston_only = app
        .get("/hq/customer-synchronization-status.csv?channel=1", &admin)
        .await;
    let lines = houston_only
        .body
        .split("\r\n")
        .filter(|line| !line.is_empty())
        .count();
    assert_eq!(lines, 2, "the header and the one Houston operation");
}

#[tokio::test]
async fn a_page_left_empty_since_its_link_was_made_links_back_to_the_first_page() {
    use axum::http::StatusCode;
    let app = common::http::WebApp::start().await;
    let admin = app.sign_in("admin").await;
    for n in 0..2 {
        create(
            &app.test.backend,
            ORIGINS[0],
            "Ana",
            &format!("Emptied{n}"),
            &format!("emptied{n}@example.com"),
        )
        .await;
    }
    let first = page(&app.test.backend, &StatusView::default(), 1).await;
    let next = first.next.expect("a second page");
    // The second page's only operation is synced and leaves a view of
    // pending operations before the admin follows the link.
    let pending = StatusView {
        status: Some(OperationStatus::PendingUpload),
        ..StatusView::default()
    };
    app.test.backend.jobs.run(Job::Upload, "Run now").await.unwrap();

    let emptied = app
        .get(
            &format!(
                "/hq/customer-synchronization-status{}",
                pending.with_cursor(Cursor::After(next)).to_query()
            ),
            &admin,
        )
        .await;
    assert_eq!(emptied.status, StatusCode::OK);
    let pager: String = emptied
        .body
        .split("aria-label=\"Pages\"")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let first_page_link = format!(
        "<a href=\"/hq/customer-synchronization-status{}\">First page",
        pending.to_query()
    );
    assert!(
        pager.contains(&first_page_link),
        "the emptied page links to {first_page_link}: {pager}"
    );
}

/// The Name column says whose operation it is, the same before and after
/// the upload: a person's full name (the middle name too), and for an
/// address addition, which carries the address alone, its customer's.
#[tokio::test]
async fn each_operation_is_named_after_its_customer_before_and_after_the_upload() {
    use custsync::services::channel_customers::add_address;
    let app = common::start().await;
    let backend = &app.backend;
    common::enable_all_features_in_channel(backend).await;
    let draft = CustomerDraft {
        first_name: "Ana".into(),
        middle_name: "Jo".into(),
        last_name: "Named".into(),
        email: "ana.named@example.com".into(),
        ..CustomerDraft::default()
    };
    let created = create_customer(
        &backend.channel_side(),
        ORIGINS[0],
        &OperationId::random(),
        &draft,
    )
    .await
    .unwrap();
    let pending = created.temporary_id().expect("staged").to_string();
    for key in [pending.as_str(), "C000001"] {
        add_address(
            &backend.channel_side(),
            ORIGINS[0],
            &OperationId::random(),
            key,
            &common::calls::address(),
        )
        .await
        .unwrap();
    }
    let names = |page: StatusPage| -> Vec<(String, String)> {
        page.rows
            .into_iter()
            .map(|row| (row.operation, row.name))
            .collect()
    };
    let expected = [
        ("Add address".to_string(), "Karen Berg".to_string()),
        ("Add address".to_string(), "Ana Jo Named".to_string()),
        ("Create customer".to_string(), "Ana Jo Named".to_string()),
    ];
    assert_eq!(
        names(page(backend, &StatusView::default(), 3).await),
        expected,
        "waiting in the channel"
    );
    backend.jobs.run(Job::Upload, "Run now").await.unwrap();
    assert_eq!(
        names(page(backend, &StatusView::default(), 3).await),
        expected,
        "uploaded to HQ"
    );
    backend.jobs.run(Job::SyncCustomers, "Run now").await.unwrap();
    assert_eq!(
        names(page(backend, &StatusView::default(), 3).await),
        expected,
        "synced"
    );
}
