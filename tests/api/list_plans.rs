//! On PostgreSQL a contacts page is read from an index in its order: every documented sort
//! (both orders), checked with EXPLAIN — no scan of the workspace's contacts, no sort of them.
//! And on every engine a missing value sorts as the greatest.

use api::service::contacts::{self, ContactFilter, Matching};
use api::service::{PageRequest, SortOrder};
use entity::contact;
use sea_orm::{ConnectionTrait, DbBackend, QuerySelect, QueryTrait, Statement, TransactionTrait};
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

/// The plan of `statement`, one line per node. PostgreSQL is told not to scan or sort when it
/// can avoid it, so a small table still shows whether an index can serve the statement.
async fn plan_of(app: &TestApp, statement: Statement) -> String {
    let backend = app.db.get_database_backend();
    let txn = app.db.begin().await.unwrap();
    let explain = match backend {
        DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
                .await
                .unwrap();
            "EXPLAIN"
        }
        _ => "EXPLAIN QUERY PLAN",
    };
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!("{explain} {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    let column = match backend {
        DbBackend::Postgres => "QUERY PLAN",
        _ => "detail",
    };
    rows.iter()
        .map(|row| row.try_get::<String>("", column).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a plan reads contacts through an index, in order (no sort of them).
fn served(backend: DbBackend, plan: &str) -> bool {
    match backend {
        DbBackend::Postgres => {
            !plan.contains("Seq Scan on contacts") && !plan.lines().any(|l| l.contains("Sort"))
        }
        _ => {
            plan.contains("contacts USING")
                && plan.contains("INDEX")
                && !plan.contains("TEMP B-TREE")
        }
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL)"]
async fn on_postgres_every_documented_contacts_sort_reads_an_index_in_order() {
    let app = spawn_app().await;
    crate::helpers::require_postgres(&app);
    for i in 0..30 {
        let company = if i % 3 == 0 {
            json!(null)
        } else {
            json!(format!("Co {}", i % 5))
        };
        app.contact(json!({ "email": format!("p{i}@plans.test"), "firstName": format!("F{i}"), "company": company }))
            .await;
    }
    let backend = app.db.get_database_backend();
    let page = PageRequest::new(Some(2), Some(10), None).unwrap();
    let mut cases = Vec::new();
    for (sort, column) in contacts::SORT_FIELDS {
        for order in [SortOrder::Asc, SortOrder::Desc] {
            cases.push((
                format!("sort={sort} {order:?}"),
                ContactFilter::default(),
                *column,
                order,
            ));
        }
    }
    for (case, filter, column, order) in cases {
        let Matching { query, .. } = contacts::matching(&app.workspace_id, &filter).unwrap();
        let statement = contacts::ordering(column, order)
            .page(query, &page)
            .unwrap()
            .build(backend);
        let plan = plan_of(&app, statement).await;
        assert!(served(backend, &plan), "{case}:\n{plan}");
    }
}

/// A missing value sorts as the greatest: last ascending, first descending, pages agreeing.
#[tokio::test]
async fn a_missing_value_sorts_as_the_greatest() {
    let app = spawn_app().await;
    for (email, company) in [
        ("a@n.test", json!("Beta")),
        ("b@n.test", json!(null)),
        ("c@n.test", json!("Alpha")),
    ] {
        app.contact(json!({ "email": email, "company": company }))
            .await;
    }
    let order = |dir: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/v1/contacts?sort=company&order={dir}"))
                .await;
            r.data()
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["email"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(order("asc").await, ["c@n.test", "a@n.test", "b@n.test"]);
    assert_eq!(order("desc").await, ["b@n.test", "a@n.test", "c@n.test"]);
}

/// The exact filters read their own index in order, for the page, for a cursor's page and for
/// the bounded total: a rare status (bounced, unsubscribed) the partial index of rare statuses
/// on both engines, the company filter its `lower(company)` index on PostgreSQL.
#[tokio::test]
async fn an_exact_filter_reads_its_index() {
    let app = spawn_app().await;
    for i in 0..20 {
        app.contact(
            json!({ "email": format!("f{i}@plans.test"), "company": format!("Co {}", i % 4) }),
        )
        .await;
    }
    let backend = app.db.get_database_backend();
    let first = PageRequest::new(None, Some(2), None).unwrap();
    let r = app.get("/v1/contacts?company=co%201&perPage=2").await;
    let cursor = r.body["meta"]["nextCursor"].as_str().unwrap().to_owned();
    let after = PageRequest::new(None, Some(2), Some(&cursor)).unwrap();
    let company = ContactFilter {
        company: Some("CO 1".into()),
        ..Default::default()
    };
    let bounced = ContactFilter {
        status: Some(contacts::ContactStatus::Bounced),
        ..Default::default()
    };
    let company_index = "ix_contacts_ws_company_lower";
    let status_index = "ix_contacts_ws_status_rare";
    let mut cases = vec![("bounced", &bounced, status_index, &first)];
    if backend == DbBackend::Postgres {
        cases.push(("company", &company, company_index, &first));
        cases.push(("company after a cursor", &company, company_index, &after));
    }
    for (case, filter, index, page) in cases {
        let Matching { query, .. } = contacts::matching(&app.workspace_id, filter).unwrap();
        let ordering = contacts::ordering(contact::Column::CreatedAt, SortOrder::Desc);
        let statement = ordering.page(query.clone(), page).unwrap().build(backend);
        let plan = plan_of(&app, statement).await;
        assert!(plan.contains(index), "{case} reads {index}:\n{plan}");
        assert!(served(backend, &plan), "{case} in order:\n{plan}");
        let count = query
            .select_only()
            .expr(sea_orm::sea_query::Expr::val(1))
            .limit(10_001)
            .build(backend);
        let plan = plan_of(&app, count).await;
        assert!(
            plan.contains(index),
            "{case}'s total reads {index}:\n{plan}"
        );
        assert!(!plan.contains("Seq Scan on contacts"), "{case}:\n{plan}");
    }
    // A contact that leaves `active` enters the rare statuses' index and is listed by it.
    let c = app.contact(json!({ "email": "gone@plans.test" })).await;
    let id = c["id"].as_str().unwrap();
    let r = app
        .put(
            &format!("/v1/contacts/{id}"),
            json!({ "status": "unsubscribed" }),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::OK, "{}", r.body);
    let r = app.get("/v1/contacts?status=unsubscribed").await;
    assert_eq!(r.body["meta"]["total"], 1);
    assert_eq!(r.data()[0]["id"], id);
    assert_eq!(
        app.get("/v1/contacts?status=active").await.body["meta"]["total"],
        20
    );
}

/// The server's PostgreSQL sessions run without JIT: a generic plan prices a page as a tenth
/// of its table, enough at a million contacts for JIT to compile a 0.1 ms read for 70 ms.
#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL)"]
async fn on_postgres_sessions_run_without_jit() {
    let app = spawn_app().await;
    crate::helpers::require_postgres(&app);
    let row = app
        .db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SHOW jit"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "off");
}
