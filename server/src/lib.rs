//! The dadashop server: the JSON API of `docs/api.md` (axum), the web origin serving the
//! Leptos app (its public pages rendered here, [`ssr`]), storage on SQLite or MySQL (sqlx `Any`), the ephemeral store (Redis or in
//! process), and the `dadashop` command line.
//!
//! Boundaries: handlers in [`routes`] parse input into [`domain`] values and call the
//! repositories in [`db`]; SQL lives only in `db`. Only the web origin ([`web`], [`ssr`])
//! uses Leptos, to render the `app` crate; the wire types come from `dadashop_types`,
//! shared with the app.

// Rendering the app on the web origin (ssr.rs) lays out its deepest view types here (the
// console's pages); the default 128 levels are not enough.
#![recursion_limit = "256"]

pub mod alipay;
pub mod app;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod db;
pub mod docs;
pub mod domain;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod kv;
pub mod media;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod pictures;
pub mod reconcile;
pub mod redis_link;
pub mod routes;
pub mod search;
pub mod seed;
pub mod serve;
pub mod ssr;
pub mod state;
pub mod verify;
pub mod web;
pub mod weibo;
