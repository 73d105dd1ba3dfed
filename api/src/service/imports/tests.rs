//! The CSV reading rules and the column mapping of `service::imports`.

use super::*;

#[test]
fn files_are_decoded_and_their_delimiter_found() {
    assert_eq!(decode(b"\xEF\xBB\xBFemail\na@b.co"), "email\na@b.co");
    assert_eq!(
        decode(b"name\nJos\xE9"),
        "name\nJosé",
        "Latin-1 when not UTF-8"
    );
    assert_eq!(sniff("email;name;\"a,b\"\nx"), b';');
    assert_eq!(sniff("email,name\nx;y;z"), b',');
    assert_eq!(sniff("email\tname\n"), b'\t');
    assert_eq!(sniff("email\n"), b',');
}

/// The cases the dashboard checks its own header reading against
/// (`web/test/imports.test.ts`): both read a file the same way.
#[test]
fn the_shared_dialect_cases_read_as_stated() {
    let cases: Value =
        serde_json::from_str(include_str!("../../../../tests/fixtures/csv/dialect.json")).unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let text = decode(case["text"].as_str().unwrap().as_bytes());
        let delimiter = sniff(&text);
        assert_eq!(
            char::from(delimiter).to_string(),
            case["delimiter"].as_str().unwrap(),
            "{name}"
        );
        let mut rows = reader(&text, delimiter);
        let headers: Vec<&str> = rows.headers().unwrap().iter().map(str::trim).collect();
        let expected: Vec<&str> = case["columns"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(headers, expected, "{name}");
    }
}

#[test]
fn headers_map_by_name_or_by_the_callers_mapping() {
    let headers = csv::StringRecord::from(vec!["E-mail", "First Name", "Plan", "x"]);
    let fields = columns(&headers, None).unwrap();
    assert_eq!(fields[0], Some(Field::Email));
    assert_eq!(fields[1], Some(Field::FirstName));
    assert_eq!(fields[2], Some(Field::Custom("Plan".into())));
    let mapping = json!({ "x": "ignore", "Plan": "customFields.tier" });
    let fields = columns(&headers, Some(&mapping)).unwrap();
    assert_eq!(fields[2], Some(Field::Custom("tier".into())));
    assert_eq!(fields[3], None);
    assert!(columns(&csv::StringRecord::from(vec!["name"]), None).is_err());
    assert!(columns(&headers, Some(&json!({ "nope": "email" }))).is_err());
    assert!(columns(&headers, Some(&json!({ "x": "nonsense" }))).is_err());
}
