//! Replies and bounce reports come back from a real mailbox (Dovecot over IMAP), and mailbox
//! passwords are encrypted at rest.

use std::time::Duration;

use api::clock::Clock;
use api::config::{Config, Secret};
use chrono::{DateTime, Utc};
use entity::{email_account, message};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::imap::Dovecot;
use crate::receiver::Receiver;
use crate::smtp::SmtpServer;

pub(crate) const USER: &str = "sales@acme.test";
pub(crate) const SMTP_PASSWORD: &str = "smtp-pw-1";
pub(crate) const IMAP_PASSWORD: &str = "imap-pw-1";

pub(crate) fn monday_10() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn configure(c: &mut Config) {
    c.clock = Clock::manual(monday_10());
    c.allow_private_hosts(true);
    c.webhooks.poll_interval = Duration::from_millis(20);
    // Each pass driven by hand reads every mailbox again (no interval between two reads).
    c.mailbox.poll_interval = Duration::ZERO;
}

/// An account sending through `smtp` and reading `imap_user`'s mailbox on `dovecot`.
pub(crate) async fn account(
    app: &TestApp,
    smtp: &SmtpServer,
    dovecot: &Dovecot,
    imap_user: &str,
) -> Value {
    let r = app
        .post(
            "/v1/email-accounts",
            json!({
                "email": USER,
                "smtpHost": smtp.host(),
                "smtpPort": smtp.port(),
                "smtpSecurity": "none",
                "smtpUsername": USER,
                "smtpPassword": SMTP_PASSWORD,
                "sendGapSeconds": 0,
                "imapHost": "127.0.0.1",
                "imapPort": dovecot.port,
                "imapSecurity": "none",
                "imapUsername": imap_user,
                "imapPassword": IMAP_PASSWORD,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.data().clone()
}

/// A running two-step campaign (stop on reply) that has sent its first step to `emails`.
pub(crate) async fn sent_campaign(
    app: &TestApp,
    account: &Value,
    emails: &[&str],
) -> (Value, Vec<message::Model>) {
    let campaign = app
        .campaign(json!({
            "name": "Outreach",
            "emailAccountId": account["id"],
            "steps": [
                { "subject": "Quick question", "body": "Hi {{firstName}}" },
                { "subject": "", "body": "Bumping this", "delayDays": 2 }
            ],
            "stopOnReply": true,
        }))
        .await;
    let mut ids = Vec::new();
    for email in emails {
        ids.push(id_of(
            &app.contact(json!({ "email": email, "firstName": "Ana" }))
                .await,
        ));
    }
    let url = format!("/v1/campaigns/{}", id_of(&campaign));
    assert_eq!(
        app.post(&format!("{url}/contacts"), json!({ "contactIds": ids }))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post(&format!("{url}/start"), json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(app.sender.run_once().await.unwrap(), emails.len());
    let sent = message::Entity::find()
        .filter(message::Column::CampaignId.eq(id_of(&campaign)))
        .order_by_asc(message::Column::CreatedAt)
        .all(&app.db)
        .await
        .unwrap();
    (campaign, sent)
}

pub(crate) fn to_of<'a>(
    sent: &'a [message::Model],
    app_contacts: &[(String, String)],
    email: &str,
) -> &'a message::Model {
    let contact = &app_contacts.iter().find(|(_, e)| e == email).unwrap().0;
    sent.iter().find(|m| &m.contact_id == contact).unwrap()
}

pub(crate) async fn contacts_by_email(app: &TestApp) -> Vec<(String, String)> {
    app.get("/v1/contacts?perPage=100").await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (id_of(c), c["email"].as_str().unwrap().to_owned()))
        .collect()
}

pub(crate) fn reply(from: &str, in_reply_to: &str, body: &str) -> String {
    format!(
        "From: <{from}>\nTo: <{USER}>\nSubject: Re: Quick question\nDate: Mon, 30 Nov 2026 10:05:00 +0000\nMessage-ID: <{}@example.com>\nIn-Reply-To: {in_reply_to}\nReferences: {in_reply_to}\nContent-Type: text/plain; charset=utf-8\n\n{body}\n\nOn Mon, 30 Nov 2026, Sales wrote:\n> Hi Ana\n",
        ulid::Ulid::generate()
    )
}

fn out_of_office(from: &str, in_reply_to: &str) -> String {
    format!(
        "From: <{from}>\nTo: <{USER}>\nSubject: Automatic reply: Quick question\nDate: Mon, 30 Nov 2026 10:06:00 +0000\nMessage-ID: <{}@example.com>\nIn-Reply-To: {in_reply_to}\nAuto-Submitted: auto-replied\nContent-Type: text/plain\n\nI am away until Monday.\n",
        ulid::Ulid::generate()
    )
}

pub(crate) fn bounce_report(recipient: &str, original: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.com\nTo: <{USER}>\nSubject: Undelivered Mail Returned to Sender\nDate: Mon, 30 Nov 2026 10:07:00 +0000\nMessage-ID: <{}@mx.example.com>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--b1\nContent-Type: text/rfc822-headers\n\nFrom: <{USER}>\nTo: <{recipient}>\nSubject: Quick question\nMessage-ID: {original}\n\n--b1--\n",
        ulid::Ulid::generate()
    )
}

fn delayed_report(recipient: &str, original: &str) -> String {
    bounce_report(recipient, original)
        .replace("Action: failed", "Action: delayed")
        .replace("Status: 5.1.1", "Status: 4.4.1")
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn replies_auto_replies_and_bounces_come_back_from_the_mailbox() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let hooks = Receiver::start(vec![]).await;
    let hook = app
        .post(
            "/v1/webhooks",
            json!({ "url": hooks.url, "events": ["email.replied", "email.auto_replied", "email.bounced"] }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
    let _deliveries = api::engine::webhooks::spawn(
        app.db.clone(),
        api::engine::webhooks::Settings {
            allow_private: true,
            poll_interval: Duration::from_millis(20),
            ..Default::default()
        },
        crate::helpers::keyring(),
        app.clock.clone(),
        api::shutdown::Stopping::never(),
        api::engine::supervise::Supervision::unwatched(),
    );
    let acc = account(&app, &smtp, &dovecot, "sales").await;
    assert_eq!(acc["replyTracking"], "on");
    assert!(acc.get("imapPassword").is_none());
    let emails = [
        "ana@example.com",
        "bo@example.com",
        "cy@example.com",
        "dee@example.com",
    ];
    let (campaign, sent) = sent_campaign(&app, &acc, &emails).await;
    let people = contacts_by_email(&app).await;
    let ana = to_of(&sent, &people, "ana@example.com");
    let bo = to_of(&sent, &people, "bo@example.com");
    let cy = to_of(&sent, &people, "cy@example.com");
    let dee = to_of(&sent, &people, "dee@example.com");

    // A reply, an out-of-office, a hard bounce, a delay report and unrelated mail.
    dovecot.deliver(
        "sales",
        &reply(
            "ana@example.com",
            &ana.message_id,
            "Yes, let's talk Tuesday.",
        ),
    );
    dovecot.deliver("sales", &out_of_office("bo@example.com", &bo.message_id));
    dovecot.deliver("sales", &bounce_report("cy@example.com", &cy.message_id));
    dovecot.deliver("sales", &delayed_report("dee@example.com", &dee.message_id));
    dovecot.deliver(
        "sales",
        "From: news@example.org\nTo: <sales@acme.test>\nSubject: Weekly news\nMessage-ID: <n1@example.org>\n\nHello\n",
    );
    let before = dovecot.files("sales");
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!(pass.read, 5);
    assert_eq!(pass.applied, 4, "reply, auto-reply, bounce, delay");
    let status = app
        .get(&format!(
            "/v1/campaigns/{}/sending-status",
            id_of(&campaign)
        ))
        .await;
    assert_eq!(
        status.data()["accounts"][0]["replyTracking"],
        "on",
        "{}",
        status.body
    );

    // The reply: counted, on the message, the sequence stopped for Ana only.
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    let data = stats.data();
    assert_eq!(data["sent"], 4);
    assert_eq!(data["replied"], 1, "{data}");
    assert_eq!(
        data["replyRate"], 25.0,
        "an automatic answer is not a reply"
    );
    assert_eq!(data["bounced"], 1);
    assert_eq!(data["autoReplied"], 1);
    assert_eq!(data["steps"][0]["autoReplied"], 1);
    let enrolments = app
        .get(&format!("/v1/campaigns/{}/contacts", id_of(&campaign)))
        .await;
    let state_of = |email: &str| {
        enrolments.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["contact"]["email"] == email)
            .map(|e| e["state"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(state_of("ana@example.com"), "replied");
    assert_eq!(
        state_of("bo@example.com"),
        "active",
        "an out-of-office does not stop the sequence"
    );
    assert_eq!(state_of("cy@example.com"), "bounced");
    assert_eq!(
        state_of("dee@example.com"),
        "active",
        "a delay is not a bounce"
    );
    let cy_contact = app.get(&format!("/v1/contacts/{}", cy.contact_id)).await;
    assert_eq!(cy_contact.data()["status"], "bounced");
    let dee_message = message::Entity::find_by_id(dee.id.clone())
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(dee_message.last_reply.unwrap().contains("4.4.1"));
    // The reply shows in the contact's messages.
    let messages = app
        .gql(
            "query($id: ID!) { contact(id: $id) { messages { step repliedAt } } }",
            json!({ "id": ana.contact_id }),
        )
        .await;
    assert!(
        messages.body["data"]["contact"]["messages"][0]["repliedAt"].is_string(),
        "{}",
        messages.body
    );

    // Webhooks: the reply with its subject and excerpt, the automatic answer on its own type.
    let hits = hooks.wait_for(3, Duration::from_secs(10)).await;
    let of_type = |t: &str| {
        hits.iter()
            .map(|h| h.json())
            .find(|b| b["type"] == t)
            .unwrap_or_else(|| panic!("no {t} webhook"))
    };
    let secret = hook.data()["secret"].as_str().unwrap().to_owned();
    let signed = hits
        .iter()
        .find(|h| h.json()["type"] == "email.replied")
        .unwrap();
    standardwebhooks::Webhook::new(&secret)
        .unwrap()
        .verify(signed.body.as_bytes(), &signed.headers)
        .expect("the email.replied webhook is signed");
    let replied = of_type("email.replied");
    assert_eq!(replied["data"]["contactId"], ana.contact_id.as_str());
    assert_eq!(replied["data"]["replySubject"], "Re: Quick question");
    assert_eq!(replied["data"]["excerpt"], "Yes, let's talk Tuesday.");
    assert_eq!(
        of_type("email.auto_replied")["data"]["contactId"],
        bo.contact_id.as_str()
    );
    assert_eq!(
        of_type("email.bounced")["data"]["contactId"],
        cy.contact_id.as_str()
    );

    // The mailbox is unchanged: no message was flagged \Seen, moved or deleted.
    let after = dovecot.files("sales");
    assert_eq!(after.len(), before.len());
    assert!(
        after.iter().all(|name| name
            .split(":2,")
            .nth(1)
            .is_none_or(|flags| !flags.contains('S'))),
        "a message was flagged: {after:?}"
    );

    // A second pass reads nothing new; a renumbered mailbox is read again but nothing counts twice.
    let again = app.reader.run_once().await.unwrap();
    assert_eq!(again, api::engine::mailbox::Pass::default());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    dovecot.renumber("sales");
    let renumbered = app.reader.run_once().await.unwrap();
    assert_eq!(renumbered.applied, 0, "{renumbered:?}");
    assert_eq!(renumbered.duplicates, 4, "{renumbered:?}");
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    assert_eq!(stats.data()["replied"], 1);
    assert_eq!(stats.data()["bounced"], 1);

    // A reply that arrives later, naming our email only in `References`, is read on the next
    // pass.
    dovecot.deliver(
        "sales",
        &reply("dee@example.com", &dee.message_id, "Not interested.")
            .replace(&format!("In-Reply-To: {}\n", dee.message_id), ""),
    );
    let later = app.reader.run_once().await.unwrap();
    assert_eq!(later.applied, 1, "{later:?}");
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    assert_eq!(stats.data()["replied"], 2);
    let account_now = app
        .get(&format!("/v1/email-accounts/{}", id_of(&acc)))
        .await;
    assert!(account_now.data()["imapCheckedAt"].is_string());
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn one_workspace_never_reads_another_workspaces_replies() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD), ("other", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let acc = account(&app, &smtp, &dovecot, "sales").await;
    let (campaign, sent) = sent_campaign(&app, &acc, &["ana@example.com"]).await;
    // Another workspace's account reads another mailbox, where a reply to our email lands.
    let (_, other_key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let other = app
        .request_as(
            Some(&other_key),
            reqwest::Method::POST,
            "/v1/email-accounts",
            Some(json!({
                "email": "other@acme.test", "smtpHost": smtp.host(), "smtpPort": smtp.port(),
                "smtpSecurity": "none", "smtpPassword": "x",
                "imapHost": "127.0.0.1", "imapPort": dovecot.port, "imapSecurity": "none",
                "imapUsername": "other", "imapPassword": IMAP_PASSWORD,
            })),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.body);
    dovecot.deliver(
        "other",
        &reply("ana@example.com", &sent[0].message_id, "Hi"),
    );
    let pass = app.reader.run_once().await.unwrap();
    assert_eq!(pass.read, 1);
    assert_eq!(
        pass.applied, 0,
        "a reply in B's mailbox never touches A's campaign"
    );
    let stats = app
        .get(&format!("/v1/campaigns/{}/stats", id_of(&campaign)))
        .await;
    assert_eq!(stats.data()["replied"], 0);
}

#[tokio::test]
#[ignore = "needs Dovecot (dovecot-imapd)"]
async fn passwords_are_encrypted_at_rest_and_the_account_check_logs_in_to_both_servers() {
    let dovecot = Dovecot::start(&[("sales", IMAP_PASSWORD)]).await;
    let app = spawn_app_with(configure).await;
    let smtp = SmtpServer::start(Some((USER, SMTP_PASSWORD))).await;
    let acc = account(&app, &smtp, &dovecot, "sales").await;
    let row = email_account::Entity::find_by_id(id_of(&acc))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    for stored in [&row.smtp_password, row.imap_password.as_ref().unwrap()] {
        assert!(stored.starts_with("enc:v1:"), "{stored}");
        assert!(!stored.contains(SMTP_PASSWORD) && !stored.contains(IMAP_PASSWORD));
    }
    let test = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(&acc)),
            json!({}),
        )
        .await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.body);
    assert_eq!(test.data()["smtp"]["ok"], true, "{}", test.body);
    let imap = &test.data()["imap"];
    assert_eq!(imap["ok"], true, "{}", test.body);
    let steps: Vec<&str> = imap["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["connect", "login", "mailbox"]);

    // A wrong IMAP password: the check says where it failed and the account records it.
    let r = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&acc)),
            json!({ "imapPassword": "wrong" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let test = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(&acc)),
            json!({}),
        )
        .await;
    let imap = &test.data()["imap"];
    assert_eq!(imap["ok"], false);
    assert_eq!(imap["steps"][1]["step"], "login");
    assert_eq!(imap["steps"][1]["ok"], false);
    assert_eq!(test.data()["emailAccount"]["status"], "error");
    // The reader records a refused login the same way.
    let r = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&acc)),
            json!({ "imapPassword": "still-wrong" }),
        )
        .await;
    assert_eq!(r.data()["status"], "ok", "new settings, a new try");
    app.reader.run_once().await.unwrap();
    let now = app
        .get(&format!("/v1/email-accounts/{}", id_of(&acc)))
        .await;
    assert_eq!(now.data()["status"], "error");
    assert!(
        now.data()["lastError"]
            .as_str()
            .unwrap()
            .contains("IMAP login failed")
    );
    let r = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&acc)),
            json!({ "imapPassword": IMAP_PASSWORD }),
        )
        .await;
    assert_eq!(r.data()["status"], "ok");
    // IMAP off: the account says so, and its settings are gone.
    let r = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&acc)),
            json!({ "imapHost": null }),
        )
        .await;
    assert_eq!(r.data()["replyTracking"], "off");
    assert!(r.data()["imapHost"].is_null());
    let test = app
        .post(
            &format!("/v1/email-accounts/{}/test", id_of(&acc)),
            json!({}),
        )
        .await;
    assert!(test.data()["imap"].is_null());

    // Another operator key cannot open this database.
    let url = app.database_url.clone();
    let mut config = Config::new(url.clone());
    config.addr = "127.0.0.1:0".parse().unwrap();
    config.run_workers = false;
    config.secret_key = Some(Secret::new("another-key"));
    let db = api::db::connect(&url).await.unwrap();
    let err = api::app::build_with(config, db)
        .await
        .err()
        .expect("a wrong key stops the start");
    assert!(err.to_string().contains("secret key"), "{err}");
}

#[tokio::test]
async fn imap_settings_are_checked_like_smtp_ones() {
    let app = spawn_app_with(|_| {}).await;
    let base = json!({ "email": USER, "smtpHost": "smtp.example.com", "smtpPassword": "x" });
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field) in [
        (json!({ "imapHost": "imap.example.com" }), "imapPassword"),
        (json!({ "imapPassword": "x" }), "imapPassword"),
        (
            json!({ "imapHost": "127.0.0.1", "imapPassword": "x" }),
            "imapHost",
        ),
        (
            json!({ "imapHost": "imap.example.com", "imapPassword": "x", "imapPort": 0 }),
            "imapPort",
        ),
    ] {
        let r = app.post("/v1/email-accounts", with(extra.clone())).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{extra}: {}", r.body);
        assert_eq!(
            r.body["error"]["details"]["field"], field,
            "{extra}: {}",
            r.body
        );
    }
    let r = app
        .post(
            "/v1/email-accounts",
            with(json!({ "imapHost": "imap.example.com", "imapPassword": "x" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.data()["imapPort"], 993);
    assert_eq!(r.data()["imapSecurity"], "tls");
    assert_eq!(r.data()["imapUsername"], USER);
    let plain = app.get("/v1/email-accounts").await;
    assert!(!plain.body.to_string().contains("enc:v1:"));
    let off = app.post("/v1/email-accounts", base.clone()).await;
    assert_eq!(off.data()["replyTracking"], "off");
}

#[tokio::test]
async fn the_embedded_default_keeps_its_key_beside_the_database_and_encrypts_old_rows() {
    use sea_orm::{ActiveModelTrait, Set};
    let dir = std::env::temp_dir().join(format!(
        "fluenzr-key-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fz.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let build = |secret: Option<&str>| {
        let url = url.clone();
        let secret = secret.map(Secret::new);
        async move {
            let mut config = Config::new(url.clone());
            config.addr = "127.0.0.1:0".parse().unwrap();
            config.run_workers = false;
            config.secret_key = secret;
            let db = api::db::connect(&url).await.unwrap();
            api::app::build_with(config, db).await
        }
    };
    // A database from before encryption: a password in plain text.
    let db = api::db::connect(&url).await.unwrap();
    api::db::migrate(&db).await.unwrap();
    let workspace = api::service::workspaces::create(
        &db,
        "Old",
        api::service::workspaces::Plan::Pro,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let now = chrono::Utc::now();
    email_account::ActiveModel {
        id: Set("acc_old".into()),
        workspace_id: Set(workspace.id.clone()),
        email: Set("old@acme.test".into()),
        name: Set(None),
        smtp_host: Set("smtp.acme.test".into()),
        smtp_port: Set(587),
        smtp_username: Set("old@acme.test".into()),
        smtp_password: Set("plain-old-secret".into()),
        smtp_security: Set("starttls".into()),
        daily_limit: Set(100),
        timezone: Set("UTC".into()),
        send_gap_seconds: Set(60),
        status: Set(entity::states::AccountStatus::Ok),
        last_error: Set(None),
        next_send_at: Set(None),
        imap_host: Set(Some("imap.acme.test".into())),
        imap_port: Set(Some(993)),
        imap_username: Set(Some("old@acme.test".into())),
        imap_password: Set(Some("plain-imap-secret".into())),
        imap_security: Set(Some("tls".into())),
        imap_uid_validity: Set(None),
        imap_last_uid: Set(None),
        imap_checked_at: Set(None),
        imap_locked_until_ms: Set(None),
        ramp: Set(None),
        provider_limits: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&db)
    .await
    .unwrap();

    // First start without FLUENZR_SECRET_KEY: a key file (0600) beside the database, and the
    // old passwords encrypted with it.
    let app = build(None).await.expect("starts");
    let key_file = dir.join("fz.db.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(key.trim().len() >= 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let row = email_account::Entity::find_by_id("acc_old".to_owned())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.smtp_password.starts_with("enc:v1:"));
    assert!(row.imap_password.as_deref().unwrap().starts_with("enc:v1:"));
    let keyring = api::secrets::Keyring::new(key.trim());
    let plain = api::service::email_accounts::with_passwords(&row, &keyring).unwrap();
    assert_eq!(plain.smtp_password, "plain-old-secret");
    assert_eq!(plain.imap_password.as_deref(), Some("plain-imap-secret"));
    drop(app);

    // The same key again: fine. The same key given as FLUENZR_SECRET_KEY: fine too.
    assert!(build(None).await.is_ok());
    assert!(build(Some(key.trim())).await.is_ok());
    // A lost key file cannot be silently replaced by a new key.
    std::fs::remove_file(&key_file).unwrap();
    let err = build(None).await.err().expect("refused");
    assert!(err.to_string().contains("secret key"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
