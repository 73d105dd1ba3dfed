//! Turns a campaign step into the email one contact receives: variables filled, the thread
//! kept, links tracked, the unsubscribe headers set, and the MIME bytes ready for SMTP.

use std::collections::HashMap;

use entity::{campaign, contact, email_account};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use serde_json::Value;

use super::campaigns::Variant;
use super::html;
use super::templates;
use super::tracking::Tracker;

/// Why an email cannot be composed for this contact now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComposeError {
    /// A variable with no value and no fallback (its name).
    MissingField(String),
    /// An address lettre will not put on an envelope.
    InvalidAddress(String),
}

impl ComposeError {
    /// The enrolment's `reason` while it waits or after it stops.
    pub fn reason(&self) -> String {
        match self {
            ComposeError::MissingField(name) => format!("missing_field:{name}"),
            ComposeError::InvalidAddress(_) => "invalid_address".to_owned(),
        }
    }
}

/// The first message of the thread a follow-up answers.
#[derive(Clone, Debug)]
pub struct Thread {
    pub message_id: String,
    pub subject: String,
}

/// What one send needs.
pub struct Draft<'a> {
    pub campaign: &'a campaign::Model,
    /// The version of the step chosen for this contact.
    pub variant: &'a Variant,
    /// What this message's spintax draws from (kept on the message).
    pub seed: i64,
    pub contact: &'a contact::Model,
    pub account: &'a email_account::Model,
    /// `msg_…`: what the tracking tokens name.
    pub message_key: &'a str,
    /// The SMTP `Message-ID`, with angle brackets.
    pub message_id: &'a str,
    pub thread: Option<&'a Thread>,
    pub tracker: &'a Tracker,
}

/// A composed email.
#[derive(Clone, Debug)]
pub struct Composed {
    pub subject: String,
    /// The body as sent: the HTML part (tracking included) of an HTML email, or the text.
    pub body: String,
    /// The plain-text part of an HTML email.
    pub body_text: Option<String>,
    pub from: String,
    pub to: String,
    pub bytes: Vec<u8>,
}

/// The values a template can use: the contact's fields, its custom fields, `unsubscribeUrl`.
fn values(contact: &contact::Model, unsubscribe_url: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Value::Object(fields) = &contact.custom_fields {
        for (key, value) in fields {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            out.insert(key.clone(), text);
        }
    }
    for (key, value) in [
        ("firstName", &contact.first_name),
        ("lastName", &contact.last_name),
        ("company", &contact.company),
        ("phone", &contact.phone),
    ] {
        if let Some(v) = value {
            out.insert(key.to_owned(), v.clone());
        }
    }
    out.insert("email".to_owned(), contact.email.clone());
    out.insert("unsubscribeUrl".to_owned(), unsubscribe_url.to_owned());
    out
}

/// The draws of one message's subject and body (each its own, so editing one never changes
/// the other's).
const SUBJECT_DRAWS: u64 = 1;
const BODY_DRAWS: u64 = 2;

fn fill(
    template: &str,
    values: &HashMap<String, String>,
    choices: &mut templates::Choices,
) -> Result<String, ComposeError> {
    // Templates were validated when the campaign was saved.
    let parts = templates::parse(template)
        .map_err(|e| ComposeError::MissingField(format!("template:{}", e.position)))?;
    templates::render_strict(&parts, values, choices)
        .map_err(|name| ComposeError::MissingField(name.into()))
}

/// The values as HTML text: a contact's fields are data, never markup, in an HTML body.
fn escaped(values: &HashMap<String, String>) -> HashMap<String, String> {
    values
        .iter()
        .map(|(k, v)| (k.clone(), html::escape(v)))
        .collect()
}

/// The links an HTML template itself writes (no variable in them): the only ones tracked.
fn template_links(template: &str) -> Vec<String> {
    let (_, urls) = html::rewrite_links(template, str::to_owned);
    urls.into_iter().filter(|u| !u.contains("{{")).collect()
}

/// A sender's name as a header can carry it: control characters (a NUL, a line break) dropped,
/// none when nothing is left.
fn display_name(name: Option<&str>) -> Option<String> {
    let clean: String = name?.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| clean.to_owned())
}

/// Text with the line ends an email carries (every `\n` after a `\r`), as the MIME builder
/// writes it: what is kept as sent is then exactly what went out.
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut previous = None;
    for c in text.chars() {
        if c == '\n' && previous != Some('\r') {
            out.push('\r');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// `Re: <first subject>`, without stacking `Re:`s.
pub fn reply_subject(first: &str) -> String {
    let base = first.trim();
    if base
        .get(..3)
        .is_some_and(|head| head.eq_ignore_ascii_case("re:"))
    {
        base.to_owned()
    } else {
        format!("Re: {base}")
    }
}

pub fn compose(draft: &Draft<'_>) -> Result<Composed, ComposeError> {
    let unsubscribe_url = draft.tracker.unsubscribe_url(draft.message_key);
    let values = values(draft.contact, &unsubscribe_url);
    let mut subject_draws = templates::Choices::new(draft.seed, SUBJECT_DRAWS);
    let mut body_draws = templates::Choices::new(draft.seed, BODY_DRAWS);
    let subject = match (draft.variant.subject.trim(), draft.thread) {
        ("", Some(thread)) => reply_subject(&thread.subject),
        (subject, _) => fill(subject, &values, &mut subject_draws)?,
    };
    // The template decides whether the email is HTML; what a contact's fields hold never does.
    let html_body = html::is_html(&draft.variant.body);
    let body = if html_body {
        fill(&draft.variant.body, &escaped(&values), &mut body_draws)?
    } else {
        fill(&draft.variant.body, &values, &mut body_draws)?
    };

    let from = Mailbox::new(
        display_name(draft.account.name.as_deref()),
        draft
            .account
            .email
            .parse()
            .map_err(|_| ComposeError::InvalidAddress(draft.account.email.clone()))?,
    );
    let to_address = draft
        .contact
        .email
        .parse()
        .map_err(|_| ComposeError::InvalidAddress(draft.contact.email.clone()))?;
    let to = Mailbox::new(None, to_address);
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject.clone())
        .message_id(Some(draft.message_id.to_owned()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe_url}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    if let Some(thread) = draft.thread {
        builder = builder
            .in_reply_to(thread.message_id.clone())
            .references(thread.message_id.clone());
    }
    let (sent_body, sent_text);
    let message = if html_body {
        let text = html::to_text(&body);
        let mut tracked = body;
        if draft.campaign.track_clicks {
            // Only the template's own links are tracked: a link whose address a variable
            // fills is sent as it is, so no contact value is ever signed as a redirect.
            let own = template_links(&draft.variant.body);
            let (rewritten, _) = html::rewrite_links(&tracked, |url| {
                if url != unsubscribe_url && own.iter().any(|o| o == url) {
                    draft.tracker.click_url(draft.message_key, url)
                } else {
                    url.to_owned()
                }
            });
            tracked = rewritten;
        }
        if draft.campaign.track_opens {
            tracked = html::add_pixel(&tracked, &draft.tracker.open_url(draft.message_key));
        }
        let (text, tracked) = (crlf(&text), crlf(&tracked));
        sent_body = tracked.clone();
        sent_text = Some(text.clone());
        builder.multipart(MultiPart::alternative_plain_html(text, tracked))
    } else {
        let body = crlf(&body);
        sent_body = body.clone();
        sent_text = None;
        builder.singlepart(SinglePart::plain(body))
    }
    .map_err(|_| ComposeError::InvalidAddress(draft.contact.email.clone()))?;
    Ok(Composed {
        subject,
        body: sent_body,
        body_text: sent_text,
        from: draft.account.email.clone(),
        to: draft.contact.email.clone(),
        bytes: message.formatted(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use mail_parser::{MessageParser, MimeHeaders as _};
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn contact(first: &str, company: &str, custom: Value) -> contact::Model {
        contact::Model {
            id: "cnt_1".into(),
            workspace_id: "wsp_1".into(),
            email: "ana@example.com".into(),
            email_normalized: "ana@example.com".into(),
            first_name: Some(first.to_owned()),
            last_name: Some(company.to_owned()),
            company: Some(company.to_owned()),
            phone: Some(first.to_owned()),
            custom_fields: custom,
            status: entity::states::ContactStatus::Active,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            timezone: None,
            lead_status: None,
        }
    }

    fn account(name: Option<String>) -> email_account::Model {
        email_account::Model {
            id: "acc_1".into(),
            email: "sales@acme.example".into(),
            name,
            ..Default::default()
        }
    }

    fn campaign() -> campaign::Model {
        campaign::Model {
            track_clicks: true,
            track_opens: true,
            ..Default::default()
        }
    }

    fn step(subject: &str, body: &str) -> Variant {
        Variant {
            id: "var_1".into(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            weight: 1,
        }
    }

    fn run(
        step: &Variant,
        person: &contact::Model,
        account: &email_account::Model,
        thread: Option<&Thread>,
    ) -> Result<Composed, ComposeError> {
        let campaign = campaign();
        let tracker = Tracker::new("secret", "https://fz.example.com");
        compose(&Draft {
            campaign: &campaign,
            variant: step,
            seed: 7,
            contact: person,
            account,
            message_key: "msg_1",
            message_id: "<m1@acme.example>",
            thread,
            tracker: &tracker,
        })
    }

    /// The decoded text and HTML parts of a composed email.
    fn parts(composed: &Composed) -> (String, Option<String>) {
        let parsed = MessageParser::default()
            .parse(&composed.bytes)
            .expect("a composed email parses");
        let text = parsed.body_text(0).unwrap_or_default().into_owned();
        let html = parsed
            .parts
            .iter()
            .find(|p| {
                p.content_type()
                    .is_some_and(|c| c.subtype() == Some("html"))
            })
            .and_then(|p| p.text_contents())
            .map(str::to_owned);
        (text, html)
    }

    #[test]
    fn a_follow_up_of_a_multibyte_subject_answers_it() {
        let person = contact("Ana", "Acme", json!({}));
        let account = account(None);
        for first in ["Olá Ana", "🚀 launch", "Ré", "é", "RE: already", "re:x", ""] {
            let thread = Thread {
                message_id: "<first@acme.example>".into(),
                subject: first.into(),
            };
            let composed = run(&step("", "Hi"), &person, &account, Some(&thread)).unwrap();
            let expected = if first.to_ascii_lowercase().starts_with("re:") {
                first.to_owned()
            } else {
                format!("Re: {}", first.trim())
            };
            assert_eq!(composed.subject, expected);
        }
    }

    #[test]
    fn contact_values_are_text_in_html_and_never_tracked() {
        let markup = r#"<a href="https://evil.example/phish">Click</a><script>alert(1)</script>"#;
        let person = contact(markup, markup, json!({ "site": "https://evil.example/x" }));
        let body = r#"<p>Hi {{firstName}} {{lastName}} of {{company}} ({{phone}}, {{email}}, {{site}})</p><a href="https://acme.example/pricing">Pricing</a> <a href="{{site}}">yours</a>"#;
        let composed = run(
            &step("About {{company}}", body),
            &person,
            &account(None),
            None,
        )
        .expect("composes");
        let (_, html) = parts(&composed);
        let html = html.expect("an HTML template is an HTML email");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("evil.example/phish\">"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        // The template's own link is tracked; the one a variable fills is not signed.
        assert!(html.contains("https://fz.example.com/t/c/"), "{html}");
        assert!(!html.contains("acme.example/pricing"), "{html}");
        assert!(html.contains(r#"href="https://evil.example/x""#), "{html}");
        assert_eq!(html.matches("/t/c/").count(), 1, "{html}");
        // Subjects are plain header text.
        assert_eq!(composed.subject, format!("About {markup}"));
    }

    #[test]
    fn a_plain_template_stays_plain_whatever_the_fields_hold() {
        let markup = r#"<a href="https://evil.example/phish">x</a><p>y</p>"#;
        let person = contact(markup, markup, json!({}));
        let composed = run(
            &step("Hi", "Hello {{firstName}}"),
            &person,
            &account(None),
            None,
        )
        .expect("composes");
        let (text, html) = parts(&composed);
        assert!(html.is_none(), "a plain template became HTML");
        assert_eq!(text.trim_end(), format!("Hello {markup}"));
        assert!(!String::from_utf8_lossy(&composed.bytes).contains("/t/c/"));
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ -~àáâãéêíóõúçÀÉ🚀\u{200b}\u{0}\r\n\t<>&\"'{}|]{0,40}",
            Just("Olá".to_owned()),
            Just("🚀".to_owned()),
        ]
    }

    /// A template made of arbitrary text and variables (with arbitrary fallbacks), never an
    /// invalid one: campaigns are validated when saved.
    fn template() -> impl Strategy<Value = String> {
        let part = prop_oneof![
            text().prop_map(|t| t.replace("{{", "{ {").replace("}}", "} }")),
            (
                prop_oneof![
                    Just("firstName"),
                    Just("company"),
                    Just("custom"),
                    Just("email"),
                    Just("missing")
                ],
                text()
            )
                .prop_map(|(name, fallback)| {
                    let fallback: String = fallback
                        .chars()
                        .filter(|c| !matches!(c, '{' | '}' | '|'))
                        .collect();
                    format!("{{{{{name} | {fallback}x}}}}")
                }),
            Just("<p>".to_owned()),
            Just(r#"<a href="https://acme.example/a?b=1&c=2">l</a>"#.to_owned()),
        ];
        proptest::collection::vec(part, 0..6).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever a campaign or a contact holds, composing never panics, and what it makes is
        /// an email that parses with the subject it reports.
        #[test]
        fn compose_is_total(
            subject in template(),
            body in template(),
            first in text(),
            company in text(),
            custom in text(),
            sender in proptest::option::of(text()),
            first_subject in text(),
            follow_up in any::<bool>(),
        ) {
            let person = contact(&first, &company, json!({ "custom": custom }));
            let account = account(sender);
            let thread = Thread { message_id: "<first@acme.example>".into(), subject: first_subject };
            let subject = if follow_up { String::new() } else { subject };
            let step = step(&subject, &body);
            match run(&step, &person, &account, follow_up.then_some(&thread)) {
                Ok(composed) => {
                    let parsed = MessageParser::default().parse(&composed.bytes);
                    prop_assert!(parsed.is_some(), "unparseable email");
                    prop_assert_eq!(composed.to.as_str(), "ana@example.com");
                    // What is kept as sent is what the email carries.
                    let (text, html) = parts(&composed);
                    match &composed.body_text {
                        Some(kept_text) => {
                            prop_assert_eq!(html.as_deref(), Some(composed.body.as_str()));
                            prop_assert_eq!(&text, kept_text);
                        }
                        // A lone part ends with the line end that closes the message
                        // (kept by a 7-bit or quoted-printable reading, not a base64 one).
                        None => prop_assert!(
                            text == composed.body || text == format!("{}\r\n", composed.body),
                            "{:?} was sent as {:?}", composed.body, text
                        ),
                    }
                }
                Err(ComposeError::MissingField(_)) => {}
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
