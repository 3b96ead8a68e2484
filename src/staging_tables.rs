//! The RETAILASYNC* tables, whose shape is the same in the channel database
//! and in HQ: the statements both storage modules use to write and read an
//! operation's rows.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{FromRow, Sqlite, SqliteConnection, SqlitePool};

use crate::channel_db::NewOperation;
use crate::customer::{AddressDraft, AttributeDraft, ContactDraft, CustomerDraft, PartyType};
use crate::records::{OperationKind, StagedOperation};

/// The columns of RETAILASYNCCUSTOMERV2 an operation is read from.
pub const HEADER_COLUMNS: &str = "id, temporary_id, operation, channel_id, register_number, customer_account,
     customer_temporary_id, party_type, first_name, middle_name, last_name, organization_name, email, phone,
     customer_group, language, currency, created_at";

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
pub fn bind_address<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    address: &'q AddressDraft,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
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
pub fn bind_customer<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    customer: &'q CustomerDraft,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
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

/// An operation as one element of the JSON array the batch statements
/// below read with `json_each`: a whole batch is written by a handful of
/// statements instead of a round trip per row. Keys are the column names.
#[derive(Debug, Serialize)]
pub struct OperationJson<'a> {
    temporary_id: &'a str,
    operation: &'static str,
    channel_id: i64,
    register_number: Option<i64>,
    customer_account: Option<&'a str>,
    customer_temporary_id: Option<&'a str>,
    created_at: Option<&'a str>,
    party_type: &'static str,
    first_name: &'a str,
    middle_name: &'a str,
    last_name: &'a str,
    organization_name: &'a str,
    email: &'a str,
    phone: &'a str,
    customer_group: &'a str,
    language: &'a str,
    currency: &'a str,
    addresses: &'a [AddressDraft],
    contacts: &'a [ContactDraft],
    affiliations: &'a [String],
    attributes: &'a [AttributeDraft],
}

impl<'a> OperationJson<'a> {
    fn header(temporary_id: &'a str, kind: OperationKind, customer: &'a CustomerDraft) -> OperationJson<'a> {
        OperationJson {
            temporary_id,
            operation: kind.code(),
            channel_id: 0,
            register_number: None,
            customer_account: None,
            customer_temporary_id: None,
            created_at: None,
            party_type: customer.party_type.code(),
            first_name: &customer.first_name,
            middle_name: &customer.middle_name,
            last_name: &customer.last_name,
            organization_name: &customer.organization_name,
            email: &customer.email,
            phone: &customer.phone,
            customer_group: &customer.customer_group,
            language: &customer.language,
            currency: &customer.currency,
            addresses: &customer.addresses,
            contacts: &customer.contacts,
            affiliations: &customer.affiliations,
            attributes: &customer.attributes,
        }
    }
}

impl<'a> From<&'a StagedOperation> for OperationJson<'a> {
    fn from(op: &'a StagedOperation) -> OperationJson<'a> {
        OperationJson {
            channel_id: op.channel_id,
            register_number: op.register_number,
            customer_account: op.customer_account.as_deref(),
            customer_temporary_id: op.customer_temporary_id.as_deref(),
            created_at: Some(&op.created_at),
            ..OperationJson::header(&op.temporary_id, op.kind, &op.customer)
        }
    }
}

impl<'a> From<&'a NewOperation> for OperationJson<'a> {
    fn from(op: &'a NewOperation) -> OperationJson<'a> {
        OperationJson {
            channel_id: op.channel_id,
            register_number: op.register_number,
            customer_account: op.customer_account.as_deref(),
            customer_temporary_id: op.customer_temporary_id.as_deref(),
            ..OperationJson::header(&op.temporary_id, op.kind, &op.customer)
        }
    }
}

/// The JSON array of operations the batch statements take as their one parameter.
pub fn operations_json<'a>(
    operations: impl IntoIterator<Item = OperationJson<'a>>,
) -> Result<String, sqlx::Error> {
    let rows: Vec<OperationJson> = operations.into_iter().collect();
    serde_json::to_string(&rows).map_err(|error| sqlx::Error::Encode(error.into()))
}

/// `o.value ->> 'a', o.value ->> 'b'` for the columns `a, b`: reads each
/// column from the JSON element `alias` under the key of the same name.
pub fn json_fields(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|column| format!("{alias}.value ->> '{}'", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The header columns every operation carries from its channel, before the
/// customer columns.
pub const OPERATION_COLUMNS: &str =
    "temporary_id, operation, channel_id, register_number, customer_account, customer_temporary_id";

/// Writes the addresses, contacts, affiliations and attributes of every
/// operation in `operations_json`.
pub async fn insert_children(conn: &mut SqliteConnection, operations_json: &str) -> Result<(), sqlx::Error> {
    let address_fields = json_fields("a", "name, purpose, street, city, state, zip, country_region");
    let statements = [
        format!(
            "INSERT INTO RETAILASYNCADDRESSV2 (temporary_id, line, {ADDRESS_COLUMNS})
             SELECT o.value ->> 'temporary_id', a.key, {address_fields}, a.value ->> 'primary'
             FROM json_each(?) o, json_each(o.value, '$.addresses') a"
        ),
        "INSERT INTO RETAILASYNCCUSTOMERCONTACT (temporary_id, line, contact_type, value, is_primary)
         SELECT o.value ->> 'temporary_id', c.key, c.value ->> 'kind', c.value ->> 'value', c.value ->> 'primary'
         FROM json_each(?) o, json_each(o.value, '$.contacts') c"
            .to_string(),
        "INSERT INTO RETAILASYNCCUSTOMERAFFILIATION (temporary_id, line, affiliation)
         SELECT o.value ->> 'temporary_id', f.key, f.value
         FROM json_each(?) o, json_each(o.value, '$.affiliations') f"
            .to_string(),
        "INSERT INTO RETAILASYNCCUSTOMERATTRIBUTEV2 (temporary_id, line, name, value)
         SELECT o.value ->> 'temporary_id', t.key, t.value ->> 'name', t.value ->> 'value'
         FROM json_each(?) o, json_each(o.value, '$.attributes') t"
            .to_string(),
    ];
    for sql in &statements {
        sqlx::query(sql).bind(operations_json).execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct AddressRow {
    temporary_id: String,
    #[sqlx(flatten)]
    address: AddressColumns,
}

#[derive(FromRow)]
struct ContactRow {
    temporary_id: String,
    contact_type: String,
    value: String,
    is_primary: bool,
}

#[derive(FromRow)]
struct AffiliationRow {
    temporary_id: String,
    affiliation: String,
}

#[derive(FromRow)]
struct AttributeRow {
    temporary_id: String,
    name: String,
    value: String,
}

/// Completes operation headers read with `HEADER_COLUMNS` with their
/// addresses, contacts, affiliations and attributes.
pub async fn load_operations(
    pool: &SqlitePool,
    headers: Vec<HeaderRow>,
) -> Result<Vec<StagedOperation>, sqlx::Error> {
    let mut operations = headers
        .into_iter()
        .map(HeaderRow::into_operation)
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(first), Some(last)) = (operations.first(), operations.last()) else {
        return Ok(operations);
    };
    let (low, high) = (first.id.min(last.id), first.id.max(last.id));
    let in_range =
        "temporary_id IN (SELECT temporary_id FROM RETAILASYNCCUSTOMERV2 WHERE id BETWEEN ? AND ?)";
    let index: HashMap<String, usize> = operations
        .iter()
        .enumerate()
        .map(|(i, op)| (op.temporary_id.clone(), i))
        .collect();

    let addresses: Vec<AddressRow> = sqlx::query_as(&format!(
        "SELECT temporary_id, {ADDRESS_COLUMNS} FROM RETAILASYNCADDRESSV2 WHERE {in_range} ORDER BY temporary_id, line"
    ))
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await?;
    for row in addresses {
        if let Some(&i) = index.get(&row.temporary_id) {
            operations[i].customer.addresses.push(row.address.into_draft());
        }
    }
    let contacts: Vec<ContactRow> = sqlx::query_as(&format!(
        "SELECT temporary_id, contact_type, value, is_primary
         FROM RETAILASYNCCUSTOMERCONTACT WHERE {in_range} ORDER BY temporary_id, line"
    ))
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await?;
    for row in contacts {
        if let Some(&i) = index.get(&row.temporary_id) {
            operations[i].customer.contacts.push(ContactDraft {
                kind: row.contact_type,
                value: row.value,
                primary: row.is_primary,
            });
        }
    }
    let affiliations: Vec<AffiliationRow> = sqlx::query_as(&format!(
        "SELECT temporary_id, affiliation FROM RETAILASYNCCUSTOMERAFFILIATION WHERE {in_range}
         ORDER BY temporary_id, line"
    ))
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await?;
    for row in affiliations {
        if let Some(&i) = index.get(&row.temporary_id) {
            operations[i].customer.affiliations.push(row.affiliation);
        }
    }
    let attributes: Vec<AttributeRow> = sqlx::query_as(&format!(
        "SELECT temporary_id, name, value FROM RETAILASYNCCUSTOMERATTRIBUTEV2 WHERE {in_range}
         ORDER BY temporary_id, line"
    ))
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await?;
    for row in attributes {
        if let Some(&i) = index.get(&row.temporary_id) {
            operations[i].customer.attributes.push(AttributeDraft {
                name: row.name,
                value: row.value,
            });
        }
    }
    Ok(operations)
}
