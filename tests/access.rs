//! Who may do what, through the real router: every server function called
//! as each demo user and as nobody, pages sent to Sign in, cross-site
//! requests refused, and sign-in itself.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::{FORM, JSON, WebApp};
use custsync::customer::{AddressDraft, CustomerDraft};
use custsync::customer_page::{
    AddCustomerAddress, ChannelMode, ChannelReference, CreateCustomer, EditCustomer, FindChannelCustomer,
    MyProfileKey,
};
use custsync::hq::customers::HqCustomers;
use custsync::hq::feature_management::{FeatureManagement, SetFeature};
use custsync::hq::functionality_profiles::{FunctionalityProfiles, SetAsyncCustomerMode};
use custsync::hq::job_panel::{JobRuns, JobSchedule, RunJob, RunJobNow, SetJobSchedule};
use custsync::hq::realtime_calls::{RealtimeCalls, SetHqUnreachable};
use custsync::hq::sync_status::detail_page::{LoadOperationDetail, SaveOperation};
use custsync::hq::sync_status::view::StatusView;
use custsync::hq::sync_status::{
    LoadStatusPage, StatusPageChannels, SynchronizeAllFailed, SynchronizeOperations,
};
use custsync::hq::troubleshoot::{FlushChannelCache, Troubleshoot};
use custsync::pos::{PosRegisters, SearchCustomers, SetRegisterOffline};
use custsync::sign_in::{CurrentUser, SignIn, SignOut};
use leptos::server_fn::ServerFn;
use serde_json::json;

/// Nobody, then the demo users: admin, the Houston and Seattle cashiers,
/// and the shopper whose profile is C000004.
const USERS: [&str; 5] = ["", "admin", "houston", "seattle", "shopper"];

/// One server function, called with arguments it can act on.
struct Call {
    name: &'static str,
    path: &'static str,
    content_type: &'static str,
    body: String,
    allowed: &'static [&'static str],
}

fn call(name: &'static str, path: &'static str, body: String, allowed: &'static [&'static str]) -> Call {
    let content_type = if body.starts_with('{') { JSON } else { FORM };
    Call {
        name,
        path,
        content_type,
        body,
        allowed,
    }
}

pub fn customer(first: &str) -> CustomerDraft {
    CustomerDraft {
        first_name: first.into(),
        last_name: "Access".into(),
        email: format!("{}.access@example.com", first.to_lowercase()),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        addresses: vec![address()],
        ..CustomerDraft::default()
    }
}

fn address() -> AddressDraft {
    AddressDraft {
        name: "Home".into(),
        purpose: "Home".into(),
        street: "1 Access St".into(),
        city: "Houston".into(),
        state: "TX".into(),
        zip: "77002".into(),
        country_region: "USA".into(),
        primary: false,
    }
}

const ADMIN: &[&str] = &["admin"];
const CASHIERS: &[&str] = &["houston", "seattle"];
const HOUSTON: &[&str] = &["houston"];
const SEATTLE: &[&str] = &["seattle"];
const SHOPPER: &[&str] = &["shopper"];
const CASHIERS_AND_SHOPPER: &[&str] = &["houston", "seattle", "shopper"];
const NOBODY: &[&str] = &[];

/// Every server function that needs a role, with who may call it.
fn calls() -> Vec<Call> {
    let view = serde_json::to_value(StatusView::default()).expect("a view");
    let draft = |first| serde_json::to_value(customer(first)).expect("a draft");
    let address = serde_json::to_value(address()).expect("an address");
    vec![
        call(
            "channel_mode at Houston",
            ChannelMode::PATH,
            "register=1-1".into(),
            HOUSTON,
        ),
        call("channel_mode online", ChannelMode::PATH, String::new(), SHOPPER),
        call(
            "channel_reference at Houston",
            ChannelReference::PATH,
            "register=1-1".into(),
            HOUSTON,
        ),
        call(
            "channel_reference online",
            ChannelReference::PATH,
            String::new(),
            SHOPPER,
        ),
        call(
            "create_customer at Houston",
            CreateCustomer::PATH,
            json!({"register": "1-1", "draft": draft("Hana")}).to_string(),
            HOUSTON,
        ),
        call(
            "find_channel_customer",
            FindChannelCustomer::PATH,
            "key=C000001".into(),
            CASHIERS,
        ),
        call(
            "find_channel_customer of the shopper",
            FindChannelCustomer::PATH,
            "key=C000004".into(),
            CASHIERS_AND_SHOPPER,
        ),
        call(
            "edit_customer at Seattle",
            EditCustomer::PATH,
            json!({"register": "2-1", "key": "C000002", "draft": draft("Jodi")}).to_string(),
            SEATTLE,
        ),
        call(
            "edit_customer of the shopper's own profile",
            EditCustomer::PATH,
            json!({"register": null, "key": "C000004", "draft": draft("Samantha")}).to_string(),
            SHOPPER,
        ),
        call(
            "edit_customer of another's profile online",
            EditCustomer::PATH,
            json!({"register": null, "key": "C000001", "draft": draft("Karen")}).to_string(),
            NOBODY,
        ),
        call(
            "add_customer_address at Houston",
            AddCustomerAddress::PATH,
            json!({"register": "1-1", "key": "C000003", "address": address}).to_string(),
            HOUSTON,
        ),
        call(
            "add_customer_address to the shopper's own profile",
            AddCustomerAddress::PATH,
            json!({"register": null, "key": "C000004", "address": address}).to_string(),
            SHOPPER,
        ),
        call(
            "add_customer_address to another's profile online",
            AddCustomerAddress::PATH,
            json!({"register": null, "key": "C000005", "address": address}).to_string(),
            NOBODY,
        ),
        call("my_profile_key", MyProfileKey::PATH, String::new(), SHOPPER),
        call("pos_registers", PosRegisters::PATH, String::new(), CASHIERS),
        call(
            "set_register_offline at Houston",
            SetRegisterOffline::PATH,
            "register=1-2&offline=false".into(),
            HOUSTON,
        ),
        call(
            "search_customers",
            SearchCustomers::PATH,
            "term=Berg".into(),
            CASHIERS,
        ),
        call(
            "load_status_page",
            LoadStatusPage::PATH,
            json!({"view": view}).to_string(),
            ADMIN,
        ),
        call(
            "status_page_channels",
            StatusPageChannels::PATH,
            String::new(),
            ADMIN,
        ),
        call(
            "synchronize_operations",
            SynchronizeOperations::PATH,
            json!({"operation_ids": ["00000000-0000-4000-8000-000000000001"]}).to_string(),
            ADMIN,
        ),
        call(
            "synchronize_all_failed",
            SynchronizeAllFailed::PATH,
            json!({"view": view}).to_string(),
            ADMIN,
        ),
        call(
            "load_operation_detail",
            LoadOperationDetail::PATH,
            "operation_id=00000000-0000-4000-8000-000000000001".into(),
            ADMIN,
        ),
        call(
            "save_operation",
            SaveOperation::PATH,
            json!({"operation_id": "00000000-0000-4000-8000-000000000001", "draft": draft("Ines")})
                .to_string(),
            ADMIN,
        ),
        call(
            "functionality_profiles",
            FunctionalityProfiles::PATH,
            String::new(),
            ADMIN,
        ),
        call(
            "set_async_customer_mode",
            SetAsyncCustomerMode::PATH,
            "channel_id=1&on=true".into(),
            ADMIN,
        ),
        call("realtime_calls", RealtimeCalls::PATH, String::new(), ADMIN),
        call(
            "set_hq_unreachable",
            SetHqUnreachable::PATH,
            "unreachable=false".into(),
            ADMIN,
        ),
        call(
            "feature_management",
            FeatureManagement::PATH,
            String::new(),
            ADMIN,
        ),
        call(
            "set_feature",
            SetFeature::PATH,
            "name=Enable+editing+customers+in+asynchronous+mode&enable=false".into(),
            ADMIN,
        ),
        call("job_runs", JobRuns::PATH, "job=1010".into(), ADMIN),
        call("run_job", RunJob::PATH, "job=1110".into(), ADMIN),
        call("run_job_now", RunJobNow::PATH, "job=1110".into(), ADMIN),
        call("job_schedule", JobSchedule::PATH, "job=1010".into(), ADMIN),
        call(
            "set_job_schedule",
            SetJobSchedule::PATH,
            "job=1010&minutes=0".into(),
            ADMIN,
        ),
        call("troubleshoot", Troubleshoot::PATH, String::new(), ADMIN),
        call(
            "flush_channel_cache",
            FlushChannelCache::PATH,
            String::new(),
            ADMIN,
        ),
        call("hq_customers", HqCustomers::PATH, String::new(), ADMIN),
        // Last: a shopper's sign-up becomes their profile instead of C000004.
        call(
            "create_customer online",
            CreateCustomer::PATH,
            json!({"register": null, "draft": draft("Olga")}).to_string(),
            SHOPPER,
        ),
    ]
}

async fn cookies(app: &WebApp) -> Vec<String> {
    let mut cookies = Vec::new();
    for user in USERS {
        cookies.push(if user.is_empty() {
            String::new()
        } else {
            app.sign_in(user).await
        });
    }
    cookies
}

#[tokio::test]
async fn every_server_function_refuses_the_wrong_roles_with_403_and_writes_nothing() {
    let app = WebApp::start().await;
    let cookies = cookies(&app).await;
    let mut watch = app.write_watch().await;
    let calls = calls();
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
            let answer = app
                .post(call.path, call.content_type, call.body.clone(), cookie)
                .await;
            assert!(
                answer.status != StatusCode::FORBIDDEN && !answer.status.is_server_error(),
                "{} as {user:?} answered {}: {}",
                call.name,
                answer.status,
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn a_refusal_says_why() {
    let app = WebApp::start().await;
    let houston = app.sign_in("houston").await;
    let shopper = app.sign_in("shopper").await;
    let as_nobody = app.post(HqCustomers::PATH, FORM, "", "").await;
    assert!(
        as_nobody.body.contains("Sign in as an admin to do this."),
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

#[tokio::test]
async fn a_shopper_who_signs_up_gets_that_profile() {
    let app = WebApp::start().await;
    let shopper = app.sign_in("shopper").await;
    let body = json!({"register": null, "draft": customer("Nadia")}).to_string();
    let created = app.post(CreateCustomer::PATH, JSON, body, &shopper).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let profile = app.post(MyProfileKey::PATH, FORM, "", &shopper).await;
    let key: Option<String> = serde_json::from_str(&profile.body).expect("JSON");
    let key = key.expect("a profile");
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

    let planted = "custsync_session=AAAAAAAAAAAAAAAAAAAAAA";
    let signed_in = app
        .post(SignIn::PATH, FORM, "user_name=admin&password=custsync", planted)
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let header = signed_in.set_cookie.expect("a session cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    let cookie = signed_in.session_cookie.expect("a session cookie");
    assert_ne!(cookie, planted, "a planted id is not kept");
    let me = app.post(CurrentUser::PATH, FORM, "", &cookie).await;
    assert!(me.body.contains("Alicia Thomber"), "{}", me.body);

    assert_eq!(
        app.post(SignOut::PATH, FORM, "", &cookie).await.status,
        StatusCode::OK
    );
    let after = app.post(HqCustomers::PATH, FORM, "", &cookie).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN, "signed out");
}
