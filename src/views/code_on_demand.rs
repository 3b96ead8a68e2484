//! Code a page downloads only when it needs it (a split point of the
//! `--split` build): the customer forms, New sale's fields, the register's
//! outbox and its list. A network that has gone can keep such code from
//! arriving. Leptos's `#[lazy]` panics then, which stops the whole page
//! (every button, the outbox); a split point made with `code_on_demand!`
//! answers `Err(NotDownloaded)` instead, which the page shows beside a way
//! to try again. A failed download is not remembered: the next call
//! downloads again.

use leptos::prelude::*;

/// Code the browser could not download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotDownloaded;

#[cfg(feature = "hydrate")]
impl From<leptos::wasm_split::SplitLoaderError> for NotDownloaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotDownloaded
    }
}

/// `code_on_demand! { module; fn name(arg: Type) -> Output { body } }`
/// makes `async fn name(arg: Type) -> Result<Output, NotDownloaded>`, whose
/// body is downloaded as the split module `module` on the first call. The
/// server, which renders with every line of code at hand, names the module
/// among the files the page preloads when it runs the body.
macro_rules! code_on_demand {
    (
        $module:ident;
        $(#[$attr:meta])*
        $vis:vis fn $name:ident($arg:ident: $arg_type:ty) -> $output:ty $body:block
    ) => {
        $(#[$attr])*
        #[cfg(feature = "hydrate")]
        #[::leptos::wasm_split::wasm_split(
            $module,
            wasm_split_path = ::leptos::wasm_split,
            fallible
        )]
        $vis fn $name($arg: $arg_type) -> Result<$output, $crate::views::code_on_demand::NotDownloaded> {
            Ok($body)
        }

        $(#[$attr])*
        #[cfg(not(feature = "hydrate"))]
        $vis async fn $name($arg: $arg_type) -> Result<$output, $crate::views::code_on_demand::NotDownloaded> {
            ::leptos::prefetch_lazy_fn_on_server(stringify!($module));
            Ok($body)
        }
    };
}
pub(crate) use code_on_demand;

/// How many times a place asked for its code again. The closure that loads
/// the place's code tracks it, so that Try again downloads the code anew.
#[derive(Debug, Clone, Copy)]
pub struct DownloadTries(RwSignal<u32>);

impl DownloadTries {
    pub fn new() -> DownloadTries {
        DownloadTries(RwSignal::new(0))
    }

    pub fn track(self) {
        self.0.track();
    }

    fn try_again(self) {
        self.0.update(|tries| *tries += 1);
    }
}

impl Default for DownloadTries {
    fn default() -> Self {
        DownloadTries::new()
    }
}

/// In the place of code that could not be downloaded: why, and a way to try
/// again, with `on_cancel`'s way out where the place has one.
#[component]
pub fn NotDownloadedNote(tries: DownloadTries, on_cancel: Option<Callback<()>>) -> impl IntoView {
    view! {
        <p class="error-note" role="alert">
            "This part of the page could not be downloaded: the network is down, or the server does not answer. \
             Try again once the connection is back."
        </p>
        <div class="actions">
            <button type="button" on:click=move |_| tries.try_again()>"Try again"</button>
            {on_cancel.map(|cancel| view! {
                <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button>
            })}
        </div>
    }
}
