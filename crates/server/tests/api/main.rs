//! The server's integration tests: the real router and a real SQLite file, driven with
//! in-memory HTTP requests. One test binary for the whole server (each binary costs a link on
//! two cores); one module per area.

mod account;
mod concurrent;
mod dev;
mod devices;
mod hashing;
mod input;
mod openapi;
mod profiles;
mod session;
mod storage;
mod strong_auth;
mod support;
mod two_factor;
mod web;
