//! The route table's rows for contacts: list, read, create (one or a batch), update, delete.

use axum::http::Method;

use super::{
    BodyMap, CONTACT_LIST_VARS, LIST_ARGS, ParamKind, RouteSpec, Shape, contact_filters, op, param,
};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "listContacts",
            method: Method::GET,
            path: "/contacts",
            summary: "List contacts",
            operation: op(&format!(
                "query listContacts({CONTACT_LIST_VARS}) {{ contacts({LIST_ARGS}) {{ items {{ @CONTACT }} @PAGE }} }}"
            )),
            status: 200,
            query: contact_filters(true),
            body: BodyMap::None,
            shape: Shape::Page(&["contacts"]),
        },
        RouteSpec {
            name: "getContact",
            method: Method::GET,
            path: "/contacts/{id}",
            summary: "Get a contact",
            operation: op("query getContact($id: ID!) { contact(id: $id) { @CONTACT } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["contact"]),
        },
        RouteSpec {
            name: "exportContact",
            method: Method::GET,
            path: "/contacts/{id}/export",
            summary: "Everything held about a contact (recorded as contact.exported)",
            operation: op(
                "query exportContact($id: ID!) { contactExport(id: $id) { contact { @CONTACT } enrolments { campaignId state currentStep reason emailAccountId enrolledAt lastSentAt nextSendAt } messages { @MESSAGE } events { type campaignId step occurredAt detail } suppressions { @SUPPRESSION } inbox { id threadId kind from subject text html at } exportedAt } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["contactExport"]),
        },
        RouteSpec {
            name: "getMessage",
            method: Method::GET,
            path: "/messages/{id}",
            summary: "Get one email of a campaign: exactly what was sent, or why its step was skipped",
            operation: op("query getMessage($id: ID!) { message(id: $id) { @MESSAGE } }"),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["message"]),
        },
        RouteSpec {
            name: "createContact",
            method: Method::POST,
            path: "/contacts",
            summary: "Create a contact",
            operation: op(
                "mutation createContact($input: ContactInput!) { createContact(input: $input) { @CONTACT } }",
            ),
            status: 201,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["createContact"]),
        },
        RouteSpec {
            name: "createContacts",
            method: Method::POST,
            path: "/contacts/batch",
            summary: "Create up to 1000 contacts, each succeeding or failing on its own",
            operation: op(
                "mutation createContacts($contacts: [ContactInput!]!) { createContacts(contacts: $contacts) { created failed results { index success contact { @CONTACT } error { code message details } } } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Fields(&["contacts"]),
            shape: Shape::Object(&["createContacts"]),
        },
        RouteSpec {
            name: "updateContact",
            method: Method::PUT,
            path: "/contacts/{id}",
            summary: "Update a contact (fields present are replaced)",
            operation: op(
                "mutation updateContact($id: ID!, $input: ContactUpdate!) { updateContact(id: $id, input: $input) { @CONTACT } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::Variable("input"),
            shape: Shape::Object(&["updateContact"]),
        },
        RouteSpec {
            name: "deleteContact",
            method: Method::DELETE,
            path: "/contacts/{id}",
            summary: "Delete a contact",
            operation: op(
                "mutation deleteContact($id: ID!, $erase: Boolean) { deleteContact(id: $id, erase: $erase) { id deleted } }",
            ),
            status: 200,
            query: vec![param(
                "erase",
                "erase",
                ParamKind::Bool,
                "true erases the contact's personal data everywhere, keeps the figures, and keeps its address suppressed as a digest only",
            )],
            body: BodyMap::None,
            shape: Shape::Object(&["deleteContact"]),
        },
    ]
}
