//! What the REST routes take from the server: the server's state hands it over through axum's
//! `FromRef`, so this layer never names the server's own state.

use std::sync::Arc;

use crate::graphql::AppSchema;

/// What the REST routes need from the server, built once and shared by every request (the
/// server's state hands it over through `FromRef`).
#[derive(Clone)]
pub struct RestState(Arc<RestContext>);

pub struct RestContext {
    pub db: sea_orm::DatabaseConnection,
    /// The schema a route's operation runs against.
    pub schema: AppSchema,
    /// `schema` without the validation rules a route's remembered variables already passed.
    pub validated: AppSchema,
    /// The largest JSON body a route reads.
    pub max_body_bytes: usize,
}

impl RestState {
    pub fn new(context: RestContext) -> Self {
        RestState(Arc::new(context))
    }
}

impl std::ops::Deref for RestState {
    type Target = RestContext;
    fn deref(&self) -> &RestContext {
        &self.0
    }
}
