//! The clinic's setup, page by page (owners and managers). Every page edits its part of the
//! clinic file and saves through `setup::edit`: the same validation as `org import`, one
//! transaction, and an error placed next to the field it is about. Form inputs are named by
//! their place in the clinic file (`settings.phone`, `providers[1].monday`), so an error's
//! place finds its field.

mod agent;
mod exceptions;
mod fields;
mod file;
mod hours;
mod operatories;
mod page;
mod phrases;
mod profile;
mod providers;
mod types;

use axum::Router;
use axum::routing::get;

use page::{show, submit};

use crate::http::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{slug}/setup/profile",
            get(show::<profile::Profile>).post(submit::<profile::Profile>),
        )
        .route(
            "/{slug}/setup/hours",
            get(show::<hours::Hours>).post(submit::<hours::Hours>),
        )
        .route(
            "/{slug}/setup/providers",
            get(show::<providers::Providers>).post(submit::<providers::Providers>),
        )
        .route(
            "/{slug}/setup/operatories",
            get(show::<operatories::Operatories>).post(submit::<operatories::Operatories>),
        )
        .route(
            "/{slug}/setup/types",
            get(show::<types::Types>).post(submit::<types::Types>),
        )
        .route(
            "/{slug}/setup/exceptions",
            get(show::<exceptions::Exceptions>).post(submit::<exceptions::Exceptions>),
        )
        .route(
            "/{slug}/setup/exceptions/remove",
            axum::routing::post(exceptions::remove),
        )
        .route(
            "/{slug}/setup/phrases",
            get(show::<phrases::Phrases>).post(submit::<phrases::Phrases>),
        )
        .route(
            "/{slug}/setup/agent",
            get(show::<agent::Agent>).post(submit::<agent::Agent>),
        )
        .route("/{slug}/setup/file", get(file::page).post(file::preview))
        .route("/{slug}/setup/file/apply", axum::routing::post(file::apply))
        .route("/{slug}/setup/clinic.toml", get(file::download))
}
