/// `schema.graphql` is generated from the code; this fails when they drift apart.
#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let generated = api::graphql::sdl();
    assert!(
        checked_in == generated,
        "schema.graphql is out of date; regenerate it with `cargo run -- export-schema > schema.graphql`"
    );
}
