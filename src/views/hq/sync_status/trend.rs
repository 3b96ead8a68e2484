//! The status page's "Backlog and throughput" section: the plots the server
//! draws (`plots`), read again whenever the list is.

use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::views::ui::LastAnswer;

/// One plot as the server drew it: its legend and SVG, and its figures as
/// a table, each as HTML.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawnPlot {
    pub picture: String,
    pub table: String,
}

/// Both plots; either is missing until HQ has something to plot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawnPlots {
    pub backlog: Option<DrawnPlot>,
    pub throughput: Option<DrawnPlot>,
}

/// Both plots, read again whenever `refresh` changes.
///
/// The server draws them and the browser puts their HTML in place, so the
/// page carries no drawing code (about 40 KiB of the status page's WASM,
/// BENCHMARKS.md). The figures and their "as a table" disclosures are the
/// browser's own and stay as they are when a plot is drawn again, so a
/// table the admin opened stays open.
#[component]
pub fn BacklogPlots(#[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let plots = Resource::new(move || refresh.get(), |_| draw_backlog_plots());
    let last_plots = LastAnswer::default();
    view! {
        <section class="plots" aria-labelledby="plots-heading">
            <h2 id="plots-heading">"Backlog and throughput"</h2>
            <Transition fallback=|| view! { <p>"Loading the plots…"</p> }>
                {move || Suspend::new(async move {
                    let answer = plots.await;
                    // The list above reads on the same beat, and says so.
                    let said_by_the_list = answer
                        .as_ref()
                        .is_err_and(|error| matches!(error, AppError::Forbidden(_) | AppError::Unreachable(_)));
                    last_plots.show((), answer, said_by_the_list, |plots: DrawnPlots| {
                        let throughput = match plots.throughput {
                            Some(drawn) => Either::Left(plot_figure(
                                "Throughput of the latest runs (rows per second)",
                                "Throughput as a table",
                                drawn,
                            )),
                            None => Either::Right(view! {
                                <p>"The throughput is plotted once the P-job or the sync has moved rows."</p>
                            }),
                        };
                        view! {
                            {plots
                                .backlog
                                .map(|drawn| plot_figure("Backlog over time", "Backlog as a table", drawn))}
                            {throughput}
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

fn plot_figure(caption: &'static str, table_caption: &'static str, drawn: DrawnPlot) -> impl IntoView {
    view! {
        <figure class="plot">
            <figcaption>{caption}</figcaption>
            <div class="drawn" inner_html=drawn.picture />
            <details>
                <summary>{table_caption}</summary>
                <div class="drawn" inner_html=drawn.table />
            </details>
        </figure>
    }
}

/// The backlog over time and the pace of the latest runs, drawn.
#[server(output = crate::wire::JsonText)]
pub async fn draw_backlog_plots() -> Result<DrawnPlots, AppError> {
    let trend = crate::api::hq::sync_status::load_backlog_trend().await?;
    Ok(super::plots::draw(trend))
}
