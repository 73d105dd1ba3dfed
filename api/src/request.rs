//! What the HTTP layers know of one request before any of them handles it.

/// The id of one request, echoed in the `Request-Id` header and in error details.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);
