//! Selling to a customer who is still Pending sync: the sale staged at the
//! register, carried by the P-job, and created in HQ by Synchronize orders,
//! which syncs the customer first; Post statements at end of day; the
//! loyalty card; and jobs killed with SIGKILL in the middle of it all.

mod common;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use custsync::domain::customer::ChangedFields;
use custsync::domain::customer::{AddressDraft, CustomerDraft};
use custsync::domain::jobs::{Job, RunOutcome};
use custsync::domain::operation::OperationId;
use custsync::domain::records::OperationKind;
use custsync::domain::registers::Origin;
use custsync::domain::sales::{ChannelSale, OrderStatus, SaleDraft, SaleKind, SaleLineDraft, SalesOrderRow};
use custsync::services::backend::Backend;
use custsync::services::channel_customers::{create_customer, reference_data};
use custsync::services::jobs::JobError;
use custsync::services::pos_sales::{SaleError, issue_loyalty_card, make_sale};
use custsync::services::settings::Settings;
use custsync::storage::channel_db::NewOperation;
use custsync::storage::hq_db::EditSaved;
use custsync::storage::hq_db::HqDb;
use tempfile::TempDir;

const HOUSTON_REGISTER_1: (i64, i64) = (1, 1);

fn customer(first: &str, last: &str) -> CustomerDraft {
    CustomerDraft {
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
        addresses: vec![AddressDraft {
            name: "Home".into(),
            purpose: "Home".into(),
            street: "1200 Main St".into(),
            city: "Houston".into(),
            state: "TX".into(),
            zip: "77002".into(),
            country_region: "USA".into(),
            primary: true,
        }],
        ..CustomerDraft::default()
    }
}

/// A customer a cashier adds at Houston's register 1: its temporary id.
async fn add_pending_customer(backend: &Backend, first: &str, last: &str) -> String {
    let origin = Origin::Register {
        channel_id: HOUSTON_REGISTER_1.0,
        register_number: HOUSTON_REGISTER_1.1,
    };
    let created = create_customer(
        &backend.channel_side(),
        origin,
        &OperationId::random(),
        &customer(first, last),
    )
    .await
    .expect("staged");
    assert!(
        created.key().contains('-'),
        "staged, not created in HQ: {created:?}"
    );
    created.key()
}

/// A customer HQ refuses (its customer group does not exist), staged as a
/// register would have before the group was removed.
async fn add_failing_customer(backend: &Backend, temporary_id: &str) {
    backend
        .channel
        .stage(NewOperation::create(
            temporary_id.to_string(),
            1,
            Some(1),
            CustomerDraft {
                customer_group: "GONE".into(),
                language: "en-us".into(),
                currency: "USD".into(),
                ..customer("Gail", "Gone")
            },
        ))
        .await
        .expect("staged");
}

fn cash_and_carry(quantity: u32) -> SaleDraft {
    SaleDraft {
        kind: SaleKind::CashAndCarry,
        lines: vec![
            SaleLineDraft {
                item_id: "0001".into(),
                quantity,
            },
            SaleLineDraft {
                item_id: "0004".into(),
                quantity: 1,
            },
        ],
        delivery_address: None,
    }
}

async fn sell(backend: &Backend, key: &str, draft: &SaleDraft) -> ChannelSale {
    make_sale(
        &backend.channel,
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        key,
        draft,
    )
    .await
    .expect("the sale is staged")
}

async fn run(backend: &Backend, job: Job) -> custsync::domain::jobs::JobRun {
    backend.jobs.run(job, "Run now").await.expect("the job runs")
}

async fn in_hq(backend: &Backend, sale: &ChannelSale) -> SalesOrderRow {
    backend
        .hq
        .sale_by_receipt(&sale.receipt_number)
        .await
        .unwrap()
        .expect("the sale is in HQ")
}

/// The accounts HQ created from the create `temporary_id`: one, once synced.
async fn accounts_from(backend: &Backend, temporary_id: &str) -> Vec<String> {
    backend
        .hq
        .customer_list(None, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.async_customer_id.as_deref() == Some(temporary_id))
        .map(|row| row.account)
        .collect()
}

#[tokio::test]
async fn a_sale_to_a_pending_customer_is_created_by_synchronize_orders_which_syncs_the_customer_first() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Ana", "Silva").await;
    let sale = sell(backend, &temporary_id, &cash_and_carry(2)).await;
    assert_eq!(sale.receipt_number, "0001-01-000001");
    assert_eq!(sale.total_cents, 2 * 1850 + 650);
    assert!(!sale.uploaded);

    run(backend, Job::Upload).await;
    let waiting = in_hq(backend, &sale).await;
    assert_eq!(waiting.status, OrderStatus::Uploaded);
    let orders = run(backend, Job::SyncOrders).await;
    assert_eq!((orders.rows_done, orders.succeeded, orders.failed), (1, 1, 0));

    let accounts = accounts_from(backend, &temporary_id).await;
    assert_eq!(accounts.len(), 1, "the customer was created with the sale");
    let created = in_hq(backend, &sale).await;
    assert_eq!(created.status, OrderStatus::Invoiced);
    assert_eq!(created.account.as_deref(), Some(accounts[0].as_str()));
    let history = backend
        .hq
        .operation_history(&temporary_id)
        .await
        .unwrap()
        .unwrap();
    let attempt = &history.attempts[0];
    assert!(
        attempt.attempted_by.starts_with("Synchronize orders run"),
        "{attempt:?}"
    );
    assert_eq!(attempt.for_receipt.as_deref(), Some(sale.receipt_number.as_str()));
    let detail = custsync::services::cdx::operation_detail(&backend.channel, &backend.hq, &temporary_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        detail.timeline.iter().any(|entry| entry
            .text
            .contains("by Synchronize orders for receipt 0001-01-000001")),
        "{:?}",
        detail.timeline
    );

    let customers = run(backend, Job::SyncCustomers).await;
    assert_eq!(customers.rows_done, 0, "nothing left for the customer batch");
    assert_eq!(
        accounts_from(backend, &temporary_id).await,
        accounts,
        "no second copy"
    );
    assert_eq!(backend.hq.count_customers().await.unwrap(), 13);
}

#[tokio::test]
async fn the_customer_batch_first_then_synchronize_orders_finds_the_same_account() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Ben", "Okafor").await;
    let sale = sell(backend, &temporary_id, &cash_and_carry(1)).await;
    run(backend, Job::Upload).await;
    let customers = run(backend, Job::SyncCustomers).await;
    assert_eq!(customers.succeeded, 1);
    let accounts = accounts_from(backend, &temporary_id).await;
    assert_eq!(accounts.len(), 1);
    // Sales orders names the customer by the account HQ made for it at
    // once, not by the temporary id until Synchronize orders has run.
    let uploaded = in_hq(backend, &sale).await;
    assert_eq!(uploaded.account.as_deref(), Some(accounts[0].as_str()));
    let orders = run(backend, Job::SyncOrders).await;
    assert_eq!((orders.succeeded, orders.failed), (1, 0));

    let created = in_hq(backend, &sale).await;
    assert_eq!(created.account.as_deref(), Some(accounts[0].as_str()));
    assert_eq!(backend.hq.count_customers().await.unwrap(), 13);
    let again = run(backend, Job::SyncOrders).await;
    assert_eq!(again.rows_done, 0, "a created sale is not created twice");
}

#[tokio::test]
async fn a_customer_order_ships_to_the_customers_address_and_takes_a_sales_order_number() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Cleo", "Park").await;
    let no_address = SaleDraft {
        kind: SaleKind::CustomerOrder,
        ..cash_and_carry(1)
    };
    let refused = make_sale(
        &backend.channel,
        HOUSTON_REGISTER_1,
        &OperationId::random(),
        &temporary_id,
        &no_address,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, SaleError::Invalid(fields) if fields.get("delivery_address").is_some()),
        "{refused:?}"
    );
    let order = sell(
        backend,
        &temporary_id,
        &SaleDraft {
            delivery_address: Some(0),
            ..no_address
        },
    )
    .await;
    assert_eq!(
        order.delivery_address,
        "Home, 1200 Main St, Houston, TX, 77002, United States"
    );

    run(backend, Job::Upload).await;
    run(backend, Job::SyncOrders).await;
    let created = in_hq(backend, &order).await;
    assert_eq!(created.status, OrderStatus::Created);
    assert_eq!(created.sales_order.as_deref(), Some("SO-000001"));
}

#[tokio::test]
async fn a_failing_customer_holds_its_sale_and_both_go_once_the_customer_is_fixed() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = "00000000-0000-4000-8000-000000000042";
    add_failing_customer(backend, temporary_id).await;
    let sale = sell(backend, temporary_id, &cash_and_carry(3)).await;
    let receipt = &sale.receipt_number;
    assert!(where_is(backend, receipt).await.contains("waiting for its P-job"));
    assert!(
        where_is(backend, "0001-01-999999")
            .await
            .starts_with("No sale has receipt 0001-01-999999")
    );
    run(backend, Job::Upload).await;
    assert!(
        where_is(backend, receipt)
            .await
            .contains("waiting for Synchronize orders")
    );

    let held = run(backend, Job::SyncOrders).await;
    assert_eq!((held.succeeded, held.failed), (0, 1));
    assert_eq!(held.outcome, RunOutcome::CompletedWithErrors.caption());
    let waiting = in_hq(backend, &sale).await;
    assert_eq!(waiting.status, OrderStatus::WaitingForCustomer);
    let reason = waiting.reason.unwrap_or_default();
    assert!(
        reason.contains("Customer group 'GONE' does not exist"),
        "{reason}"
    );
    assert!(accounts_from(backend, temporary_id).await.is_empty());
    let troubleshoot = backend.hq.sales_waiting_for_customer(10).await.unwrap();
    assert_eq!(troubleshoot.len(), 1);
    let answer = where_is(backend, receipt).await;
    assert!(answer.contains("waits for its customer"), "{answer}");
    assert!(
        answer.contains("Customer group 'GONE' does not exist"),
        "{answer}"
    );

    let reference = reference_data(&backend.channel, Origin::OnlineStore)
        .await
        .unwrap();
    let fixed = CustomerDraft {
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        ..customer("Gail", "Gone")
    };
    let valid = custsync::domain::customer::validate_customer(&fixed, &reference, false).unwrap();
    assert!(
        backend
            .hq
            .save_operation_edit(
                temporary_id,
                0,
                &valid,
                ChangedFields::ALL,
                ("Admin", "Customer group: GONE → 30")
            )
            .await
            .unwrap()
            == EditSaved::Saved
    );
    let after_fix = run(backend, Job::SyncOrders).await;
    assert_eq!((after_fix.succeeded, after_fix.failed), (1, 0));
    let accounts = accounts_from(backend, temporary_id).await;
    assert_eq!(accounts.len(), 1);
    let created = in_hq(backend, &sale).await;
    assert_eq!(created.status, OrderStatus::Invoiced);
    assert_eq!(created.account.as_deref(), Some(accounts[0].as_str()));
    assert_eq!(created.reason, None);
    let answer = where_is(backend, receipt).await;
    assert!(
        answer.contains(&format!("cash-and-carry transaction on account {}", accounts[0])),
        "{answer}"
    );
}

/// A change a register staged of the pending customer `temporary_id`.
fn change_of_pending(temporary_id: &str, kind: OperationKind, customer: CustomerDraft) -> NewOperation {
    NewOperation {
        temporary_id: OperationId::random().to_string(),
        kind,
        channel_id: HOUSTON_REGISTER_1.0,
        register_number: Some(HOUSTON_REGISTER_1.1),
        customer_account: None,
        customer_temporary_id: Some(temporary_id.to_string()),
        changed_fields: ChangedFields::ALL,
        customer,
    }
}

fn office() -> AddressDraft {
    AddressDraft {
        name: "Office".into(),
        street: "500 Elm St".into(),
        primary: false,
        ..customer("Ida", "Moreau").addresses.remove(0)
    }
}

/// A customer order to the customer's second address, the office.
async fn order_to_the_office(backend: &Backend, temporary_id: &str) -> ChannelSale {
    let order = SaleDraft {
        kind: SaleKind::CustomerOrder,
        delivery_address: Some(1),
        ..cash_and_carry(1)
    };
    sell(backend, temporary_id, &order).await
}

#[tokio::test]
async fn a_customer_order_to_an_address_added_after_an_edit_is_created_by_synchronize_orders_alone() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Jon", "Abara").await;
    let edit = CustomerDraft {
        phone: "+1 713 555 0191".into(),
        addresses: Vec::new(),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        ..customer("Jon", "Abara")
    };
    let address = CustomerDraft {
        addresses: vec![office()],
        ..CustomerDraft::default()
    };
    for (kind, customer) in [
        (OperationKind::Update, edit),
        (OperationKind::AddAddress, address),
    ] {
        let staged = change_of_pending(&temporary_id, kind, customer);
        backend.channel.stage(staged).await.unwrap();
    }
    let order = order_to_the_office(backend, &temporary_id).await;

    run(backend, Job::Upload).await;
    let orders = run(backend, Job::SyncOrders).await;

    let created = in_hq(backend, &order).await;
    assert_eq!(
        (created.status, created.reason.as_deref()),
        (OrderStatus::Created, None),
        "the edit and the address synced first, in the same run"
    );
    assert_eq!((orders.succeeded, orders.failed), (1, 0));
    let accounts = accounts_from(backend, &temporary_id).await;
    let record = backend.hq.customer_record(&accounts[0]).await.unwrap().unwrap();
    assert_eq!(record.customer.phone, "+1 713 555 0191");
    assert_eq!(record.customer.addresses.len(), 2);
}

/// A customer order to an address added after an update HQ refuses: the
/// customer's changes go in the order they were made, so the address waits
/// for the update and the order for the address; the order says why (the
/// update's reason, not "not in HQ yet"), and goes once the admin has
/// corrected the update.
#[tokio::test]
async fn a_customer_order_to_an_address_behind_a_refused_update_names_the_refusal_and_goes_once_it_is_corrected()
 {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Ida", "Moreau").await;
    let change = |kind, customer| change_of_pending(&temporary_id, kind, customer);
    // Staged before HQ removed the customer group it names.
    let update = CustomerDraft {
        customer_group: "GONE".into(),
        phone: "+1 713 555 0190".into(),
        addresses: Vec::new(),
        ..customer("Ida", "Moreau")
    };
    let update_operation = change(OperationKind::Update, update.clone());
    let update_id = update_operation.temporary_id.clone();
    backend.channel.stage(update_operation).await.unwrap();
    backend
        .channel
        .stage(change(
            OperationKind::AddAddress,
            CustomerDraft {
                addresses: vec![office()],
                ..CustomerDraft::default()
            },
        ))
        .await
        .unwrap();
    let order = order_to_the_office(backend, &temporary_id).await;
    assert!(order.delivery_address.contains("500 Elm St"), "{order:?}");

    run(backend, Job::Upload).await;
    let customers = run(backend, Job::SyncCustomers).await;
    assert_eq!(
        (customers.succeeded, customers.failed),
        (1, 1),
        "the create; the update, while the address waits for it"
    );
    let held = run(backend, Job::SyncOrders).await;
    assert_eq!((held.succeeded, held.failed), (0, 1));
    let reason = in_hq(backend, &order).await.reason.unwrap_or_default();
    assert!(
        reason.contains("Customer group 'GONE' does not exist"),
        "{reason}"
    );

    let reference = reference_data(&backend.channel, Origin::OnlineStore)
        .await
        .unwrap();
    let corrected = CustomerDraft {
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        ..update
    };
    let valid = custsync::domain::customer::validate_customer(&corrected, &reference, false).unwrap();
    assert!(
        backend
            .hq
            .save_operation_edit(
                &update_id,
                0,
                &valid,
                ChangedFields::ALL,
                ("Admin", "Customer group: GONE → 30")
            )
            .await
            .unwrap()
            == EditSaved::Saved
    );
    run(backend, Job::SyncCustomers).await;
    let orders = run(backend, Job::SyncOrders).await;
    assert_eq!((orders.succeeded, orders.failed), (1, 0));

    let accounts = accounts_from(backend, &temporary_id).await;
    assert_eq!(accounts.len(), 1);
    let created = in_hq(backend, &order).await;
    assert_eq!(created.status, OrderStatus::Created);
    assert_eq!(created.account.as_deref(), Some(accounts[0].as_str()));
    let record = backend.hq.customer_record(&accounts[0]).await.unwrap().unwrap();
    assert_eq!(record.customer.phone, "+1 713 555 0190");
    let streets: Vec<&str> = record
        .customer
        .addresses
        .iter()
        .map(|a| a.street.as_str())
        .collect();
    assert_eq!(streets, ["1200 Main St", "500 Elm St"]);
}

#[tokio::test]
async fn the_p_job_uploads_a_sale_no_earlier_than_the_address_added_before_it() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Kim", "Lund").await;
    let mut sold_after = Vec::new();
    let mut left_for_the_next_run = 0;
    // A cashier adds an address and sells at once, again and again, while
    // the P-job runs: some pairs come as it moves from operations to sales.
    for _ in 0..20 {
        let uploading = AtomicBool::new(true);
        let mut this_run = Vec::new();
        let cashier = async {
            while uploading.load(Ordering::Relaxed) {
                let address = CustomerDraft {
                    addresses: vec![office()],
                    ..CustomerDraft::default()
                };
                let staged = change_of_pending(&temporary_id, OperationKind::AddAddress, address);
                let address_id = staged.temporary_id.clone();
                backend.channel.stage(staged).await.unwrap();
                let sale = sell(backend, &temporary_id, &cash_and_carry(1)).await;
                this_run.push((address_id, sale.receipt_number));
            }
        };
        let p_job = async {
            run(backend, Job::Upload).await;
            uploading.store(false, Ordering::Relaxed);
        };
        tokio::join!(cashier, p_job);

        for (address_id, receipt) in &this_run {
            if backend.hq.sale_by_receipt(receipt).await.unwrap().is_none() {
                left_for_the_next_run += 1;
                continue;
            }
            let address = backend.hq.operation_history(address_id).await.unwrap();
            assert!(
                address.is_some(),
                "sale {receipt} is in HQ before the address added before it"
            );
        }
        sold_after.extend(this_run);
    }
    assert!(
        left_for_the_next_run > 0,
        "no sale was made while a run was under way"
    );

    run(backend, Job::Upload).await;
    for (_, receipt) in &sold_after {
        let in_hq = backend.hq.sale_by_receipt(receipt).await.unwrap();
        assert!(in_hq.is_some(), "sale {receipt} goes with the next run");
    }
}

/// Troubleshoot's answer for one receipt.
async fn where_is(backend: &Backend, receipt: &str) -> String {
    custsync::services::cdx::find_sale(&backend.channel, &backend.hq, receipt)
        .await
        .unwrap()
        .answer(receipt)
}

#[tokio::test]
async fn post_statements_syncs_pending_customers_first_and_refuses_a_transaction_whose_customer_failed() {
    let app = common::start().await;
    let backend = &app.backend;
    let good = add_pending_customer(backend, "Dora", "Lee").await;
    let failing = "00000000-0000-4000-8000-000000000043";
    add_failing_customer(backend, failing).await;
    let good_sale = sell(backend, &good, &cash_and_carry(1)).await;
    let held_sale = sell(backend, failing, &cash_and_carry(1)).await;
    let order = sell(
        backend,
        &good,
        &SaleDraft {
            kind: SaleKind::CustomerOrder,
            delivery_address: Some(0),
            ..cash_and_carry(1)
        },
    )
    .await;
    run(backend, Job::Upload).await;

    let posting = run(backend, Job::PostStatements).await;
    assert_eq!((posting.succeeded, posting.failed), (1, 1), "{posting:?}");
    assert_eq!(
        posting.outcome,
        RunOutcome::CompletedWithErrors.caption(),
        "{posting:?}"
    );
    assert_eq!(posting.message, None, "{posting:?}");
    assert_eq!(
        accounts_from(backend, &good).await.len(),
        1,
        "synced before posting"
    );
    assert_eq!(in_hq(backend, &good_sale).await.status, OrderStatus::Posted);
    assert_eq!(
        in_hq(backend, &held_sale).await.status,
        OrderStatus::WaitingForCustomer
    );
    assert_eq!(
        in_hq(backend, &order).await.status,
        OrderStatus::Uploaded,
        "a customer order is Synchronize orders' to create, not end of day's"
    );
    let history = backend.hq.operation_history(&good).await.unwrap().unwrap();
    assert!(
        history.attempts[0]
            .attempted_by
            .starts_with("Post statements run")
    );
}

#[tokio::test]
async fn the_same_sale_sent_twice_is_one_sale_and_another_sale_under_its_id_is_refused() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Eli", "Moss").await;
    let transaction_id = OperationId::random();
    let draft = cash_and_carry(2);
    let (first, second) = tokio::join!(
        make_sale(
            &backend.channel,
            HOUSTON_REGISTER_1,
            &transaction_id,
            &temporary_id,
            &draft
        ),
        make_sale(
            &backend.channel,
            HOUSTON_REGISTER_1,
            &transaction_id,
            &temporary_id,
            &draft
        ),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first, second, "both answers carry the same receipt");
    assert_eq!(backend.channel.count_sales_not_uploaded().await.unwrap(), 1);
    let other = make_sale(
        &backend.channel,
        HOUSTON_REGISTER_1,
        &transaction_id,
        &temporary_id,
        &cash_and_carry(5),
    )
    .await
    .unwrap_err();
    assert!(matches!(other, SaleError::TransactionIdReused), "{other:?}");
    assert_eq!(backend.channel.count_sales_not_uploaded().await.unwrap(), 1);

    // An upload run twice (its answer lost) stores the sale once.
    let sales = backend.channel.sales_not_uploaded_after(0, 10).await.unwrap();
    backend.hq.save_uploaded_sales(&sales, 1).await.unwrap();
    run(backend, Job::Upload).await;
    assert_eq!(backend.hq.sales_orders(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_sale_sent_again_after_its_prices_changed_is_answered_with_the_sale_first_saved() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Lea", "Odum").await;
    let transaction_id = OperationId::random();
    let draft = cash_and_carry(2);
    let sale = || {
        make_sale(
            &backend.channel,
            HOUSTON_REGISTER_1,
            &transaction_id,
            &temporary_id,
            &draft,
        )
    };
    let first = sale().await.unwrap();

    // Its answer lost, the sale is sent again after job 1070 brought new
    // prices and names.
    let mut products = backend.channel.products().await.unwrap();
    for product in &mut products {
        product.price_cents += 100;
        product.name.push_str(" (new)");
    }
    backend.channel.replace_products(&products).await.unwrap();
    let again = sale().await.expect("the same sale, answered alike");

    assert_eq!(again, first);
    assert_eq!(backend.channel.count_sales_not_uploaded().await.unwrap(), 1);
}

#[tokio::test]
async fn a_loyalty_card_is_refused_while_pending_and_issued_once_the_account_is_back() {
    let app = common::start().await;
    let backend = &app.backend;
    let temporary_id = add_pending_customer(backend, "Fay", "Ng").await;
    let refused = issue_loyalty_card(&backend.channel_side(), HOUSTON_REGISTER_1, &temporary_id)
        .await
        .unwrap_err();
    assert!(matches!(refused, SaleError::PendingCustomer));
    assert!(
        refused
            .to_string()
            .contains("can be issued once the customer has synced")
    );

    for job in [Job::Upload, Job::SyncCustomers, Job::Customers] {
        run(backend, job).await;
    }
    let card = issue_loyalty_card(&backend.channel_side(), HOUSTON_REGISTER_1, &temporary_id)
        .await
        .expect("issued");
    assert_eq!(card, "LC-00000001");
    let again = issue_loyalty_card(&backend.channel_side(), HOUSTON_REGISTER_1, &temporary_id)
        .await
        .unwrap();
    assert_eq!(again, card, "one card per customer");
    let account = accounts_from(backend, &temporary_id).await.remove(0);
    let listed = backend.hq.customer_list(None, 100).await.unwrap();
    let row = listed.iter().find(|row| row.account == account).unwrap();
    assert_eq!(row.loyalty_card.as_deref(), Some(card.as_str()));
}

/// Set by `killed_order_syncs_lose_nothing_and_create_nothing_twice` for
/// the child processes it kills: the data directory to run the jobs on.
const WORKER_DIR: &str = "CUSTSYNC_SALES_CRASH_WORKER_DIR";

fn crash_settings(dir: &str) -> Settings {
    Settings {
        data_dir: dir.into(),
        hq_latency_ms: 0,
        config_cache_ttl_seconds: 0,
        job_lease_seconds: 1,
        upload_batch_size: 13,
        sync_batch_size: 9,
        ..Settings::default()
    }
}

/// The child process of the crash test: runs the P-job, Synchronize
/// orders and the customer batch in a loop until it is killed.
#[tokio::test]
async fn sales_crash_worker() {
    let Ok(dir) = std::env::var(WORKER_DIR) else {
        return;
    };
    let backend = Backend::start(common::with_test_hq(crash_settings(&dir)).await)
        .await
        .unwrap();
    loop {
        for job in [Job::Upload, Job::SyncOrders, Job::SyncCustomers] {
            if let Err(error) = backend.jobs.run(job, "Run now").await {
                assert!(matches!(error, JobError::AlreadyRunning(_)), "{error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Whether a run of Synchronize orders newer than `after` has committed part of its work.
async fn orders_in_progress(hq: &HqDb, after: i64) -> bool {
    hq.job_runs(Job::SyncOrders.code(), 1)
        .await
        .unwrap()
        .pop()
        .is_some_and(|run| run.run_id > after && run.is_running() && run.rows_done > 0)
}

#[tokio::test]
async fn killed_order_syncs_lose_nothing_and_create_nothing_twice() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().to_str().unwrap().to_string();
    let customers = 300;
    let mut temporary_ids = Vec::new();
    {
        let backend = Backend::start(common::with_test_hq(crash_settings(&path)).await)
            .await
            .unwrap();
        for n in 0..customers {
            let temporary_id = add_pending_customer(&backend, "Crash", &format!("Sale{n}")).await;
            sell(&backend, &temporary_id, &cash_and_carry(1)).await;
            sell(&backend, &temporary_id, &cash_and_carry(2)).await;
            temporary_ids.push(temporary_id);
        }
        backend.close().await;
    }

    let test_binary = std::env::current_exe().unwrap();
    let hq = HqDb::open_at(&common::with_test_hq(crash_settings(&path)).await.hq_location())
        .await
        .unwrap();
    let mut interrupted_runs = 0;
    for delay_ms in [0, 4, 8, 12, 16, 20] {
        let before = hq
            .job_runs(Job::SyncOrders.code(), 1)
            .await
            .unwrap()
            .pop()
            .map_or(0, |run| run.run_id);
        let mut child = Command::new(&test_binary)
            .args([
                "sales_crash_worker",
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(WORKER_DIR, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..1_000 {
            if orders_in_progress(&hq, before).await {
                interrupted_runs += 1;
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert!(
        interrupted_runs >= 3,
        "the kills landed inside Synchronize orders ({interrupted_runs})"
    );

    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let backend = Backend::start(common::with_test_hq(crash_settings(&path)).await)
        .await
        .unwrap();
    for job in [Job::Upload, Job::SyncOrders, Job::SyncCustomers, Job::SyncOrders] {
        let run = backend.jobs.run(job, "Run now").await.unwrap();
        assert_eq!(run.failed, 0, "{run:?}");
    }
    assert_eq!(backend.channel.count_sales_not_uploaded().await.unwrap(), 0);
    let sales = backend.hq.sales_orders(10_000).await.unwrap();
    assert_eq!(sales.len(), 2 * customers, "each sale uploaded once");
    assert!(
        sales.iter().all(|sale| sale.status == OrderStatus::Invoiced),
        "every sale created"
    );
    assert_eq!(
        backend.hq.count_customers().await.unwrap(),
        12 + customers as i64,
        "each customer created exactly once"
    );
    for temporary_id in [&temporary_ids[0], &temporary_ids[150], &temporary_ids[299]] {
        let accounts = accounts_from(&backend, temporary_id).await;
        assert_eq!(accounts.len(), 1);
        let theirs = sales
            .iter()
            .filter(|sale| sale.account.as_deref() == Some(accounts[0].as_str()))
            .count();
        assert_eq!(theirs, 2, "both sales on the one account");
    }
}
