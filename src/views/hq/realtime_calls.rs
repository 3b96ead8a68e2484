//! HQ Real-time service calls: every call a channel made (or fell back from),
//! why, and how it ended; and the switch that makes HQ unreachable.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::hq::realtime_calls::{SetHqUnreachable, realtime_calls};
use crate::domain::realtime_calls::{CallFilter, OPERATIONS, OUTCOMES, RealtimeCallRow};
use crate::views::ui::{ErrorNote, ServerForm, Time, leave_out_empty_fields, loaded};

#[component]
pub fn RealtimeCallsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| CallFilter {
            channel_id: q.get("channel").and_then(|c| c.parse().ok()),
            operation: q.get("operation").filter(|o| !o.is_empty()),
            outcome: q.get("outcome").filter(|o| !o.is_empty()),
        })
    });
    let toggle = ServerAction::<SetHqUnreachable>::new();
    let page = Resource::new(
        move || (filter.get(), toggle.version().get()),
        |(filter, _)| realtime_calls(filter.channel_id, filter.operation, filter.outcome),
    );
    view! {
        <Title text="Real-time service calls - custsync" />
        <h1>"Real-time service calls"</h1>
        <Transition fallback=|| view! { <p>"Loading calls…"</p> }>
            {move || Suspend::new(async move {
                loaded(page.await, move |page| {
                    let filter = filter.get_untracked();
                    view! {
                        <section aria-labelledby="service-heading">
                            <h2 id="service-heading">"Real-time service"</h2>
                            <p>
                                {if page.unreachable {
                                    "HQ is marked unreachable: real-time calls fail with a communication error, and creates fall back to asynchronous mode."
                                } else {
                                    "HQ is reachable."
                                }}
                            </p>
                            <ServerForm action=toggle args=move || SetHqUnreachable { unreachable: !page.unreachable }>
                                <input type="hidden" name="unreachable" value=(!page.unreachable).to_string() />
                                <button type="submit">
                                    {if page.unreachable { "Mark HQ reachable" } else { "Mark HQ unreachable" }}
                                </button>
                            </ServerForm>
                            {move || toggle.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
                        </section>
                        <CallFilters channels=page.channels filter />
                        <CallTable calls=page.calls />
                    }
                })
            })}
        </Transition>
    }
}

#[component]
fn CallFilters(channels: Vec<(i64, String)>, filter: CallFilter) -> impl IntoView {
    let option = |value: String, caption: String, selected: bool| {
        view! { <option value=value selected=selected>{caption}</option> }
    };
    view! {
        <Form
            method="GET"
            action="/hq/real-time-service-calls"
            attr:class="register-picker"
            attr:aria-label="Filters"
            on_form_data=Arc::new(leave_out_empty_fields)
        >
            <div class="field">
                <label for="channel">"Channel"</label>
                <select id="channel" name="channel">
                    {option(String::new(), "All channels".into(), filter.channel_id.is_none())}
                    {channels.into_iter().map(|(id, name)| option(id.to_string(), name, filter.channel_id == Some(id))).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="operation">"Operation"</label>
                <select id="operation" name="operation">
                    {option(String::new(), "All operations".into(), filter.operation.is_none())}
                    {OPERATIONS.iter().map(|o| option(o.to_string(), o.to_string(), filter.operation.as_deref() == Some(o))).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="outcome">"Outcome"</label>
                <select id="outcome" name="outcome">
                    {option(String::new(), "All outcomes".into(), filter.outcome.is_none())}
                    {OUTCOMES.iter().map(|o| option(o.to_string(), o.to_string(), filter.outcome.as_deref() == Some(o))).collect_view()}
                </select>
            </div>
            <button type="submit">"Filter"</button>
        </Form>
    }
}

#[component]
fn CallTable(calls: Vec<RealtimeCallRow>) -> impl IntoView {
    if calls.is_empty() {
        return view! { <p>"No real-time service calls match."</p> }.into_any();
    }
    view! {
        <table>
            <caption>"Calls, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Channel"</th>
                    <th scope="col">"Register"</th>
                    <th scope="col">"Operation"</th>
                    <th scope="col">"Customer"</th>
                    <th scope="col">"Reason"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Duration"</th>
                </tr>
            </thead>
            <tbody>
                {calls.into_iter().map(|call| view! {
                    <tr>
                        <td><Time stored=call.called_at /></td>
                        <td>{call.channel}</td>
                        <td>{call.register_number}</td>
                        <td>{call.operation}</td>
                        <td><code>{call.customer}</code></td>
                        <td>{call.reason}</td>
                        <td>{call.outcome}</td>
                        <td>{format!("{} ms", call.duration_ms)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
