//! FluenzR: the HTTP app, GraphQL schema, REST route table, business services and CLI.

pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod edge;
pub mod engine;
pub mod error;
pub mod etag;
pub mod gate;
pub mod graphql;
pub mod ids;
pub mod metrics;
pub mod panics;
pub mod public;
pub mod ratelimit;
pub mod rest;
pub mod secrets;
pub mod seed;
pub mod service;
pub mod shutdown;
pub mod signals;
pub mod throttle;
pub mod tls;
