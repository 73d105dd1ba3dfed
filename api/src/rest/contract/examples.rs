//! One realistic call of every REST operation, and its success answer: what `/docs` shows as
//! request and response samples, and what the examples test sends to a real server. Each
//! request obeys the rules the services enforce (a campaign's first step goes out at once, a
//! sending window ends after it starts, addresses are at `example.com`), and each answer is
//! what the server says to that request.
//!
//! The ids are fixed ([`objects`]): the object an example creates is shown with the id that later
//! examples name (the contact `createContact` answers is the one `getContact` reads).

mod campaigns;
mod contacts;
mod domains;
mod email_accounts;
mod groups;
mod inbox;
mod objects;
mod suppressions;
mod webhooks;

use serde_json::{Value, json};

/// One operation's example.
pub struct Example {
    /// Path parameters, by name.
    pub path: Vec<(&'static str, &'static str)>,
    /// Query parameters, by name.
    pub query: Vec<(&'static str, Value)>,
    /// The body: a JSON value, or the text of a CSV file.
    pub body: Option<Value>,
    /// The answer's `data`.
    pub data: Value,
    /// The answer's `meta` (lists).
    pub meta: Option<Value>,
}

impl Example {
    fn answer(data: Value) -> Example {
        Example {
            path: Vec::new(),
            query: Vec::new(),
            body: None,
            data,
            meta: None,
        }
    }

    /// A first page of `items`, `per_page` to a page.
    fn page(items: Vec<Value>, per_page: u32) -> Example {
        let total = items.len();
        let mut example = Example::answer(Value::Array(items));
        example.meta = Some(json!({
            "page": 1,
            "perPage": per_page,
            "total": total,
            "totalPages": if total == 0 { 0 } else { 1 },
            "totalIsEstimate": false,
            "nextCursor": null,
        }));
        example
    }

    fn id(mut self, id: &'static str) -> Example {
        self.path.push(("id", id));
        self
    }

    fn path(mut self, name: &'static str, value: &'static str) -> Example {
        self.path.push((name, value));
        self
    }

    fn query(mut self, name: &'static str, value: Value) -> Example {
        self.query.push((name, value));
        self
    }

    fn body(mut self, body: Value) -> Example {
        self.body = Some(body);
        self
    }

    /// The whole answer: the success envelope around `data` (and `meta`).
    pub fn envelope(&self) -> Value {
        let mut envelope = json!({ "success": true, "data": self.data });
        if let Some(meta) = &self.meta {
            envelope["meta"] = meta.clone();
        }
        envelope
    }
}

/// The examples, by operation name.
pub fn examples() -> Vec<(&'static str, Example)> {
    [
        contacts::examples(),
        groups::examples(),
        email_accounts::examples(),
        campaigns::examples(),
        webhooks::examples(),
        suppressions::examples(),
        domains::examples(),
        inbox::examples(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
