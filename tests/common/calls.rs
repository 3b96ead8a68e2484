//! Every server function that needs a role, called with arguments it can
//! act on, and who may call it.

use custsync::api::channel_customers::{
    AddCustomerAddress, ChannelMode, ChannelReference, CreateCustomer, EditCustomer, FindChannelCustomer,
    MyProfileKey, PostCustomerEdit, PostNewAddress, PostNewCustomer,
};
use custsync::api::hq::customers::{HqCustomer, HqCustomers};
use custsync::api::hq::feature_management::{FeatureManagement, SetFeature};
use custsync::api::hq::functionality_profiles::{FunctionalityProfiles, SetAsyncCustomerMode};
use custsync::api::hq::jobs::{JobRuns, JobSchedule, RunJob, RunJobNow, SetJobSchedule};
use custsync::api::hq::realtime_calls::{RealtimeCalls, SetHqUnreachable};
use custsync::api::hq::sales_orders::SalesOrders;
use custsync::api::hq::sync_status::{
    LoadBacklogTrend, LoadStatusPage, PostOperationSave, StatusPageFilters, SynchronizeAllFailed,
    SynchronizeOperations,
};
use custsync::api::hq::sync_status::{LoadOperationDetail, SaveOperation};
use custsync::api::hq::troubleshoot::{FindSale, FlushChannelCache, Troubleshoot};
use custsync::api::hq::users::{ChangeUserAccess, SignOutEverywhere, UserAccounts};
use custsync::api::pos::{
    CustomerSales, IssueLoyaltyCard, LoyaltyCard, PosCatalogue, PosRegisters, PostNewSale, SaveSale,
    SearchCustomers, SetRegisterOffline,
};
use custsync::domain::customer::{AddressDraft, CustomerDraft};
use custsync::domain::operation::OperationId;
use custsync::domain::status_page::StatusView;
use custsync::views::hq::sync_status::trend::DrawBacklogPlots;
use leptos::server_fn::ServerFn;
use serde_json::json;

use super::http::{FORM, JSON, WebApp};

/// Nobody, then the demo users: admin, the Houston and Seattle cashiers,
/// and the shopper whose profile is C000004.
pub const USERS: [&str; 5] = ["", "admin", "houston", "seattle", "shopper"];

/// A database an allowed call writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Hq,
    Channel,
}

/// One server function, called with arguments it can act on, and what an
/// allowed caller gets: text its answer shows, and the databases it writes.
pub struct Call {
    pub name: &'static str,
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: String,
    pub allowed: &'static [&'static str],
    pub shows: &'static str,
    pub writes: &'static [Db],
}

fn call(name: &'static str, path: &'static str, body: String, allowed: &'static [&'static str]) -> Call {
    let content_type = if body.starts_with('{') { JSON } else { FORM };
    Call {
        name,
        path,
        content_type,
        body,
        allowed,
        shows: "",
        writes: &[],
    }
}

impl Call {
    /// The answer to an allowed caller contains `text`.
    fn shows(self, text: &'static str) -> Call {
        Call { shows: text, ..self }
    }

    /// An allowed call commits to each of `databases` before it answers.
    fn writes(self, databases: &'static [Db]) -> Call {
        Call {
            writes: databases,
            ..self
        }
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

pub fn address() -> AddressDraft {
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

/// Every server function that needs a role, with who may call it;
/// `operation_id` names an operation uploaded to HQ and not yet synced.
pub fn calls(operation_id: &str) -> Vec<Call> {
    let view = serde_json::to_value(StatusView::default()).expect("a view");
    let draft = |first| serde_json::to_value(customer(first)).expect("a draft");
    let address = serde_json::to_value(address()).expect("an address");
    vec![
        call(
            "channel_mode at Houston",
            ChannelMode::PATH,
            "register=1-1".into(),
            HOUSTON,
        )
        .shows("\"async_creates\":true"),
        call("channel_mode online", ChannelMode::PATH, String::new(), SHOPPER)
        .shows("\"async_creates\":true"),
        call(
            "channel_reference at Houston",
            ChannelReference::PATH,
            "register=1-1".into(),
            HOUSTON,
        )
        .shows("Retail customers"),
        call(
            "channel_reference online",
            ChannelReference::PATH,
            String::new(),
            SHOPPER,
        )
        .shows("Internet customers"),
        call(
            "create_customer at Houston",
            CreateCustomer::PATH,
            json!({"register": "1-1", "operation_id": OperationId::random(), "draft": draft("Hana")}).to_string(),
            HOUSTON,
        )
        .shows("Hana Access")
        .writes(&[Db::Channel]),
        call(
            "post_new_customer at Houston",
            PostNewCustomer::PATH,
            format!(
                "register=1-1&operation_id={}&draft[first_name]=Pia&draft[last_name]=Access\
                 &draft[email]=pia.access@example.com&draft[customer_group]=30\
                 &draft[language]=en-us&draft[currency]=USD",
                OperationId::random()
            ),
            HOUSTON,
        )
        .shows("Pia Access")
        .writes(&[Db::Channel]),
        call(
            "find_channel_customer",
            FindChannelCustomer::PATH,
            "key=C000001".into(),
            CASHIERS,
        )
        .shows("Karen"),
        call(
            "find_channel_customer of the shopper",
            FindChannelCustomer::PATH,
            "key=C000004".into(),
            CASHIERS_AND_SHOPPER,
        )
        .shows("Samantha"),
        call(
            "edit_customer at Seattle",
            EditCustomer::PATH,
            json!({"register": "2-1", "operation_id": OperationId::random(), "key": "C000002", "draft": draft("Jodi")}).to_string(),
            SEATTLE,
        )
        .shows("AppliedInHq")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "edit_customer of the shopper's own profile",
            EditCustomer::PATH,
            json!({"register": null, "operation_id": OperationId::random(), "key": "C000004", "draft": draft("Samantha")}).to_string(),
            SHOPPER,
        )
        .shows("AppliedInHq")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "edit_customer of another's profile online",
            EditCustomer::PATH,
            json!({"register": null, "operation_id": OperationId::random(), "key": "C000001", "draft": draft("Karen")}).to_string(),
            NOBODY,
        ),
        call(
            "add_customer_address at Houston",
            AddCustomerAddress::PATH,
            json!({"register": "1-1", "operation_id": OperationId::random(), "key": "C000003", "address": address}).to_string(),
            HOUSTON,
        )
        .shows("AppliedInHq")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "post_customer_edit at Seattle",
            PostCustomerEdit::PATH,
            format!(
                "register=2-1&operation_id={}&key=C000002&draft[first_name]=Jodi&draft[last_name]=Access\
                 &draft[email]=jodi.access@example.com&draft[customer_group]=30\
                 &draft[language]=en-us&draft[currency]=USD",
                OperationId::random()
            ),
            SEATTLE,
        )
        .shows("AppliedInHq")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "post_new_address at Houston",
            PostNewAddress::PATH,
            format!(
                "register=1-1&operation_id={}&key=C000003&address[purpose]=Home&address[street]=2 Form Street\
                 &address[city]=Houston&address[zip]=77002&address[country_region]=USA",
                OperationId::random()
            ),
            HOUSTON,
        )
        .shows("AppliedInHq")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "add_customer_address to the shopper's own profile",
            AddCustomerAddress::PATH,
            json!({"register": null, "operation_id": OperationId::random(), "key": "C000004", "address": address}).to_string(),
            SHOPPER,
        )
        .shows("AppliedInHq")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "add_customer_address to another's profile online",
            AddCustomerAddress::PATH,
            json!({"register": null, "operation_id": OperationId::random(), "key": "C000005", "address": address}).to_string(),
            NOBODY,
        ),
        call("my_profile_key", MyProfileKey::PATH, String::new(), SHOPPER)
        .shows("C000004"),
        call("pos_registers", PosRegisters::PATH, String::new(), CASHIERS)
        .shows("\"channel_name\":"),
        call(
            "set_register_offline at Houston",
            SetRegisterOffline::PATH,
            "register=1-2&offline=true".into(),
            HOUSTON,
        )
        .shows("null")
        .writes(&[Db::Channel]),
        call("pos_catalogue at Houston", PosCatalogue::PATH, "register=1-1".into(), HOUSTON)
            .shows("Coffee beans"),
        call(
            "save_sale at Houston",
            SaveSale::PATH,
            json!({
                "register": "1-1",
                "transaction_id": OperationId::random(),
                "key": "C000001",
                "draft": {"kind": "CashAndCarry", "lines": [{"item_id": "0001", "quantity": 2}], "delivery_address": null},
            })
            .to_string(),
            HOUSTON,
        )
        .shows("\"receipt_number\":\"0001-01-")
        .writes(&[Db::Channel]),
        call(
            "post_new_sale at Houston",
            PostNewSale::PATH,
            format!(
                "register=1-1&transaction_id={}&key=C000002&sale%5Bkind%5D=CashAndCarry\
                 &sale%5Bitem%5D%5B%5D=0003&sale%5Bquantity%5D%5B%5D=1",
                OperationId::random()
            ),
            HOUSTON,
        )
        .shows("Pour-over kettle")
        .writes(&[Db::Channel]),
        call(
            "customer_sales at Houston",
            CustomerSales::PATH,
            "register=1-1&key=C000001".into(),
            HOUSTON,
        )
        .shows("Coffee beans"),
        call(
            "loyalty_card at Houston",
            LoyaltyCard::PATH,
            "register=1-1&key=C000001".into(),
            HOUSTON,
        )
        .shows("null"),
        call(
            "issue_loyalty_card at Houston",
            IssueLoyaltyCard::PATH,
            "register=1-1&key=C000001".into(),
            HOUSTON,
        )
        .shows("LC-")
        .writes(&[Db::Hq]),
        call("sales_orders", SalesOrders::PATH, String::new(), ADMIN).shows("["),
        call("find_sale", FindSale::PATH, "receipt=0001-01-000001".into(), ADMIN)
            .shows("waiting for its P-job"),
        call(
            "search_customers",
            SearchCustomers::PATH,
            "term=Berg".into(),
            CASHIERS,
        )
        .shows("Karen Berg"),
        call(
            "load_status_page",
            LoadStatusPage::PATH,
            json!({"view": view}).to_string(),
            ADMIN,
        )
        .shows("Create customer"),
        call(
            "status_page_filters",
            StatusPageFilters::PATH,
            String::new(),
            ADMIN,
        )
        .shows("Fabrikam online store"),
        call("load_backlog_trend", LoadBacklogTrend::PATH, String::new(), ADMIN).shows("pending_upload"),
        call("draw_backlog_plots", DrawBacklogPlots::PATH, String::new(), ADMIN).shows("Backlog from "),
        call(
            "synchronize_all_failed",
            SynchronizeAllFailed::PATH,
            String::new(),
            ADMIN,
        )
        .shows("No failed operations in this view."),
        call(
            "load_operation_detail",
            LoadOperationDetail::PATH,
            format!("operation_id={operation_id}"),
            ADMIN,
        )
        .shows("Uma"),
        call(
            "save_operation",
            SaveOperation::PATH,
            json!({"operation_id": operation_id, "edits_seen": 0, "draft": draft("Ines")}).to_string(),
            ADMIN,
        )
        .shows("Saved (First name: Uma → Ines")
        .writes(&[Db::Hq]),
        call(
            "post_operation_save",
            PostOperationSave::PATH,
            format!(
                "operation_id={operation_id}&edits_seen=1&draft[first_name]=Ida&draft[last_name]=Access\
                 &draft[email]=ida.access@example.com&draft[customer_group]=30&draft[language]=en-us\
                 &draft[currency]=USD&draft[addresses][0][purpose]=Home&draft[addresses][0][street]=1 Access St\
                 &draft[addresses][0][city]=Houston&draft[addresses][0][zip]=77002\
                 &draft[addresses][0][country_region]=USA"
            ),
            ADMIN,
        )
        .shows("Saved (First name: Ines → Ida")
        .writes(&[Db::Hq]),
        call(
            "synchronize_operations",
            SynchronizeOperations::PATH,
            format!("operation_ids[]={operation_id}"),
            ADMIN,
        )
        .shows("1 synced")
        .writes(&[Db::Hq]),
        call(
            "functionality_profiles",
            FunctionalityProfiles::PATH,
            String::new(),
            ADMIN,
        )
        .shows("create_customer_async_mode"),
        call(
            "set_async_customer_mode",
            SetAsyncCustomerMode::PATH,
            "channel_id=1&on=false".into(),
            ADMIN,
        )
        .shows("now off for this channel")
        .writes(&[Db::Hq]),
        call("realtime_calls", RealtimeCalls::PATH, String::new(), ADMIN)
        .shows("Update customer"),
        call(
            "set_hq_unreachable",
            SetHqUnreachable::PATH,
            "unreachable=false".into(),
            ADMIN,
        )
        .shows("null")
        .writes(&[Db::Hq]),
        call(
            "feature_management",
            FeatureManagement::PATH,
            String::new(),
            ADMIN,
        )
        .shows("Performance improvements for customer orders"),
        call(
            "set_feature",
            SetFeature::PATH,
            "name=Performance+improvements+for+customer+orders+and+customer+transactions&enable=true".into(),
            ADMIN,
        )
        .shows("is now enabled")
        .writes(&[Db::Hq]),
        call("job_runs", JobRuns::PATH, "job=1010".into(), ADMIN)
        .shows("\"job\":\"1010\""),
        call("run_job", RunJob::PATH, "job=1110".into(), ADMIN)
        .writes(&[Db::Hq]),
        call("run_job_now", RunJobNow::PATH, "job=1070".into(), ADMIN)
        .shows("\"job\":\"1070\"")
        .writes(&[Db::Hq]),
        call(
            "set_job_schedule",
            SetJobSchedule::PATH,
            "job=1010&minutes=15".into(),
            ADMIN,
        )
        .shows("15")
        .writes(&[Db::Hq]),
        call("job_schedule", JobSchedule::PATH, "job=1010".into(), ADMIN)
        .shows("15"),
        call("troubleshoot", Troubleshoot::PATH, String::new(), ADMIN)
        .shows("editing_enabled"),
        call(
            "flush_channel_cache",
            FlushChannelCache::PATH,
            String::new(),
            ADMIN,
        )
        .shows("null"),
        call("hq_customers", HqCustomers::PATH, String::new(), ADMIN)
        .shows("Karen"),
        call("hq_customers, found", HqCustomers::PATH, "search=c000001".into(), ADMIN)
        .shows("Karen"),
        call("hq_customer", HqCustomer::PATH, "account=C000001".into(), ADMIN)
        .shows("karen.berg@contoso.com"),
        call("user_accounts", UserAccounts::PATH, String::new(), ADMIN).shows("Ken Sanchez"),
        // Near the end: these end the sessions of the Houston cashier, then
        // of the Seattle one.
        call(
            "sign_out_everywhere",
            SignOutEverywhere::PATH,
            "user_name=houston".into(),
            ADMIN,
        )
        .shows("Ken Sanchez is signed out everywhere (1 session)")
        .writes(&[Db::Hq, Db::Channel]),
        call(
            "change_user_access",
            ChangeUserAccess::PATH,
            "user_name=seattle&role=cashier&store=1".into(),
            ADMIN,
        )
        .shows("Terry Adams is now a cashier")
        .writes(&[Db::Hq, Db::Channel]),
        // Last: a shopper's sign-up becomes their profile instead of C000004.
        call(
            "create_customer online",
            CreateCustomer::PATH,
            json!({"register": null, "operation_id": OperationId::random(), "draft": draft("Olga")}).to_string(),
            SHOPPER,
        )
        .shows("Olga Access")
        .writes(&[Db::Hq, Db::Channel]),
    ]
}

/// A session cookie for each of `USERS`, in order; none for nobody.
pub async fn cookies(app: &WebApp) -> Vec<String> {
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
