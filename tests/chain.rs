//! The chain over HTTP: three scale-unit processes (the real custsync
//! binary) on one HQ, customers added through each at once, each unit's
//! P-job, one batch run, and what every unit's pages then show. HQ is an
//! SQLite file the three share, or, under `make test`, a PostgreSQL
//! database.

mod common;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use common::client::{Connection, connect, get, post, sign_in};
use common::unit_process::UnitProcess;
use custsync::api::channel_customers::CreateCustomer;
use custsync::api::hq::jobs::RunJobNow;
use custsync::api::pos::SearchCustomers;
use custsync::domain::customer::{CreatedCustomer, CustomerDraft, CustomerSummary};
use custsync::domain::jobs::JobRun;
use custsync::domain::operation::OperationId;
use custsync::storage::hq_db::DEMO_PASSWORD;
use leptos::server_fn::ServerFn;
use tempfile::TempDir;

/// Clients adding customers at once in each scale unit, and how many each adds.
const CLIENTS: usize = 3;
const CREATES_PER_CLIENT: usize = 5;

fn start(name: &'static str, channels: &str, hq_url: &str) -> UnitProcess {
    UnitProcess::start(name, channels, hq_url).expect("the server binary starts")
}

impl UnitProcess {
    /// Signs `user_name` in once the unit answers; the session cookie.
    async fn sign_in(&self, user_name: &str) -> String {
        for _ in 0..600 {
            if let Ok(mut connection) = connect(self.addr).await
                && let Ok(reply) = sign_in(&mut connection, user_name, DEMO_PASSWORD).await
            {
                assert_eq!(reply.status, 200, "{}: {}", self.name, reply.body);
                return reply.cookie.expect("a session cookie");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "scale unit {} did not answer within 30 s; its log:\n{}",
            self.name,
            self.log()
        );
    }

    async fn connection(&self) -> Connection {
        connect(self.addr).await.expect("the unit answers")
    }

    async fn run_job(&self, admin: &str, code: &str) -> JobRun {
        let reply = post(
            &mut self.connection().await,
            RunJobNow::PATH,
            "application/x-www-form-urlencoded",
            admin,
            &format!("job={code}"),
        )
        .await
        .expect("an answer");
        assert_eq!(reply.status, 200, "{code} in {}: {}", self.name, reply.body);
        let run: JobRun = serde_json::from_str(&reply.body).expect("a run");
        assert_eq!(
            run.outcome, "Succeeded",
            "{code} in {}: {:?}",
            self.name, run.message
        );
        assert_eq!(
            run.scale_unit.as_deref(),
            Some(self.name),
            "the run names its unit"
        );
        run
    }

    async fn search(&self, cashier: &str, term: &str) -> Vec<CustomerSummary> {
        let reply = post(
            &mut self.connection().await,
            SearchCustomers::PATH,
            "application/x-www-form-urlencoded",
            cashier,
            &format!("term={term}"),
        )
        .await
        .expect("an answer");
        assert_eq!(reply.status, 200, "{}", reply.body);
        serde_json::from_str(&reply.body).expect("customers")
    }
}

/// Adds `CREATES_PER_CLIENT` customers named after the unit and the client
/// over one connection; the temporary ids the unit answered with.
async fn add_customers(
    addr: SocketAddr,
    cookie: String,
    register: Option<&'static str>,
    unit: &'static str,
    client: usize,
) -> Vec<String> {
    let mut connection = connect(addr).await.expect("the unit answers");
    let mut staged = Vec::new();
    for n in 0..CREATES_PER_CLIENT {
        let draft = CustomerDraft {
            first_name: "Chain".into(),
            last_name: format!("{unit}Client{client}No{n}"),
            email: format!("chain.{unit}.{client}.{n}@example.com").to_lowercase(),
            ..CustomerDraft::default()
        };
        let body =
            serde_json::json!({"register": register, "operation_id": OperationId::random(), "draft": draft});
        let reply = post(
            &mut connection,
            CreateCustomer::PATH,
            "application/json",
            &cookie,
            &body.to_string(),
        )
        .await
        .expect("an answer");
        assert_eq!(reply.status, 200, "{unit}: {}", reply.body);
        let created: CreatedCustomer = serde_json::from_str(&reply.body).expect("a created customer");
        staged.push(
            created
                .temporary_id()
                .expect("staged in asynchronous mode")
                .to_string(),
        );
    }
    staged
}

/// The synced operations of Houston's status page export: temporary id to
/// (channel, scale unit, account).
async fn synced_in_export(unit: &UnitProcess, admin: &str) -> HashMap<String, (String, String, String)> {
    let reply = get(
        &mut unit.connection().await,
        "/hq/customer-synchronization-status.csv?status=synced&q=chain",
        admin,
    )
    .await
    .expect("an answer");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let mut lines = reply.body.split("\r\n").filter(|line| !line.is_empty());
    assert_eq!(
        lines.next(),
        Some(
            "\u{FEFF}Operation,Channel,Scale unit,Created,Temporary ID,Customer account,Name,Status,Error,Retries,Last attempt"
        )
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let row = (cells[1].to_string(), cells[2].to_string(), cells[5].to_string());
            (cells[4].to_string(), row)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_added_through_three_scale_units_at_once_sync_once_and_reach_every_unit() {
    let hq = TempDir::new().unwrap();
    let hq_url = common::shared_hq_url(&hq).await;
    let houston = start("Houston", "Houston", &hq_url);
    let seattle = start("Seattle", "Seattle", &hq_url);
    let online = start("Online", "Fabrikam online store", &hq_url);
    let houston_cashier = houston.sign_in("houston").await;
    let seattle_cashier = seattle.sign_in("seattle").await;
    let shopper = online.sign_in("shopper").await;
    let admin = houston.sign_in("admin").await;
    houston.run_job(&admin, "1070").await;

    let mut adding = Vec::new();
    for client in 0..CLIENTS {
        for (unit, cookie, register) in [
            (&houston, &houston_cashier, Some("1-1")),
            (&seattle, &seattle_cashier, Some("2-1")),
            (&online, &shopper, None),
        ] {
            let task = add_customers(unit.addr, cookie.clone(), register, unit.name, client);
            adding.push((unit.name, tokio::spawn(task)));
        }
    }
    let mut staged_in: HashMap<String, &str> = HashMap::new();
    for (unit, task) in adding {
        for temporary_id in task.await.expect("a client") {
            assert!(
                staged_in.insert(temporary_id, unit).is_none(),
                "each create its own id"
            );
        }
    }
    assert_eq!(staged_in.len(), 3 * CLIENTS * CREATES_PER_CLIENT);

    let seattle_customer = "SeattleClient0No0";
    assert!(
        houston
            .search(&houston_cashier, seattle_customer)
            .await
            .is_empty(),
        "Houston does not see what Seattle staged"
    );
    assert_eq!(
        houston.search(&houston_cashier, "HoustonClient0No0").await.len(),
        1
    );

    for unit in [&houston, &seattle, &online] {
        let admin = unit.sign_in("admin").await;
        let upload = unit.run_job(&admin, "P-0001").await;
        assert_eq!(
            upload.rows_done,
            (CLIENTS * CREATES_PER_CLIENT) as i64,
            "{}'s own creates",
            unit.name
        );
    }
    let seattle_admin = seattle.sign_in("admin").await;
    let sync = seattle.run_job(&seattle_admin, "SYNCCUST").await;
    assert_eq!(
        sync.succeeded,
        staged_in.len() as i64,
        "one batch run syncs the chain"
    );

    let synced = synced_in_export(&houston, &admin).await;
    assert_eq!(synced.len(), staged_in.len(), "every create synced exactly once");
    let accounts: HashSet<&String> = synced.values().map(|(_, _, account)| account).collect();
    assert_eq!(
        accounts.len(),
        staged_in.len(),
        "unique account numbers across the chain"
    );
    let channel_of = |unit: &str| match unit {
        "Houston" => "Houston",
        "Seattle" => "Seattle",
        _ => "Fabrikam online store",
    };
    for (temporary_id, unit) in &staged_in {
        let (channel, scale_unit, account) = &synced[temporary_id];
        assert_eq!((channel.as_str(), scale_unit.as_str()), (channel_of(unit), *unit));
        assert!(account.starts_with('C'), "{account}");
    }

    let page = get(
        &mut houston.connection().await,
        &format!("/hq/customer-synchronization-status?q={seattle_customer}"),
        &admin,
    )
    .await
    .expect("the status page");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("Chain {seattle_customer}")) && page.body.contains("Synced"),
        "Seattle's customer shows as synced on the page Houston serves"
    );

    houston.run_job(&admin, "1010").await;
    let found = houston.search(&houston_cashier, seattle_customer).await;
    assert_eq!(
        found.len(),
        1,
        "Seattle's customer reaches Houston once HQ has it"
    );
    assert!(
        found[0]
            .account
            .as_deref()
            .is_some_and(|account| accounts.contains(&account.to_string()))
    );
}
