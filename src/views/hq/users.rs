//! HQ Users: who may sign in, with their role and store; an admin changes a
//! user's role or store, or signs them out everywhere. Either ends every
//! session the user has, so the change applies at once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::hq::users::{ChangeUserAccess, SignOutEverywhere, UsersAndStores, user_accounts};
use crate::domain::access::{Role, SignedInUser};
use crate::error::AppError;
use crate::views::ui::{ActionAnswer, FieldMessage, ServerForm, loaded};

#[component]
pub fn UsersPage() -> impl IntoView {
    let sign_out = ServerAction::<SignOutEverywhere>::new();
    let change = ServerAction::<ChangeUserAccess>::new();
    // The row whose Save was pressed last: the rows share the page's
    // action, and a refusal belongs beside that row's fields.
    let saved_row = RwSignal::new(None::<String>);
    // Read again after a change was made, or refused as another admin
    // changed the row meanwhile (the list then shows their change). Any
    // other refusal (a field, a session that ended, no network) leaves the
    // rows as they are, with what was chosen in them.
    let answers_read = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if change
            .value()
            .with(|answer| matches!(answer, Some(Ok(_) | Err(AppError::Refused(_)))))
        {
            answers_read.update(|n| *n += 1);
        }
    });
    let accounts = Resource::new(
        move || (sign_out.version().get(), answers_read.get()),
        |_| user_accounts(),
    );
    // The answer to the last action, whichever it was: an earlier one's
    // would read as if it still applied. (A refusal posted without
    // JavaScript is said at the top of every page, `ui::PostedRefusal`.)
    let last_answer = RwSignal::new(None::<Result<String, AppError>>);
    for answer in [sign_out.value(), change.value()] {
        Effect::new(move |_| {
            if let Some(answer) = answer.get() {
                last_answer.set(Some(answer));
            }
        });
    }
    view! {
        <Title text="Users - custsync" />
        <h1>"Users"</h1>
        <p>"A change of role or store, and Sign out everywhere, end every session of the user at once: they sign in again to go on."</p>
        <ActionAnswer answer=last_answer />
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                loaded(accounts.await, move |accounts| view! { <UserTable accounts sign_out change saved_row /> })
            })}
        </Transition>
    }
}

#[component]
fn UserTable(
    accounts: UsersAndStores,
    sign_out: ServerAction<SignOutEverywhere>,
    change: ServerAction<ChangeUserAccess>,
    saved_row: RwSignal<Option<String>>,
) -> impl IntoView {
    let stores = accounts.stores;
    view! {
        <table>
            <caption>"Everyone who may sign in"</caption>
            <thead>
                <tr>
                    <th scope="col">"User name"</th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Role and store"</th>
                    <th scope="col">"Sessions"</th>
                </tr>
            </thead>
            <tbody>
                {accounts
                    .users
                    .into_iter()
                    .map(|user| view! { <UserRow user stores=stores.clone() sign_out change saved_row /> })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn UserRow(
    user: SignedInUser,
    stores: Vec<(i64, String)>,
    sign_out: ServerAction<SignOutEverywhere>,
    change: ServerAction<ChangeUserAccess>,
    saved_row: RwSignal<Option<String>>,
) -> impl IntoView {
    let user_name = user.user_name.clone();
    let role = RwSignal::new(user.role.name().to_string());
    let store = RwSignal::new(seen_store(user.channel_id));
    let (role_id, store_id) = (format!("role-{user_name}"), format!("store-{user_name}"));
    let (role_label, store_label) = (format!("Role of {user_name}"), format!("Store of {user_name}"));
    let (current_role, current_store) = (user.role, user.channel_id);
    let (change_name, sign_out_name) = (user_name.clone(), user_name.clone());
    // Each row's buttons are named after their user too, for a screen
    // reader's list of the page's buttons.
    let (save_whose, sign_out_whose) = (format!(" access of {user_name}"), format!(" ({user_name})"));
    let store_message_id = format!("store-{user_name}-message");
    let store_message = {
        let user_name = user_name.clone();
        Signal::derive(move || {
            // A Save on its way has no answer yet: the last one is another's.
            let saved_here =
                !change.pending().get() && saved_row.with(|row| row.as_deref() == Some(user_name.as_str()));
            match saved_here.then(|| change.value().get()).flatten() {
                Some(Err(AppError::Invalid(fields))) => fields.get("store").map(str::to_string),
                _ => None,
            }
        })
    };
    let change_args = {
        let user_name = user_name.clone();
        move || {
            saved_row.set(Some(user_name.clone()));
            ChangeUserAccess {
                user_name: user_name.clone(),
                role: role.get_untracked(),
                store: store.get_untracked(),
                seen_role: current_role.name().to_string(),
                seen_store: seen_store(current_store),
            }
        }
    };
    let sign_out_args = {
        let user_name = user_name.clone();
        move || SignOutEverywhere {
            user_name: user_name.clone(),
        }
    };
    view! {
        <tr>
            <th scope="row"><code>{user_name}</code></th>
            <td>{user.display_name}</td>
            <td>
                <ServerForm action=change args=change_args class="inline-action">
                    <input type="hidden" name="user_name" value=change_name />
                    <input type="hidden" name="seen_role" value=current_role.name() />
                    <input type="hidden" name="seen_store" value=seen_store(current_store) />
                    <label for=role_id.clone()>{role_label}</label>
                    <select
                        id=role_id
                        name="role"
                        on:change=move |ev| {
                            role.set(event_target_value(&ev));
                            // Only a cashier works at a store.
                            if role.get_untracked() != Role::Cashier.name() {
                                store.set(String::new());
                            }
                        }
                    >
                        {Role::ALL
                            .map(|option| {
                                let selected = option == current_role;
                                view! { <option value=option.name() selected=selected>{option.name()}</option> }
                            })
                            .collect_view()}
                    </select>
                    <label for=store_id.clone()>{store_label}</label>
                    <select
                        id=store_id
                        name="store"
                        aria-describedby=store_message_id.clone()
                        aria-invalid=move || store_message.with(Option::is_some).to_string()
                        prop:value=move || store.get()
                        on:change=move |ev| store.set(event_target_value(&ev))
                    >
                        <option value="" selected=current_store.is_none()>"No store"</option>
                        {stores
                            .into_iter()
                            .map(|(id, name)| {
                                let selected = current_store == Some(id);
                                view! { <option value=id.to_string() selected=selected>{name}</option> }
                            })
                            .collect_view()}
                    </select>
                    <FieldMessage id=store_message_id message=store_message />
                    <button type="submit">"Save"<span class="visually-hidden">{save_whose}</span></button>
                </ServerForm>
            </td>
            <td>
                <ServerForm action=sign_out args=sign_out_args class="inline-action">
                    <input type="hidden" name="user_name" value=sign_out_name />
                    <button type="submit">"Sign out everywhere"<span class="visually-hidden">{sign_out_whose}</span></button>
                </ServerForm>
            </td>
        </tr>
    }
}

/// A store as the Save form posts it: its channel id, empty for none.
fn seen_store(channel_id: Option<i64>) -> String {
    channel_id.map(|id| id.to_string()).unwrap_or_default()
}
