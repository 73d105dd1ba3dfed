//! `ETag` and `If-None-Match` on every `GET`: an unchanged answer is `304 Not Modified` without
//! a body; a changed one answers its new tag.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{id_of, spawn_app};

#[tokio::test]
async fn if_none_match_answers_304_until_the_answer_changes() {
    let app = spawn_app().await;
    let c = app.contact(json!({ "email": "ada@example.com" })).await;
    let url = format!("/v1/contacts/{}", id_of(&c));
    let first = app.get(&url).await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));

    let conditional = |tag: String| {
        app.client
            .get(format!("{}{url}", app.base))
            .bearer_auth(&app.api_key)
            .header("if-none-match", tag)
            .send()
    };
    let same = conditional(etag.clone()).await.unwrap();
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(same.headers()["etag"], etag.as_str());
    assert!(same.bytes().await.unwrap().is_empty());
    let listed = conditional(format!("\"nope\", W/{etag}")).await.unwrap();
    assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
    let other = conditional("\"nope\"".into()).await.unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    let r = app.put(&url, json!({ "company": "Analytical" })).await;
    assert_eq!(r.status, StatusCode::OK);
    // A write answers no ETag of its own; the changed read answers a new one.
    assert!(r.header("etag").is_none());
    let changed = conditional(etag.clone()).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"], etag.as_str());
    let body: Value = changed.json().await.unwrap();
    assert_eq!(body["data"]["company"], "Analytical");

    // Errors are never tagged.
    let missing = app.get("/v1/contacts/cnt_missing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.header("etag").is_none());
}
