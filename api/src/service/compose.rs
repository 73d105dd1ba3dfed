//! Turns a campaign step into the email one contact receives: variables filled, the thread
//! kept, links tracked, the unsubscribe headers set, and the MIME bytes ready for SMTP.

use std::collections::HashMap;

use entity::{campaign, contact, email_account};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use serde_json::Value;

use super::campaigns::Step;
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
    pub step: &'a Step,
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

fn fill(template: &str, values: &HashMap<String, String>) -> Result<String, ComposeError> {
    // Templates were validated when the campaign was saved.
    let parts = templates::parse(template)
        .map_err(|e| ComposeError::MissingField(format!("template:{}", e.position)))?;
    templates::render_strict(&parts, values).map_err(|name| ComposeError::MissingField(name.into()))
}

/// `Re: <first subject>`, without stacking `Re:`s.
pub fn reply_subject(first: &str) -> String {
    let base = first.trim();
    if base.len() >= 3 && base[..3].eq_ignore_ascii_case("re:") {
        base.to_owned()
    } else {
        format!("Re: {base}")
    }
}

pub fn compose(draft: &Draft<'_>) -> Result<Composed, ComposeError> {
    let unsubscribe_url = draft.tracker.unsubscribe_url(draft.message_key);
    let values = values(draft.contact, &unsubscribe_url);
    let subject = match (draft.step.subject.trim(), draft.thread) {
        ("", Some(thread)) => reply_subject(&thread.subject),
        (subject, _) => fill(subject, &values)?,
    };
    let body = fill(&draft.step.body, &values)?;

    let from = Mailbox::new(
        draft.account.name.clone(),
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
    let message = if html::is_html(&body) {
        let text = html::to_text(&body);
        let mut tracked = body;
        if draft.campaign.track_clicks {
            let (rewritten, _) = html::rewrite_links(&tracked, |url| {
                if url == unsubscribe_url {
                    url.to_owned()
                } else {
                    draft.tracker.click_url(draft.message_key, url)
                }
            });
            tracked = rewritten;
        }
        if draft.campaign.track_opens {
            tracked = html::add_pixel(&tracked, &draft.tracker.open_url(draft.message_key));
        }
        builder.multipart(MultiPart::alternative_plain_html(text, tracked))
    } else {
        builder.singlepart(SinglePart::plain(body))
    }
    .map_err(|_| ComposeError::InvalidAddress(draft.contact.email.clone()))?;
    Ok(Composed {
        subject,
        from: draft.account.email.clone(),
        to: draft.contact.email.clone(),
        bytes: message.formatted(),
    })
}
