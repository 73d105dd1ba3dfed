//! One error type for every layer, and the single table that maps its codes to HTTP statuses.

use serde_json::Value;

/// A machine-readable error code, shared by the REST envelope and GraphQL `extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    ValidationError,
    BadRequest,
    Unauthenticated,
    Forbidden,
    PlanRequired,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// The address is suppressed: it cannot be made active until its suppression is deleted.
    Suppressed,
    /// A campaign's deliverability warnings refuse its start (the operator requires
    /// authenticated domains).
    DomainNotAuthenticated,
    PayloadTooLarge,
    /// A workspace's stored uploads would exceed its quota.
    QuotaExceeded,
    /// The request ran past the server's time limit for one request.
    RequestTimeout,
    RateLimited,
    Internal,
}

/// code ↔ wire name ↔ HTTP status: the only place this mapping lives.
const CODES: &[(ErrorCode, &str, u16)] = &[
    (ErrorCode::ValidationError, "VALIDATION_ERROR", 400),
    (ErrorCode::BadRequest, "BAD_REQUEST", 400),
    (ErrorCode::Unauthenticated, "UNAUTHENTICATED", 401),
    (ErrorCode::Forbidden, "FORBIDDEN", 403),
    (ErrorCode::PlanRequired, "PLAN_REQUIRED", 403),
    (ErrorCode::NotFound, "NOT_FOUND", 404),
    (ErrorCode::MethodNotAllowed, "METHOD_NOT_ALLOWED", 405),
    (ErrorCode::Conflict, "CONFLICT", 409),
    (ErrorCode::Suppressed, "SUPPRESSED", 409),
    (
        ErrorCode::DomainNotAuthenticated,
        "DOMAIN_NOT_AUTHENTICATED",
        409,
    ),
    (ErrorCode::PayloadTooLarge, "PAYLOAD_TOO_LARGE", 413),
    (ErrorCode::QuotaExceeded, "QUOTA_EXCEEDED", 413),
    (ErrorCode::RequestTimeout, "REQUEST_TIMEOUT", 408),
    (ErrorCode::RateLimited, "RATE_LIMITED", 429),
    (ErrorCode::Internal, "INTERNAL_ERROR", 500),
];

impl ErrorCode {
    fn row(self) -> &'static (ErrorCode, &'static str, u16) {
        CODES
            .iter()
            .find(|row| row.0 == self)
            .unwrap_or(&CODES[CODES.len() - 1])
    }

    /// Every code, in the table's order.
    pub fn all() -> Vec<ErrorCode> {
        CODES.iter().map(|row| row.0).collect()
    }

    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    pub fn http_status(self) -> u16 {
        self.row().2
    }

    pub fn from_wire(name: &str) -> Option<ErrorCode> {
        CODES.iter().find(|row| row.1 == name).map(|row| row.0)
    }
}

/// An error a client can act on. Deliberately not `Display`, so it can only reach GraphQL
/// through the conversion that keeps its code.
#[derive(Clone, Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
    /// What caused an internal error, its whole source chain (`a: b: c`): for logs and the
    /// engines' records, never for clients.
    /// (Boxed: an error stays small on the success path of every `Result`.)
    pub cause: Option<Box<String>>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            details: None,
            cause: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationError, message)
    }

    /// A validation error naming the offending field in `details.field`.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(message).with_details(serde_json::json!({ "field": field }))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// Ids in a body that name nothing in this workspace: 400, listing them in
    /// `details.unknownIds`.
    pub fn unknown_ids(field: &str, what: &str, unknown: &[&String]) -> Self {
        Self::validation(format!("Unknown {what} ids"))
            .with_details(serde_json::json!({ "field": field, "unknownIds": unknown }))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// An unexpected failure: logged here with its cause, answered with a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let cause = cause.to_string();
        tracing::error!(error = %cause, "internal error");
        AppError {
            cause: Some(Box::new(cause)),
            ..Self::new(ErrorCode::Internal, "Internal server error")
        }
    }

    /// An unexpected failure caused by `err`: as [`AppError::internal`], with every source
    /// of the error in the text kept and logged, not only the outermost one.
    pub fn internal_error(err: &(dyn std::error::Error + 'static)) -> Self {
        Self::internal(chain(err))
    }

    /// A stored value that is not one the code knows (a corrupt or hand-edited row): an
    /// internal error naming the row, never a default that would act on it.
    pub fn corrupt(table: &str, id: &str, column: &str, value: &str) -> Self {
        Self::internal(format!(
            "{table} row {id} holds {column} = {value:?}, which is not a value this version knows"
        ))
    }
}

/// `err` and its sources, outermost first, as `a: b: c` (a source whose text its wrapper
/// already repeats is not said twice).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(next) = source {
        let part = next.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = next.source();
    }
    text
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::internal_error(&err)
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

/// True when a database error is a unique-constraint violation (both engines).
pub fn is_unique_violation(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod chain_tests {
    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("could not store the row")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_internal_error_keeps_its_whole_source_chain() {
        let err = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        ));
        let app = super::AppError::internal_error(&err);
        assert_eq!(
            app.cause.as_deref().map(String::as_str),
            Some("could not store the row: connection reset by peer")
        );
        assert_eq!(app.message, "Internal server error", "clients see no cause");
    }
}
