//! What a user typed into a page before its code arrived: on a slow network
//! a cashier types, or an admin ticks rows, while the WASM is still
//! downloading. Hydration then sets each field bound to a signal
//! (`prop:value`, `prop:checked`) to that signal's empty value, and the form
//! would post nothing. So the fields the user changed are read as
//! hydration starts, and noted again as the user goes on typing while it
//! waits for the page's own code; once it is done, they are given back as
//! if typed again: the `input` and `change` events tell the page's
//! handlers, and their signals, what the fields hold.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use web_sys::{
    Document, Element, Event, EventInit, HtmlInputElement, HtmlOptionElement, HtmlSelectElement,
    HtmlTextAreaElement, Node,
};

/// The fields whose value is no longer the one the server sent, kept up to
/// date with what the user types until they are given back.
pub struct TypedEarly {
    typed: Rc<RefCell<Vec<Typed>>>,
    document: Document,
    noting: Closure<dyn FnMut(Event)>,
}

/// A field, with what the user left in it.
enum Typed {
    Text(HtmlInputElement, String),
    LongText(HtmlTextAreaElement, String),
    Checked(HtmlInputElement, bool),
    Chosen(HtmlSelectElement, String),
}

/// The events that say a field changed, heard before any of the page's own.
const FIELD_EVENTS: [&str; 2] = ["input", "change"];

impl TypedEarly {
    /// Reads what the fields hold now, and notes each field the user
    /// changes from now on: hydration may wait for the page's own code,
    /// and sets a field only when it reaches it.
    pub fn watch(document: &Document) -> TypedEarly {
        let typed = Rc::new(RefCell::new(read_all(document)));
        let noted = typed.clone();
        let noting = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            let Some(field) = event.target().and_then(|target| target.dyn_into::<Node>().ok()) else {
                return;
            };
            let mut noted = noted.borrow_mut();
            // A radio chosen leaves the one chosen before in its group.
            let group = radio_group(&field);
            noted.retain(|typed| {
                !typed.field().is_same_node(Some(&field))
                    && (group.is_none() || radio_group(typed.field()) != group)
            });
            noted.extend(typed_into(field));
        });
        for kind in FIELD_EVENTS {
            let _ = document.add_event_listener_with_callback_and_bool(
                kind,
                noting.as_ref().unchecked_ref(),
                true,
            );
        }
        TypedEarly {
            typed,
            document: document.clone(),
            noting,
        }
    }

    /// Puts back each value hydration replaced and announces every one.
    pub fn give_back(self) {
        for kind in FIELD_EVENTS {
            let _ = self.document.remove_event_listener_with_callback_and_bool(
                kind,
                self.noting.as_ref().unchecked_ref(),
                true,
            );
        }
        for typed in self.typed.take() {
            let field = typed.put_back();
            if field.is_connected() {
                announce(&field, "input");
                announce(&field, "change");
            }
        }
    }
}

/// The name of the radio button's group, when `field` is one.
fn radio_group(field: &Node) -> Option<String> {
    field
        .dyn_ref::<HtmlInputElement>()
        .filter(|input| input.type_() == "radio")
        .map(HtmlInputElement::name)
}

fn read_all(document: &Document) -> Vec<Typed> {
    let Ok(fields) = document.query_selector_all("input, textarea, select") else {
        return Vec::new();
    };
    (0..fields.length())
        .filter_map(|index| fields.item(index))
        .filter_map(typed_into)
        .collect()
}

fn typed_into(field: Node) -> Option<Typed> {
    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
        return typed_into_input(input.clone());
    }
    if let Some(text) = field.dyn_ref::<HtmlTextAreaElement>() {
        let value = text.value();
        let sent = text.default_value().unwrap_or_default();
        return (value != sent).then(|| Typed::LongText(text.clone(), value));
    }
    let select = field.dyn_into::<HtmlSelectElement>().ok()?;
    let value = select.value();
    (select.selected_index() != chosen_by_server(&select)).then_some(Typed::Chosen(select, value))
}

fn typed_into_input(input: HtmlInputElement) -> Option<Typed> {
    match input.type_().as_str() {
        "checkbox" => {
            let checked = input.checked();
            (checked != input.default_checked()).then_some(Typed::Checked(input, checked))
        }
        // The one chosen; announcing the one left would choose it again.
        "radio" => (input.checked() && !input.default_checked()).then_some(Typed::Checked(input, true)),
        // A page cannot set a file input's value; hidden ones are not typed into.
        "file" | "hidden" => None,
        _ => {
            let value = input.value();
            (value != input.default_value()).then_some(Typed::Text(input, value))
        }
    }
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

impl Typed {
    fn field(&self) -> &Node {
        match self {
            Typed::Text(input, _) | Typed::Checked(input, _) => input.as_ref(),
            Typed::LongText(text, _) => text.as_ref(),
            Typed::Chosen(select, _) => select.as_ref(),
        }
    }

    /// Puts the value back into its field, and answers the field.
    fn put_back(self) -> Element {
        match self {
            Typed::Text(input, value) => {
                input.set_value(&value);
                input.into()
            }
            Typed::LongText(text, value) => {
                text.set_value(&value);
                text.into()
            }
            Typed::Checked(input, checked) => {
                input.set_checked(checked);
                input.into()
            }
            Typed::Chosen(select, value) => {
                select.set_value(&value);
                select.into()
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
