//! `db::Reads`: listing reads on PostgreSQL on connections set aside from the pool, given back
//! without sqlx's release ping, and never given back from a statement that did not finish.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};

use crate::helpers::spawn_app;

fn backend_pid(rows: &[QueryResult]) -> i32 {
    rows[0].try_get_by_index::<i32>(0).expect("a backend pid")
}

#[tokio::test]
async fn a_read_gives_its_connection_back_only_when_its_statement_finished() {
    let app = spawn_app().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let observer = api::db::ReadObserver(std::sync::Arc::new(move |sql: &str| {
        sink.lock().unwrap().push(sql.to_owned());
    }));
    let reads = api::db::Reads::new(app.db.clone(), Some(observer));
    let backend = app.db.get_database_backend();
    if backend != DbBackend::Postgres {
        // SQLite: every read goes to the pool.
        let rows = reads
            .query_all_raw(Statement::from_string(backend, "SELECT 1"))
            .await
            .expect("a read");
        assert_eq!(rows.len(), 1);
        assert!(seen.lock().unwrap().is_empty());
        return;
    }
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
