//! The RETAILASYNC* tables, whose shape is the same in the channel database
//! and in HQ: the statements both storage modules use to write and read an
//! operation's rows.

use serde::Deserialize;
use sqlx::query::{Query, QueryScalar};
use sqlx::query_builder::Separated;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Database, Encode, FromRow, QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Type};

use crate::domain::customer::{
    AddressDraft, AttributeDraft, ChangedFields, ContactDraft, CustomerDraft, PartyType,
};
use crate::domain::records::{OperationKind, StagedOperation};
use crate::domain::status_page::{Cursor, StatusView};
use crate::storage::dialect::Dialect;

/// The columns of RETAILASYNCCUSTOMERV2 an operation is read from.
pub const HEADER_COLUMNS: &str = "id, temporary_id, operation, channel_id, register_number, customer_account,
     customer_temporary_id, changed_fields, party_type, first_name, middle_name, last_name, organization_name,
     email, phone, customer_group, language, currency, created_at";

/// The header columns every operation carries from its channel, before
/// `created_at` and the customer columns.
pub const OPERATION_COLUMNS: &str = "temporary_id, operation, channel_id, register_number, customer_account, customer_temporary_id, changed_fields";

/// The customer columns written by `bind_customer`, in its order.
pub const CUSTOMER_COLUMNS: &str = "party_type, first_name, middle_name, last_name, organization_name, email,
     phone, customer_group, language, currency";

#[derive(Debug, FromRow)]
pub struct HeaderRow {
    id: i64,
    temporary_id: String,
    operation: String,
    channel_id: i64,
    register_number: Option<i64>,
    customer_account: Option<String>,
    customer_temporary_id: Option<String>,
    changed_fields: Option<String>,
    #[sqlx(flatten)]
    customer: CustomerColumns,
    created_at: String,
}

/// The customer's own fields, as both customer tables and the staging
/// header store them.
#[derive(Debug, FromRow)]
pub struct CustomerColumns {
    party_type: String,
    first_name: String,
    middle_name: String,
    last_name: String,
    organization_name: String,
    email: String,
    phone: String,
    customer_group: String,
    language: String,
    currency: String,
}

impl CustomerColumns {
    pub fn into_draft(self) -> CustomerDraft {
        CustomerDraft {
            party_type: PartyType::from_code(&self.party_type),
            first_name: self.first_name,
            middle_name: self.middle_name,
            last_name: self.last_name,
            organization_name: self.organization_name,
            email: self.email,
            phone: self.phone,
            customer_group: self.customer_group,
            language: self.language,
            currency: self.currency,
            ..CustomerDraft::default()
        }
    }
}

impl HeaderRow {
    pub fn into_operation(self) -> Result<StagedOperation, sqlx::Error> {
        let kind = OperationKind::from_code(&self.operation)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown operation {:?}", self.operation).into()))?;
        Ok(StagedOperation {
            id: self.id,
            temporary_id: self.temporary_id,
            kind,
            channel_id: self.channel_id,
            register_number: self.register_number,
            customer_account: self.customer_account,
            customer_temporary_id: self.customer_temporary_id,
            customer: self.customer.into_draft(),
            changed_fields: changed_fields(self.changed_fields.as_deref())?,
            created_at: self.created_at,
        })
    }
}

/// The address columns written by `bind_address`, in its order, and read
/// into `AddressColumns`.
pub const ADDRESS_COLUMNS: &str = "name, purpose, street, city, state, zip, country_region, is_primary";

/// An address as every address table stores it.
#[derive(Debug, FromRow)]
pub struct AddressColumns {
    name: String,
    purpose: String,
    street: String,
    city: String,
    state: String,
    zip: String,
    country_region: String,
    is_primary: bool,
}

impl AddressColumns {
    pub fn into_draft(self) -> AddressDraft {
        AddressDraft {
            name: self.name,
            purpose: self.purpose,
            street: self.street,
            city: self.city,
            state: self.state,
            zip: self.zip,
            country_region: self.country_region,
            primary: self.is_primary,
        }
    }
}

/// Binds an address in the order of `ADDRESS_COLUMNS`.
pub fn bind_address<'q, DB: Database>(
    query: Query<'q, DB, DB::Arguments<'q>>,
    address: &'q AddressDraft,
) -> Query<'q, DB, DB::Arguments<'q>>
where
    &'q String: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
{
    query
        .bind(&address.name)
        .bind(&address.purpose)
        .bind(&address.street)
        .bind(&address.city)
        .bind(&address.state)
        .bind(&address.zip)
        .bind(&address.country_region)
        .bind(address.primary)
}

/// Binds the customer's own fields in the order of `CUSTOMER_COLUMNS`.
pub fn bind_customer<'q, DB: Database>(
    query: Query<'q, DB, DB::Arguments<'q>>,
    customer: &'q CustomerDraft,
) -> Query<'q, DB, DB::Arguments<'q>>
where
    &'q str: Encode<'q, DB> + Type<DB>,
    &'q String: Encode<'q, DB> + Type<DB>,
{
    query
        .bind(customer.party_type.code())
        .bind(&customer.first_name)
        .bind(&customer.middle_name)
        .bind(&customer.last_name)
        .bind(&customer.organization_name)
        .bind(&customer.email)
        .bind(&customer.phone)
        .bind(&customer.customer_group)
        .bind(&customer.language)
        .bind(&customer.currency)
}

/// SQLite takes at most 32,766 parameters in one statement; a multi-row
/// insert of `columns` columns takes this many rows at most.
pub fn rows_per_insert(columns: usize) -> usize {
    32_766 / columns.max(1)
}

/// Binds the customer's own fields in the order of `CUSTOMER_COLUMNS`, as
/// one row of a multi-row insert. The row owns copies of them, so that an
/// insert can be built before its transaction and outlive its source.
pub fn push_customer(row: &mut Separated<'_, '_, Sqlite, &'static str>, customer: &CustomerDraft) {
    row.push_bind(customer.party_type.code())
        .push_bind(customer.first_name.clone())
        .push_bind(customer.middle_name.clone())
        .push_bind(customer.last_name.clone())
        .push_bind(customer.organization_name.clone())
        .push_bind(customer.email.clone())
        .push_bind(customer.phone.clone())
        .push_bind(customer.customer_group.clone())
        .push_bind(customer.language.clone())
        .push_bind(customer.currency.clone());
}

/// Pushes the address's fields in the order of `ADDRESS_COLUMNS` as bound
/// values of a multi-row insert's row.
pub fn push_address(row: &mut Separated<'_, '_, Sqlite, &'static str>, address: &AddressDraft) {
    row.push_bind(address.name.clone())
        .push_bind(address.purpose.clone())
        .push_bind(address.street.clone())
        .push_bind(address.city.clone())
        .push_bind(address.state.clone())
        .push_bind(address.zip.clone())
        .push_bind(address.country_region.clone())
        .push_bind(address.primary);
}

/// Writes the addresses, contacts, affiliations and attributes of each
/// operation, named by its temporary id, with one multi-row insert per
/// table, sent to SQLite's thread as one batch.
pub async fn insert_children(
    conn: &mut SqliteConnection,
    operations: &[(&str, &CustomerDraft)],
) -> Result<(), sqlx::Error> {
    let mut batch = QueryBuilder::new("");
    push_children_inserts(&mut batch, &STAGED_CHILD_TABLES, operations);
    execute_batch(conn, batch).await
}

/// Runs the statements of `batch`, if it has any, one after the other on
/// SQLite's thread: one round trip to that thread for them all, where each
/// statement sent on its own waits for the thread to be woken and scheduled.
pub async fn execute_batch(
    conn: &mut SqliteConnection,
    mut batch: QueryBuilder<'_, Sqlite>,
) -> Result<(), sqlx::Error> {
    if !batch.sql().is_empty() {
        batch.build().execute(conn).await?;
    }
    Ok(())
}

/// Where a customer's addresses, contacts, affiliations and attributes are
/// written, and the column that names their customer.
pub struct ChildTables {
    pub key: &'static str,
    pub addresses: &'static str,
    pub contacts: &'static str,
    pub affiliations: &'static str,
    pub attributes: &'static str,
}

/// The staging tables' child rows, named by their operation's temporary id.
pub const STAGED_CHILD_TABLES: ChildTables = ChildTables {
    key: "temporary_id",
    addresses: "RETAILASYNCADDRESSV2",
    contacts: "RETAILASYNCCUSTOMERCONTACT",
    affiliations: "RETAILASYNCCUSTOMERAFFILIATION",
    attributes: "RETAILASYNCCUSTOMERATTRIBUTEV2",
};

/// Appends to `batch` the multi-row inserts of the customers' child rows
/// into `tables`, each customer named by the key beside it.
pub fn push_children_inserts<'args>(
    batch: &mut QueryBuilder<'args, Sqlite>,
    tables: &ChildTables,
    customers: &[(&str, &CustomerDraft)],
) {
    let ChildTables {
        key,
        addresses,
        contacts,
        affiliations,
        attributes,
    } = tables;
    let rows = child_rows(customers, |customer| &customer.addresses);
    let head = format!("INSERT INTO {addresses} ({key}, line, {ADDRESS_COLUMNS}) ");
    push_multi_row_inserts(batch, &head, &rows, 10, |mut row, (id, line, address)| {
        row.push_bind(id.to_string()).push_bind(*line);
        push_address(&mut row, address);
    });
    let rows = child_rows(customers, |customer| &customer.contacts);
    let head = format!("INSERT INTO {contacts} ({key}, line, contact_type, value, is_primary) ");
    push_multi_row_inserts(batch, &head, &rows, 5, |mut row, (id, line, contact)| {
        row.push_bind(id.to_string())
            .push_bind(*line)
            .push_bind(contact.kind.clone())
            .push_bind(contact.value.clone())
            .push_bind(contact.primary);
    });
    let rows = child_rows(customers, |customer| &customer.affiliations);
    let head = format!("INSERT INTO {affiliations} ({key}, line, affiliation) ");
    push_multi_row_inserts(batch, &head, &rows, 3, |mut row, (id, line, affiliation)| {
        row.push_bind(id.to_string())
            .push_bind(*line)
            .push_bind(affiliation.to_string());
    });
    let rows = child_rows(customers, |customer| &customer.attributes);
    let head = format!("INSERT INTO {attributes} ({key}, line, name, value) ");
    push_multi_row_inserts(batch, &head, &rows, 4, |mut row, (id, line, attribute)| {
        row.push_bind(id.to_string())
            .push_bind(*line)
            .push_bind(attribute.name.clone())
            .push_bind(attribute.value.clone());
    });
}

/// Appends to `batch` the inserts of `rows` in as few multi-row statements
/// as SQLite's parameter limit allows, each ended by `;`: `bind` binds one
/// row's `columns` values after `head`.
pub fn push_multi_row_inserts<'args, T>(
    batch: &mut QueryBuilder<'args, Sqlite>,
    head: &str,
    rows: &[T],
    columns: usize,
    mut bind: impl FnMut(Separated<'_, 'args, Sqlite, &'static str>, &T),
) {
    for chunk in rows.chunks(rows_per_insert(columns)) {
        batch.push(head);
        batch.push_values(chunk, &mut bind);
        batch.push("; ");
    }
}

/// The rows of one child table for these customers: each item `items`
/// picks from a customer, with the key beside it (an operation's temporary
/// id, a copied customer's account) and the item's line number, from 0, as
/// the child tables number them.
pub fn child_rows<'a, T>(
    customers: &[(&'a str, &'a CustomerDraft)],
    items: impl Fn(&'a CustomerDraft) -> &'a [T],
) -> Vec<(&'a str, i64, &'a T)> {
    customers
        .iter()
        .flat_map(|(id, customer)| {
            (0_i64..)
                .zip(items(customer))
                .map(move |(line, item)| (*id, line, item))
        })
        .collect()
}

/// The SQL that reads the operations `selection` picks (a query of whole
/// RETAILASYNCCUSTOMERV2 rows, with its own parameters) with all their rows
/// as one JSON document. One value crosses from SQLite's thread to Rust
/// instead of one message per row, which is what made reading a batch slow.
/// Each operation and child row is an array of its values in the order of
/// its document struct's fields: without the field names, SQLite writes and
/// Rust parses about half as much. PostgreSQL builds the same document
/// with its own JSON functions (its flags are booleans, written as 0 or 1).
pub fn operations_document(dialect: Dialect, selection: &str) -> String {
    match dialect {
        Dialect::Sqlite => sqlite_operations_document(selection),
        Dialect::Postgres => postgres_operations_document(selection),
    }
}

fn sqlite_operations_document(selection: &str) -> String {
    let children = |table: &str, values: &str| {
        format!(
            "(SELECT json_group_array({values})
              FROM (SELECT * FROM {table} WHERE temporary_id = o.temporary_id ORDER BY line) c)"
        )
    };
    format!(
        "SELECT json_group_array(json_array(
            o.id, o.temporary_id, o.operation, o.channel_id, o.register_number, o.customer_account,
            o.customer_temporary_id, o.changed_fields, o.party_type, o.first_name, o.middle_name, o.last_name,
            o.organization_name, o.email, o.phone, o.customer_group, o.language, o.currency, o.created_at,
            {addresses}, {contacts}, {affiliations}, {attributes}))
         FROM ({selection}) o",
        addresses = children(
            "RETAILASYNCADDRESSV2",
            "json_array(c.name, c.purpose, c.street, c.city, c.state, c.zip, c.country_region, c.is_primary)"
        ),
        contacts = children(
            "RETAILASYNCCUSTOMERCONTACT",
            "json_array(c.contact_type, c.value, c.is_primary)"
        ),
        affiliations = children("RETAILASYNCCUSTOMERAFFILIATION", "c.affiliation"),
        attributes = children("RETAILASYNCCUSTOMERATTRIBUTEV2", "json_array(c.name, c.value)"),
    )
}

/// PostgreSQL gathers each child table's rows of the selected operations
/// in one grouped pass, then joins them to the operations: a subquery per
/// operation and table, as SQLite's document has, costs PostgreSQL about
/// four times as much.
fn postgres_operations_document(selection: &str) -> String {
    let children = |table: &str, values: &str| {
        format!(
            "SELECT c.temporary_id, json_agg({values} ORDER BY c.line) AS rows
             FROM {table} c WHERE c.temporary_id IN (SELECT temporary_id FROM o) GROUP BY c.temporary_id"
        )
    };
    format!(
        "WITH o AS MATERIALIZED ({selection}),
              a AS ({addresses}),
              k AS ({contacts}),
              f AS ({affiliations}),
              t AS ({attributes})
         SELECT COALESCE(json_agg(json_build_array(
            o.id, o.temporary_id, o.operation, o.channel_id, o.register_number, o.customer_account,
            o.customer_temporary_id, o.changed_fields, o.party_type, o.first_name, o.middle_name, o.last_name,
            o.organization_name, o.email, o.phone, o.customer_group, o.language, o.currency, o.created_at,
            COALESCE(a.rows, '[]'), COALESCE(k.rows, '[]'), COALESCE(f.rows, '[]'), COALESCE(t.rows, '[]'))), '[]')::text
         FROM o LEFT JOIN a USING (temporary_id) LEFT JOIN k USING (temporary_id)
                LEFT JOIN f USING (temporary_id) LEFT JOIN t USING (temporary_id)",
        addresses = children(
            "RETAILASYNCADDRESSV2",
            "json_build_array(c.name, c.purpose, c.street, c.city, c.state, c.zip, c.country_region,
                              c.is_primary::int)"
        ),
        contacts = children(
            "RETAILASYNCCUSTOMERCONTACT",
            "json_build_array(c.contact_type, c.value, c.is_primary::int)"
        ),
        affiliations = children("RETAILASYNCCUSTOMERAFFILIATION", "c.affiliation"),
        attributes = children("RETAILASYNCCUSTOMERATTRIBUTEV2", "json_build_array(c.name, c.value)"),
    )
}

/// One operation of an `operations_document`; the order of the fields is
/// the order of the values there, as for the child rows'.
#[derive(Deserialize)]
struct OperationDocument {
    id: i64,
    temporary_id: String,
    operation: String,
    channel_id: i64,
    register_number: Option<i64>,
    customer_account: Option<String>,
    customer_temporary_id: Option<String>,
    changed_fields: Option<String>,
    party_type: String,
    first_name: String,
    middle_name: String,
    last_name: String,
    organization_name: String,
    email: String,
    phone: String,
    customer_group: String,
    language: String,
    currency: String,
    created_at: String,
    addresses: Vec<AddressDocument>,
    contacts: Vec<ContactDocument>,
    affiliations: Vec<String>,
    attributes: Vec<AttributeDraft>,
}

#[derive(Deserialize)]
struct AddressDocument {
    name: String,
    purpose: String,
    street: String,
    city: String,
    state: String,
    zip: String,
    country_region: String,
    primary: i64,
}

#[derive(Deserialize)]
struct ContactDocument {
    kind: String,
    value: String,
    primary: i64,
}

impl OperationDocument {
    fn into_operation(self) -> Result<StagedOperation, sqlx::Error> {
        let kind = OperationKind::from_code(&self.operation)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown operation {:?}", self.operation).into()))?;
        let addresses = self
            .addresses
            .into_iter()
            .map(|a| AddressDraft {
                name: a.name,
                purpose: a.purpose,
                street: a.street,
                city: a.city,
                state: a.state,
                zip: a.zip,
                country_region: a.country_region,
                primary: a.primary != 0,
            })
            .collect();
        let contacts = self
            .contacts
            .into_iter()
            .map(|c| ContactDraft {
                kind: c.kind,
                value: c.value,
                primary: c.primary != 0,
            })
            .collect();
        Ok(StagedOperation {
            id: self.id,
            temporary_id: self.temporary_id,
            kind,
            channel_id: self.channel_id,
            register_number: self.register_number,
            customer_account: self.customer_account,
            customer_temporary_id: self.customer_temporary_id,
            customer: CustomerDraft {
                party_type: PartyType::from_code(&self.party_type),
                first_name: self.first_name,
                middle_name: self.middle_name,
                last_name: self.last_name,
                organization_name: self.organization_name,
                email: self.email,
                phone: self.phone,
                customer_group: self.customer_group,
                language: self.language,
                currency: self.currency,
                addresses,
                contacts,
                affiliations: self.affiliations,
                attributes: self.attributes,
            },
            changed_fields: changed_fields(self.changed_fields.as_deref())?,
            created_at: self.created_at,
        })
    }
}

/// The fields a `changed_fields` column names.
pub fn changed_fields(code: Option<&str>) -> Result<ChangedFields, sqlx::Error> {
    ChangedFields::from_code(code)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown changed fields {code:?}").into()))
}

/// The operations of an `operations_document`, in the order they were made.
pub fn parse_operations(document: &str) -> Result<Vec<StagedOperation>, sqlx::Error> {
    let documents: Vec<OperationDocument> =
        serde_json::from_str(document).map_err(|error| sqlx::Error::Decode(error.into()))?;
    let mut operations = documents
        .into_iter()
        .map(OperationDocument::into_operation)
        .collect::<Result<Vec<_>, _>>()?;
    operations.sort_by_key(|op| op.id);
    Ok(operations)
}

/// Reads the operations `selection` picks, bound with `bind`, with all their rows.
pub async fn read_operations<'q>(
    pool: &SqlitePool,
    sql: &'q str,
    bind: impl FnOnce(
        QueryScalar<'q, Sqlite, String, SqliteArguments<'q>>,
    ) -> QueryScalar<'q, Sqlite, String, SqliteArguments<'q>>,
) -> Result<Vec<StagedOperation>, sqlx::Error> {
    let document = bind(sqlx::query_scalar(sql)).fetch_one(pool).await?;
    parse_operations(&document)
}

/// The keyset condition, order and limit of a Customer synchronization
/// status page over RETAILASYNCCUSTOMERV2 (aliased by `prefix`, e.g. `o.`,
/// with the number its channel database gave each operation in
/// `sequence`); true when the rows come in reverse order (paging back).
pub fn push_status_page<'a, DB: Database>(
    query: &mut QueryBuilder<'a, DB>,
    view: &StatusView,
    limit: u32,
    prefix: &str,
    sequence: &str,
) -> bool
where
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let (key, backwards) = match &view.cursor {
        Some(Cursor::After(key)) => (Some(key), false),
        Some(Cursor::Before(key)) => (Some(key), true),
        None => (None, false),
    };
    // Newest first reads the time index downwards; paging back reverses that.
    let descending = view.oldest_first == backwards;
    let (compare, order) = if descending { ("<", "DESC") } else { (">", "ASC") };
    if let Some(key) = key {
        query
            .push(format!(
                " AND ({prefix}created_at, {prefix}{sequence}, {prefix}temporary_id) {compare} ("
            ))
            .push_bind(key.created_at.clone())
            .push(", ")
            .push_bind(key.sequence)
            .push(", ")
            .push_bind(key.temporary_id.clone())
            .push(")");
    }
    query.push(format!(
        " ORDER BY {prefix}created_at {order}, {prefix}{sequence} {order}, {prefix}temporary_id {order} LIMIT "
    ));
    query.push_bind(i64::from(limit));
    backwards
}

/// The status page's channel, operation and day filters over
/// RETAILASYNCCUSTOMERV2 (aliased by `prefix`), each ` AND …`.
pub fn push_status_filters<'a, DB: Database>(
    query: &mut QueryBuilder<'a, DB>,
    dialect: Dialect,
    view: &StatusView,
    prefix: &str,
) where
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    if let Some(channel_id) = view.channel_id {
        query
            .push(format!(" AND {prefix}channel_id = "))
            .push_bind(channel_id);
    }
    if let Some(kind) = view.operation {
        query
            .push(format!(" AND {prefix}operation = "))
            .push_bind(kind.code().to_string());
    }
    if !view.from.is_empty() {
        query
            .push(format!(" AND {prefix}created_at >= "))
            .push_bind(view.from.clone());
    }
    if !view.to.is_empty() {
        query.push(format!(" AND {prefix}created_at < "));
        let (before, after) = dialect.day_after();
        query.push(before).push_bind(view.to.clone()).push(after);
    }
}
