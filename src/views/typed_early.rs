//! What a user typed into a page before its code arrived: on a slow network
//! a cashier types, or an admin ticks rows, while the WASM is still
//! downloading. Hydration then sets each field bound to a signal
//! (`prop:value`, `prop:checked`) to that signal's empty value, and the form
//! would post nothing. So the fields the user changed are read
//! before hydration and, once it is done, given back as if typed again: the
//! `input` and `change` events tell the page's handlers, and their signals,
//! what the fields hold.

use leptos::wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, Event, EventInit, HtmlInputElement, HtmlOptionElement, HtmlSelectElement,
    HtmlTextAreaElement,
};

/// The fields whose value is no longer the one the server sent.
pub struct TypedEarly(Vec<(Element, Typed)>);

enum Typed {
    Text(String),
    Checked(bool),
    Chosen(String),
}

impl TypedEarly {
    pub fn read(document: &Document) -> TypedEarly {
        let Ok(fields) = document.query_selector_all("input, textarea, select") else {
            return TypedEarly(Vec::new());
        };
        let typed = (0..fields.length())
            .filter_map(|index| fields.item(index)?.dyn_into::<Element>().ok())
            .filter_map(|field| typed_into(&field).map(|typed| (field, typed)))
            .collect();
        TypedEarly(typed)
    }

    /// Puts back each value hydration replaced and announces every one.
    pub fn give_back(self) {
        for (field, typed) in self.0 {
            if field.is_connected() {
                put_back(&field, typed);
                announce(&field, "input");
                announce(&field, "change");
            }
        }
    }
}

fn typed_into(field: &Element) -> Option<Typed> {
    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
        return match input.type_().as_str() {
            "checkbox" => {
                (input.checked() != input.default_checked()).then(|| Typed::Checked(input.checked()))
            }
            // The one chosen; announcing the one left would choose it again.
            "radio" => (input.checked() && !input.default_checked()).then_some(Typed::Checked(true)),
            // A page cannot set a file input's value; hidden ones are not typed into.
            "file" | "hidden" => None,
            _ => (input.value() != input.default_value()).then(|| Typed::Text(input.value())),
        };
    }
    if let Some(text) = field.dyn_ref::<HtmlTextAreaElement>() {
        let sent = text.default_value().unwrap_or_default();
        return (text.value() != sent).then(|| Typed::Text(text.value()));
    }
    let select = field.dyn_ref::<HtmlSelectElement>()?;
    (select.selected_index() != chosen_by_server(select)).then(|| Typed::Chosen(select.value()))
}

/// The option a select shows as the server sent it: the last one marked
/// `selected`, or the first.
fn chosen_by_server(select: &HtmlSelectElement) -> i32 {
    (0..select.length())
        .rev()
        .find(|&index| {
            select
                .item(index)
                .and_then(|option| option.dyn_into::<HtmlOptionElement>().ok())
                .is_some_and(|option| option.default_selected())
        })
        .map_or(0, |index| i32::try_from(index).unwrap_or(0))
}

fn put_back(field: &Element, typed: Typed) {
    match typed {
        Typed::Text(value) => {
            if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
                input.set_value(&value);
            } else if let Some(text) = field.dyn_ref::<HtmlTextAreaElement>() {
                text.set_value(&value);
            }
        }
        Typed::Checked(checked) => {
            if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
                input.set_checked(checked);
            }
        }
        Typed::Chosen(value) => {
            if let Some(select) = field.dyn_ref::<HtmlSelectElement>() {
                select.set_value(&value);
            }
        }
    }
}

fn announce(field: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    if let Ok(event) = Event::new_with_event_init_dict(kind, &init) {
        let _ = field.dispatch_event(&event);
    }
}
