//! The OpenAPI document, derived from what already decides each answer: the route table (paths,
//! query parameters, where the body goes, where `data` sits) and the GraphQL schema (the types
//! of every variable and of every field a route's operation selects). The only hand-written
//! part is [`limits`]: the limits JSON Schema can state and GraphQL cannot, each citing the
//! service constant that enforces it. A route whose operation names a type or field the
//! schema lacks fails the build of the document, so it cannot drift. Each operation also
//! carries its example call and answer from [`examples`], written by hand as realistic ones.
//!
//! The same reading of the schema tells the REST layer where a request's variables must hold
//! lists ([`lists`]).

mod document;
mod examples;
mod limits;
mod lists;
mod operation;
mod responses;
mod types;

pub use document::{NO_NUL, document};
pub use lists::{Step, list_paths, misplaced_scalar};
pub use types::Types;
