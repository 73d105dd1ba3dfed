//! `db::Reads`: listing reads on PostgreSQL on connections set aside from the pool, given back
//! without sqlx's release ping, and never given back from a statement that did not finish.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use crate::helpers::{require_postgres, spawn_app};

fn backend_pid(rows: &[QueryResult]) -> i32 {
    rows[0].try_get_by_index::<i32>(0).expect("a backend pid")
}

fn observed() -> (
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    api::db::ReadObserver,
) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let observer = api::db::ReadObserver(std::sync::Arc::new(move |sql: &str| {
        sink.lock().unwrap().push(sql.to_owned());
    }));
    (seen, observer)
}

#[tokio::test]
async fn reads_go_to_the_pool_on_sqlite_and_when_switched_off() {
    let app = spawn_app().await;
    let backend = app.db.get_database_backend();
    let off = api::db::Dedicated {
        enabled: false,
        ..Default::default()
    };
    let on = api::db::Dedicated::default();
    let settings: &[api::db::Dedicated] = if backend == DbBackend::Postgres {
        &[off]
    } else {
        &[on, off]
    };
    for dedicated in settings {
        let (seen, observer) = observed();
        let reads = api::db::Reads::new(app.db.clone(), Some(observer), *dedicated);
        let rows = reads
            .query_all_raw(Statement::from_string(backend, "SELECT 1 AS one"))
            .await
            .expect("a read");
        assert_eq!(rows[0].try_get::<i32>("", "one").unwrap(), 1);
        assert!(
            seen.lock().unwrap().is_empty(),
            "{dedicated:?}: no statement ran on a connection of its own"
        );
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL)"]
async fn on_postgres_a_read_gives_its_connection_back_only_when_its_statement_finished() {
    let app = spawn_app().await;
    require_postgres(&app);
    let (seen, observer) = observed();
    let reads = api::db::Reads::new(app.db.clone(), Some(observer), Default::default());
    let backend = app.db.get_database_backend();
    let pid = || async {
        backend_pid(
            &reads
                .query_all_raw(Statement::from_string(backend, "SELECT pg_backend_pid()"))
                .await
                .expect("a read"),
        )
    };
    let first = pid().await;
    assert_eq!(
        pid().await,
        first,
        "a finished read gives its connection back"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "the observer sees each statement"
    );

    // An error the database answers leaves the connection ready for the next statement.
    let failed = reads
        .query_all_raw(Statement::from_string(backend, "SELECT 1 / 0"))
        .await;
    assert!(failed.is_err());
    assert_eq!(pid().await, first);

    // A read dropped while its statement runs closes its connection: the next read has
    // another one, and answers its own statement.
    let slow = reads.query_all_raw(Statement::from_string(backend, "SELECT pg_sleep(5)"));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), slow)
            .await
            .is_err()
    );
    let after = pid().await;
    assert_ne!(
        after, first,
        "a connection whose statement did not finish is closed"
    );
    assert_eq!(pid().await, after);

    // A kept connection the server closed while idle: the read still answers (run again on
    // the pool), and the next one has a new connection of its own.
    app.db
        .execute_raw(Statement::from_string(
            backend,
            format!("SELECT pg_terminate_backend({after})"),
        ))
        .await
        .expect("the backend is terminated");
    let answered = pid().await;
    assert_ne!(answered, after);
    let next = pid().await;
    assert_ne!(next, after);
    assert_eq!(pid().await, next);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (TEST_DATABASE_URL)"]
async fn on_postgres_kept_connections_are_counted_and_closed_when_old() {
    let app = spawn_app().await;
    require_postgres(&app);
    let backend = app.db.get_database_backend();
    let gauge = || async {
        let text = api::metrics::get().render_local().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("fluenzr_dedicated_read_connections "))
            .map(|v| v.trim().parse::<i64>().unwrap())
            .expect("the gauge is rendered")
    };
    let reads = api::db::Reads::new(
        app.db.clone(),
        None,
        api::db::Dedicated {
            enabled: true,
            max_age: Duration::from_millis(300),
        },
    );
    let pid = || async {
        backend_pid(
            &reads
                .query_all_raw(Statement::from_string(backend, "SELECT pg_backend_pid()"))
                .await
                .expect("a read"),
        )
    };
    assert_eq!(reads.kept(), 0);
    let first = pid().await;
    assert_eq!(pid().await, first, "young: used again");
    assert_eq!(reads.kept(), 1);
    // The gauge is process-wide (other tests' readers count too): it holds at least this one.
    assert!(gauge().await >= 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = pid().await;
    assert_ne!(second, first, "an old connection is not used again");
    assert_eq!(pid().await, second);
    assert_eq!(reads.kept(), 1, "the old one is no longer counted");
    // The old one was told to close: the server no longer has its backend.
    let mut gone = false;
    for _ in 0..50 {
        let alive = app
            .db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = {first}"),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        if alive == 0 {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "the old connection's backend ended");
}
