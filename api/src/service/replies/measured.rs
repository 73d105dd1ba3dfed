//! The rules measured on the labelled replies in `tests/fixtures/replies`: precision and recall
//! per class of `classify` (`labelled.jsonl`, written as people write, five languages) and the
//! share of out-of-office answers whose return day `ooo` reads right (`out-of-office.jsonl`).
//! `cargo test -p api --lib replies::measured -- --nocapture` prints the figures
//! BENCHMARKS.md records.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use entity::states::LeadStatus;
use serde::Deserialize;

#[derive(Deserialize)]
struct Labelled {
    id: String,
    lang: String,
    label: LeadStatus,
    text: String,
}

#[derive(Deserialize)]
struct OutOfOffice {
    id: String,
    lang: String,
    date: String,
    text: String,
    #[serde(rename = "returnDate")]
    return_date: Option<NaiveDate>,
}

fn lines<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
    let path = format!(
        "{}/../tests/fixtures/replies/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}: {e}: {l}")))
        .collect()
}

/// Precision per class of `classify` on one labelled set, printed as a table.
fn precision_on(name: &str) -> BTreeMap<&'static str, f64> {
    let set: Vec<Labelled> = lines(name);
    println!("{name}: {} replies", set.len());
    // (true positives, predicted, actual) per class.
    let mut per: BTreeMap<&'static str, (u32, u32, u32)> = BTreeMap::new();
    let mut per_lang: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut wrong = Vec::new();
    for r in &set {
        let got = super::classify::classify(&r.text);
        per.entry(got.as_str()).or_default().1 += 1;
        per.entry(r.label.as_str()).or_default().2 += 1;
        let lang = per_lang.entry(r.lang.as_str()).or_default();
        lang.1 += 1;
        if got == r.label {
            per.entry(got.as_str()).or_default().0 += 1;
            lang.0 += 1;
        } else {
            wrong.push(format!("{} {} → {}", r.id, r.label, got));
        }
    }
    println!("| class | replies | precision | recall |");
    println!("|---|---|---|---|");
    let mut precision = BTreeMap::new();
    for (class, (tp, predicted, actual)) in per {
        let p = f64::from(tp) / f64::from(predicted.max(1));
        let r = f64::from(tp) / f64::from(actual.max(1));
        precision.insert(class, p);
        println!("| {class} | {actual} | {p:.2} ({tp}/{predicted}) | {r:.2} ({tp}/{actual}) |");
    }
    for (lang, (right, all)) in &per_lang {
        println!("{lang}: {right}/{all} right");
    }
    for w in &wrong {
        println!("  {w}");
    }
    precision
}

/// The set the rules were written against (276 replies).
#[test]
fn classification_precision_per_class() {
    let precision = precision_on("labelled.jsonl");
    for class in ["unsubscribe_request", "not_interested"] {
        assert!(
            precision[class] >= 0.9,
            "{class} precision {:.2} below 0.9",
            precision[class]
        );
    }
    for class in ["interested", "wrong_person", "other"] {
        assert!(
            precision[class] >= 0.75,
            "{class} precision {:.2} below 0.75",
            precision[class]
        );
    }
}

#[test]
fn out_of_office_return_days() {
    let set: Vec<OutOfOffice> = lines("out-of-office.jsonl");
    assert!(set.len() >= 50);
    let mut right = 0;
    let mut per_lang: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for r in &set {
        let date = DateTime::parse_from_rfc3339(&r.date)
            .unwrap_or_else(|e| panic!("{}: {e}", r.id))
            .date_naive();
        let got = super::ooo::return_date(&r.text, date);
        let lang = per_lang.entry(r.lang.as_str()).or_default();
        lang.1 += 1;
        if got == r.return_date {
            right += 1;
            lang.0 += 1;
        } else {
            println!("  {} want {:?} got {:?}", r.id, r.return_date, got);
        }
    }
    for (lang, (ok, all)) in &per_lang {
        println!("{lang}: {ok}/{all}");
    }
    let share = f64::from(right) / set.len() as f64;
    println!("return days read right: {right}/{} ({share:.2})", set.len());
    assert!(share >= 0.9, "return days read right {share:.2} below 0.9");
}

/// A second set, written apart from the rules and never used to change them (135 replies): the
/// honest figure.
#[test]
fn classification_precision_on_replies_the_rules_never_saw() {
    let precision = precision_on("held-out.jsonl");
    for class in ["unsubscribe_request", "not_interested"] {
        assert!(
            precision[class] >= 0.9,
            "{class} precision {:.2} below 0.9 on held-out replies",
            precision[class]
        );
    }
}

/// A third set (150 replies, regional phrasings), read once as never seen (1.00 and 0.89);
/// its two `not_interested` misses then showed the counter-proposal rule. Its floors stay what
/// it measured when first read.
#[test]
fn classification_precision_on_fresh_replies() {
    let precision = precision_on("fresh.jsonl");
    for (class, floor) in [("unsubscribe_request", 0.95), ("not_interested", 0.85)] {
        assert!(
            precision[class] >= floor,
            "{class} precision {:.2} below {floor} on fresh replies",
            precision[class]
        );
    }
}

/// A fourth set, written after the last change to the rules and never used to change them (150
/// replies from more regions): the figure a new user's replies should see now that `fresh`
/// has been read. Its floors are what it measured when first read.
#[test]
fn classification_precision_on_a_second_fresh_set() {
    let precision = precision_on("fresh-2.jsonl");
    for (class, floor) in [
        ("unsubscribe_request", FRESH_2_UNSUBSCRIBE),
        ("not_interested", FRESH_2_NOT_INTERESTED),
    ] {
        assert!(
            precision[class] >= floor,
            "{class} precision {:.2} below {floor} on the second fresh set",
            precision[class]
        );
    }
}

/// Floors under what `fresh-2.jsonl` measured when first read (1.00 and 0.88).
const FRESH_2_UNSUBSCRIBE: f64 = 0.95;
const FRESH_2_NOT_INTERESTED: f64 = 0.85;
