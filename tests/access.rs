//! Who may do what, through the real router: every server function called
//! as each demo user and as nobody, pages sent to Sign in, cross-site
//! requests refused, and sign-in itself.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::HashSet;
use std::sync::Arc;

use common::calls::{Db, USERS, calls, cookies, customer};
use common::http::{FORM, JSON, WebApp};
use custsync::api::channel_customers::{
    CreateCustomer, EditCustomer, FindChannelCustomer, MyProfileKey, PostCustomerEdit, PostNewAddress,
    PostNewCustomer,
};
use custsync::api::hq::customers::HqCustomers;
use custsync::api::hq::jobs::SetJobSchedule;
use custsync::api::hq::realtime_calls::SetHqUnreachable;
use custsync::api::hq::sync_status::{
    PostOperationSave, SaveOperation, SynchronizeAllFailed, SynchronizeOperations,
};
use custsync::api::hq::users::{ChangeUserAccess, SignOutEverywhere};
use custsync::api::pos::{IssueLoyaltyCard, PosRegisters, PostNewSale, SetRegisterOffline};
use custsync::api::sign_in::{CurrentUser, SignIn, SignOut};
use custsync::domain::access::Role;
use custsync::domain::customer::{AttributeDraft, ContactDraft, CreatedCustomer, CreatedHow, CustomerDraft};
use custsync::domain::jobs::Job;
use custsync::domain::operation::{OperationId, OperationStatus};
use custsync::domain::records::StagedOperation;
use custsync::domain::registers::Origin;
use custsync::domain::status_page::StatusView;
use custsync::services::access::passwords::password_matches;
use custsync::services::access::session_stores::{SessionStores, SessionTable};
use custsync::services::cdx;
use custsync::services::channel_customers::{create_customer, find_customer, reference_data};
use custsync::storage::hq_db::AccessChange;
use leptos::server_fn::ServerFn;
use serde_json::json;
use tower_sessions::Session;
use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore;

/// Stages a create at Seattle and uploads it, for the calls that act on an
/// operation in HQ; returns its temporary id.
async fn operation_in_hq(app: &WebApp) -> String {
    let backend = &app.test.backend;
    let origin = Origin::Register {
        channel_id: 2,
        register_number: 1,
    };
    let created = create_customer(
        &backend.channel_side(),
        origin,
        &OperationId::random(),
        &customer("Uma"),
    )
    .await
    .expect("created");
    backend.jobs.run(Job::Upload, "Run now").await.expect("uploaded");
    created.temporary_id().expect("staged").to_string()
}

#[tokio::test]
async fn every_server_function_refuses_the_wrong_roles_with_403_and_writes_nothing() {
    let app = WebApp::start().await;
    let operation_id = operation_in_hq(&app).await;
    let cookies = cookies(&app).await;
    let mut watch = app.write_watch().await;
    let calls = calls(&operation_id);
    // The refusals first: the allowed calls below start jobs that go on
    // writing in the background.
    for call in &calls {
        for (user, cookie) in USERS.iter().zip(&cookies) {
            if call.allowed.contains(user) {
                continue;
            }
            let before = watch.versions().await;
            let answer = app
                .post(call.path, call.content_type, call.body.clone(), cookie)
                .await;
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{} as {user:?}: {}",
                call.name,
                answer.body
            );
            assert!(
                answer.body.contains("\"Forbidden\""),
                "{} as {user:?}: {}",
                call.name,
                answer.body
            );
            assert_eq!(
                watch.versions().await,
                before,
                "{} as {user:?} wrote to a database",
                call.name
            );
        }
    }
    for call in &calls {
        for (user, cookie) in USERS.iter().zip(&cookies) {
            if !call.allowed.contains(user) {
                continue;
            }
            let before = watch.versions().await;
            let answer = app
                .post(call.path, call.content_type, call.body.clone(), cookie)
                .await;
            let after = watch.versions().await;
            assert!(
                answer.status.is_success(),
                "{} as {user:?} answered {}: {}",
                call.name,
                answer.status,
                answer.body
            );
            assert!(
                answer.body.contains(call.shows),
                "{} as {user:?} does not show {:?}: {}",
                call.name,
                call.shows,
                answer.body
            );
            for db in call.writes {
                let changed = match db {
                    Db::Hq => before.0 != after.0,
                    Db::Channel => before.1 != after.1,
                };
                assert!(changed, "{} as {user:?} did not write to {db:?}", call.name);
            }
        }
    }
}

#[test]
fn every_allowed_call_has_an_effect_to_show() {
    for call in calls("any") {
        assert!(
            call.allowed.is_empty() || !call.shows.is_empty() || !call.writes.is_empty(),
            "{} is allowed to someone but shows nothing",
            call.name
        );
    }
}

#[tokio::test]
async fn the_table_names_every_server_function() {
    let _app = WebApp::start().await;
    let listed: HashSet<&str> = calls("any").iter().map(|call| call.path).collect();
    let open_to_all = [SignIn::PATH, SignOut::PATH, CurrentUser::PATH];
    let registered: HashSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| !open_to_all.contains(path))
        .collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "not in the table of calls by role: {missing:?}"
    );
    assert_eq!(listed, registered, "the table names only real server functions");
}

#[tokio::test]
async fn a_refusal_says_why() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let shopper = app.sign_in("shopper").await;
    let as_nobody = app.post(HqCustomers::PATH, FORM, "", "").await;
    assert!(
        as_nobody
            .body
            .contains("You are not signed in, or your session has ended: sign in as an admin"),
        "{}",
        as_nobody.body
    );
    let other_store = app
        .post(
            SetRegisterOffline::PATH,
            FORM,
            "register=2-1&offline=true",
            &houston,
        )
        .await;
    assert!(
        other_store.body.contains("use the registers of your own store"),
        "{}",
        other_store.body
    );
    let other_profile = app
        .post(FindChannelCustomer::PATH, FORM, "key=C000001", &shopper)
        .await;
    assert!(
        other_profile
            .body
            .contains("only see and change your own profile"),
        "{}",
        other_profile.body
    );
}

#[tokio::test]
async fn a_cashier_sees_the_registers_of_their_own_store_only() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let answer = app.post(PosRegisters::PATH, FORM, "", &houston).await;
    let registers: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    let channels: Vec<i64> = registers
        .as_array()
        .expect("a list")
        .iter()
        .map(|register| register["channel_id"].as_i64().expect("a channel"))
        .collect();
    assert_eq!(channels, [1, 1], "Houston's two registers");
}

/// A sign-up of the shopper of `cookie` as `draft`, under `operation_id`.
async fn post_sign_up(
    app: &WebApp,
    cookie: &str,
    operation_id: &OperationId,
    draft: &CustomerDraft,
) -> common::http::Answer {
    let body = json!({"register": null, "operation_id": operation_id, "draft": draft}).to_string();
    app.post(CreateCustomer::PATH, JSON, body, cookie).await
}

/// Signs the shopper of `cookie` up as `first`, on the online store.
async fn sign_up(app: &WebApp, cookie: &str, first: &str) -> common::http::Answer {
    let created = post_sign_up(app, cookie, &OperationId::random(), &customer(first)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    created
}

/// The profile My profile opens for the shopper of `cookie`.
async fn profile_key(app: &WebApp, cookie: &str) -> Option<String> {
    let profile = app.post(MyProfileKey::PATH, FORM, "", cookie).await;
    serde_json::from_str(&profile.body).expect("JSON")
}

#[tokio::test]
async fn a_shopper_who_signs_up_gets_that_profile() {
    let app = WebApp::start().await;
    let shopper = app.sign_in("shopper").await;
    let created = sign_up(&app, &shopper, "Nadia").await;
    let key = profile_key(&app, &shopper).await.expect("a profile");
    assert!(
        created.body.contains(&key),
        "the new customer {key} is the profile: {}",
        created.body
    );
    let own = app
        .post(FindChannelCustomer::PATH, FORM, format!("key={key}"), &shopper)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let before = app
        .post(FindChannelCustomer::PATH, FORM, "key=C000004", &shopper)
        .await;
    assert_eq!(
        before.status,
        StatusCode::FORBIDDEN,
        "the old profile is no longer theirs"
    );
}

/// The cashier `seattle` made a shopper with no profile yet, by an admin.
async fn seattle_made_a_shopper(hq: &custsync::storage::hq_db::HqDb) {
    let changed = hq
        .change_user_access("seattle", Role::Shopper, None, "admin", None)
        .await;
    assert!(matches!(changed, Ok(AccessChange::Changed)), "{changed:?}");
}

#[tokio::test]
async fn a_shopper_whose_profile_hq_cannot_read_now_is_told_so_not_to_sign_up() {
    let app = WebApp::start().await;
    let hq = &app.test.backend.hq;
    seattle_made_a_shopper(hq).await;
    let shopper = app.sign_in("seattle").await;
    hq.close().await;

    let profile = app.post(MyProfileKey::PATH, FORM, "", &shopper).await;
    assert_eq!(
        profile.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "not an answer of no profile: {}",
        profile.body
    );
    assert!(
        profile.body.contains("cannot be read from HQ now"),
        "{}",
        profile.body
    );
    let created = sign_up(&app, &shopper, "Ida").await;
    assert!(
        created.body.contains("Ida Access"),
        "signing up goes on working: {}",
        created.body
    );
}

#[tokio::test]
async fn a_shoppers_sign_up_makes_only_what_the_sign_up_form_offers() {
    let app = WebApp::start().await;
    let shopper = app.sign_in("shopper").await;
    let id = OperationId::random();
    let draft = CustomerDraft {
        customer_group: "20".into(),
        contacts: vec![ContactDraft {
            kind: "Email".into(),
            value: "work@example.com".into(),
            primary: false,
        }],
        affiliations: vec!["Employee".into()],
        ..customer("Vera")
    };
    let body = json!({"register": null, "operation_id": id, "draft": draft}).to_string();
    let created = app.post(CreateCustomer::PATH, JSON, body, &shopper).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    let staged = app
        .test
        .backend
        .channel
        .staged_operation(id.as_str())
        .await
        .unwrap()
        .expect("the sign-up is staged");
    assert_eq!(staged.customer.first_name, "Vera");
    assert_eq!(staged.customer.addresses.len(), 1);
    assert_eq!(
        (
            staged.customer.customer_group.as_str(),
            staged.customer.affiliations.len(),
            staged.customer.contacts.len()
        ),
        ("40", 0, 0),
        "the online store's group, and no Employee affiliation or contact a shopper gave itself"
    );
}

/// A shopper who is not the one who signed up sends that sign-up again,
/// as its id and values can be read off the other's profile.
#[tokio::test]
async fn a_shopper_cannot_take_another_shoppers_profile_by_sending_their_sign_up_again() {
    let app = WebApp::start().await;
    let hq = &app.test.backend.hq;
    seattle_made_a_shopper(hq).await;
    let shopper = app.sign_in("shopper").await;
    let other = app.sign_in("seattle").await;
    let body = json!({"register": null, "operation_id": OperationId::random(), "draft": customer("Pia")})
        .to_string();
    let created = app.post(CreateCustomer::PATH, JSON, body.clone(), &shopper).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let key = profile_key(&app, &shopper).await.expect("a profile");

    let again = app.post(CreateCustomer::PATH, JSON, body.clone(), &other).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(profile_key(&app, &other).await, None, "no profile taken");
    let theirs = app
        .post(FindChannelCustomer::PATH, FORM, format!("key={key}"), &other)
        .await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);

    let resent = app.post(CreateCustomer::PATH, JSON, body, &shopper).await;
    assert_eq!(
        (resent.status, resent.body),
        (StatusCode::OK, created.body),
        "the shopper's own resend is answered alike"
    );
}

/// HQ requires unique emails (the default). A sign-up whose email a
/// customer, or a create waiting for the P-job or the sync, has would be
/// refused by the batch, and the shopper's profile would wait for an admin
/// on a page the shopper cannot see: it is refused beside the Email field.
#[tokio::test]
async fn a_sign_up_with_an_email_in_use_is_refused_beside_the_email_field_and_stages_nothing() {
    let app = WebApp::start().await;
    let backend = &app.test.backend;
    let shopper = app.sign_in("shopper").await;
    let first_id = OperationId::random();
    let first = post_sign_up(&app, &shopper, &first_id, &customer("Pia")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let profile = profile_key(&app, &shopper).await;

    let refused_while = |when: &'static str| {
        let app = &app;
        let shopper = &shopper;
        async move {
            let again = post_sign_up(app, shopper, &OperationId::random(), &customer("Pia")).await;
            assert_eq!(
                again.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{when}: {}",
                again.body
            );
            assert!(
                again.body.contains("email")
                    && again.body.contains("Another customer already has this email"),
                "{when}: beside the Email field: {}",
                again.body
            );
        }
    };
    refused_while("waiting for the P-job").await;
    backend.jobs.run(Job::Upload, "Run now").await.expect("uploaded");
    refused_while("waiting for the sync").await;
    backend
        .jobs
        .run(Job::SyncCustomers, "Run now")
        .await
        .expect("synced");
    refused_while("the account made").await;

    let resent = post_sign_up(&app, &shopper, &first_id, &customer("Pia")).await;
    assert_eq!(
        (resent.status, resent.body),
        (StatusCode::OK, first.body),
        "the first sign-up sent again is answered alike"
    );
    assert_eq!(profile_key(&app, &shopper).await, profile, "the profile stays");
    let creates = backend
        .channel
        .not_uploaded(100)
        .await
        .expect("the staging table");
    assert!(creates.is_empty(), "no second create staged: {creates:?}");

    let karens = CustomerDraft {
        email: " Karen.Berg@contoso.com".into(),
        ..customer("Karen")
    };
    let taken = post_sign_up(&app, &shopper, &OperationId::random(), &karens).await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a POS customer's email: {}",
        taken.body
    );
}

/// While HQ cannot be reached, a sign-up's email cannot be checked: the
/// sign-up is staged, and HQ's batch checks it.
#[tokio::test]
async fn a_sign_up_whose_email_hq_cannot_check_now_is_staged() {
    let app = WebApp::start().await;
    let shopper = app.sign_in("shopper").await;
    app.test
        .backend
        .hq
        .set_realtime_unreachable(true)
        .await
        .expect("marked unreachable");
    let karens = CustomerDraft {
        email: "karen.berg@contoso.com".into(),
        ..customer("Karen")
    };
    let created = post_sign_up(&app, &shopper, &OperationId::random(), &karens).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
}

/// Runs the P-job, then the sync, as an admin's Run now does.
async fn upload_and_sync(backend: &custsync::services::backend::Backend) {
    backend.jobs.run(Job::Upload, "Run now").await.expect("uploaded");
    backend
        .jobs
        .run(Job::SyncCustomers, "Run now")
        .await
        .expect("synced");
}

/// Sets the online store's "Create customer in async mode" and carries it
/// to the store, as job 1070 does.
async fn online_store_async(backend: &custsync::services::backend::Backend, on: bool) {
    backend
        .hq
        .set_async_customer_mode(3, on, "test")
        .await
        .expect("the online store's profile");
    backend
        .jobs
        .run(Job::ChannelConfiguration, "Run now")
        .await
        .expect("1070");
}

/// A sign-up HQ made in real time, whose answer was lost, sent again after
/// the online store switched to asynchronous mode: the email is its own
/// customer's, so it is not refused as taken, and it is answered with the
/// account HQ made, which becomes the shopper's profile; nothing is staged,
/// so no second customer. Before, it was refused as "email taken", and later
/// answered with a temporary id the shopper's profile kept until the sync.
#[tokio::test]
async fn a_real_time_sign_up_sent_again_in_asynchronous_mode_is_answered_with_its_account() {
    let app = WebApp::start().await;
    let backend = &app.test.backend;
    let shopper = app.sign_in("shopper").await;
    online_store_async(backend, false).await;
    let id = OperationId::random();
    let made = post_sign_up(&app, &shopper, &id, &customer("Pia")).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let customers_before = backend.hq.count_customers().await.expect("HQ");

    let made: CreatedCustomer = serde_json::from_str(&made.body).expect("JSON");
    assert!(matches!(made.how, CreatedHow::InHq { .. }), "{made:?}");

    online_store_async(backend, true).await;
    let resent = post_sign_up(&app, &shopper, &id, &customer("Pia")).await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    let resent: CreatedCustomer = serde_json::from_str(&resent.body).expect("JSON");
    assert_eq!(resent, made, "the answer the first request lost");
    assert_eq!(profile_key(&app, &shopper).await, Some(made.key()));
    let staged = backend
        .channel
        .staged_operation(id.as_str())
        .await
        .expect("channel");
    assert_eq!(staged, None, "nothing staged for a customer HQ has");
    upload_and_sync(backend).await;
    assert_eq!(
        backend.hq.count_customers().await.expect("HQ"),
        customers_before,
        "no second customer"
    );
}

#[tokio::test]
async fn a_shopper_who_signs_up_on_one_device_has_that_profile_on_the_others() {
    let app = WebApp::start().await;
    let hq = &app.test.backend.hq;
    // A shopper with no profile yet, signed in on a phone and a laptop.
    seattle_made_a_shopper(hq).await;
    let phone = app.sign_in("seattle").await;
    let laptop = app.sign_in("seattle").await;
    let created = sign_up(&app, &phone, "Pia").await;

    let key = profile_key(&app, &laptop)
        .await
        .expect("the profile made on the phone");
    assert!(created.body.contains(&key), "{key}: {}", created.body);
    let own = app
        .post(FindChannelCustomer::PATH, FORM, format!("key={key}"), &laptop)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
}

/// Sign in names the page it will open, but not a link to another site,
/// which it never opens: "Sign in to open https://evil.example.com/" would
/// lend that site the app's voice.
#[tokio::test]
async fn sign_in_names_the_page_it_opens_but_never_another_site() {
    let app = WebApp::start().await;
    let local = app.get("/sign-in?next=%2Fhq%2Fbatch-jobs", "").await;
    assert!(
        local
            .body
            .contains("Sign in as an admin to open <code>/hq/batch-jobs<!></code>"),
        "{}",
        local.body
    );
    for elsewhere in ["https%3A%2F%2Fevil.example.com%2F", "%2F%2Fevil.example.com"] {
        let page = app.get(&format!("/sign-in?next={elsewhere}"), "").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("Sign in to open"), "{}", page.body);
        assert!(
            page.body.contains(r#"class="sign-in""#),
            "the form is there: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn pages_a_user_may_not_see_send_them_to_sign_in() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let admin = app.sign_in("admin").await;
    let cases = [
        ("/hq/batch-jobs", "", "/sign-in?next=/hq/batch-jobs"),
        (
            "/hq/customer-synchronization-status?status=Failed",
            &houston,
            "/sign-in?next=/hq/customer-synchronization-status%3Fstatus%3DFailed",
        ),
        (
            "/hq/customer-synchronization-status.csv",
            &houston,
            "/sign-in?next=/hq/customer-synchronization-status.csv",
        ),
        ("/pos?register=1-1", &admin, "/sign-in?next=/pos%3Fregister%3D1-1"),
        (
            "/ecommerce/my-profile",
            &houston,
            "/sign-in?next=/ecommerce/my-profile",
        ),
    ];
    for (path, cookie, sign_in) in cases {
        let answer = app.get(path, cookie).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.location.as_deref(), Some(sign_in), "{path}");
    }
    let head = app
        .send(
            Request::head("/hq/customer-synchronization-status.csv?q=karen")
                .body(Body::empty())
                .expect("a request"),
        )
        .await;
    assert_eq!(head.status, StatusCode::SEE_OTHER, "a HEAD is guarded as a GET");
    for (path, cookie) in [
        ("/hq/customer-synchronization-status.csv", &admin),
        ("/hq/batch-jobs", &admin),
        ("/pos?register=1-1", &houston),
        ("/sign-in", &String::new()),
        ("/", &String::new()),
    ] {
        let answer = app.get(path, cookie).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    }
}

#[tokio::test]
async fn requests_from_another_site_are_refused_and_change_nothing() {
    let app = WebApp::start().await;
    let admin = app.sign_in("admin").await;
    let mut watch = app.write_watch().await;
    let request = |origin: &str| {
        Request::post(SetHqUnreachable::PATH)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, FORM)
            .header(header::COOKIE, &admin)
            .body(Body::from("unreachable=true"))
            .expect("a request")
    };
    let before = watch.versions().await;
    let refused = app.send(request("http://evil.example")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body, "Requests from other sites are refused.");
    assert_eq!(watch.versions().await, before);
    let accepted = app.send(request("http://127.0.0.1:3000")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert!(app.test.backend.hq.realtime_unreachable().await.expect("read"));
}

#[tokio::test]
async fn sign_in_refuses_wrong_passwords_alike_and_starts_a_fresh_session() {
    let app = WebApp::start().await;
    for body in [
        "user_name=admin&password=wrong",
        "user_name=nobody&password=custsync",
    ] {
        let answer = app.post(SignIn::PATH, FORM, body, "").await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            answer
                .body
                .contains("The user name or the password is not right."),
            "{}",
            answer.body
        );
        assert_eq!(answer.session_cookie, None, "{body}");
    }
    let empty = app.post(SignIn::PATH, FORM, "user_name=&password=", "").await;
    assert!(empty.body.contains("Enter your user name.") && empty.body.contains("Enter your password."));
    let too_long = app
        .post(
            SignIn::PATH,
            FORM,
            format!("user_name={}&password=x", "a".repeat(65)),
            "",
        )
        .await;
    assert!(
        too_long.body.contains("at most 64 characters"),
        "{}",
        too_long.body
    );

    // A session id planted in the browser before sign-in (here, a real one)
    // is worth nothing afterwards.
    let planted = app.sign_in("shopper").await;
    let signed_in = app
        .post(SignIn::PATH, FORM, "user_name=admin&password=custsync", &planted)
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let header = signed_in.set_cookie.expect("a session cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    let cookie = signed_in.session_cookie.expect("a session cookie");
    assert_ne!(cookie, planted, "sign-in starts a new session id");
    let with_planted = app.post(HqCustomers::PATH, FORM, "", &planted).await;
    assert_eq!(
        with_planted.status,
        StatusCode::FORBIDDEN,
        "the planted id is not the admin's"
    );
    let me = app.post(CurrentUser::PATH, FORM, "", &cookie).await;
    assert!(me.body.contains("Alicia Thomber"), "{}", me.body);

    assert_eq!(
        app.post(SignOut::PATH, FORM, "", &cookie).await.status,
        StatusCode::OK
    );
    let after = app.post(HqCustomers::PATH, FORM, "", &cookie).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN, "signed out");
}

#[tokio::test]
async fn sign_in_and_sign_out_work_before_the_page_has_hydrated() {
    let app = WebApp::start().await;
    let from = "/sign-in?next=%2Fpos";

    let refused = app
        .post_form_from_page(
            SignIn::PATH,
            from,
            "user_name=houston&password=wrong&next=%2Fpos",
            "",
        )
        .await;
    assert_eq!(refused.status, StatusCode::FOUND, "{}", refused.body);
    let back = refused.location.expect("back to the page");
    let back = back.strip_prefix("http://127.0.0.1").expect("the same site");
    assert!(back.starts_with(from) && back.contains("__err="), "{back}");
    let page = app.get(back, "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("The user name or the password is not right."),
        "the page shows why: {}",
        page.body
    );

    let signed_in = app
        .post_form_from_page(
            SignIn::PATH,
            back,
            "user_name=houston&password=custsync&next=%2Fpos",
            "",
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::FOUND, "{}", signed_in.body);
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/pos"),
        "on to the page asked for"
    );
    let cookie = signed_in.session_cookie.expect("a session cookie");
    assert_eq!(app.get("/pos", &cookie).await.status, StatusCode::OK);

    let signed_out = app.post_form_from_page(SignOut::PATH, "/pos", "", &cookie).await;
    assert_eq!(signed_out.status, StatusCode::FOUND, "{}", signed_out.body);
    assert_eq!(signed_out.location.as_deref(), Some("/sign-in"));
    let me = app.post(CurrentUser::PATH, FORM, "", &cookie).await;
    assert_eq!(me.body, "null", "signed out");
}

/// Every form that changes something can be posted by the browser itself:
/// a refusal comes back to the page, which says why; a change that is made
/// lands on the page again.
#[tokio::test]
async fn a_form_posted_without_javascript_comes_back_to_its_page_with_the_reason_or_the_change() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("admin").await;
    let from = "/hq/batch-jobs";

    let refused = app
        .post_form_from_page(SetJobSchedule::PATH, from, "job=SYNCCUST&minutes=-5", &cookie)
        .await;
    assert_eq!(refused.status, StatusCode::FOUND, "{}", refused.body);
    let back = refused.location.expect("back to the page");
    let back = back.strip_prefix("http://127.0.0.1").expect("the same site");
    assert!(back.starts_with(from) && back.contains("__err="), "{back}");
    let page = app.get(back, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Enter a whole number of minutes from 0 (not scheduled) to"),
        "the page shows why: {}",
        page.body
    );

    let saved = app
        .post_form_from_page(SetJobSchedule::PATH, from, "job=SYNCCUST&minutes=15", &cookie)
        .await;
    assert_eq!(saved.status, StatusCode::FOUND, "{}", saved.body);
    let back = saved.location.expect("back to the page");
    assert!(
        back.starts_with("http://127.0.0.1/hq/batch-jobs") && !back.contains("__err"),
        "{back}"
    );
    let page = app.get(from, &cookie).await;
    assert!(page.body.contains("Runs every 15 minutes."), "{}", page.body);
}

/// A customer key is found whatever whitespace surrounds it, and the page a
/// browser's own form post goes back to names it percent-encoded: a line
/// break in it once made the redirect's header panic, after the card was
/// issued, and the cashier got no answer at all.
#[tokio::test]
async fn a_form_post_whose_key_ends_in_a_line_break_goes_back_to_the_customer() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("houston").await;
    let from = "/pos/customers/C000001?register=1-1";

    let issued = app
        .post_form_from_page(
            IssueLoyaltyCard::PATH,
            from,
            "register=1-1&key=C000001%0A",
            &cookie,
        )
        .await;
    assert_eq!(issued.status, StatusCode::FOUND, "{}", issued.body);
    let back = issued.location.expect("back to the customer");
    assert!(back.ends_with("/pos/customers/C000001%0A?register=1-1"), "{back}");
    let page = app
        .get(back.trim_start_matches("http://127.0.0.1"), &cookie)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("LC-"),
        "the page shows the card: {}",
        page.body
    );
}

/// The same operation ticked twice (two tabs' selections, a form posted
/// with a box repeated) is synchronized once, and the answer counts it once.
#[tokio::test]
async fn synchronize_counts_an_operation_named_twice_once() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("admin").await;
    two_failed_operations(&app).await;
    let (id, retries) = retries_of_failed(&app).await.remove(0);

    let answer = app
        .post(
            SynchronizeOperations::PATH,
            FORM,
            format!("operation_ids%5B%5D={id}&operation_ids%5B%5D={id}"),
            &cookie,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("Synchronized 1 operation: 0 synced, 1 failed.")
            && !answer.body.contains("skipped"),
        "{}",
        answer.body
    );
    let after = retries_of_failed(&app).await;
    assert!(after.contains(&(id, retries + 1)), "tried once: {after:?}");
}

/// A path with `.` or `..` segments opens the page they resolve to, so it
/// is guarded as that page: `/./hq/batch-jobs` once rendered the Batch jobs
/// page for anyone (behind a 404 status).
#[tokio::test]
async fn a_page_named_with_dot_segments_is_guarded_as_the_page_it_opens() {
    let app = WebApp::start().await;
    let cashier = app.sign_in("houston").await;
    for (path, cookie) in [
        ("/./hq/batch-jobs", ""),
        ("/pos/../hq/batch-jobs", cashier.as_str()),
        ("/%2e/hq/batch-jobs", ""),
    ] {
        let page = app.get(path, cookie).await;
        assert!(
            page.status.is_redirection()
                && page.location.as_deref().is_some_and(|to| to.contains("/sign-in")),
            "{path}: {} {:?}",
            page.status,
            page.location
        );
        assert!(!page.body.contains("Batch jobs"), "{path}: {}", page.body);
    }
}

/// Two creates HQ refuses (their email is Karen Berg's), uploaded and
/// synced: two Failed operations on the status page.
async fn two_failed_operations(app: &WebApp) {
    let backend = &app.test.backend;
    let origin = Origin::Register {
        channel_id: 1,
        register_number: 1,
    };
    for first in ["Dora", "Dan"] {
        let mut draft = customer(first);
        draft.email = "karen.berg@contoso.com".to_string();
        draft.affiliations = vec!["Student".to_string()];
        draft.contacts = vec![ContactDraft {
            kind: "Phone".to_string(),
            value: "713 555 0100".to_string(),
            primary: true,
        }];
        draft.attributes = vec![AttributeDraft {
            name: "Preferred store".to_string(),
            value: "Houston".to_string(),
        }];
        create_customer(&backend.channel_side(), origin, &OperationId::random(), &draft)
            .await
            .expect("staged");
    }
    upload_and_sync(backend).await;
}

/// The retries of each failed operation, by operation id.
async fn retries_of_failed(app: &WebApp) -> Vec<(String, i64)> {
    let backend = &app.test.backend;
    let view = StatusView {
        status: Some(OperationStatus::Failed),
        ..StatusView::default()
    };
    let page = cdx::status_page(&backend.channel, &backend.hq, &view, 50)
        .await
        .expect("the status page");
    let mut retries: Vec<(String, i64)> = page
        .rows
        .into_iter()
        .map(|row| (row.operation_id, row.retries))
        .collect();
    retries.sort();
    retries
}

/// The values of the page's inputs named `name`, in page order.
fn input_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .filter_map(|(at, _)| {
            let value = &html[at + marker.len()..];
            value.split('"').next().map(str::to_string)
        })
        .collect()
}

/// Without JavaScript, the list's boxes belong to the Synchronize form, and
/// "Synchronize all failed" opens the page with its confirmation, whose
/// form carries the view's filters: what the browser posts from the HTML
/// synchronizes what the admin chose, and comes back to the list. An
/// operation's own page synchronizes it the same way.
#[tokio::test]
async fn the_status_page_synchronizes_without_javascript() {
    let app = WebApp::start().await;
    two_failed_operations(&app).await;
    let before = retries_of_failed(&app).await;
    assert_eq!(before.len(), 2, "{before:?}");
    let cookie = app.sign_in("admin").await;
    let list = "/hq/customer-synchronization-status?status=failed";

    let page = app.get(list, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"id="synchronize-selected""#),
        "{}",
        page.body
    );
    let boxes = input_values(&page.body, "operation_ids[]");
    assert_eq!(boxes.len(), 2, "a box per failed operation: {boxes:?}");
    let chosen = &boxes[0];
    let posted = app
        .post_form_from_page(
            SynchronizeOperations::PATH,
            list,
            &format!("operation_ids%5B%5D={chosen}"),
            &cookie,
        )
        .await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", posted.body);
    let back = posted.location.expect("back to the list");
    assert_eq!(back, format!("http://127.0.0.1{list}"));
    let after_one = retries_of_failed(&app).await;
    for ((id, retries), (_, retries_before)) in after_one.iter().zip(&before) {
        let expected = retries_before + i64::from(id == chosen);
        assert_eq!(*retries, expected, "{id}: only the chosen one is tried again");
    }

    let confirming = format!("{list}&confirm=all-failed");
    let page = app.get(&confirming, &cookie).await;
    assert!(
        page.body
            .contains("Synchronize all 2 failed operations in this view?"),
        "{}",
        page.body
    );
    assert_eq!(input_values(&page.body, "filters[status]"), ["failed"]);
    let posted = app
        .post_form_from_page(
            SynchronizeAllFailed::PATH,
            &confirming,
            "filters%5Bstatus%5D=failed",
            &cookie,
        )
        .await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", posted.body);
    let back = posted.location.expect("back to the list");
    assert!(back.ends_with(list), "to the list, not the confirmation: {back}");
    let after_all = retries_of_failed(&app).await;
    for ((id, retries), (_, retries_before)) in after_all.iter().zip(&after_one) {
        assert_eq!(*retries, retries_before + 1, "{id} is tried again");
    }

    let detail = format!("/hq/customer-synchronization-status/{chosen}");
    let page = app.get(&detail, &cookie).await;
    assert_eq!(input_values(&page.body, "operation_ids[]"), [chosen.as_str()]);
    let posted = app
        .post_form_from_page(
            SynchronizeOperations::PATH,
            &detail,
            &format!("operation_ids%5B%5D={chosen}"),
            &cookie,
        )
        .await;
    assert_eq!(posted.status, StatusCode::FOUND, "{}", posted.body);
    let back = posted.location.expect("back to the operation");
    assert_eq!(back.trim_end_matches('?'), format!("http://127.0.0.1{detail}"));
    let after_detail = retries_of_failed(&app).await;
    for ((id, retries), (_, retries_before)) in after_detail.iter().zip(&after_all) {
        let expected = retries_before + i64::from(id == chosen);
        assert_eq!(
            *retries, expected,
            "{id}: the operation of the page is tried again"
        );
    }
}

/// Form fields as a browser encodes them: `draft[first_name]` is sent as
/// `draft%5Bfirst_name%5D`.
fn form_fields(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            let encode = |text: &str| {
                text.replace('%', "%25")
                    .replace('[', "%5B")
                    .replace(']', "%5D")
                    .replace('@', "%40")
                    .replace(' ', "+")
            };
            format!("{}={}", encode(name), encode(value))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Without JavaScript, Add customer opens the POS with its form, which
/// posts itself with the operation id the server wrote into it: the
/// customer is staged once however often the form is sent, the cashier
/// lands on the customer's page, and a refusal comes back to the form. A
/// shopper's sign-up lands on their profile.
#[tokio::test]
async fn a_sale_and_a_loyalty_card_are_made_without_javascript() {
    let app = WebApp::start().await;
    let backend = &app.test.backend;
    let cookie = app.sign_in("houston").await;
    let form_page = "/pos/customers/C000001?register=1-1&change=sale";
    let page = app.get(form_page, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let action = format!(r#"method="post" action="{}""#, PostNewSale::PATH);
    assert!(
        page.body.contains(&action),
        "the form posts itself: {}",
        page.body
    );
    assert!(page.body.contains(r#"name="sale[quantity][]""#), "{}", page.body);
    assert_eq!(input_values(&page.body, "sale[item][]")[0], "0001");
    let ids = input_values(&page.body, "transaction_id");
    assert_eq!(ids.len(), 1, "{ids:?}");
    let sale = |quantity: &str| {
        form_fields(&[
            ("register", "1-1"),
            ("key", "C000001"),
            ("transaction_id", &ids[0]),
            ("sale[kind]", "CashAndCarry"),
            ("sale[item][]", "0001"),
            ("sale[quantity][]", quantity),
            ("sale[item][]", "0002"),
            ("sale[quantity][]", ""),
            ("sale[delivery_address]", ""),
        ])
    };

    let refused = app
        .post_form_from_page(PostNewSale::PATH, form_page, &sale("two"), &cookie)
        .await;
    assert_eq!(refused.status, StatusCode::FOUND, "{}", refused.body);
    let back = refused.location.expect("back to the form");
    assert!(back.contains("__err="), "{back}");
    assert_eq!(backend.channel.count_sales_not_uploaded().await.unwrap(), 0);

    let mut landings = Vec::new();
    for _ in 0..2 {
        let saved = app
            .post_form_from_page(PostNewSale::PATH, form_page, &sale("2"), &cookie)
            .await;
        assert_eq!(saved.status, StatusCode::FOUND, "{}", saved.body);
        landings.push(saved.location.expect("the customer's page"));
    }
    assert_eq!(
        backend.channel.count_sales_not_uploaded().await.unwrap(),
        1,
        "posted twice, one sale: {landings:?}"
    );
    let landing = "/pos/customers/C000001?register=1-1&sale=0001-01-000001";
    assert_eq!(landings, [landing, landing]);
    let customer_page = app.get(landing, &cookie).await;
    assert!(
        customer_page
            .body
            .contains("Sale saved: receipt 0001-01-000001, cash and carry, total 37.00."),
        "{}",
        customer_page.body
    );

    let card_page = "/pos/customers/C000001?register=1-1";
    let issued = app
        .post_form_from_page(
            IssueLoyaltyCard::PATH,
            card_page,
            &form_fields(&[("register", "1-1"), ("key", "C000001")]),
            &cookie,
        )
        .await;
    assert_eq!(issued.status, StatusCode::FOUND, "{}", issued.body);
    assert_eq!(issued.location.as_deref(), Some(card_page));
    let page = app.get(card_page, &cookie).await;
    assert!(page.body.contains("LC-00000001"), "{}", page.body);
}

#[tokio::test]
async fn a_new_customer_is_saved_without_javascript() {
    let app = WebApp::start().await;
    let backend = &app.test.backend;
    let cookie = app.sign_in("houston").await;
    let form_page = "/pos?register=1-1&add=customer";
    let page = app.get(form_page, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let action = format!(r#"method="post" action="{}""#, PostNewCustomer::PATH);
    assert!(
        page.body.contains(&action),
        "the form posts itself: {}",
        page.body
    );
    for field in ["draft[first_name]", "draft[last_name]", "draft[customer_group]"] {
        assert!(page.body.contains(&format!(r#"name="{field}""#)), "{field}");
    }
    let ids = input_values(&page.body, "operation_id");
    assert_eq!(ids.len(), 1, "{ids:?}");
    let group = reference_data(
        &backend.channel,
        Origin::Register {
            channel_id: 1,
            register_number: 1,
        },
    )
    .await
    .expect("the reference data")
    .blank_customer()
    .customer_group;
    let customer = |last_name: &'static str| {
        form_fields(&[
            ("register", "1-1"),
            ("operation_id", &ids[0]),
            ("draft[party_type]", "Person"),
            ("draft[first_name]", "Nora"),
            ("draft[last_name]", last_name),
            ("draft[email]", "nora.plain@example.com"),
            ("draft[customer_group]", &group),
            ("draft[language]", "en-us"),
            ("draft[currency]", "USD"),
            ("draft[affiliations][]", "Student"),
        ])
    };

    let refused = app
        .post_form_from_page(PostNewCustomer::PATH, form_page, &customer(""), &cookie)
        .await;
    assert_eq!(refused.status, StatusCode::FOUND, "{}", refused.body);
    let back = refused.location.expect("back to the form");
    assert!(back.contains(form_page) && back.contains("__err="), "{back}");
    assert!(backend.channel.not_uploaded(10).await.expect("staged").is_empty());
    let form_again = app.get(&back, &cookie).await;
    assert_kept_with_message(&form_again.body, "first_name", "Nora", "last_name");
    let student = input_tag(&form_again.body, "affiliation-student");
    assert!(
        student.contains(" checked"),
        "the box ticked stays ticked: {student}"
    );

    let mut landings = Vec::new();
    for _ in 0..2 {
        let saved = app
            .post_form_from_page(PostNewCustomer::PATH, form_page, &customer("Plain"), &cookie)
            .await;
        assert_eq!(saved.status, StatusCode::FOUND, "{}", saved.body);
        landings.push(saved.location.expect("the customer's page"));
    }
    let staged = backend.channel.not_uploaded(10).await.expect("staged");
    assert_eq!(staged.len(), 1, "sent twice, staged once");
    assert_eq!(staged[0].customer.last_name, "Plain");
    assert_eq!(staged[0].customer.affiliations, ["Student"]);
    let landing = format!("/pos/customers/{}?register=1-1", staged[0].temporary_id);
    assert_eq!(landings, [landing.clone(), landing.clone()]);
    let customer_page = app.get(&landing, &cookie).await;
    assert!(
        customer_page.body.contains("Nora Plain"),
        "{}",
        customer_page.body
    );

    let cookie = app.sign_in("shopper").await;
    let page = app.get("/ecommerce/sign-up", &cookie).await;
    let ids = input_values(&page.body, "operation_id");
    assert_eq!(ids.len(), 1, "{}", page.body);
    let shopper = form_fields(&[
        ("operation_id", &ids[0]),
        ("draft[first_name]", "Sam"),
        ("draft[last_name]", "Plain"),
        ("draft[email]", "sam.plain@example.com"),
    ]);
    let signed_up = app
        .post_form_from_page(PostNewCustomer::PATH, "/ecommerce/sign-up", &shopper, &cookie)
        .await;
    assert_eq!(signed_up.status, StatusCode::FOUND, "{}", signed_up.body);
    let profile = signed_up.location.expect("the shopper's profile");
    assert!(profile.ends_with("/ecommerce/my-profile"), "{profile}");
    let profile = app.get("/ecommerce/my-profile", &cookie).await;
    assert!(profile.body.contains("sam.plain@example.com"), "{}", profile.body);
}

/// Opens Houston's Add customer without JavaScript and posts Nora with no
/// family name, as the browser posts the form itself: refused for it.
async fn add_customer_without_last_name(app: &WebApp, cookie: &str) -> common::http::Answer {
    let form_page = "/pos?register=1-1&add=customer";
    let ids = input_values(&app.get(form_page, cookie).await.body, "operation_id");
    assert_eq!(ids.len(), 1, "{ids:?}");
    let fields = form_fields(&[
        ("register", "1-1"),
        ("operation_id", &ids[0]),
        ("draft[first_name]", "Nora"),
    ]);
    app.post_form_from_page(PostNewCustomer::PATH, form_page, &fields, cookie)
        .await
}

/// What a refused form carried is kept apart from the session: the form's
/// page, its refused post and the page it comes back to write nothing, so
/// they do not push the session's end (8 hours after its last save) further
/// away.
#[tokio::test]
async fn a_refused_form_post_and_its_page_write_nothing_not_even_the_session() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("houston").await;
    let mut watch = app.write_watch().await;
    let before = watch.versions().await;

    let refused = add_customer_without_last_name(&app, &cookie).await;
    assert_eq!(refused.status, StatusCode::FOUND, "{}", refused.body);
    let back = app
        .get(&refused.location.expect("back to the form"), &cookie)
        .await;
    assert_kept_with_message(&back.body, "first_name", "Nora", "last_name");
    assert_eq!(watch.versions().await, before, "nothing written");
}

/// A form the browser posted itself, refused for its fields, came back to
/// its page as typed: `kept_field` with `kept_value`, and the message of
/// `refused_field` beside it, not at the top of the page. Before, the form
/// came back blank and the messages were said at the top. Returns that
/// message.
fn assert_kept_with_message(html: &str, kept_field: &str, kept_value: &str, refused_field: &str) -> String {
    let kept = input_tag(html, kept_field);
    assert!(
        kept.contains(&format!(r#"value="{kept_value}""#)),
        "{kept_field} keeps {kept_value:?}: {kept}"
    );
    assert!(
        input_tag(html, refused_field).contains(r#"aria-invalid="true""#),
        "{refused_field} is marked: {html}"
    );
    let marker = format!(r#"<span id="{refused_field}-message" class="field-message">"#);
    let message = html
        .split_once(&marker)
        .and_then(|(_, after)| after.split_once("<!>"))
        .map(|(message, _)| message)
        .unwrap_or_default();
    assert!(
        !message.trim().is_empty(),
        "a message beside {refused_field}: {html}"
    );
    let page = html.split_once("</main>").map_or(html, |(page, _)| page);
    assert_eq!(
        page.matches(message).count(),
        1,
        "said beside its field, not again at the top: {page}"
    );
    message.to_string()
}

/// The `<input>` tag whose id is `id`, empty when the page has none.
fn input_tag<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!(r#"id="{id}""#);
    html.match_indices(&marker)
        .find_map(|(at, _)| {
            let start = html[..at].rfind('<')?;
            let tag = &html[start..];
            tag.starts_with("<input")
                .then(|| tag.split_once('>').map_or(tag, |(tag, _)| tag))
        })
        .unwrap_or_default()
}

/// Whether the channel's copy of `key`, or a change staged for it, holds
/// `found`.
async fn channel_shows(app: &WebApp, key: &str, found: impl Fn(&CustomerDraft) -> bool) -> bool {
    let backend = &app.test.backend;
    let customer = find_customer(&backend.channel, key)
        .await
        .expect("read")
        .expect("the customer");
    let staged = backend.channel.not_uploaded(50).await.expect("staged");
    found(&customer.customer) || staged.iter().any(|operation| found(&operation.customer))
}

/// Without JavaScript, a customer's Edit and Add address open the page with
/// their form, filled in with what the customer has, and post themselves;
/// the cashier lands on the customer's page again.
#[tokio::test]
async fn a_customer_is_edited_and_given_an_address_without_javascript() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("houston").await;
    let customer_page = "/pos/customers/C000001?register=1-1";
    let karen = find_customer(&app.test.backend.channel, "C000001")
        .await
        .expect("read")
        .expect("Karen Berg")
        .customer;

    let editing = format!("{customer_page}&change=edit");
    let page = app.get(&editing, &cookie).await;
    assert!(
        page.body
            .contains(&format!(r#"method="post" action="{}""#, PostCustomerEdit::PATH)),
        "{}",
        page.body
    );
    // The edit form's key, and the loyalty card's form's.
    let keys = input_values(&page.body, "key");
    assert!(
        !keys.is_empty() && keys.iter().all(|key| key == "C000001"),
        "{keys:?}"
    );
    assert!(
        page.body.contains(&format!(r#"value="{}""#, karen.first_name)),
        "filled in"
    );
    let ids = input_values(&page.body, "operation_id");
    let party_type = format!("{:?}", karen.party_type);
    let edit_with_first_name = |first_name: &str| {
        form_fields(&[
            ("register", "1-1"),
            ("operation_id", &ids[0]),
            ("key", "C000001"),
            ("draft[party_type]", &party_type),
            ("draft[first_name]", first_name),
            ("draft[last_name]", &karen.last_name),
            ("draft[email]", &karen.email),
            ("draft[phone]", "713 555 0199"),
            ("draft[customer_group]", &karen.customer_group),
            ("draft[language]", &karen.language),
            ("draft[currency]", &karen.currency),
        ])
    };
    let refused = app
        .post_form_from_page(
            PostCustomerEdit::PATH,
            &editing,
            &edit_with_first_name(""),
            &cookie,
        )
        .await;
    let back = refused.location.expect("back to the form");
    // Meanwhile, in another tab of the same session, an Add customer is
    // refused too: each form comes back as it was typed. Before, the later
    // refusal's values replaced the earlier's, whose form came back blank.
    let refused_add = add_customer_without_last_name(&app, &cookie).await;
    let form_again = app.get(&back, &cookie).await;
    assert_kept_with_message(&form_again.body, "phone", "713 555 0199", "first_name");
    let add_again = app
        .get(&refused_add.location.expect("back to Add customer"), &cookie)
        .await;
    assert_kept_with_message(&add_again.body, "first_name", "Nora", "last_name");
    let edit = edit_with_first_name(&karen.first_name);
    let edited = app
        .post_form_from_page(PostCustomerEdit::PATH, &editing, &edit, &cookie)
        .await;
    assert_eq!(edited.status, StatusCode::FOUND, "{}", edited.body);
    assert_eq!(edited.location.as_deref(), Some(customer_page));
    assert!(channel_shows(&app, "C000001", |c| c.phone == "713 555 0199").await);

    let adding = format!("{customer_page}&change=address");
    let page = app.get(&adding, &cookie).await;
    assert!(
        page.body
            .contains(&format!(r#"method="post" action="{}""#, PostNewAddress::PATH)),
        "{}",
        page.body
    );
    let ids = input_values(&page.body, "operation_id");
    let address_with_zip = |zip: &str| {
        form_fields(&[
            ("register", "1-1"),
            ("operation_id", &ids[0]),
            ("key", "C000001"),
            ("address[name]", "Work"),
            ("address[purpose]", "Business"),
            ("address[street]", "1 Plain Street"),
            ("address[city]", "Houston"),
            ("address[zip]", zip),
            ("address[country_region]", "USA"),
        ])
    };
    let refused = app
        .post_form_from_page(PostNewAddress::PATH, &adding, &address_with_zip(""), &cookie)
        .await;
    let back = refused.location.expect("back to the form");
    let form_again = app.get(&back, &cookie).await;
    assert_kept_with_message(
        &form_again.body,
        "address.street",
        "1 Plain Street",
        "address.zip",
    );
    let address = address_with_zip("77002");
    let added = app
        .post_form_from_page(PostNewAddress::PATH, &adding, &address, &cookie)
        .await;
    assert_eq!(added.status, StatusCode::FOUND, "{}", added.body);
    assert_eq!(added.location.as_deref(), Some(customer_page));
    assert!(
        channel_shows(&app, "C000001", |c| c
            .addresses
            .iter()
            .any(|a| a.street == "1 Plain Street"))
        .await
    );
}

/// The own fields a customer form posts, as `draft[…]` and `started_from[…]`.
const OWN_FIELDS: [&str; 10] = [
    "party_type",
    "first_name",
    "middle_name",
    "last_name",
    "organization_name",
    "email",
    "phone",
    "customer_group",
    "language",
    "currency",
];

/// Without JavaScript, Edit posts the fields as its form opened on them
/// beside what was typed: a field changed since at another register, which
/// this cashier left alone, keeps that change.
#[tokio::test]
async fn an_edit_posted_without_javascript_leaves_alone_a_field_changed_since_it_opened() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("houston").await;
    let customer_page = "/pos/customers/C000001?register=1-1";
    let editing = format!("{customer_page}&change=edit");
    let page = app.get(&editing, &cookie).await;
    let karen = find_customer(&app.test.backend.channel, "C000001")
        .await
        .expect("read")
        .expect("Karen Berg")
        .customer
        .own_fields();

    let other_register = app.sign_in("houston").await;
    let phone_edit = json!({
        "register": "1-1",
        "operation_id": OperationId::random(),
        "key": "C000001",
        "draft": CustomerDraft { phone: "713 555 0155".into(), ..karen.clone() },
        "started_from": karen,
    });
    let changed = app
        .post(EditCustomer::PATH, JSON, phone_edit.to_string(), &other_register)
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

    let ids = input_values(&page.body, "operation_id");
    let party_type = format!("{:?}", karen.party_type);
    let typed = [
        party_type.as_str(),
        &karen.first_name,
        &karen.middle_name,
        &karen.last_name,
        &karen.organization_name,
        "karen.plain@example.com",
        &karen.phone,
        &karen.customer_group,
        &karen.language,
        &karen.currency,
    ];
    let mut fields: Vec<(String, String)> = vec![
        ("register".into(), "1-1".into()),
        ("operation_id".into(), ids[0].clone()),
        ("key".into(), "C000001".into()),
    ];
    for (name, value) in OWN_FIELDS.iter().zip(typed) {
        fields.push((format!("draft[{name}]"), value.to_string()));
        let started_from = format!("started_from[{name}]");
        let opened_on = input_values(&page.body, &started_from);
        assert_eq!(opened_on.len(), 1, "the form carries {started_from}");
        fields.push((started_from, opened_on[0].clone()));
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let edited = app
        .post_form_from_page(PostCustomerEdit::PATH, &editing, &form_fields(&pairs), &cookie)
        .await;
    assert_eq!(edited.status, StatusCode::FOUND, "{}", edited.body);

    let shown = find_customer(&app.test.backend.channel, "C000001")
        .await
        .expect("read")
        .expect("Karen Berg")
        .customer;
    assert_eq!(
        (shown.email.as_str(), shown.phone.as_str()),
        ("karen.plain@example.com", "713 555 0155")
    );
}

/// The value of attribute `name` in the HTML tag `tag`.
fn attribute_of(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let at = tag.find(&marker)? + marker.len();
    tag[at..]
        .split('"')
        .next()
        .map(|value| value.replace("&amp;", "&"))
}

/// What a browser posts from the form whose action is `action` on `html`:
/// its inputs (a checkbox when checked) and the chosen option of each
/// select, encoded as a browser encodes them.
fn fields_of_form(html: &str, action: &str) -> String {
    let start = html
        .find(&format!(r#"action="{action}""#))
        .expect("the form is on the page");
    let form = &html[start..start + html[start..].find("</form>").expect("the form's end")];
    let mut fields: Vec<(String, String)> = Vec::new();
    for tag in form.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if tag.starts_with("input ") {
            let Some(name) = attribute_of(tag, "name") else {
                continue;
            };
            let checkbox = attribute_of(tag, "type").as_deref() == Some("checkbox");
            if !checkbox || tag.contains(" checked") {
                fields.push((name, attribute_of(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("select ")
            && let Some(name) = attribute_of(tag, "name")
        {
            fields.push((name, String::new()));
        } else if tag.starts_with("option ")
            && tag.contains(" selected")
            && let Some(last) = fields.last_mut()
        {
            last.1 = attribute_of(tag, "value").unwrap_or_default();
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    form_fields(&pairs)
}

/// A failed operation an admin signed in to correct: its id, its staged
/// rows as HQ holds them, the admin's cookie, and the page that edits it.
async fn failed_operation_to_correct(app: &WebApp) -> (String, StagedOperation, String, String) {
    two_failed_operations(app).await;
    let (id, _) = retries_of_failed(app).await.remove(0);
    let hq = &app.test.backend.hq;
    let before = hq.uploaded_operation(&id).await.expect("read").expect("in HQ");
    let cookie = app.sign_in("admin").await;
    let editing = format!("/hq/customer-synchronization-status/{id}?change=edit");
    (id, before, cookie, editing)
}

/// The fields of a failed operation's correction form, its first name
/// (Dora's or Dan's) left blank: refused for that field.
fn without_first_name(fields: &str) -> String {
    fields
        .replace("first_name%5D=Dora", "first_name%5D=")
        .replace("first_name%5D=Dan", "first_name%5D=")
}

/// An admin's Save of a correction of `id`, as the page's code sends it,
/// from a page that read no correction before (`edits_seen` 0).
async fn save_by_page_code(
    app: &WebApp,
    id: &str,
    draft: CustomerDraft,
    cookie: &str,
) -> common::http::Answer {
    let json = json!({ "operation_id": id, "edits_seen": 0, "draft": draft });
    app.post(SaveOperation::PATH, JSON, json.to_string(), cookie)
        .await
}

/// Without JavaScript, a failed operation's Edit opens its page with the
/// form filled in with every row HQ holds; posted as the browser posts it,
/// with the one field corrected, it saves that change and nothing else.
#[tokio::test]
async fn a_failed_operation_is_corrected_without_javascript() {
    let app = WebApp::start().await;
    let (id, before, cookie, editing) = failed_operation_to_correct(&app).await;
    let hq = &app.test.backend.hq;

    let page = app.get(&editing, &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    let posted = fields_of_form(&page.body, PostOperationSave::PATH);
    let corrected = posted.replace(
        "email%5D=karen.berg%40contoso.com",
        "email%5D=dora.fixed%40example.com",
    );
    assert_ne!(posted, corrected, "the form carries the email: {posted}");
    let refused = app
        .post_form_from_page(
            PostOperationSave::PATH,
            &editing,
            &without_first_name(&corrected),
            &cookie,
        )
        .await;
    let form_again = app
        .get(&refused.location.expect("back to the form"), &cookie)
        .await;
    assert_kept_with_message(&form_again.body, "email", "dora.fixed@example.com", "first_name");
    let saved = app
        .post_form_from_page(PostOperationSave::PATH, &editing, &corrected, &cookie)
        .await;
    assert_eq!(saved.status, StatusCode::FOUND, "{}", saved.body);
    let back = saved.location.expect("back to the operation");
    assert!(
        back.ends_with(&format!("/hq/customer-synchronization-status/{id}")),
        "{back}"
    );
    let after = hq.uploaded_operation(&id).await.expect("read").expect("in HQ");
    assert_eq!(
        after.customer,
        CustomerDraft {
            email: "dora.fixed@example.com".to_string(),
            ..before.customer
        },
        "only the email changed"
    );
}

/// A correction posted without JavaScript and refused for a field, whose
/// operation another admin corrected and HQ then synced: the page comes back
/// without the form (the operation can no longer be edited) and says why the
/// post was refused. Before, the refusal was kept for a form the page no
/// longer showed, and nothing on the page said it.
#[tokio::test]
async fn a_refused_correction_of_an_operation_synced_meanwhile_is_said_on_its_page() {
    let app = WebApp::start().await;
    let (id, before, cookie, editing) = failed_operation_to_correct(&app).await;
    let backend = &app.test.backend;
    let page = app.get(&editing, &cookie).await;
    let posted = fields_of_form(&page.body, PostOperationSave::PATH);
    let refused = app
        .post_form_from_page(
            PostOperationSave::PATH,
            &editing,
            &without_first_name(&posted),
            &cookie,
        )
        .await;
    let back = refused.location.expect("back to the form");
    let form_again = app.get(&back, &cookie).await;
    let message = assert_kept_with_message(
        &form_again.body,
        "last_name",
        &before.customer.last_name,
        "first_name",
    );

    // A correction saved by a page's code (another admin's), then synced.
    let draft = CustomerDraft {
        email: "dora.other@example.com".into(),
        ..before.customer.clone()
    };
    let saved = save_by_page_code(&app, &id, draft, &cookie).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    upload_and_sync(backend).await;
    assert!(
        retries_of_failed(&app)
            .await
            .iter()
            .all(|(failed, _)| *failed != id),
        "synced"
    );

    let page_again = app.get(&back, &cookie).await;
    assert_eq!(page_again.status, StatusCode::OK);
    assert!(
        !page_again
            .body
            .contains(&format!(r#"action="{}""#, PostOperationSave::PATH)),
        "no form to correct a synced operation: {}",
        page_again.body
    );
    let said = page_again
        .body
        .split(r#"role="alert""#)
        .skip(1)
        .filter_map(|after| after.split_once("</p>"))
        .any(|(note, _)| note.contains("Your correction was not saved") && note.contains(&message));
    assert!(said, "the refusal is said: {}", page_again.body);
    assert_eq!(
        page_again.body.matches(r#"role="alert""#).count(),
        1,
        "said once: {}",
        page_again.body
    );

    // A correction with nothing wrong in it, posted now, is refused for
    // the operation's state: said once, at the top of the page.
    let too_late = app
        .post_form_from_page(PostOperationSave::PATH, &editing, &posted, &cookie)
        .await;
    let page_again = app
        .get(&too_late.location.expect("back to the page"), &cookie)
        .await;
    assert!(page_again.body.contains("synced already"), "{}", page_again.body);
    assert_eq!(
        page_again.body.matches(r#"role="alert""#).count(),
        1,
        "said once: {}",
        page_again.body
    );
}

/// Two admins correct the same failed operation from the copies their
/// pages read: the second Save, made from a copy older than the first's
/// correction, is refused and writes nothing, and the first correction is
/// kept. Before, it wrote its old email back over the fix.
#[tokio::test]
async fn a_correction_saved_from_a_copy_older_than_another_admins_is_refused() {
    let app = WebApp::start().await;
    let (id, before, cookie, editing) = failed_operation_to_correct(&app).await;
    let hq = &app.test.backend.hq;
    let first_copy = fields_of_form(&app.get(&editing, &cookie).await.body, PostOperationSave::PATH);
    let second_copy = fields_of_form(&app.get(&editing, &cookie).await.body, PostOperationSave::PATH);

    let email_fixed = first_copy.replace(
        "email%5D=karen.berg%40contoso.com",
        "email%5D=dora.fixed%40example.com",
    );
    assert_ne!(email_fixed, first_copy, "the form carries the email");
    let saved = app
        .post_form_from_page(PostOperationSave::PATH, &editing, &email_fixed, &cookie)
        .await;
    assert_eq!(saved.status, StatusCode::FOUND, "{}", saved.body);

    let mut watch = app.write_watch().await;
    let versions = watch.versions().await;
    // The second copy's Save, as its page's code sends it.
    assert!(second_copy.contains("edits_seen=0"), "{second_copy}");
    let draft = CustomerDraft {
        phone: "713 555 0177".into(),
        ..before.customer.clone()
    };
    let refused = save_by_page_code(&app, &id, draft, &cookie).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("Another correction"), "{}", refused.body);
    assert_eq!(watch.versions().await, versions, "nothing written");

    let after = hq.uploaded_operation(&id).await.expect("read").expect("in HQ");
    assert_eq!(after.customer.email, "dora.fixed@example.com");
}

/// A browser without JavaScript shows only the HTML as it arrives: what a
/// page loads under `<Suspense>` must be in place in it, not streamed later
/// as a `<template>` that a script moves into the page.
#[tokio::test]
async fn every_page_arrives_whole_for_a_browser_without_javascript() {
    let app = WebApp::start().await;
    let pages = [
        (
            "houston",
            "/pos",
            "Signed in as Ken Sanchez (cashier)",
            "Houston, register 1",
        ),
        ("shopper", "/ecommerce/my-profile", "(shopper)", "My profile"),
        (
            "admin",
            "/hq/customer-synchronization-status",
            "Signed in as Alicia Thomber (admin)",
            "Pending sync",
        ),
        (
            "admin",
            "/hq/batch-jobs",
            "Signed in as Alicia Thomber (admin)",
            "Run now",
        ),
    ];
    for (user, path, header, content) in pages {
        let cookie = app.sign_in(user).await;
        let page = app.get(path, &cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("<template"),
            "{path} is streamed out of order: {}",
            page.body
        );
        assert!(page.body.contains(header), "{path} names its user: {}", page.body);
        assert!(
            page.body.contains(content),
            "{path} shows {content}: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn a_session_outlives_a_restart_and_ends_at_sign_out() {
    let app = WebApp::start().await;
    let cookie = app.sign_in("admin").await;
    let app = app.restart().await;
    let answer = app.post(HqCustomers::PATH, FORM, "", &cookie).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the session is read back from SQLite: {}",
        answer.body
    );
    assert_eq!(
        app.post(SignOut::PATH, FORM, "", &cookie).await.status,
        StatusCode::OK
    );
    let app = app.restart().await;
    let answer = app.post(HqCustomers::PATH, FORM, "", &cookie).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "signed out for good");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_unread() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let mut watch = app.write_watch().await;
    let before = watch.versions().await;
    let huge = json!({"register": "1-1", "operation_id": OperationId::random(), "draft": customer(&"a".repeat(70 * 1024))}).to_string();
    let answer = app.post(CreateCustomer::PATH, JSON, huge, &houston).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", answer.body);
    assert_eq!(watch.versions().await, before);
}

#[tokio::test]
async fn the_sign_in_boxes_take_as_many_characters_as_the_server() {
    let app = WebApp::start().await;
    let page = app.get("/sign-in", "").await;
    assert_eq!(page.status, StatusCode::OK);
    let input = |id: &str| {
        let start = page.body.find(&format!("id=\"{id}\"")).expect("the input");
        let tag_start = page.body[..start].rfind('<').expect("its tag");
        let tag_end = start + page.body[start..].find('>').expect("its end");
        page.body[tag_start..tag_end].to_string()
    };
    let max = custsync::domain::access::MAX_PASSWORD;
    assert!(
        input("password").contains(&format!("maxlength=\"{max}\"")),
        "{}",
        input("password")
    );
    let max = custsync::domain::access::MAX_USER_NAME;
    assert!(
        input("user_name").contains(&format!("maxlength=\"{max}\"")),
        "{}",
        input("user_name")
    );
}

async fn hq_not_asked_for_demo_users(
    dir: &tempfile::TempDir,
    admin_password: Option<&str>,
) -> custsync::services::backend::Backend {
    custsync::services::backend::Backend::start(custsync::services::settings::Settings {
        data_dir: dir.path().to_path_buf(),
        hq_latency_ms: 0,
        admin_password: admin_password.map(custsync::services::settings::Password::new),
        ..custsync::services::settings::Settings::default()
    })
    .await
    .expect("started")
}

async fn admin_hash(backend: &custsync::services::backend::Backend) -> String {
    let admin = backend.hq.find_user("admin").await.unwrap().expect("one admin");
    assert_eq!(admin.user.role, custsync::domain::access::Role::Admin);
    admin.password_hash
}

#[tokio::test]
async fn a_new_hq_not_asked_for_demo_users_has_one_admin_with_the_password_of_its_setting() {
    let dir = tempfile::tempdir().unwrap();
    let backend = hq_not_asked_for_demo_users(&dir, Some("correct horse battery")).await;
    for demo_user in ["houston", "seattle", "shopper"] {
        assert!(
            backend.hq.find_user(demo_user).await.unwrap().is_none(),
            "{demo_user}"
        );
    }
    let hash = admin_hash(&backend).await;
    assert!(password_matches("correct horse battery", &hash));
    assert!(!password_matches(custsync::storage::hq_db::DEMO_PASSWORD, &hash));
}

#[tokio::test]
async fn without_a_password_setting_the_first_admin_gets_a_random_password_made_once() {
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = hq_not_asked_for_demo_users(&first_dir, None).await;
    let second = hq_not_asked_for_demo_users(&second_dir, None).await;
    let (first_hash, second_hash) = (admin_hash(&first).await, admin_hash(&second).await);
    assert!(!password_matches(
        custsync::storage::hq_db::DEMO_PASSWORD,
        &first_hash
    ));
    assert!(!password_matches("", &first_hash));
    assert_ne!(first_hash, second_hash);

    first.close().await;
    let restarted = hq_not_asked_for_demo_users(&first_dir, Some("another long password")).await;
    assert_eq!(
        admin_hash(&restarted).await,
        first_hash,
        "made once, kept after a restart"
    );
}

async fn registers(app: &WebApp, cookie: &str) -> common::http::Answer {
    app.post(PosRegisters::PATH, FORM, "", cookie).await
}

#[tokio::test]
async fn an_admin_signs_a_user_out_everywhere_and_a_new_store_ends_the_old_sessions() {
    let app = WebApp::start().await;
    let admin = app.sign_in("admin").await;
    let (till, office) = (app.sign_in("houston").await, app.sign_in("houston").await);
    let seattle = app.sign_in("seattle").await;
    for cookie in [&till, &office, &seattle] {
        assert_eq!(registers(&app, cookie).await.status, StatusCode::OK);
    }

    let answer = app
        .post(SignOutEverywhere::PATH, FORM, "user_name=houston", &admin)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("(2 sessions)"), "{}", answer.body);
    for cookie in [&till, &office] {
        assert_eq!(
            registers(&app, cookie).await.status,
            StatusCode::FORBIDDEN,
            "houston is signed out"
        );
    }
    assert_eq!(
        registers(&app, &seattle).await.status,
        StatusCode::OK,
        "the others stay signed in"
    );
    assert_eq!(
        app.post(CurrentUser::PATH, FORM, "", &admin).await.status,
        StatusCode::OK
    );

    let moved = app
        .post(
            ChangeUserAccess::PATH,
            FORM,
            "user_name=seattle&role=cashier&store=1",
            &admin,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        registers(&app, &seattle).await.status,
        StatusCode::FORBIDDEN,
        "the old store's session ended"
    );
    let again = app.sign_in("seattle").await;
    let now = registers(&app, &again).await;
    assert!(
        now.body.contains("Houston") && !now.body.contains("Seattle"),
        "{}",
        now.body
    );

    let own = app
        .post(
            ChangeUserAccess::PATH,
            FORM,
            "user_name=admin&role=shopper&store=",
            &admin,
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    let no_store = app
        .post(
            ChangeUserAccess::PATH,
            FORM,
            "user_name=shopper&role=cashier&store=",
            &admin,
        )
        .await;
    assert_eq!(
        no_store.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_store.body
    );
    assert!(no_store.body.contains("Choose the store"), "{}", no_store.body);
}

/// Two admins on the Users page: the one whose page was read before the
/// other's change saves a row, and would have written the role and store
/// it showed back over that change.
#[tokio::test]
async fn a_users_row_saved_from_a_page_read_before_another_admins_change_is_refused() {
    let app = WebApp::start().await;
    let hq = &app.test.backend.hq;
    let admin = app.sign_in("admin").await;
    let promoted = hq
        .change_user_access("seattle", Role::Admin, None, "admin", None)
        .await;
    assert!(matches!(promoted, Ok(AccessChange::Changed)), "{promoted:?}");

    let stale = app
        .post(
            ChangeUserAccess::PATH,
            FORM,
            "user_name=seattle&role=cashier&store=1&seen_role=cashier&seen_store=2",
            &admin,
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("since this page was read"), "{}", stale.body);
    let seattle = hq.find_user("seattle").await.unwrap().expect("a user").user;
    assert_eq!(
        (seattle.role, seattle.channel_id),
        (Role::Admin, None),
        "nothing changed"
    );
    let same_as_done = app
        .post(
            ChangeUserAccess::PATH,
            FORM,
            "user_name=seattle&role=admin&store=&seen_role=cashier&seen_store=2",
            &admin,
        )
        .await;
    assert_eq!(same_as_done.status, StatusCode::OK, "{}", same_as_done.body);
    assert!(
        same_as_done.body.contains("already had that role and store"),
        "{}",
        same_as_done.body
    );

    let current = app
        .post(
            ChangeUserAccess::PATH,
            FORM,
            "user_name=seattle&role=cashier&store=1&seen_role=admin&seen_store=",
            &admin,
        )
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_setting_says_the_site_is_served_over_https() {
    for (secure, expected) in [(false, false), (true, true)] {
        let dir = tempfile::tempdir().unwrap();
        let backend = custsync::services::backend::Backend::start(custsync::services::settings::Settings {
            data_dir: dir.path().to_path_buf(),
            hq_latency_ms: 0,
            seed_demo_users: true,
            secure_cookies: secure,
            ..custsync::services::settings::Settings::default()
        })
        .await
        .unwrap();
        let app = common::http::router(backend);
        let request = Request::post(SignIn::PATH)
            .header(header::CONTENT_TYPE, FORM)
            .body(Body::from(format!(
                "user_name=admin&password={}",
                custsync::storage::hq_db::DEMO_PASSWORD
            )))
            .unwrap();
        let answer = tower::ServiceExt::oneshot(app, request).await.unwrap();
        let cookie = answer
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert_eq!(cookie.contains("Secure"), expected, "{cookie}");
    }
}

/// A session signed in as `user` through `store`, recorded as the user's
/// (as Sign in records it, for Sign out everywhere): its id.
async fn signed_in_session(app: &common::TestBackend, store: &Arc<SessionTable>, user: &str) -> Id {
    let session = Session::new(None, store.clone(), None);
    session.insert("user", user).await.unwrap();
    session.save().await.unwrap();
    let id = session.id().expect("created");
    app.backend
        .channel
        .record_user_session(&id.to_string(), user, 0)
        .await
        .unwrap();
    id
}

/// A request that began with session `id`, changes it and saves it at its
/// end, as the session layer does, after `end` ended the session meanwhile.
async fn request_outlived_by(store: &Arc<SessionTable>, id: Id, end: impl Future<Output = ()>) {
    let request = Session::new(Some(id), store.clone(), None);
    assert!(
        request.get::<String>("user").await.unwrap().is_some(),
        "signed in at first"
    );
    end.await;
    request.insert("seen", 1).await.unwrap();
    request.save().await.unwrap();
}

/// The session is neither served again nor kept in the channel database (a
/// restarted server reads it from there).
async fn assert_ended(app: &common::TestBackend, store: &Arc<SessionTable>, id: Id) {
    assert_eq!(store.load(&id).await.unwrap(), None, "not served again");
    let after_a_restart = SessionStores::new(&app.backend.channel).store();
    assert_eq!(
        after_a_restart.load(&id).await.unwrap(),
        None,
        "not kept for after a restart"
    );
}

#[tokio::test]
async fn a_session_signed_out_everywhere_while_a_request_ran_is_not_saved_again_at_its_end() {
    let app = common::start().await;
    let store = Arc::new(app.backend.sessions.store());
    let id = signed_in_session(&app, &store, "houston").await;
    request_outlived_by(&store, id, async {
        assert_eq!(app.backend.sessions.end_sessions_of("houston").await.unwrap(), 1);
    })
    .await;
    assert_ended(&app, &store, id).await;
}

#[tokio::test]
async fn a_session_signed_out_in_another_tab_while_a_request_ran_is_not_saved_again_at_its_end() {
    let app = common::start().await;
    let store = Arc::new(app.backend.sessions.store());
    let id = signed_in_session(&app, &store, "houston").await;
    request_outlived_by(&store, id, async {
        let other_tab = Session::new(Some(id), store.clone(), None);
        other_tab.flush().await.unwrap();
    })
    .await;
    assert_ended(&app, &store, id).await;
}

/// An admin demoted meanwhile (their session on another scale unit lives a
/// few seconds more, or two admins pressed Save at once) cannot change
/// anyone's access: HQ checks that the acting user is an admin still, in
/// the change's own transaction, so two admins cannot demote each other
/// and leave none.
#[tokio::test]
async fn an_admin_demoted_meanwhile_cannot_change_anyones_access() {
    let app = common::start().await;
    let hq = &app.backend.hq;
    assert_eq!(
        hq.change_user_access("houston", Role::Admin, None, "admin", None)
            .await
            .unwrap(),
        AccessChange::Changed
    );
    assert_eq!(
        hq.change_user_access("houston", Role::Cashier, Some(1), "admin", None)
            .await
            .unwrap(),
        AccessChange::Changed
    );
    assert_eq!(
        hq.change_user_access("admin", Role::Cashier, Some(1), "houston", None)
            .await
            .unwrap(),
        AccessChange::ActorNotAdmin
    );
    let users = hq.users().await.unwrap();
    assert!(
        users
            .iter()
            .any(|user| user.user_name == "admin" && user.role == Role::Admin),
        "{users:?}"
    );
}
