//! The server's integration tests: the real router and a real SQLite file, driven with
//! in-memory HTTP requests (`connections` alone uses real sockets). One test binary for the
//! whole server (each binary costs a link on two cores); one module per area.

mod account;
mod concurrent;
mod connections;
mod contract;
mod dev;
mod devices;
mod events;
mod events_instances;
mod faults;
mod hashing;
mod input;
mod instances;
mod openapi;
mod openapi_rules;
mod process;
mod profiles;
mod proxy;
mod reset;
mod sending;
mod session;
mod storage;
mod strong_auth;
mod support;
mod two_factor;
mod web;
