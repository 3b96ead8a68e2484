//! The detail of one operation on the Customer synchronization status page:
//! its rows as HQ holds them, the full error, the timeline, and Edit, Save
//! and Synchronize in place.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::PATH;
use crate::api::hq::sync_status::{
    PostOperationSave, SaveOperation, SynchronizeOperations, load_operation_detail,
};
use crate::api::refused_posts::PostedValues;
use crate::domain::customer::{ChangedFields, CustomerDraft, display_name, language_name};
use crate::domain::operation_detail::OperationDetail;
use crate::domain::records::OperationKind;
use crate::error::AppError;
use crate::views::customer_form::{CustomerEditor, EditorMode, PlainPost};
use crate::views::customer_page::{AddressTable, ContactTable, attributes_line};
use crate::views::hq::customers::customer_path;
use crate::views::ui::{
    ActionAnswer, RefusedForm, ServerForm, StatusBadge, Time, drop_from_address_once_closed, loaded, or_none,
    refocus_when_lost, refused_form,
};
use leptos::server_fn::ServerFn;

/// The query parameter that opens the page with Edit's form.
const CHANGE: (&str, &str) = ("change", "edit");

/// The operation's Synchronize button, and its selector.
const SYNCHRONIZE_ID: &str = "synchronize-operation";
const SYNCHRONIZE_SELECTOR: &str = "#synchronize-operation";

/// Where the focus goes once Edit's form has gone: back to Edit after
/// Cancel or Escape; on to Synchronize, the next step, after Save; and
/// after Synchronize to its button again, or to the heading once the
/// operation is synced and the button gone.
const AFTER_CANCEL: &[&str] = &[r#"main button[name="change"][value="edit"]"#];
const AFTER_SAVE: &[&str] = &[
    SYNCHRONIZE_SELECTOR,
    r#"main button[name="change"][value="edit"]"#,
];
const AFTER_SYNCHRONIZE: &[&str] = &[SYNCHRONIZE_SELECTOR, "main h1"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LastAction {
    Save,
    Synchronize,
}

/// What a save sent (`draft`), and the customer its form opened on.
#[derive(Debug, Clone)]
struct Typed {
    opened: CustomerDraft,
    draft: CustomerDraft,
}

/// The form opened anew, or closed: what the last save sent and its answer
/// are no longer the form's.
fn forget_the_last_save(save: ServerAction<SaveOperation>, typed: StoredValue<Option<Typed>>) {
    save.value().set(None);
    typed.set_value(None);
}

#[component]
pub fn OperationDetailPage() -> impl IntoView {
    let params = use_params_map();
    let operation_id = Memo::new(move |_| params.read().get("operation").unwrap_or_default());
    let save = ServerAction::<SaveOperation>::new();
    let synchronize = ServerAction::<SynchronizeOperations>::new();
    let refused = refused_form(PostOperationSave::PATH);
    // Read again after a save that changed the operation or found it
    // changed; not after one refused for its fields, whose form stays as
    // the admin is correcting it.
    let read_again = RwSignal::new(0_u32);
    let detail = Resource::new(
        move || (operation_id.get(), read_again.get(), synchronize.version().get()),
        |(id, _, _)| load_operation_detail(id),
    );
    // Edit without the page's code opens the page with the form.
    let editing = RwSignal::new(use_query_map().read_untracked().get(CHANGE.0).as_deref() == Some(CHANGE.1));
    drop_from_address_once_closed(editing, CHANGE);
    // What a save sent, over the customer its form opened on: a refused
    // save reads the operation again, and its form, made anew, keeps what
    // was typed (carried onto another correction saved meanwhile).
    let typed = StoredValue::new(None::<Typed>);
    // The focus is put back at once (the editor closes), and again once
    // the operation read again is shown, whose buttons are made anew
    // however long the server takes to answer.
    let focus_once_shown = StoredValue::new(None::<&'static [&'static str]>);
    let refocus_now_and_once_shown = move |targets| {
        refocus_when_lost(targets);
        focus_once_shown.set_value(Some(targets));
    };
    // A successful save closes the editor; a refused one keeps it open with
    // the messages beside the fields.
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => {
            typed.set_value(None);
            editing.set(false);
            refocus_now_and_once_shown(AFTER_SAVE);
            read_again.update(|n| *n += 1);
        }
        Some(Err(AppError::Invalid(_))) | None => {}
        Some(Err(_)) => read_again.update(|n| *n += 1),
    });
    Effect::new(move |_| {
        if synchronize.value().get().is_some() {
            refocus_now_and_once_shown(AFTER_SYNCHRONIZE);
        }
    });
    // The answer shown is the one of the action dispatched last. A refused
    // save is said by its form, or, when the page no longer shows it, by
    // the note of an unshown refusal: once.
    let last_action = RwSignal::new(None::<LastAction>);
    let answer = Signal::derive(move || match last_action.get()? {
        LastAction::Save => save.value().get().filter(Result::is_ok),
        LastAction::Synchronize => synchronize.value().get(),
    });

    view! {
        <Title text="Operation - Customer synchronization status - custsync" />
        <p class="breadcrumb">
            "Retail and Commerce › Customers › "
            <a href=PATH>"Customer synchronization status"</a>
        </p>
        <Transition fallback=|| view! { <p>"Loading the operation…"</p> }>
            {move || Suspend::new(async move {
                let (refusal, posted) = refused.take().await;
                // The top of the page leaves a refusal whose values were kept
                // to the form (`ui::PostedRefusal`): said here when the form
                // is not shown.
                let left_to_the_form = refusal.clone().filter(|_| posted.is_some());
                loaded(detail.await, move |detail| {
                    if let Some(targets) = focus_once_shown.try_update_value(Option::take).flatten() {
                        refocus_when_lost(targets);
                    }
                    // What a correction of this operation posted itself, refused.
                    let posted = match posted {
                        Some(PostedValues::OperationSave { operation_id, draft })
                            if operation_id == detail.row.operation_id => Some(draft),
                        _ => None,
                    };
                    view! {
                        <DetailView detail editing save synchronize last_action refused typed posted left_to_the_form />
                    }
                })
            })}
        </Transition>
        <ActionAnswer answer />
    }
}

#[component]
fn DetailView(
    detail: OperationDetail,
    editing: RwSignal<bool>,
    save: ServerAction<SaveOperation>,
    synchronize: ServerAction<SynchronizeOperations>,
    last_action: RwSignal<Option<LastAction>>,
    /// The refused post of the correction, without the page's code
    /// (`ui::refused_form`), and what it carried.
    refused: RefusedForm,
    typed: StoredValue<Option<Typed>>,
    posted: Option<CustomerDraft>,
    /// That refusal, when the top of the page leaves it to the form.
    left_to_the_form: Option<AppError>,
) -> impl IntoView {
    let row = detail.row.clone();
    let operation_id = row.operation_id.clone();
    let can_synchronize = row.can_synchronize();
    let heading = format!("{}: {}", row.operation, row.name);
    // A refused correction whose form the page does not show (the operation
    // was synced meanwhile, or the editor is closed) is said on its own.
    let editable = detail.editable;
    let form_refusal = left_to_the_form.clone();
    let unshown_refusal = move || {
        if editable && editing.get() {
            return None;
        }
        let error = match save.value().get() {
            Some(Err(error)) => error,
            _ => left_to_the_form.clone().filter(|_| !refused.forgotten())?,
        };
        let reason = format!("Your correction was not saved. {}", error.in_full());
        Some(view! { <p class="error-note" role="alert">{reason}</p> })
    };
    let editor = editable.then(|| {
        let mode = if detail.operation.kind == OperationKind::Create {
            EditorMode::CashierNew
        } else {
            EditorMode::CashierEdit
        };
        let stored = detail.operation.customer.clone();
        let unchanged = stored.clone();
        let reference = detail.reference.clone();
        let edits_seen = detail.edits_seen;
        let id = operation_id.clone();
        // The refusal the form's own post came back with, when the top of
        // the page leaves it to the form, until the page's code saves it.
        let server_error = Signal::derive(move || match save.value().get() {
            Some(answer) => answer.err(),
            None => form_refusal.clone().filter(|_| !refused.forgotten()),
        });
        // The form starts from what a refused save sent, carried onto the
        // operation as read again; else from what a refused post carried;
        // else from the operation as stored. Read as the form opens.
        let starting_form = move || {
            typed
                .get_value()
                .map(|typed| ChangedFields::carried_onto(stored.clone(), &typed.opened, &typed.draft))
                .or_else(|| posted.clone().filter(|_| !refused.forgotten()))
                .unwrap_or_else(|| stored.clone())
        };
        view! {
            <Show when=move || editing.get()
                fallback=move || view! {
                    <form method="get" on:submit=move |ev| {
                        ev.prevent_default();
                        refused.forget();
                        forget_the_last_save(save, typed);
                        editing.set(true);
                    }>
                        <button type="submit" name=CHANGE.0 value=CHANGE.1>"Edit"</button>
                    </form>
                }>
                {
                    let opened = starting_form();
                    let id = id.clone();
                    let save_id = id.clone();
                    view! {
                        <CustomerEditor
                            initial=opened.clone()
                            unchanged=unchanged.clone()
                            reference=reference.clone()
                            mode
                            server_error
                            pending=save.pending()
                            on_save=Callback::new(move |draft: CustomerDraft| {
                                typed.set_value(Some(Typed { opened: opened.clone(), draft: draft.clone() }));
                                refused.forget();
                                last_action.set(Some(LastAction::Save));
                                save.dispatch(SaveOperation { operation_id: save_id.clone(), edits_seen, draft });
                            })
                            save_caption="Save"
                            on_cancel=Callback::new(move |()| {
                                refused.forget();
                                forget_the_last_save(save, typed);
                                editing.set(false);
                                refocus_when_lost(AFTER_CANCEL);
                            })
                            posted_to=PlainPost::save_operation(id, edits_seen)
                        />
                    }
                }
            </Show>
        }
    });
    let sync_id = StoredValue::new(operation_id.clone());
    let staged = detail.clone();
    Effect::new(move |_| {
        if synchronize.pending().get() {
            last_action.set(Some(LastAction::Synchronize));
        }
    });
    view! {
        // Takes the focus when Synchronize has synced the operation away.
        <h1 tabindex="-1">{heading}</h1>
        <p class="operation-status">
            <StatusBadge status=row.status />
            {row.account.clone().map(|account| view! {
                " Customer account " <a href=customer_path(&account)>{account.clone()}</a>
            })}
        </p>
        {row.error.clone().map(|error| view! {
            <section aria-labelledby="operation-error">
                <h2 id="operation-error">{row.status.note_heading()}</h2>
                <p class="error-text">{error}</p>
            </section>
        })}
        {unshown_refusal}
        <div class="detail-actions">
            {editor}
            // Not beside an open editor: it would sync the fields as stored
            // and drop what the admin typed.
            {can_synchronize.then(|| view! {
                <Show when=move || !(editable && editing.get())>
                    <ServerForm action=synchronize class="inline-action" one_at_a_time=true
                        args=move || SynchronizeOperations { operation_ids: vec![sync_id.get_value()] }>
                        <input type="hidden" name="operation_ids[]" value=sync_id.get_value() />
                        <button type="submit" id=SYNCHRONIZE_ID aria-disabled=move || synchronize.pending().get().then_some("true")>
                            "Synchronize"
                        </button>
                    </ServerForm>
                </Show>
            })}
        </div>
        // An editor the operation no longer offers (synced meanwhile) hides nothing.
        <Show when=move || !(editable && editing.get())>
            <StagedRows detail=staged.clone() />
        </Show>
        <section aria-labelledby="timeline">
            <h2 id="timeline">"Timeline"</h2>
            <ol class="timeline">
                {detail
                    .timeline
                    .iter()
                    .map(|entry| view! {
                        <li><Time stored=entry.at.clone() />" "{entry.text.clone()}</li>
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// The operation's customer, addresses and contacts as HQ holds them.
#[component]
fn StagedRows(detail: OperationDetail) -> impl IntoView {
    let op = detail.operation;
    let customer = op.customer;
    let changes =
        (op.kind == OperationKind::Update).then(|| ("Fields it changes", op.changed_fields.describe()));
    let fields = [
        Some(("Temporary ID", detail.row.temporary_id.clone())),
        Some(("Channel", detail.row.channel.clone())),
        changes,
    ]
    .into_iter()
    .flatten()
    .chain([
        ("Name", display_name(&customer)),
        ("Email", or_none(customer.email.clone())),
        ("Phone", or_none(customer.phone.clone())),
        (
            "Customer group",
            detail.reference.customer_group_caption(&customer.customer_group),
        ),
        ("Language", language_name(&customer.language)),
        ("Currency", customer.currency.clone()),
        ("Affiliations", or_none(customer.affiliations.join(", "))),
        ("Attributes", attributes_line(&customer.attributes)),
    ]);
    view! {
        <section aria-labelledby="staged-customer">
            <h2 id="staged-customer">"Customer"</h2>
            <dl class="staged-fields">
                {fields
                    .into_iter()
                    .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                    .collect_view()}
            </dl>
            <AddressTable addresses=customer.addresses />
            <ContactTable contacts=customer.contacts />
        </section>
    }
}
