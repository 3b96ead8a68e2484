//! The register's outbox: customer operations the POS saved while the store
//! server could not be reached, kept in the browser's own storage (they
//! survive a reload and a closed tab) and sent, oldest first, when the
//! server answers again. Each operation carries the id the browser made for
//! it, and the server carries out an operation once per id, so one sent
//! twice (its answer was lost, two tabs sent it) is still staged once.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::customer::{
    AddressDraft, ChangeOutcome, ChangedFields, CreatedCustomer, CustomerDraft, display_name, tidy_own_fields,
};
use crate::domain::operation::OperationId;
use crate::domain::records::OperationKind;
use crate::error::AppError;

/// One operation kept in the browser until the store server has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub operation_id: OperationId,
    /// The POS register it was saved at (`1-2`); none on the online store.
    pub register: Option<String>,
    pub operation: WaitingOperation,
    /// Why the server refused it for good, once it has.
    pub refused: Option<String>,
    /// Why the store could not carry it out yet (HQ unreachable for a
    /// real-time call), when it last said so: it is sent again.
    #[serde(default)]
    pub postponed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitingOperation {
    Create {
        draft: CustomerDraft,
    },
    Edit {
        key: String,
        /// The customer's temporary id, when `key` is its account: changes
        /// kept while it was pending name it by that id.
        #[serde(default)]
        temporary_id: Option<String>,
        draft: CustomerDraft,
        /// The customer's own fields as the form showed them when it
        /// opened (none in what an older page kept): the edit changes the
        /// fields that differ from them, and no other.
        #[serde(default)]
        started_from: Option<Box<CustomerDraft>>,
    },
    AddAddress {
        key: String,
        /// As an edit's.
        #[serde(default)]
        temporary_id: Option<String>,
        customer_name: String,
        address: AddressDraft,
    },
}

impl WaitingOperation {
    pub fn kind(&self) -> OperationKind {
        match self {
            WaitingOperation::Create { .. } => OperationKind::Create,
            WaitingOperation::Edit { .. } => OperationKind::Update,
            WaitingOperation::AddAddress { .. } => OperationKind::AddAddress,
        }
    }

    pub fn customer_name(&self) -> String {
        match self {
            WaitingOperation::Create { draft } | WaitingOperation::Edit { draft, .. } => display_name(draft),
            WaitingOperation::AddAddress { customer_name, .. } => customer_name.clone(),
        }
    }
}

/// A customer whose create is still kept in the browser, as the kept
/// operations make it: the create, then each kept edit and address of it in
/// the order they were saved.
pub fn kept_customer(kept: &[Waiting], create_id: &OperationId) -> Option<CustomerDraft> {
    let customer = kept_create(kept, create_id)?;
    Some(with_kept_changes(customer, kept, &[Some(create_id.as_str())]))
}

/// The fields the kept create `create_id` was saved with.
pub fn kept_create(kept: &[Waiting], create_id: &OperationId) -> Option<CustomerDraft> {
    kept.iter().find_map(|w| match &w.operation {
        WaitingOperation::Create { draft } if w.operation_id == *create_id => Some(draft.clone()),
        _ => None,
    })
}

/// The customer named by `keys` (its account, its temporary id) as it is
/// once the changes of it kept in the browser are carried out, in the order
/// they were saved: an edit changes the fields that differ from where its
/// form started (every field, for one an older page kept without them), so
/// a second edit made while the first is kept starts from it.
pub fn with_kept_changes(
    mut customer: CustomerDraft,
    kept: &[Waiting],
    keys: &[Option<&str>],
) -> CustomerDraft {
    for change in kept.iter().filter(|w| is_of(w, keys)) {
        match &change.operation {
            WaitingOperation::Edit {
                draft, started_from, ..
            } => {
                let changed = started_from.as_ref().map_or(ChangedFields::ALL, |start| {
                    ChangedFields::between(&tidy_own_fields(start), &tidy_own_fields(draft))
                });
                customer = changed.apply(customer, draft);
            }
            WaitingOperation::AddAddress { address, .. } => customer.addresses.push(address.clone()),
            WaitingOperation::Create { .. } => {}
        }
    }
    customer
}

/// Forgets a delivered operation. A create HQ carried out at once (its
/// channel creates in real time) has an account now, and the store does not
/// know the create's id: the changes kept behind it name the account.
fn forget_delivered(kept: &mut Vec<Waiting>, id: &OperationId, sent: &Sent) {
    kept.retain(|w| w.operation_id != *id);
    let Sent::Created(created) = sent else {
        return;
    };
    let account = created.key();
    if account == id.as_str() {
        return;
    }
    for change in kept.iter_mut() {
        if let WaitingOperation::Edit {
            key, temporary_id, ..
        }
        | WaitingOperation::AddAddress {
            key, temporary_id, ..
        } = &mut change.operation
            && key == id.as_str()
        {
            *temporary_id = Some(std::mem::replace(key, account.clone()));
        }
    }
}

/// The keys an operation names its customer by: its create's id, or the
/// key an edit or an address names and the customer's temporary id when
/// that key is its account.
fn keys_of(waiting: &Waiting) -> [Option<&str>; 2] {
    match &waiting.operation {
        WaitingOperation::Create { .. } => [Some(waiting.operation_id.as_str()), None],
        WaitingOperation::Edit {
            key, temporary_id, ..
        }
        | WaitingOperation::AddAddress {
            key, temporary_id, ..
        } => [Some(key), temporary_id.as_deref()],
    }
}

/// Whether `waiting` is of a customer named by one of `keys`.
fn is_of(waiting: &Waiting, keys: &[Option<&str>]) -> bool {
    keys_of(waiting)
        .into_iter()
        .flatten()
        .any(|key| keys.contains(&Some(key)))
}

/// Whether `waiting` waits for an operation of its customer kept before it
/// that the server refused: the cashier sends that one again or discards it
/// first. Sent before it, `waiting` would be staged first, and the refused
/// one, sent again, would then be staged (and applied) over it.
pub fn held_by_refusal(kept: &[Waiting], waiting: &Waiting) -> bool {
    let before = kept
        .iter()
        .position(|other| other.operation_id == waiting.operation_id)
        .map_or(kept, |at| &kept[..at]);
    refused_operation_of(before, &keys_of(waiting))
}

/// Whether the server refused an operation the browser keeps of the
/// customer named by one of `keys` (its account, its temporary id).
fn refused_operation_of(kept: &[Waiting], keys: &[Option<&str>]) -> bool {
    kept.iter().any(|w| w.refused.is_some() && is_of(w, keys))
}

/// The kept operations the outbox sends now, oldest first: not those the
/// server refused, those a refusal holds, or those a form is sending.
fn to_send(kept: &[Waiting], in_flight: &[OperationId]) -> Vec<OperationId> {
    kept.iter()
        .filter(|w| sendable(kept, w) && !in_flight.contains(&w.operation_id))
        .map(|w| w.operation_id.clone())
        .collect()
}

fn sendable(kept: &[Waiting], waiting: &Waiting) -> bool {
    waiting.refused.is_none() && !held_by_refusal(kept, waiting)
}

/// Where an operation a form saved stands now, for the note the form
/// leaves: kept and why, or sent and what the store answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptState {
    /// Kept until the store server answers.
    Waiting,
    /// Kept behind an operation of its customer the store refused.
    Held,
    /// Kept: the store answered that it cannot carry it out yet, and why.
    Postponed(String),
    /// Kept: the store refused it, and why; the cashier decides.
    Refused(String),
    /// Sent, by this tab or another of this browser.
    Sent(Sent),
    /// Neither kept nor known sent: discarded.
    Gone,
}

/// Where the operation `id` stands, from what the browser keeps and what it
/// has sent since the page opened.
pub fn kept_state(kept: &[Waiting], delivered: &[(Waiting, Sent)], id: &OperationId) -> KeptState {
    if let Some(waiting) = kept.iter().find(|w| w.operation_id == *id) {
        return match (&waiting.refused, &waiting.postponed) {
            (Some(reason), _) => KeptState::Refused(reason.clone()),
            _ if held_by_refusal(kept, waiting) => KeptState::Held,
            (None, Some(reason)) => KeptState::Postponed(reason.clone()),
            (None, None) => KeptState::Waiting,
        };
    }
    delivered
        .iter()
        .find(|(waiting, _)| waiting.operation_id == *id)
        .map_or(KeptState::Gone, |(_, sent)| KeptState::Sent(sent.clone()))
}

/// What a form saved: a new customer, or a change of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedKind {
    Customer,
    Change,
}

/// What a form says of its save while this browser keeps it; none once it
/// is sent or discarded.
pub fn still_kept_message(state: &KeptState, kind: SavedKind) -> Option<String> {
    let (what, choices) = match kind {
        SavedKind::Customer => ("customer", "Correct it, send it again or discard it"),
        SavedKind::Change => ("change", "Send it again or discard it"),
    };
    match state {
        KeptState::Waiting => Some(format!(
            "Kept in this browser: the {what} is waiting for the store server, and is sent as soon as it answers."
        )),
        KeptState::Held => Some(
            "Kept in this browser, behind a change of this customer the store refused: send that one again or \
             discard it in the list Kept in this browser, and this one follows."
                .to_string(),
        ),
        KeptState::Postponed(reason) => Some(format!(
            "Kept in this browser: {} The register sends it again by itself until the store can carry it out.",
            first_sentence(reason)
        )),
        KeptState::Refused(reason) => Some(format!(
            "Kept in this browser, refused by the store: {reason} {choices} in the list Kept in this browser."
        )),
        KeptState::Sent(_) | KeptState::Gone => None,
    }
}

/// The first sentence of a reason the store gave: what follows tells
/// someone who saves by hand what to do, which the register does itself.
fn first_sentence(reason: &str) -> &str {
    reason.find(". ").map_or(reason, |end| &reason[..=end])
}

/// How many kept operations wait to be sent: not those the server refused,
/// which wait for the cashier.
pub fn still_waiting(kept: &[Waiting]) -> usize {
    kept.iter().filter(|w| w.refused.is_none()).count()
}

/// How many changes of the customer named by `keys` the browser keeps.
pub fn kept_changes_of(kept: &[Waiting], keys: &[Option<&str>]) -> usize {
    kept.iter().filter(|w| is_change_of(w, keys)).count()
}

/// Whether `waiting` changes the customer named by `keys` (an edit or an
/// address addition, not its create).
fn is_change_of(waiting: &Waiting, keys: &[Option<&str>]) -> bool {
    !matches!(waiting.operation, WaitingOperation::Create { .. }) && is_of(waiting, keys)
}

/// The change of the customer named by `keys` that the browser keeps and the
/// store refused, with its reason: its page shows the customer with it, as
/// it was typed (so that the next edit starts from it), and says it is not
/// saved. Refused, it holds the customer's later changes, so it is the only
/// one.
pub fn refused_change_of<'a>(
    kept: &'a [Waiting],
    keys: &[Option<&str>],
) -> Option<(&'a OperationId, &'a str)> {
    kept.iter()
        .filter(|w| is_change_of(w, keys))
        .find_map(|w| w.refused.as_deref().map(|reason| (&w.operation_id, reason)))
}

/// What a customer's page says under details that show a change the store
/// refused.
pub fn refused_change_message(reason: &str) -> String {
    format!(
        "Not saved: the details above show a change kept in this browser that the store refused. {reason} \
         Send it again or discard it in the list Kept in this browser."
    )
}

/// What the server answered an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sent {
    Created(CreatedCustomer),
    Changed(ChangeOutcome),
}

impl Sent {
    /// The key that opens the customer: its account, or its temporary id.
    pub fn customer_key(&self, waiting: &Waiting) -> String {
        match (self, &waiting.operation) {
            (Sent::Created(created), _) => created.key(),
            (
                Sent::Changed(_),
                WaitingOperation::Edit { key, .. } | WaitingOperation::AddAddress { key, .. },
            ) => key.clone(),
            (Sent::Changed(_), WaitingOperation::Create { .. }) => waiting.operation_id.to_string(),
        }
    }
}

/// What becomes of an operation once a try to send it has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Delivered(Sent),
    /// The server was not reached, or its answer was not read: try again
    /// later.
    KeepWaiting,
    /// The server answered that it cannot carry it out yet, and why: try
    /// again later.
    Postponed(String),
    /// The server read it and will not carry it out; trying again would not help.
    Refused(AppError),
}

impl Delivery {
    pub fn of(answer: Result<Sent, AppError>) -> Delivery {
        match answer {
            Ok(sent) => Delivery::Delivered(sent),
            Err(error) if server_not_answering(&error) => Delivery::KeepWaiting,
            Err(AppError::Unavailable(reason)) => Delivery::Postponed(reason),
            // Its log says why; the next try may pass (a database that was
            // busy or full), and the operation is not lost meanwhile.
            Err(AppError::Internal) => Delivery::Postponed(
                "The store server failed on it (its log says why); it is sent again.".to_string(),
            ),
            Err(refusal) => Delivery::Refused(refusal),
        }
    }
}

/// Whether a request's error says the store server was not reached (or its
/// answer not read), rather than that it answered.
fn server_not_answering(error: &AppError) -> bool {
    matches!(error, AppError::Unreachable(_))
}

/// What a save came to, as the form that made it shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Done(Sent),
    /// Kept in the browser: the store server could not be reached.
    Kept,
    /// Refused, or (without an outbox) not sent: shown in the form, which
    /// keeps what was typed.
    NotSaved(AppError),
}

/// Whether the register can reach the store server now, as far as the
/// browser can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connected,
    /// The browser itself says it has no network (`navigator.onLine`).
    BrowserOffline,
    /// The browser has a network, but requests to the store server fail.
    NotAnswering,
}

impl Connection {
    pub fn caption(self) -> &'static str {
        match self {
            Connection::Connected => "connected",
            Connection::BrowserOffline => "the browser is offline",
            Connection::NotAnswering => "not answering",
        }
    }
}

/// Seconds between tries while the store server does not answer: doubling
/// from 1, at most this.
pub const MAX_BACKOFF_SECONDS: u32 = 8;

pub fn next_backoff(seconds: u32) -> u32 {
    (seconds * 2).clamp(1, MAX_BACKOFF_SECONDS)
}

/// A change to what the outbox keeps, asked for by the cashier or by the
/// page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptChange {
    /// Read the storage again: the page opened, or another tab changed it.
    Reload,
    /// Drop an operation the server refused, at the cashier's word.
    Discard(OperationId),
    /// Send a refused operation again, at the cashier's word (after signing
    /// in again, say).
    SendAgain(OperationId),
    /// Send a refused create again with the fields the cashier corrected,
    /// under its own id: the changes kept behind it still name it.
    Correct(OperationId, Box<CustomerDraft>),
}

/// Puts the corrected fields in the refused create `id` and makes it wait
/// to be sent again. The store wrote nothing of a refused create, so it
/// takes the same id with other fields. The changes kept of it that the
/// store refused meanwhile (it had no such customer) wait again too, to be
/// sent after it. False when there is no such refused create (another tab
/// sent or discarded it meanwhile).
fn correct_refused_create(kept: &mut [Waiting], id: &OperationId, corrected: CustomerDraft) -> bool {
    let refused_create = kept.iter_mut().find(|w| {
        w.operation_id == *id && w.refused.is_some() && matches!(w.operation, WaitingOperation::Create { .. })
    });
    let Some(create) = refused_create else {
        return false;
    };
    create.operation = WaitingOperation::Create { draft: corrected };
    create.refused = None;
    create.postponed = None;
    for change in kept.iter_mut().filter(|w| changes_customer(w, id.as_str())) {
        change.refused = None;
    }
    true
}

/// Whether `waiting` is an edit or an address of the customer `key`.
fn changes_customer(waiting: &Waiting, key: &str) -> bool {
    match &waiting.operation {
        WaitingOperation::Edit { key: of, .. } | WaitingOperation::AddAddress { key: of, .. } => of == key,
        WaitingOperation::Create { .. } => false,
    }
}

/// How many operations this browser keeps, for the header of every page.
#[derive(Debug, Clone, Copy)]
pub struct WaitingCount(pub RwSignal<usize>);

/// The operations kept in this browser, and the state of their sending.
/// Pages of the POS share one, from their context. Pages reach what reads
/// or writes the browser's storage, or sends, through `customer_page`'s
/// split point (`save_operation`, `change_kept`, `start_register_outbox`):
/// that code is downloaded apart from the page.
#[derive(Debug, Clone, Copy)]
pub struct Outbox {
    /// What the browser's storage holds, oldest first.
    pub kept: RwSignal<Vec<Waiting>>,
    /// Operations this browser's tabs have delivered from what they kept
    /// since this page opened, in the order the page learnt of them.
    pub delivered: RwSignal<Vec<(Waiting, Sent)>>,
    /// When the page opened, in the browser's milliseconds.
    opened_at: StoredValue<u64>,
    /// Names this page's claims to send an operation (`storage::claim_sending`).
    claimant: StoredValue<String>,
    pub connection: RwSignal<Connection>,
    /// Ids a form is sending right now, which the outbox leaves to it.
    in_flight: StoredValue<Vec<OperationId>>,
    /// Beats of the sending loop (a second each) to skip before the next
    /// try, and the back-off after a failed one.
    next_try_in: StoredValue<u32>,
    backoff: StoredValue<u32>,
    /// Whether the store server has answered since the page opened or the
    /// network came back: until it has, "connected" is not known.
    heard_yet: StoredValue<bool>,
}

impl Outbox {
    /// An outbox that holds nothing yet; `start_sending` reads the storage.
    pub fn new() -> Outbox {
        Outbox {
            kept: RwSignal::new(Vec::new()),
            delivered: RwSignal::new(Vec::new()),
            opened_at: StoredValue::new(storage::now_ms()),
            claimant: StoredValue::new(new_operation_id().to_string()),
            connection: RwSignal::new(Connection::Connected),
            in_flight: StoredValue::new(Vec::new()),
            next_try_in: StoredValue::new(0),
            backoff: StoredValue::new(0),
            heard_yet: StoredValue::new(false),
        }
    }

    /// Saves an operation a form made: sent at once when nothing waits
    /// before it, kept in the outbox when the store server cannot be
    /// reached. Without an outbox (the online store), it is only sent.
    pub async fn save<F, Fut>(outbox: Option<Outbox>, waiting: Waiting, send: F) -> Saved
    where
        F: Fn(Waiting) -> Fut,
        Fut: Future<Output = Result<Sent, AppError>>,
    {
        let Some(outbox) = outbox else {
            return send_only(waiting, send).await;
        };
        let id = waiting.operation_id.clone();
        // Sent after what waits before it, not beside it.
        let Some(behind_others) = outbox.waits_behind(&waiting) else {
            // The page went while the outbox's code was downloaded: the
            // next page's outbox sends it.
            return match storage::keep(&waiting) {
                Ok(()) => Saved::Kept,
                Err(error) => Saved::NotSaved(AppError::Unavailable(format!(
                    "This change could not be kept in this browser ({error}): save it again."
                ))),
            };
        };
        outbox.in_flight.update_value(|ids| ids.push(id.clone()));
        // Claimed before it is kept, so that no other tab sends it beside
        // this form.
        storage::claim_sending(&id, &outbox.claimant.get_value());
        // Kept before it is sent: a tab closed during the request still has it.
        let kept = outbox.keep(waiting.clone());
        if kept.is_err() || behind_others {
            outbox.done_sending(&id);
        }
        if let Err(error) = kept {
            if behind_others {
                // Sent now, it would overtake what waits before it: an older
                // edit of the same customer delivered after it would undo it.
                return Saved::NotSaved(AppError::Unavailable(format!(
                    "This change could not be kept in this browser ({error}), and it cannot be sent before the \
                     changes still waiting: save it again once they are sent."
                )));
            }
            leptos::logging::warn!("this browser could not keep an operation, so it is only sent: {error}");
            return send_only(waiting, send).await;
        }
        if behind_others {
            outbox.try_soon();
            return Saved::Kept;
        }
        let saved = match Delivery::of(send(waiting).await) {
            Delivery::Delivered(sent) => {
                outbox.change(|kept| forget_delivered(kept, &id, &sent));
                outbox.answered();
                Saved::Done(sent)
            }
            Delivery::KeepWaiting => {
                outbox.not_answering();
                Saved::Kept
            }
            Delivery::Postponed(reason) => {
                outbox.postpone(&id, reason);
                Saved::Kept
            }
            Delivery::Refused(error) => {
                outbox.forget(&id);
                Saved::NotSaved(error)
            }
        };
        // Released once the storage says what became of it: released
        // before, another tab could find it still kept, and send it again.
        outbox.done_sending(&id);
        saved
    }

    fn done_sending(self, id: &OperationId) {
        if let Some(claimant) = self.claimant.try_get_value() {
            storage::release_sending(id, &claimant);
        }
        // The page may have gone meanwhile.
        self.in_flight
            .try_update_value(|ids| ids.retain(|other| other != id));
    }

    /// Whether a new operation waits behind kept ones: others than those
    /// being sent wait to be sent, or one of its customer was refused. One
    /// that waits for HQ (the store answered, but cannot make its real-time
    /// call now), or that a form is sending, holds only the later operations
    /// of its own customer: sent beside it, a later change could be staged
    /// first, and the earlier one then over it. `None` once the page that
    /// owned the outbox has gone.
    fn waits_behind(self, waiting: &Waiting) -> Option<bool> {
        let in_flight = self.in_flight.try_get_value()?;
        let keys = keys_of(waiting);
        self.kept.try_with_untracked(|kept| {
            held_by_refusal(kept, waiting)
                || kept.iter().any(|w| {
                    w.refused.is_none()
                        && (is_of(w, &keys)
                            || (!in_flight.contains(&w.operation_id) && w.postponed.is_none()))
                })
        })
    }

    fn keep(self, waiting: Waiting) -> Result<(), String> {
        storage::keep(&waiting)?;
        set_if_changed(self.kept, storage::read());
        Ok(())
    }

    fn forget(self, id: &OperationId) {
        self.change(|kept| kept.retain(|w| w.operation_id != *id));
    }

    pub fn change_kept(self, change: KeptChange) {
        match change {
            KeptChange::Reload => {
                set_if_changed(self.kept, storage::read());
                self.read_delivered();
            }
            KeptChange::Discard(id) => {
                self.forget(&id);
                // What it held is sent now.
                self.try_soon();
            }
            KeptChange::SendAgain(id) => {
                self.change(|kept| {
                    kept.iter_mut()
                        .filter(|w| w.operation_id == id)
                        .for_each(|w| w.refused = None)
                });
                self.try_soon();
            }
            KeptChange::Correct(id, corrected) => {
                self.change(|kept| {
                    correct_refused_create(kept, &id, *corrected);
                });
                self.try_soon();
            }
        }
    }

    /// Where the operation `id` a form saved stands now (`kept_state`),
    /// tracked; `Gone` once the page that owned the outbox has gone.
    pub fn state_of(self, id: &OperationId) -> KeptState {
        self.kept
            .try_with(|kept| {
                self.delivered
                    .try_with(|delivered| kept_state(kept, delivered, id))
            })
            .flatten()
            .unwrap_or(KeptState::Gone)
    }

    /// Lists what the other tabs delivered since the page opened, after
    /// what it lists already, which stays (also once the storage has
    /// forgotten it, or could not note it).
    fn read_delivered(self) {
        if let Some(since) = self.opened_at.try_get_value() {
            self.know_delivered(storage::sent_since(since));
        }
    }

    /// Adds `records` to what the page lists as delivered, in the order it
    /// learns of them; an operation is listed once.
    fn know_delivered(self, records: Vec<(Waiting, Sent)>) {
        self.delivered.try_maybe_update(|known| {
            let listed = known.len();
            for record in records {
                if !known
                    .iter()
                    .any(|(waiting, _)| waiting.operation_id == record.0.operation_id)
                {
                    known.push(record);
                }
            }
            (known.len() != listed, ())
        });
    }

    /// The store server answered, but cannot carry `id` out yet: it keeps
    /// its place before the later operations of its customer, with the
    /// reason, and is tried again on the back-off.
    fn postpone(self, id: &OperationId, reason: String) {
        self.change(|kept| {
            kept.iter_mut()
                .filter(|w| w.operation_id == *id)
                .for_each(|w| w.postponed = Some(reason.clone()))
        });
        self.say_connected();
        self.heard_yet.set_value(true);
        self.back_off();
    }

    /// An answer sent before the browser went offline can arrive after it
    /// did, and after the page that owned the outbox has gone: only the
    /// browser's `online` event ends its offline state.
    fn say_connected(self) {
        if self
            .connection
            .try_get_untracked()
            .is_some_and(|connection| connection != Connection::BrowserOffline)
        {
            self.connection.set(Connection::Connected);
        }
    }

    fn mark_refused(self, id: &OperationId, reason: String) {
        self.change(|kept| {
            kept.iter_mut().filter(|w| w.operation_id == *id).for_each(|w| {
                w.refused = Some(reason.clone());
                w.postponed = None;
            })
        });
    }

    /// Changes what the storage holds, as it is now (another tab may have
    /// changed it).
    fn change(self, edit: impl FnOnce(&mut Vec<Waiting>)) {
        let before = storage::read();
        let mut after = before.clone();
        edit(&mut after);
        if let Err(error) = storage::write_changes(&before, &after) {
            leptos::logging::error!("the outbox could not be written: {error}");
        }
        set_if_changed(self.kept, storage::read());
    }

    /// Hears what a request made beside the outbox (a search, a sale) came
    /// to, so that the header tells the truth: a server that did not answer
    /// it is tried again on the outbox's beat until it does.
    pub fn heard<T>(self, answer: &Result<T, AppError>) {
        match answer {
            Err(error) if server_not_answering(error) => self.not_answering(),
            _ => self.answered(),
        }
    }

    fn answered(self) {
        self.say_connected();
        self.backoff.set_value(0);
        self.heard_yet.set_value(true);
    }

    pub fn try_soon(self) {
        self.next_try_in.set_value(0);
    }

    fn not_answering(self) {
        if self
            .connection
            .try_get_untracked()
            .is_some_and(|connection| connection != Connection::BrowserOffline)
        {
            self.connection.set(Connection::NotAnswering);
        }
        self.back_off();
    }

    /// Whether the page that owned the outbox has gone, and its signals
    /// with it: an answer can come back after the cashier followed a link.
    fn is_gone(self) -> bool {
        self.in_flight.try_with_value(|_| ()).is_none()
    }

    /// One beat of the sending loop: whether a try is due on it (`None`
    /// once the page that owned the outbox has gone).
    #[cfg(any(feature = "hydrate", test))]
    fn try_due(self) -> Option<bool> {
        let wait = self.next_try_in.try_get_value()?;
        if wait > 0 {
            self.next_try_in.set_value(wait - 1);
        }
        Some(wait == 0)
    }

    /// The next try comes after the next back-off. The sending loop's beat
    /// is one second, and a try is due on the beat that finds nothing left
    /// to wait: `backoff - 1` beats are skipped.
    fn back_off(self) {
        let Some(backoff) = self.backoff.try_get_value().map(next_backoff) else {
            return;
        };
        self.backoff.set_value(backoff);
        self.next_try_in.set_value(backoff - 1);
    }

    /// Sends what waits, oldest first, until the server does not answer;
    /// one HQ cannot take now keeps the later ones of its customer behind
    /// it, and the others go. With nothing to send, asks the server whether
    /// it answers (`probe`) until it has since the page opened or the
    /// network came back. Returns false once the page that owns the outbox
    /// is gone.
    pub async fn send_kept<F, Fut, P, ProbeFut>(self, send: &F, probe: &P) -> bool
    where
        F: Fn(Waiting) -> Fut,
        Fut: Future<Output = Result<Sent, AppError>>,
        P: Fn() -> ProbeFut,
        ProbeFut: Future<Output = Result<(), AppError>>,
    {
        let (Some(in_flight), Some(claimant)) =
            (self.in_flight.try_get_value(), self.claimant.try_get_value())
        else {
            return false;
        };
        let kept_now = storage::read();
        let waiting = to_send(&kept_now, &in_flight);
        let unheard =
            !self.heard_yet.get_value() || self.connection.get_untracked() == Connection::NotAnswering;
        if waiting.is_empty() && unheard {
            self.heard(&probe().await);
            return !self.is_gone();
        }
        // Operations whose customer's later operations wait this round: one
        // a form here or another tab is sending, or one HQ cannot take now.
        let mut held_back: Vec<Waiting> = kept_now
            .into_iter()
            .filter(|w| in_flight.contains(&w.operation_id))
            .collect();
        for id in waiting {
            // As the storage holds it now: a create delivered before it may
            // have changed the customer it names, another tab may have
            // discarded it or seen it refused, or one before it refused.
            let kept = storage::read();
            let Some(operation) = kept
                .iter()
                .find(|w| w.operation_id == id && sendable(&kept, w))
                .cloned()
            else {
                continue;
            };
            if held_back
                .iter()
                .any(|earlier| is_of(&operation, &keys_of(earlier)))
            {
                continue;
            }
            // Another tab is sending it: left to that tab, and its
            // customer's later operations wait for it.
            if !storage::claim_sending(&id, &claimant) {
                held_back.push(operation);
                continue;
            }
            let answered = match Delivery::of(send(operation.clone()).await) {
                Delivery::Delivered(sent) => {
                    // Noted before it leaves the list, so that every tab
                    // that listed it shows it sent.
                    storage::note_sent(&operation, &sent);
                    self.change(|kept| forget_delivered(kept, &id, &sent));
                    self.know_delivered(vec![(operation, sent)]);
                    self.answered();
                    true
                }
                Delivery::KeepWaiting => {
                    self.not_answering();
                    false
                }
                Delivery::Postponed(reason) => {
                    self.postpone(&id, reason);
                    held_back.push(operation);
                    true
                }
                Delivery::Refused(error) => {
                    self.mark_refused(&id, error.in_full());
                    true
                }
            };
            // Released once the storage says what became of it.
            storage::release_sending(&id, &claimant);
            // What is left waits for the next try, or the next page's outbox.
            if !answered || self.is_gone() {
                return !self.is_gone();
            }
        }
        true
    }
}

/// Sets `signal` to `value` when it differs: the storage is read again on
/// every write another tab makes (a claim to send, say), and what shows
/// the kept operations is made again only when they changed.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    signal.try_maybe_update(|current| {
        let changed = *current != value;
        if changed {
            *current = value;
        }
        (changed, ())
    });
}

/// Sends an operation with nothing kept: what the server answered is what
/// the form shows, and a failed send leaves the form as it was typed.
async fn send_only<F, Fut>(waiting: Waiting, send: F) -> Saved
where
    F: Fn(Waiting) -> Fut,
    Fut: Future<Output = Result<Sent, AppError>>,
{
    match send(waiting).await {
        Ok(sent) => Saved::Done(sent),
        Err(error) => Saved::NotSaved(error),
    }
}

impl Default for Outbox {
    fn default() -> Self {
        Outbox::new()
    }
}

/// The register's header hears whether the store server answered a request
/// of a POS page (`Outbox::heard`), as it does of the customer saves: a
/// search, a customer's page with its sales and loyalty card, New sale's
/// catalogue, a sale, Issue loyalty card. Off the POS, there is no outbox.
pub fn heard_by_the_register<T>(answer: impl Get<Value = Option<Result<T, AppError>>> + 'static) {
    let Some(outbox) = use_context::<Outbox>() else {
        return;
    };
    Effect::new(move |seen_before: Option<()>| {
        let answer = answer.get();
        // What a page holds when its code starts was rendered by the server,
        // maybe long ago from a copy the browser kept: not an answer now.
        if let (Some(()), Some(answer)) = (seen_before, answer) {
            outbox.heard(&answer);
        }
    });
}

/// A new operation id, made in the browser where the operation is first
/// saved.
pub fn new_operation_id() -> OperationId {
    #[cfg(feature = "hydrate")]
    {
        OperationId::from_time_and_random_bytes(js_sys::Date::now() as u64, browser::random_bytes())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        OperationId::random()
    }
}

/// An operation id for a form the server renders: made where the page is
/// rendered and read back from the page as it hydrates, so that the id the
/// form posts before the page's code has loaded (or without JavaScript) is
/// the one that code then saves under. A save sent both ways, the second
/// press after the first post's answer was lost, is then one operation.
/// Only for a page no copy of which is kept and opened again; the register's
/// forms take `rendered_form_operation_id`.
pub fn page_operation_id() -> OperationId {
    SharedValue::new_str(new_operation_id).into_inner()
}

/// The operation id of a form posting to `action` that the server rendered
/// open (its page's address opened it): read from the form as the page
/// hydrates, so that a save the form posted itself before the page's code
/// arrived and the same save sent by that code are one operation. A new id
/// for a form the browser opens, and on a page the register's service
/// worker served from its copy: it serves one copy on every offline reload,
/// and the copy's ids may have been used already.
pub fn rendered_form_operation_id(action: &str) -> OperationId {
    rendered_form_id_in(action, "operation_id")
}

/// As `rendered_form_operation_id`, for a form whose id is its `field`
/// (a sale's `transaction_id`).
pub fn rendered_form_id_in(action: &str, field: &str) -> OperationId {
    #[cfg(feature = "hydrate")]
    if let Some(id) = browser::rendered_form_id(action, field) {
        return id;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (action, field);
    new_operation_id()
}

/// Starts sending the outbox's operations with `send` while the page that
/// owns it is open: a try every second while any wait, sooner when the
/// browser says it is online again, later while the server does not answer
/// (then with nothing to send, `probe` asks whether it answers again).
/// Keeps the POS pages for a reload without network too.
#[cfg(feature = "hydrate")]
pub fn start_sending<F, Fut, P, ProbeFut>(outbox: Outbox, send: F, probe: P)
where
    F: Fn(Waiting) -> Fut + 'static,
    Fut: Future<Output = Result<Sent, AppError>> + 'static,
    P: Fn() -> ProbeFut + 'static,
    ProbeFut: Future<Output = Result<(), AppError>> + 'static,
{
    outbox.change_kept(KeptChange::Reload);
    browser::follow_the_network(outbox);
    browser::whole_pages_while_unreachable(outbox);
    browser::keep_the_pos_for_offline();
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            let Some(due) = outbox.try_due() else {
                return;
            };
            if !due {
                continue;
            }
            if !outbox.send_kept(&send, &probe).await {
                return;
            }
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn start_sending<F, Fut, P, ProbeFut>(_outbox: Outbox, _send: F, _probe: P)
where
    F: Fn(Waiting) -> Fut + 'static,
    Fut: Future<Output = Result<Sent, AppError>> + 'static,
    P: Fn() -> ProbeFut + 'static,
    ProbeFut: Future<Output = Result<(), AppError>> + 'static,
{
}

/// Where the outbox is kept: the browser's `localStorage`, which every tab
/// shares, one key per operation. A tab writes only the operations it
/// changes: a whole list written back from a tab's copy would undo what
/// another tab kept or sent since that copy was read (tabs in other
/// processes see each other's writes a moment late).
mod storage {
    use super::{Sent, Waiting, still_waiting};
    use crate::domain::operation::OperationId;

    /// Each operation's key: this, the time it was kept (milliseconds, so
    /// that the keys sort oldest first), and its id.
    const PREFIX: &str = "custsync.register-outbox/";
    /// Where earlier versions kept the whole outbox as one list; read once
    /// and moved to keys of their own.
    const LIST_KEY: &str = "custsync.register-outbox";
    /// Where an operation this version cannot read is put aside, never
    /// dropped; its key follows.
    const UNREADABLE_PREFIX: &str = "custsync.register-outbox.unreadable/";
    /// The count the header shows, readable without the outbox's code.
    const COUNT_KEY: &str = "custsync.register-outbox.count";
    /// What a tab delivered of what was kept, and the store's answer, for
    /// every tab's list: this, the time it was delivered, and its id.
    const SENT_PREFIX: &str = "custsync.register-outbox.sent/";
    /// How long, and how many, delivered operations are remembered.
    const SENT_KEPT_MS: u64 = 24 * 60 * 60 * 1000;
    const SENT_KEPT_AT_MOST: usize = 300;
    /// A tab's claim to send an operation, the time it holds until and the
    /// claimant: this, and its id.
    const SENDING_PREFIX: &str = "custsync.register-outbox.sending/";
    /// Past the answer time (10 s): a tab closed during its request leaves
    /// the operation to the others once its claim ends.
    const SENDING_CLAIM_MS: u64 = 20_000;

    pub fn now_ms() -> u64 {
        backend::now_ms()
    }

    /// Claims the sending of `id` for `claimant` (a page): false while
    /// another's claim holds. A claim that cannot be written (the storage is
    /// full) does not stop the send: the store carries out an operation once
    /// however often it is sent.
    pub fn claim_sending(id: &OperationId, claimant: &str) -> bool {
        let key = format!("{SENDING_PREFIX}{id}");
        let now = backend::now_ms();
        if claim_of(&key).is_some_and(|(until, by)| until > now && by != claimant) {
            return false;
        }
        let _ = backend::set(&key, &format!("{} {claimant}", now + SENDING_CLAIM_MS));
        true
    }

    /// Ends `claimant`'s claim, not one another page made once it had
    /// ended (its request outlasted it).
    pub fn release_sending(id: &OperationId, claimant: &str) {
        let key = format!("{SENDING_PREFIX}{id}");
        if claim_of(&key).is_some_and(|(_, by)| by == claimant) {
            backend::remove(&key);
        }
    }

    /// The time a claim holds until, and its claimant.
    fn claim_of(key: &str) -> Option<(u64, String)> {
        let text = backend::get(key)?;
        let (until, claimant) = text.split_once(' ')?;
        Some((until.parse().ok()?, claimant.to_string()))
    }

    /// Notes that `waiting` was delivered and what the store answered, and
    /// forgets what is older than a day, or past the newest 300.
    pub fn note_sent(waiting: &Waiting, sent: &Sent) {
        let now = backend::now_ms();
        let mut keys = sent_keys();
        let too_many = (keys.len() + 1).saturating_sub(SENT_KEPT_AT_MOST);
        for (at, key) in keys.drain(..).enumerate() {
            if at < too_many || sent_at(&key).is_none_or(|sent| sent + SENT_KEPT_MS < now) {
                backend::remove(&key);
            }
        }
        let record = (waiting, sent);
        match serde_json::to_string(&record) {
            Ok(text) => {
                let key = format!("{SENT_PREFIX}{now:015}-{}", waiting.operation_id);
                if let Err(error) = backend::set(&key, &text) {
                    leptos::logging::warn!("a sent operation could not be noted for the other tabs: {error}");
                }
            }
            Err(error) => leptos::logging::warn!("a sent operation could not be noted: {error}"),
        }
    }

    /// What was delivered at or after `since`, oldest first; an operation
    /// two tabs delivered once.
    pub fn sent_since(since: u64) -> Vec<(Waiting, Sent)> {
        let mut sent: Vec<(Waiting, Sent)> = Vec::new();
        for key in sent_keys() {
            if sent_at(&key).is_none_or(|at| at < since) {
                continue;
            }
            let record: Option<(Waiting, Sent)> =
                backend::get(&key).and_then(|text| serde_json::from_str(&text).ok());
            if let Some(record) = record
                && !sent
                    .iter()
                    .any(|(waiting, _)| waiting.operation_id == record.0.operation_id)
            {
                sent.push(record);
            }
        }
        sent
    }

    /// The keys of delivered operations, oldest first.
    fn sent_keys() -> Vec<String> {
        let mut keys: Vec<String> = backend::keys()
            .into_iter()
            .filter(|key| key.starts_with(SENT_PREFIX))
            .collect();
        keys.sort();
        keys
    }

    fn sent_at(key: &str) -> Option<u64> {
        key.strip_prefix(SENT_PREFIX)?.get(..15)?.parse().ok()
    }

    /// The operations kept, oldest first.
    pub fn read() -> Vec<Waiting> {
        move_the_old_list();
        entries().into_iter().map(|(_, waiting)| waiting).collect()
    }

    /// Keeps `waiting` after the others, unless it is kept already.
    pub fn keep(waiting: &Waiting) -> Result<(), String> {
        move_the_old_list();
        if key_of(&waiting.operation_id).is_none() {
            set(&new_key(&waiting.operation_id), waiting)?;
        }
        update_count();
        Ok(())
    }

    /// A key after every key kept: named after the time, or after the last
    /// key when the browser's clock has gone back since.
    fn new_key(id: &OperationId) -> String {
        let last = backend::keys()
            .iter()
            .filter_map(|key| key.strip_prefix(PREFIX)?.get(..15)?.parse::<u64>().ok())
            .max();
        let at = last.map_or(0, |last| last + 1).max(backend::now_ms());
        format!("{PREFIX}{at:015}-{id}")
    }

    /// Writes what a tab changed from `before` to `after`: an operation
    /// gone from `after` is removed, and one changed is written over its
    /// key (`keep` adds them). Nothing else is touched, and an operation
    /// another tab removed meanwhile is not written back.
    pub fn write_changes(before: &[Waiting], after: &[Waiting]) -> Result<(), String> {
        for old in before {
            let now = after.iter().find(|new| new.operation_id == old.operation_id);
            if now == Some(old) {
                continue;
            }
            let Some(key) = key_of(&old.operation_id) else {
                continue;
            };
            match now {
                Some(new) => set(&key, new)?,
                None => backend::remove(&key),
            }
        }
        update_count();
        Ok(())
    }

    /// The number of operations waiting to be sent, as last written.
    pub fn count() -> usize {
        backend::get(COUNT_KEY)
            .and_then(|count| count.parse().ok())
            .unwrap_or(0)
    }

    /// Each kept operation under its key, oldest first. An operation kept
    /// twice (two tabs moved the old list at once) is kept under its first
    /// key only.
    fn entries() -> Vec<(String, Waiting)> {
        let mut keys: Vec<String> = backend::keys()
            .into_iter()
            .filter(|key| key.starts_with(PREFIX))
            .collect();
        keys.sort();
        let mut entries: Vec<(String, Waiting)> = Vec::new();
        for key in keys {
            let Some(text) = backend::get(&key) else {
                continue;
            };
            match serde_json::from_str::<Waiting>(&text) {
                Ok(waiting) => {
                    if entries
                        .iter()
                        .any(|(_, kept)| kept.operation_id == waiting.operation_id)
                    {
                        backend::remove(&key);
                    } else {
                        entries.push((key, waiting));
                    }
                }
                Err(error) => put_aside(&key, &text, &error),
            }
        }
        entries
    }

    fn key_of(id: &OperationId) -> Option<String> {
        let suffix = format!("-{id}");
        backend::keys()
            .into_iter()
            .find(|key| key.starts_with(PREFIX) && key.ends_with(&suffix))
    }

    fn set(key: &str, waiting: &Waiting) -> Result<(), String> {
        let text = serde_json::to_string(waiting).map_err(|error| error.to_string())?;
        backend::set(key, &text)
    }

    /// The header's count. When it cannot be written (the storage is
    /// full), only the header is behind: the operations are kept.
    fn update_count() {
        let kept: Vec<Waiting> = entries().into_iter().map(|(_, waiting)| waiting).collect();
        if let Err(error) = backend::set(COUNT_KEY, &still_waiting(&kept).to_string()) {
            leptos::logging::warn!("the count of kept operations could not be written: {error}");
        }
    }

    fn put_aside(key: &str, text: &str, error: &serde_json::Error) {
        let aside = format!("{UNREADABLE_PREFIX}{key}");
        leptos::logging::error!("a kept operation could not be read ({error}); it is kept under {aside}");
        if backend::set(&aside, text).is_ok() {
            backend::remove(key);
        }
    }

    /// Moves the list an earlier version kept to a key per operation, after
    /// those kept already: the list is there before any (the first read
    /// after an update moves it), or a tab of an earlier version wrote it
    /// since. What could not be moved (the storage is full) stays listed.
    fn move_the_old_list() {
        let Some(text) = backend::get(LIST_KEY) else {
            return;
        };
        let list: Vec<Waiting> = match serde_json::from_str(&text) {
            Ok(list) => list,
            Err(error) => {
                put_aside(LIST_KEY, &text, &error);
                return;
            }
        };
        for (at, waiting) in list.iter().enumerate() {
            if key_of(&waiting.operation_id).is_none()
                && set(&new_key(&waiting.operation_id), waiting).is_err()
            {
                if let Ok(left) = serde_json::to_string(&list[at..]) {
                    let _ = backend::set(LIST_KEY, &left);
                }
                return;
            }
        }
        backend::remove(LIST_KEY);
    }

    /// The browser's `localStorage`.
    #[cfg(feature = "hydrate")]
    mod backend {
        fn storage() -> Option<web_sys::Storage> {
            leptos::prelude::window().local_storage().ok().flatten()
        }

        pub fn now_ms() -> u64 {
            js_sys::Date::now() as u64
        }

        pub fn keys() -> Vec<String> {
            let Some(storage) = storage() else {
                return Vec::new();
            };
            let length = storage.length().unwrap_or(0);
            (0..length)
                .filter_map(|at| storage.key(at).ok().flatten())
                .collect()
        }

        pub fn get(key: &str) -> Option<String> {
            storage()?.get_item(key).ok().flatten()
        }

        pub fn set(key: &str, text: &str) -> Result<(), String> {
            storage()
                .ok_or("this browser does not keep data for the site")?
                .set_item(key, text)
                .map_err(|_| "this browser's storage for the site is full".to_string())
        }

        pub fn remove(key: &str) {
            if let Some(storage) = storage() {
                let _ = storage.remove_item(key);
            }
        }
    }

    /// The tests' storage: one per test thread, as a browser's is one per
    /// site; `FULL` makes it full, `FULL_AFTER` after some more writes.
    #[cfg(all(test, not(feature = "hydrate")))]
    pub mod backend {
        use std::cell::{Cell, RefCell};
        use std::collections::BTreeMap;

        thread_local! {
            static ITEMS: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
            static CLOCK: Cell<u64> = const { Cell::new(1_700_000_000_000) };
            pub static FULL: Cell<bool> = const { Cell::new(false) };
            /// Full after this many more writes.
            pub static FULL_AFTER: Cell<Option<u32>> = const { Cell::new(None) };
        }

        pub fn now_ms() -> u64 {
            CLOCK.with(|clock| {
                clock.set(clock.get() + 1);
                clock.get()
            })
        }

        pub fn turn_the_clock_back(ms: u64) {
            CLOCK.with(|clock| clock.set(clock.get() - ms));
        }

        pub fn turn_the_clock_forward(ms: u64) {
            CLOCK.with(|clock| clock.set(clock.get() + ms));
        }

        fn full() -> bool {
            FULL.with(Cell::get)
                || FULL_AFTER.with(|writes| match writes.get() {
                    Some(0) => true,
                    Some(left) => {
                        writes.set(Some(left - 1));
                        false
                    }
                    None => false,
                })
        }

        pub fn keys() -> Vec<String> {
            ITEMS.with(|items| items.borrow().keys().cloned().collect())
        }

        pub fn get(key: &str) -> Option<String> {
            ITEMS.with(|items| items.borrow().get(key).cloned())
        }

        /// As a browser's, a full storage still takes a value that is not
        /// longer than the one it replaces.
        pub fn set(key: &str, text: &str) -> Result<(), String> {
            let shrinks = get(key).is_some_and(|old| text.len() <= old.len());
            if !shrinks && full() {
                return Err("this browser's storage for the site is full".to_string());
            }
            ITEMS.with(|items| items.borrow_mut().insert(key.to_string(), text.to_string()));
            Ok(())
        }

        pub fn remove(key: &str) {
            ITEMS.with(|items| items.borrow_mut().remove(key));
        }
    }

    /// The server's rendering of the pages keeps nothing.
    #[cfg(all(not(test), not(feature = "hydrate")))]
    mod backend {
        pub fn now_ms() -> u64 {
            0
        }

        pub fn keys() -> Vec<String> {
            Vec::new()
        }

        pub fn get(_key: &str) -> Option<String> {
            None
        }

        pub fn set(_key: &str, _text: &str) -> Result<(), String> {
            Ok(())
        }

        pub fn remove(_key: &str) {}
    }
}

/// Drops the register's copies of the POS pages (customers' names among
/// them) that its service worker keeps: on any page that finds nobody, or
/// no cashier, signed in. The worker drops them itself only on a Sign out
/// made from a POS page, the only pages it sees. What the outbox keeps
/// stays: those are customers not yet sent.
pub fn forget_register_copies() {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(caches) = window().caches() {
            // The name `public/register-worker.js` keeps its copies under.
            let _ = caches.delete("custsync-register");
        }
        browser::tell_the_worker_copies_are_dropped();
    }
}

/// The number of operations this browser keeps, for the header.
pub fn stored_count() -> usize {
    storage::count()
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;

    use super::{Connection, KeptChange, Outbox, WaitingCount, still_waiting};
    use crate::domain::operation::OperationId;

    /// The id the server wrote into the field `field` of its rendering of
    /// the form posting to `action`, while the page hydrates; none on a page the
    /// service worker served from its copy (`public/register-worker.js`
    /// marks it).
    pub fn rendered_form_id(action: &str, field: &str) -> Option<OperationId> {
        let hydrating = crate::views::hydration::hydrating();
        let copy = document()
            .document_element()
            .is_some_and(|root| root.has_attribute("data-register-copy"));
        if !hydrating || copy {
            return None;
        }
        let selector = format!("form[action=\"{action}\"] input[name=\"{field}\"]");
        let field = document().query_selector(&selector).ok()??;
        field.get_attribute("value")?.parse().ok()
    }

    /// 16 random bytes from the browser's cryptographic source, which
    /// (unlike `crypto.randomUUID`) works on a plain-HTTP store server too.
    pub fn random_bytes() -> [u8; 16] {
        let mut bytes = [0_u8; 16];
        let filled = window()
            .crypto()
            .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes));
        if filled.is_err() {
            for byte in &mut bytes {
                *byte = (js_sys::Math::random() * 256.0) as u8;
            }
        }
        bytes
    }

    /// Registers the register's service worker (`public/register-worker.js`)
    /// for the POS pages, so that a POS opened once opens again with no
    /// network. Browsers offer it on HTTPS and on the local machine only;
    /// elsewhere the POS still keeps its operations, but a reload needs the
    /// network.
    pub fn keep_the_pos_for_offline() {
        let navigator = window().navigator();
        let offered = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
        if !offered {
            return;
        }
        let options = web_sys::RegistrationOptions::new();
        options.set_scope("/pos");
        let registering = navigator
            .service_worker()
            .register_with_options("/register-worker.js", &options);
        leptos::task::spawn_local(async move {
            if let Err(error) = wasm_bindgen_futures::JsFuture::from(registering).await {
                leptos::logging::warn!("the POS cannot be kept for offline use: {error:?}");
            }
        });
    }

    /// Has the register's service worker drop its copies too, so that an
    /// answer it is still waiting for, asked for before, is not kept after
    /// (the page's own drop cannot stop it).
    pub fn tell_the_worker_copies_are_dropped() {
        use wasm_bindgen::JsCast;
        let navigator = window().navigator();
        if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
            return;
        }
        let found = navigator
            .service_worker()
            .get_registration_with_document_url("/pos");
        leptos::task::spawn_local(async move {
            let registration = wasm_bindgen_futures::JsFuture::from(found)
                .await
                .ok()
                .and_then(|found| found.dyn_into::<web_sys::ServiceWorkerRegistration>().ok());
            if let Some(worker) = registration.and_then(|registration| registration.active()) {
                // The name `public/register-worker.js` listens for.
                let _ = worker.post_message(&"copies-dropped".into());
            }
        });
    }

    /// While the store server cannot be reached, a link of the app loads the
    /// whole page, as it would without the app: the register's service
    /// worker answers it from its copies where it has them, and the browser
    /// says it is offline where it has none. The app's own navigation would
    /// first download the next page's code, which cannot arrive, and stop
    /// the page (its outbox with it). Back on the register, nothing is lost.
    pub fn whole_pages_while_unreachable(outbox: Outbox) {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let on_click = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let unreachable = outbox
                .connection
                .try_get_untracked()
                .is_some_and(|connection| connection != Connection::Connected);
            if unreachable && is_link_of_the_app(&ev) {
                // Kept from the router, which listens on the window; the
                // browser then follows the link itself.
                ev.stop_propagation();
            }
        });
        let _ = document().add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let on_click = send_wrapper::SendWrapper::new(on_click);
        on_cleanup(move || {
            let on_click = on_click.take();
            let _ = document().remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        });
    }

    /// A click on a link the app's router would follow itself.
    fn is_link_of_the_app(ev: &web_sys::Event) -> bool {
        use wasm_bindgen::JsCast;
        let link = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten());
        let Some(link) = link else {
            return false;
        };
        let href = link.get_attribute("href").unwrap_or_default();
        let rel = link.get_attribute("rel").unwrap_or_default();
        href.starts_with('/')
            && !href.starts_with("//")
            && !rel.split_whitespace().any(|part| part == "external")
    }

    /// Follows `navigator.onLine`, other tabs' changes to the outbox, and
    /// keeps the header's count.
    pub fn follow_the_network(outbox: Outbox) {
        let online = move || window().navigator().on_line();
        if !online() {
            outbox.connection.set(Connection::BrowserOffline);
        }
        // Whether the store server answers is not known until it does,
        // which the outbox asks at once.
        let went_online = window_event_listener(leptos::ev::online, move |_| {
            outbox.connection.set(Connection::NotAnswering);
            outbox.heard_yet.set_value(false);
            outbox.try_soon();
        });
        let went_offline = window_event_listener(leptos::ev::offline, move |_| {
            outbox.connection.set(Connection::BrowserOffline);
        });
        let other_tab = window_event_listener(leptos::ev::storage, move |_| {
            outbox.change_kept(KeptChange::Reload)
        });
        on_cleanup(move || {
            went_online.remove();
            went_offline.remove();
            other_tab.remove();
        });
        if let Some(WaitingCount(count)) = use_context::<WaitingCount>() {
            Effect::new(move |_| count.set(outbox.kept.with(|kept| still_waiting(kept))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::CreatedHow;

    #[test]
    fn only_a_server_that_was_not_reached_keeps_an_operation_waiting() {
        let unreachable = Err(AppError::Unreachable("NetworkError".into()));
        assert_eq!(Delivery::of(unreachable), Delivery::KeepWaiting);
        for refusal in [
            AppError::Refused("Register 3 of store 1 is not known.".into()),
            AppError::Forbidden("Sign in as a cashier.".into()),
            AppError::BadRequest("An operation id must be a GUID.".into()),
            AppError::Invalid(crate::error::FieldErrors::default()),
        ] {
            assert_eq!(Delivery::of(Err(refusal.clone())), Delivery::Refused(refusal));
        }
    }

    #[test]
    fn the_header_hears_whether_the_server_answered_a_request_made_beside_the_outbox() {
        Owner::new_root(None).with(the_header_hears_answers);
    }

    fn the_header_hears_answers() {
        let outbox = Outbox::new();
        let unreachable: Result<(), AppError> = Err(AppError::Unreachable("Failed to fetch".into()));
        outbox.heard(&unreachable);
        assert_eq!(outbox.connection.get_untracked(), Connection::NotAnswering);
        // A refusal is an answer: the server is there.
        outbox.heard(&Err::<(), _>(AppError::BadRequest("Enter a quantity.".into())));
        assert_eq!(outbox.connection.get_untracked(), Connection::Connected);
        outbox.heard(&unreachable);
        outbox.heard(&Ok(()));
        assert_eq!(outbox.connection.get_untracked(), Connection::Connected);
        // A server that failed on a request answered it.
        outbox.heard(&unreachable);
        outbox.heard(&Err::<(), _>(AppError::Internal));
        assert_eq!(outbox.connection.get_untracked(), Connection::Connected);

        // The browser's own word that it is offline is not overwritten by a
        // request that failed for that reason.
        outbox.connection.set(Connection::BrowserOffline);
        outbox.heard(&unreachable);
        assert_eq!(outbox.connection.get_untracked(), Connection::BrowserOffline);
        // Nor by an answer that was under way when it went offline.
        outbox.heard(&Ok(()));
        assert_eq!(outbox.connection.get_untracked(), Connection::BrowserOffline);
    }

    /// What a future that is ready at once comes to.
    fn ready<T>(future: impl Future<Output = T>) -> T {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => panic!("the future was not ready at once"),
        }
    }

    /// The cashier followed a link while a save or a try of the outbox was
    /// out: the answer that comes back finds the page's outbox gone. It
    /// stays kept for the next page to send (`storage`), and letting it go
    /// must not stop the app (it once panicked, reading a dropped signal).
    #[test]
    fn an_answer_that_comes_back_after_the_page_has_gone_is_let_go() {
        fn unreachable<T>() -> Result<T, AppError> {
            Err(AppError::Unreachable("Failed to fetch".into()))
        }
        Owner::new_root(None).with(|| {
            let page = Owner::new();
            let outbox = page.with(Outbox::new);
            let probe = || {
                page.cleanup();
                async move { unreachable() }
            };
            let send = |_: Waiting| async move { unreachable() };
            assert!(!ready(outbox.send_kept(&send, &probe)), "the page has gone");

            let page = Owner::new();
            let outbox = page.with(Outbox::new);
            let probe = || {
                page.cleanup();
                async move { Ok(()) }
            };
            assert!(
                !ready(outbox.send_kept(&send, &probe)),
                "the server answered, after the page had gone"
            );

            let page = Owner::new();
            let outbox = page.with(Outbox::new);
            let send = |_: Waiting| {
                page.cleanup();
                async move { unreachable() }
            };
            let create = kept(WaitingOperation::Create {
                draft: CustomerDraft::default(),
            });
            assert_eq!(ready(Outbox::save(Some(outbox), create, send)), Saved::Kept);
        });
    }

    /// The storage is full, and an edit of the same customer waits: the new
    /// one is not sent before it (it would be undone by it), and the form
    /// keeps what was typed.
    #[test]
    fn a_change_that_cannot_be_kept_is_not_sent_before_the_ones_waiting() {
        Owner::new_root(None).with(|| {
            let edit = || {
                kept(WaitingOperation::Edit {
                    key: "C000001".into(),
                    temporary_id: None,
                    draft: CustomerDraft::default(),
                    started_from: None,
                })
            };
            let outbox = Outbox::new();
            outbox.kept.set(vec![edit()]);
            let sent = std::cell::Cell::new(false);
            let send = |_: Waiting| {
                sent.set(true);
                async { Err::<Sent, _>(AppError::Unreachable("Failed to fetch".into())) }
            };
            storage::backend::FULL.with(|full| full.set(true));
            let saved = ready(Outbox::save(Some(outbox), edit(), send));
            storage::backend::FULL.with(|full| full.set(false));
            assert!(!sent.get(), "sent before the edit that waits");
            assert!(
                matches!(saved, Saved::NotSaved(AppError::Unavailable(_))),
                "{saved:?}"
            );
        });
    }

    fn postponed(mut waiting: Waiting) -> Waiting {
        waiting.postponed = Some("HQ cannot be reached.".into());
        waiting
    }

    fn staged(waiting: &Waiting) -> Sent {
        Sent::Created(CreatedCustomer {
            full_name: "Bea Lind".into(),
            channel_name: "Houston".into(),
            how: CreatedHow::Staged {
                temporary_id: waiting.operation_id.to_string(),
            },
        })
    }

    /// A change HQ cannot take now (a real-time edit while HQ cannot be
    /// reached) holds the later changes of its customer only: a new
    /// customer is sent at once, and the store stages it, as its fallback
    /// says.
    #[test]
    fn a_change_waiting_for_hq_holds_its_customers_later_changes_and_no_new_customer() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let waiting_for_hq = postponed(edit_of("C000001"));
            storage::keep(&waiting_for_hq).unwrap();
            outbox.kept.set(storage::read());
            let sent = std::cell::RefCell::new(Vec::new());
            let send = |waiting: Waiting| {
                sent.borrow_mut().push(waiting.operation_id.clone());
                let answer = staged(&waiting);
                async move { Ok(answer) }
            };

            let create = kept(WaitingOperation::Create {
                draft: CustomerDraft::default(),
            });
            let saved = ready(Outbox::save(Some(outbox), create.clone(), send));
            assert!(matches!(saved, Saved::Done(_)), "{saved:?}");
            assert_eq!(*sent.borrow(), [create.operation_id]);

            let same_customer = edit_of("C000001");
            let saved = ready(Outbox::save(Some(outbox), same_customer.clone(), send));
            assert_eq!(saved, Saved::Kept, "behind the change HQ cannot take yet");
            assert_eq!(sent.borrow().len(), 1);
        });
    }

    /// The outbox tries what waits in order; a change HQ cannot take now
    /// keeps its customer's later changes behind it, and the rest go.
    #[test]
    fn the_outbox_sends_past_a_change_waiting_for_hq_except_its_customers() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let first = edit_of("C000001");
            let second = edit_of("C000001");
            let create = kept(WaitingOperation::Create {
                draft: CustomerDraft::default(),
            });
            for waiting in [&first, &second, &create] {
                storage::keep(waiting).unwrap();
            }
            let sent = std::cell::RefCell::new(Vec::new());
            let send = |waiting: Waiting| {
                sent.borrow_mut().push(waiting.operation_id.clone());
                let answer = match waiting.operation {
                    WaitingOperation::Create { .. } => Ok(staged(&waiting)),
                    _ => Err(AppError::Unavailable("HQ cannot be reached.".into())),
                };
                async move { answer }
            };
            let probe = || async { Ok(()) };

            assert!(ready(outbox.send_kept(&send, &probe)));
            assert_eq!(*sent.borrow(), [first.operation_id.clone(), create.operation_id]);
            let left: Vec<_> = storage::read()
                .into_iter()
                .map(|w| (w.operation_id, w.postponed))
                .collect();
            assert_eq!(
                left,
                [
                    (first.operation_id, Some("HQ cannot be reached.".to_string())),
                    (second.operation_id, None)
                ]
            );
        });
    }

    /// Two tabs of a register keep one outbox: an operation one tab is
    /// sending (a form's save, or its outbox's try) is not sent by the
    /// other beside it, which would send it twice; once the claim has
    /// ended (the tab was closed during its request), it is.
    #[test]
    fn an_operation_another_tab_is_sending_is_left_to_it_until_its_claim_ends() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let create = kept(WaitingOperation::Create {
                draft: CustomerDraft::default(),
            });
            storage::keep(&create).unwrap();
            assert!(
                storage::claim_sending(&create.operation_id, "the other tab"),
                "the other tab's claim"
            );
            let sent = std::cell::Cell::new(0);
            let send = |waiting: Waiting| {
                sent.set(sent.get() + 1);
                async move { Ok(staged(&waiting)) }
            };
            let probe = || async { Ok(()) };

            assert!(ready(outbox.send_kept(&send, &probe)));
            assert_eq!(sent.get(), 0);
            assert_eq!(storage::read(), vec![create.clone()]);

            storage::backend::turn_the_clock_forward(20_001);
            assert!(ready(outbox.send_kept(&send, &probe)));
            assert_eq!(sent.get(), 1);
            assert_eq!(storage::read(), Vec::new());
        });
    }

    /// Another tab is sending a customer's first change: this tab leaves
    /// the customer's later change until it is done (sent beside it, the
    /// later one could be staged first, and the first then over it), and
    /// sends another customer's.
    #[test]
    fn a_customers_later_change_waits_while_another_tab_sends_its_first() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let (first, later, other) = (edit_of("C000001"), edit_of("C000001"), edit_of("C000002"));
            for waiting in [&first, &later, &other] {
                storage::keep(waiting).unwrap();
            }
            assert!(
                storage::claim_sending(&first.operation_id, "the other tab"),
                "the other tab's claim"
            );
            let sent = std::cell::RefCell::new(Vec::new());
            let send = |waiting: Waiting| {
                sent.borrow_mut().push(waiting.operation_id.clone());
                async move { Ok(applied_in_hq("C000001")) }
            };
            let probe = || async { Ok(()) };

            assert!(ready(outbox.send_kept(&send, &probe)));
            assert_eq!(*sent.borrow(), [other.operation_id]);
            assert_eq!(storage::read(), vec![first, later]);
        });
    }

    /// A form saves a customer's second change while its first is on its
    /// way: the second is kept, and sent once the first is done, never
    /// beside it.
    #[test]
    fn a_change_saved_while_an_earlier_one_of_its_customer_is_on_its_way_waits_for_it() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let (first, second) = (edit_of("C000001"), edit_of("C000001"));
            // As a form's save holds it: kept, and on its way.
            outbox.keep(first.clone()).unwrap();
            outbox
                .in_flight
                .update_value(|ids| ids.push(first.operation_id.clone()));
            let sent = std::cell::RefCell::new(Vec::new());
            let send = |waiting: Waiting| {
                sent.borrow_mut().push(waiting.operation_id.clone());
                async move { Ok(applied_in_hq("C000001")) }
            };
            let probe = || async { Ok(()) };

            assert_eq!(
                ready(Outbox::save(Some(outbox), second.clone(), send)),
                Saved::Kept
            );
            assert!(ready(outbox.send_kept(&send, &probe)));
            assert!(sent.borrow().is_empty(), "sent beside the first");

            outbox.done_sending(&first.operation_id);
            storage::write_changes(std::slice::from_ref(&first), &[]).unwrap();
            assert!(ready(outbox.send_kept(&send, &probe)));
            assert_eq!(*sent.borrow(), [second.operation_id]);
        });
    }

    /// What a page listed as sent stays listed once the storage has
    /// forgotten it (a day later, or past the 300 it remembers).
    #[test]
    fn what_a_page_listed_as_sent_stays_listed_once_the_storage_forgot_it() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let create = kept(WaitingOperation::Create {
                draft: CustomerDraft::default(),
            });
            storage::keep(&create).unwrap();
            let send = |waiting: Waiting| async move { Ok(staged(&waiting)) };
            let probe = || async { Ok(()) };
            assert!(ready(outbox.send_kept(&send, &probe)));

            storage::backend::turn_the_clock_forward(24 * 60 * 60 * 1000 + 1);
            storage::note_sent(&edit_of("C000002"), &staged(&create));
            outbox.change_kept(KeptChange::Reload);
            assert_eq!(
                outbox.state_of(&create.operation_id),
                KeptState::Sent(staged(&create))
            );
        });
    }

    /// A claim whose request outlasted it, and which another page then
    /// made, is not ended by the first page once its answer comes.
    #[test]
    fn a_claim_is_ended_by_its_claimant_only() {
        let id = edit_of("C000001").operation_id;
        assert!(storage::claim_sending(&id, "a slow page"));
        storage::backend::turn_the_clock_forward(20_001);
        assert!(storage::claim_sending(&id, "another page"));
        storage::release_sending(&id, "a slow page");
        assert!(
            !storage::claim_sending(&id, "a third page"),
            "another page's claim holds"
        );
        storage::release_sending(&id, "another page");
        assert!(storage::claim_sending(&id, "a third page"));
    }

    /// An operation one tab delivered from what was kept shows as sent, with
    /// the store's answer, in every tab opened before it was sent: a form's
    /// note and the list follow it there too. A tab opened after it does
    /// not list it.
    #[test]
    fn what_one_tab_sent_of_what_was_kept_is_known_sent_in_the_tabs_opened_before() {
        Owner::new_root(None).with(|| {
            let saving_tab = Outbox::new();
            let sending_tab = Outbox::new();
            let create = kept(WaitingOperation::Create {
                draft: CustomerDraft::default(),
            });
            storage::keep(&create).unwrap();
            saving_tab.change_kept(KeptChange::Reload);
            assert_eq!(saving_tab.state_of(&create.operation_id), KeptState::Waiting);

            let send = |waiting: Waiting| async move { Ok(staged(&waiting)) };
            let probe = || async { Ok(()) };
            assert!(ready(sending_tab.send_kept(&send, &probe)));
            let opened_later = Outbox::new();
            for tab in [saving_tab, opened_later] {
                tab.change_kept(KeptChange::Reload);
            }

            let answer = staged(&create);
            assert_eq!(
                saving_tab.state_of(&create.operation_id),
                KeptState::Sent(answer.clone())
            );
            assert_eq!(
                saving_tab.delivered.get_untracked(),
                vec![(create.clone(), answer)]
            );
            assert_eq!(opened_later.state_of(&create.operation_id), KeptState::Gone);
            assert_eq!(opened_later.delivered.get_untracked(), Vec::new());
        });
    }

    #[test]
    fn a_kept_operation_says_why_it_is_kept_until_it_is_sent() {
        let first = edit_of("C000001");
        let second = edit_of("C000001");
        let other = postponed(edit_of("C000002"));
        let kept_now = vec![refused(first.clone()), second.clone(), other.clone()];
        let state = |id: &OperationId| kept_state(&kept_now, &[], id);
        assert!(matches!(state(&first.operation_id), KeptState::Refused(_)));
        assert_eq!(state(&second.operation_id), KeptState::Held);
        assert_eq!(
            state(&other.operation_id),
            KeptState::Postponed("HQ cannot be reached.".into())
        );
        assert_eq!(
            kept_state(std::slice::from_ref(&second), &[], &second.operation_id),
            KeptState::Waiting
        );
        let answer = applied_in_hq("C000001");
        let delivered = [(second.clone(), answer.clone())];
        assert_eq!(
            kept_state(&[], &delivered, &second.operation_id),
            KeptState::Sent(answer)
        );
        assert_eq!(kept_state(&[], &[], &second.operation_id), KeptState::Gone);

        let message = |state: KeptState| still_kept_message(&state, SavedKind::Change);
        assert!(
            message(KeptState::Postponed("HQ cannot be reached.".into()))
                .is_some_and(|m| m.contains("HQ cannot be reached."))
        );
        assert!(message(KeptState::Waiting).is_some_and(|m| m.contains("waiting for the store server")));
        assert_eq!(message(KeptState::Gone), None);
        // The store's advice to someone saving by hand is left out: the
        // register sends it again by itself.
        let postponed = message(KeptState::Postponed(
            "HQ cannot be reached (the register is offline), so this change cannot be saved now. What you typed is \
             kept: try again when HQ is reachable."
                .into(),
        ))
        .unwrap_or_default();
        assert!(
            postponed.contains("cannot be saved now. The register sends it again by itself"),
            "{postponed}"
        );
        assert!(!postponed.contains("try again"), "{postponed}");
    }

    /// Delivered operations are remembered for a day, at most 300: the
    /// oldest go first.
    #[test]
    fn what_was_sent_is_remembered_for_a_day_and_at_most_three_hundred() {
        let first = edit_of("C000001");
        let answer = applied_in_hq("C000001");
        storage::note_sent(&first, &answer);
        let since = storage::now_ms() - 10;
        storage::backend::turn_the_clock_forward(24 * 60 * 60 * 1000 + 1);
        let later = edit_of("C000002");
        storage::note_sent(&later, &answer);
        assert_eq!(storage::sent_since(since), vec![(later.clone(), answer.clone())]);

        for _ in 0..305 {
            storage::note_sent(&edit_of("C000003"), &answer);
        }
        let remembered = storage::sent_since(since);
        assert_eq!(remembered.len(), 300);
        assert!(!remembered.contains(&(later, answer)));
    }

    fn applied_in_hq(account: &str) -> Sent {
        Sent::Changed(ChangeOutcome::AppliedInHq {
            account: account.into(),
        })
    }

    fn edit_of(key: &str) -> Waiting {
        kept(WaitingOperation::Edit {
            key: key.into(),
            temporary_id: None,
            draft: CustomerDraft::default(),
            started_from: None,
        })
    }

    fn refused(mut waiting: Waiting) -> Waiting {
        waiting.refused = Some("Sign in as a cashier of this store.".into());
        waiting
    }

    /// A change the server refused (the cashier's session had ended, say)
    /// holds the later changes of its customer: sent before it is sent
    /// again, they would be staged first, and it would then be applied over
    /// them. A refused create holds its customer's changes. Other customers'
    /// operations go.
    #[test]
    fn a_refused_operation_holds_the_later_operations_of_its_customer_only() {
        let create = kept(WaitingOperation::Create {
            draft: CustomerDraft::default(),
        });
        let its_address = kept(WaitingOperation::AddAddress {
            key: create.operation_id.to_string(),
            temporary_id: None,
            customer_name: "Ana Diaz".into(),
            address: AddressDraft::default(),
        });
        let other = edit_of("C000002");
        let kept = vec![
            refused(edit_of("C000001")),
            edit_of("C000001"),
            other.clone(),
            refused(create),
            its_address,
        ];
        assert_eq!(to_send(&kept, &[]), vec![other.operation_id]);
    }

    /// A change kept while its customer was pending names it by its
    /// temporary id; once synced, the customer's page names it by its
    /// account and knows both: a refused change under the one holds a
    /// change under the other.
    #[test]
    fn a_refused_change_under_a_customers_temporary_id_holds_one_under_its_account() {
        let temporary_id = new_operation_id().to_string();
        let mut under_its_account = edit_of("C000013");
        if let WaitingOperation::Edit {
            temporary_id: known, ..
        } = &mut under_its_account.operation
        {
            *known = Some(temporary_id.clone());
        }
        let kept = vec![refused(edit_of(&temporary_id)), under_its_account.clone()];
        assert!(held_by_refusal(&kept, &under_its_account));
        assert!(!held_by_refusal(&kept, &edit_of("C000014")));
    }

    /// A new change of a customer whose earlier change the server refused is
    /// kept behind it, not sent.
    #[test]
    fn a_new_change_of_a_customer_with_a_refused_change_is_kept_behind_it() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            outbox.kept.set(vec![refused(edit_of("C000001"))]);
            let sent = std::cell::Cell::new(false);
            let send = |_: Waiting| {
                sent.set(true);
                async { Err::<Sent, _>(AppError::Unreachable("Failed to fetch".into())) }
            };
            let saved = ready(Outbox::save(Some(outbox), edit_of("C000001"), send));
            assert!(!sent.get(), "sent before the refused change of its customer");
            assert_eq!(saved, Saved::Kept);
        });
    }

    /// One tab writes a change to what it read before another tab kept an
    /// operation (tabs in other processes see each other's writes a moment
    /// late): the other tab's operation stays kept. Written back as one
    /// list, that tab's copy dropped it.
    #[test]
    fn a_tab_changing_what_it_read_earlier_keeps_what_another_tab_kept_since() {
        let first = edit_of("C000001");
        let second = edit_of("C000002");
        storage::keep(&first).unwrap();
        storage::keep(&second).unwrap();
        let read_by_one_tab = storage::read();
        let kept_by_another_tab = edit_of("C000003");
        storage::keep(&kept_by_another_tab).unwrap();

        let mut first_delivered = read_by_one_tab.clone();
        forget_delivered(
            &mut first_delivered,
            &first.operation_id,
            &applied_in_hq("C000001"),
        );
        storage::write_changes(&read_by_one_tab, &first_delivered).unwrap();
        assert_eq!(storage::read(), vec![second, kept_by_another_tab]);
        assert_eq!(stored_count(), 2);
    }

    /// A tab marks refused an operation another tab delivered (and removed)
    /// meanwhile: it is not written back, to be sent again.
    #[test]
    fn an_operation_another_tab_removed_is_not_written_back() {
        let edit = edit_of("C000001");
        storage::keep(&edit).unwrap();
        let read_by_one_tab = storage::read();
        storage::write_changes(&read_by_one_tab, &[]).unwrap();

        storage::write_changes(&read_by_one_tab, &[refused(edit)]).unwrap();
        assert_eq!(storage::read(), Vec::new());
    }

    fn old_list(list: &[Waiting]) {
        let text = serde_json::to_string(list).unwrap();
        storage::backend::set("custsync.register-outbox", &text).unwrap();
    }

    /// What an earlier version kept as one list is moved to keys of its own,
    /// in its order, after those kept already (a tab of that version wrote
    /// it since), and only once.
    #[test]
    fn what_an_earlier_version_kept_as_one_list_is_moved_in_order_after_what_is_kept() {
        let kept_already = edit_of("C000003");
        storage::keep(&kept_already).unwrap();
        let (first, second) = (edit_of("C000001"), edit_of("C000002"));
        old_list(&[first.clone(), second.clone()]);

        assert_eq!(storage::read(), vec![kept_already, first, second]);
        assert_eq!(storage::backend::get("custsync.register-outbox"), None);
        assert_eq!(storage::read().len(), 3);
    }

    /// The storage fills up while the old list is moved: what was not moved
    /// stays listed, and what was is not moved again (once delivered, it
    /// would come back).
    #[test]
    fn an_old_list_moved_in_part_keeps_the_rest_listed() {
        let (first, second) = (edit_of("C000001"), edit_of("C000002"));
        old_list(&[first.clone(), second.clone()]);
        storage::backend::FULL_AFTER.with(|writes| writes.set(Some(1)));
        assert_eq!(storage::read(), vec![first.clone()]);
        storage::backend::FULL_AFTER.with(|writes| writes.set(None));

        storage::write_changes(std::slice::from_ref(&first), &[]).unwrap();
        assert_eq!(storage::read(), vec![second]);
    }

    /// The register's clock went back (it was set right once the network
    /// came back): what is kept next still goes after what was kept before.
    #[test]
    fn what_is_kept_after_the_clock_went_back_goes_last() {
        let (before, after) = (edit_of("C000001"), edit_of("C000002"));
        storage::keep(&before).unwrap();
        storage::backend::turn_the_clock_back(60_000);
        storage::keep(&after).unwrap();
        assert_eq!(storage::read(), vec![before, after]);
    }

    /// An operation under two keys (two tabs moved the old list at once) is
    /// read once, from its first key.
    #[test]
    fn an_operation_kept_under_two_keys_is_read_once() {
        let edit = edit_of("C000001");
        let first_key = format!("custsync.register-outbox/000000000000001-{}", edit.operation_id);
        let second_key = format!("custsync.register-outbox/000000000000002-{}", edit.operation_id);
        storage::backend::set(&first_key, &serde_json::to_string(&edit).unwrap()).unwrap();
        storage::backend::set(
            &second_key,
            &serde_json::to_string(&refused(edit.clone())).unwrap(),
        )
        .unwrap();

        assert_eq!(storage::read(), vec![edit]);
        assert_eq!(storage::backend::get(&second_key), None);
    }

    /// An operation this version cannot read is put aside, with what it
    /// holds, and the others are read.
    #[test]
    fn an_operation_this_version_cannot_read_is_put_aside() {
        let readable = edit_of("C000001");
        storage::keep(&readable).unwrap();
        let unreadable = "custsync.register-outbox/000000000000001-an-operation-of-a-newer-version";
        storage::backend::set(unreadable, r#"{"operation":"Merge"}"#).unwrap();

        assert_eq!(storage::read(), vec![readable]);
        assert_eq!(storage::backend::get(unreadable), None);
        assert_eq!(
            storage::backend::get(&format!("custsync.register-outbox.unreadable/{unreadable}")).as_deref(),
            Some(r#"{"operation":"Merge"}"#)
        );
    }

    fn kept(operation: WaitingOperation) -> Waiting {
        Waiting {
            operation_id: new_operation_id(),
            register: Some("2-1".into()),
            operation,
            refused: None,
            postponed: None,
        }
    }

    #[test]
    fn a_kept_edit_changes_the_fields_that_differ_from_where_its_form_started() {
        let opened = CustomerDraft {
            first_name: "Karen".into(),
            email: "karen.berg@contoso.com".into(),
            ..CustomerDraft::default()
        };
        let edit = kept(WaitingOperation::Edit {
            key: "C000001".into(),
            temporary_id: None,
            draft: CustomerDraft {
                phone: "713 555 0111".into(),
                ..opened.clone()
            },
            started_from: Some(Box::new(opened.clone())),
        });
        // Since the form opened, the store's copy has another store's email.
        let now = CustomerDraft {
            email: "karen@example.com".into(),
            ..opened
        };
        let shown = with_kept_changes(now, &[edit], &[Some("C000001")]);
        assert_eq!(
            (shown.phone.as_str(), shown.email.as_str()),
            ("713 555 0111", "karen@example.com")
        );
    }

    #[test]
    fn a_kept_customer_shows_its_kept_changes_in_order() {
        let create = kept(WaitingOperation::Create {
            draft: CustomerDraft {
                first_name: "Ada".into(),
                phone: "713 555 0100".into(),
                ..CustomerDraft::default()
            },
        });
        let key = create.operation_id.to_string();
        let edit = |phone: &str| {
            kept(WaitingOperation::Edit {
                key: key.clone(),
                temporary_id: None,
                draft: CustomerDraft {
                    first_name: "Ada".into(),
                    phone: phone.into(),
                    ..CustomerDraft::default()
                },
                started_from: None,
            })
        };
        let address = kept(WaitingOperation::AddAddress {
            key: key.clone(),
            temporary_id: None,
            customer_name: "Ada".into(),
            address: AddressDraft {
                street: "1 Main St".into(),
                ..AddressDraft::default()
            },
        });
        let other = kept(WaitingOperation::Edit {
            key: "C000001".into(),
            temporary_id: None,
            draft: CustomerDraft::default(),
            started_from: None,
        });
        let id = create.operation_id.clone();
        let all = [create, edit("713 555 0101"), address, other, edit("713 555 0102")];

        let shown = kept_customer(&all, &id).expect("the create is kept");
        assert_eq!(shown.phone, "713 555 0102");
        assert_eq!(shown.addresses.len(), 1);
        assert_eq!(kept_customer(&all[1..], &id), None, "no create, no customer");
    }

    #[test]
    fn a_create_hq_carried_out_at_once_leaves_the_changes_kept_behind_it_naming_its_account() {
        let create = kept(WaitingOperation::Create {
            draft: CustomerDraft::default(),
        });
        let id = create.operation_id.clone();
        let edit = kept(WaitingOperation::Edit {
            key: id.to_string(),
            temporary_id: None,
            draft: CustomerDraft::default(),
            started_from: None,
        });
        let other = kept(WaitingOperation::Edit {
            key: "C000001".into(),
            temporary_id: None,
            draft: CustomerDraft::default(),
            started_from: None,
        });
        let created = |how| {
            Sent::Created(CreatedCustomer {
                full_name: "Ada".into(),
                channel_name: "Houston".into(),
                how,
            })
        };
        let keys = |kept: &[Waiting]| -> Vec<String> {
            kept.iter()
                .filter_map(|w| match &w.operation {
                    WaitingOperation::Edit { key, .. } => Some(key.clone()),
                    _ => None,
                })
                .collect()
        };

        let mut in_hq = vec![create.clone(), edit.clone(), other.clone()];
        forget_delivered(
            &mut in_hq,
            &id,
            &created(CreatedHow::InHq {
                account: "C000013".into(),
            }),
        );
        assert_eq!(keys(&in_hq), ["C000013", "C000001"]);
        assert_eq!(in_hq.len(), 2, "the create is forgotten");

        let mut staged = vec![create, edit, other];
        let temporary_id = id.to_string();
        forget_delivered(
            &mut staged,
            &id,
            &created(CreatedHow::Staged {
                temporary_id: temporary_id.clone(),
            }),
        );
        assert_eq!(keys(&staged), [temporary_id.as_str(), "C000001"]);
    }

    #[test]
    fn a_synced_customer_shows_the_changes_kept_of_it_alone() {
        let synced = CustomerDraft {
            first_name: "Karen".into(),
            phone: "713 555 0100".into(),
            ..CustomerDraft::default()
        };
        let edit = |key: &str, phone: &str| {
            kept(WaitingOperation::Edit {
                key: key.into(),
                temporary_id: None,
                draft: CustomerDraft {
                    first_name: "Karen".into(),
                    phone: phone.into(),
                    ..CustomerDraft::default()
                },
                started_from: None,
            })
        };
        let all = [edit("C000001", "713 555 0101"), edit("C000002", "713 555 0199")];

        let shown = with_kept_changes(synced.clone(), &all, &[Some("C000001")]);
        assert_eq!(shown.phone, "713 555 0101");
        assert_eq!(kept_changes_of(&all, &[Some("C000001")]), 1);
        assert_eq!(
            with_kept_changes(synced.clone(), &all[1..], &[Some("C000001")]),
            synced
        );
        assert_eq!(kept_changes_of(&all[1..], &[Some("C000001")]), 0);
    }

    #[test]
    fn a_customer_shows_the_changes_kept_under_either_of_its_keys() {
        let synced = CustomerDraft {
            first_name: "Ada".into(),
            phone: "713 555 0100".into(),
            ..CustomerDraft::default()
        };
        let temporary_id = new_operation_id().to_string();
        // Kept while Ada was pending, so under her temporary id alone.
        let while_pending = kept(WaitingOperation::Edit {
            key: temporary_id.clone(),
            temporary_id: None,
            draft: CustomerDraft {
                phone: "713 555 0101".into(),
                ..synced.clone()
            },
            started_from: Some(Box::new(synced.clone())),
        });
        let once_synced = kept(WaitingOperation::AddAddress {
            key: "C000013".into(),
            temporary_id: Some(temporary_id.clone()),
            customer_name: "Ada".into(),
            address: AddressDraft {
                street: "1 Main St".into(),
                ..AddressDraft::default()
            },
        });
        let all = [while_pending, once_synced];

        for opened_by in ["C000013", temporary_id.as_str()] {
            let keys = [Some(opened_by), Some("C000013"), Some(temporary_id.as_str())];
            let shown = with_kept_changes(synced.clone(), &all, &keys);
            assert_eq!(shown.phone, "713 555 0101", "opened by {opened_by}");
            assert_eq!(shown.addresses.len(), 1, "opened by {opened_by}");
            assert_eq!(kept_changes_of(&all, &keys), 2, "opened by {opened_by}");
        }
    }

    #[test]
    fn a_customers_page_names_the_change_of_it_the_store_refused() {
        let waiting = edit_of("C000001");
        let refused_edit = refused(edit_of("C000001"));
        let others = refused(edit_of("C000002"));
        let keys = [Some("C000001")];
        assert_eq!(refused_change_of(&[waiting.clone(), others.clone()], &keys), None);
        assert_eq!(
            refused_change_of(&[waiting, others, refused_edit.clone()], &keys),
            Some((&refused_edit.operation_id, "Sign in as a cashier of this store."))
        );
        let refused_create = refused(kept(WaitingOperation::Create {
            draft: CustomerDraft::default(),
        }));
        let its_key = refused_create.operation_id.to_string();
        assert_eq!(
            refused_change_of(&[refused_create], &[Some(its_key.as_str())]),
            None,
            "a create is corrected in the list"
        );
    }

    #[test]
    fn a_refused_create_corrected_waits_to_be_sent_again_under_its_own_id() {
        let mut create = kept(WaitingOperation::Create {
            draft: CustomerDraft {
                first_name: "Ivo".into(),
                customer_group: "99".into(),
                ..CustomerDraft::default()
            },
        });
        create.refused = Some("Customer group: Choose a customer group from the list.".into());
        let id = create.operation_id.clone();
        let mut edit = kept(WaitingOperation::Edit {
            key: id.to_string(),
            temporary_id: None,
            draft: CustomerDraft::default(),
            started_from: None,
        });
        edit.refused = Some("This customer is not known at this store.".into());
        let mut other = kept(WaitingOperation::Edit {
            key: "C000001".into(),
            temporary_id: None,
            draft: CustomerDraft::default(),
            started_from: None,
        });
        other.refused = Some("Email: Enter an email address.".into());
        let mut all = vec![create, edit.clone(), other.clone()];
        let corrected = CustomerDraft {
            first_name: "Ivo".into(),
            customer_group: "30".into(),
            ..CustomerDraft::default()
        };

        assert!(correct_refused_create(&mut all, &id, corrected.clone()));
        assert_eq!(all[0].operation_id, id);
        assert_eq!(
            all[0].operation,
            WaitingOperation::Create {
                draft: corrected.clone()
            }
        );
        assert_eq!(all[0].refused, None);
        assert_eq!(
            all[1].refused, None,
            "its edit, refused while it was, waits again behind it"
        );
        assert_eq!(all[1].operation, edit.operation);
        assert_eq!(all[2], other, "another customer's refused edit stays refused");
        // Corrected once, it is no longer a refused create to correct.
        assert!(!correct_refused_create(&mut all, &id, corrected.clone()));
        assert!(!correct_refused_create(&mut all, &edit.operation_id, corrected));
    }

    #[test]
    fn tries_while_the_server_does_not_answer_come_1_2_4_then_8_seconds_apart() {
        Owner::new_root(None).with(|| {
            let outbox = Outbox::new();
            let mut gaps = Vec::new();
            for _ in 0..5 {
                outbox.not_answering();
                let beats = (1..=60).find(|_| outbox.try_due() == Some(true));
                gaps.push(beats);
            }
            assert_eq!(gaps, [Some(1), Some(2), Some(4), Some(8), Some(8)]);
        });
    }

    #[test]
    fn tries_back_off_from_one_second_to_the_most() {
        let mut seconds = 0;
        let mut seen = Vec::new();
        for _ in 0..6 {
            seconds = next_backoff(seconds);
            seen.push(seconds);
        }
        assert_eq!(seen, [1, 2, 4, 8, 8, 8]);
    }

    #[test]
    fn a_kept_operation_reads_back_as_it_was_kept() {
        let waiting = Waiting {
            operation_id: OperationId::from_time_and_random_bytes(1_796_203_800_123, [7; 16]),
            register: Some("2-1".into()),
            operation: WaitingOperation::AddAddress {
                key: "C000001".into(),
                temporary_id: None,
                customer_name: "Karen Berg".into(),
                address: AddressDraft {
                    street: "1 Main St".into(),
                    primary: true,
                    ..AddressDraft::default()
                },
            },
            refused: None,
            postponed: Some("HQ cannot be reached.".into()),
        };
        let text = serde_json::to_string(std::slice::from_ref(&waiting)).expect("JSON");
        let back: Vec<Waiting> = serde_json::from_str(&text).expect("read back");
        assert_eq!(back, [waiting]);
        assert_eq!(back[0].operation.customer_name(), "Karen Berg");
        assert_eq!(back[0].operation.kind(), OperationKind::AddAddress);
    }

    #[test]
    fn what_a_browser_kept_before_postponed_operations_reads_back() {
        let text = r#"[{"operation_id":"01a243f3-4387-7be0-92df-189e70982cfb","register":"2-1",
            "operation":{"Edit":{"key":"C000001","draft":{}}},"refused":null}]"#;
        let back: Vec<Waiting> = serde_json::from_str(text).expect("read back");
        assert_eq!(back[0].postponed, None);
    }

    #[test]
    fn a_server_that_failed_on_an_operation_postpones_it_with_a_reason() {
        let Delivery::Postponed(reason) = Delivery::of(Err(AppError::Internal)) else {
            panic!("a store server's failure keeps the operation, with its reason");
        };
        assert!(reason.starts_with("The store server failed on it"), "{reason}");
    }

    #[test]
    fn a_store_that_cannot_reach_hq_now_postpones_the_operation() {
        let hq_unreachable = AppError::Unavailable("HQ cannot be reached.".into());
        assert_eq!(
            Delivery::of(Err(hq_unreachable)),
            Delivery::Postponed("HQ cannot be reached.".into())
        );
    }
}
