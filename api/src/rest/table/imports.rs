//! The route table's rows for CSV imports of contacts, and where one stands.

use axum::http::Method;

use super::{BodyMap, ParamKind, RouteSpec, Shape, op, param};

/// The rows, in the table's order.
pub(super) fn routes() -> Vec<RouteSpec> {
    vec![
        RouteSpec {
            name: "importContacts",
            method: Method::POST,
            path: "/contacts/import",
            summary: "Import contacts from a CSV file (the body, text/csv), in the background",
            operation: op(
                "mutation importContacts($csv: String!, $groupId: ID, $duplicates: DuplicatePolicy, $mapping: JSON) { importContacts(csv: $csv, groupId: $groupId, duplicates: $duplicates, mapping: $mapping) { @IMPORT } }",
            ),
            status: 202,
            query: vec![
                param(
                    "groupId",
                    "groupId",
                    ParamKind::Str,
                    "Put every imported (or updated) contact in this group",
                ),
                param(
                    "duplicates",
                    "duplicates",
                    ParamKind::Str,
                    "skip (default): rows whose email exists are left alone; update: they update that contact",
                ),
                param(
                    "mapping",
                    "mapping",
                    ParamKind::Json,
                    "JSON object: CSV header to field (email, firstName, lastName, company, phone, timezone, customFields.<key>, ignore); other headers map by name",
                ),
            ],
            body: BodyMap::Csv("csv"),
            shape: Shape::Object(&["importContacts"]),
        },
        RouteSpec {
            name: "getContactImport",
            method: Method::GET,
            path: "/imports/{id}",
            summary: "Where a CSV import stands: counts and the refused rows",
            operation: op(
                "query getContactImport($id: ID!) { contactImport(id: $id) { @IMPORT } }",
            ),
            status: 200,
            query: vec![],
            body: BodyMap::None,
            shape: Shape::Object(&["contactImport"]),
        },
    ]
}
