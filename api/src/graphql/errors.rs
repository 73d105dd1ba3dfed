//! How a service error reaches a GraphQL client: its message, and its code (and details) in
//! `extensions`, which the REST layer turns back into a status and the error envelope.

use crate::error::AppError;

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        use async_graphql::ErrorExtensions;
        let mut gql = async_graphql::Error::new(err.message);
        let code = err.code.as_str();
        let details = err.details;
        gql = gql.extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(details) = details
                && let Ok(value) = async_graphql::Value::from_json(details)
            {
                ext.set("details", value);
            }
        });
        gql
    }
}
