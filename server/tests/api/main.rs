//! API integration tests: the real server on a random port, a fresh database per test, on
//! SQLite always and on MariaDB (+ Redis) when `TEST_MYSQL_URL` (and `TEST_REDIS_URL`) is set.

mod common;

mod accounts;
mod addresses;
mod admin;
mod after_sales;
mod bad_input;
mod carts;
mod catalog;
mod cors;
mod favourites;
mod goods;
mod hardening;
mod jobs;
mod mail;
mod observability;
mod openapi;
mod order_detail;
mod orders;
mod outage;
mod payments;
mod pictures;
mod processing;
mod replica;
mod sentinel;
mod sms;
mod tokens;
mod trade_close;
mod web;
mod weibo;
