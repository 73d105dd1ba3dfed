//! Deliverability against a real authoritative DNS server (NSD): domain checks (SPF lookups,
//! weak keys, DMARC and its organisational fallback), DKIM keys made, published later and
//! verified by an independent verifier, rotation, the daily check's `domain.check_failed`;
//! and pacing: warm-up ramps over days, hourly provider limits from MX answers, a company-wide
//! stop on reply, a campaign's start warnings.

use api::clock::Clock;
use chrono::Duration;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, spawn_app_with};
use crate::nsd::{Nsd, txt};
use crate::sending::{
    MONDAY_10, PASSWORD, USER, at, campaign, enrol, enrolments, events_of, launch, pass,
    smtp_account, start,
};
use crate::smtp::SmtpServer;

/// A 512-bit RSA public key (SubjectPublicKeyInfo): too weak for any receiver.
const WEAK_KEY: &str = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALInYry81bcImtKCJbDjcyC2kYcKkJ7LsTnl+5GCJOfm3rCNOi7As570DgdOGbVQ3/sbOOlPwULMGcKhfHbiuh8CAwEAAQ==";

async fn app_with_dns(
    nsd: Option<&Nsd>,
    configure: impl FnOnce(&mut api::config::Config) + Send + 'static,
) -> (TestApp, SmtpServer) {
    let clock = Clock::manual(at(MONDAY_10));
    let dns = nsd.map(Nsd::addr);
    let app = spawn_app_with(move |c| {
        c.clock = clock;
        c.allow_private_hosts(true);
        if let Some(dns) = dns {
            c.sender.dns_server = Some(dns);
        }
        configure(c);
    })
    .await;
    let smtp = SmtpServer::start(Some((USER, PASSWORD))).await;
    (app, smtp)
}

fn codes(verdict: &Value) -> Vec<String> {
    verdict["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

const GOOD_ZONE: &str = "@ IN MX 10 mx.acme.test.\nmx IN A 127.0.0.1\n@ IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test\"\n";

#[tokio::test]
#[ignore = "needs nsd"]
async fn a_domain_check_reads_spf_lookups_weak_keys_and_dmarc_from_dns() {
    let zone = format!(
        "@ IN MX 10 mx.acme.test.\nmx IN A 127.0.0.1\n\
         @ IN TXT \"v=spf1 include:s1.acme.test include:s2.acme.test include:s3.acme.test ~all\"\n\
         s1 IN TXT \"v=spf1 a mx exists:x.acme.test ptr -all\"\n\
         s2 IN TXT \"v=spf1 a mx exists:x.acme.test ptr -all\"\n\
         s3 IN TXT \"v=spf1 a mx exists:x.acme.test ptr -all\"\n\
         s1._domainkey IN TXT {}\n\
         news IN TXT \"v=spf1 ip4:127.0.0.1 -all\"\n\
         news IN MX 10 mx.acme.test.\n",
        txt(&format!("v=DKIM1; k=rsa; p={WEAK_KEY}"))
    );
    let nsd = Nsd::start(&[
        ("acme.test", &zone),
        (
            "example.test",
            "_dmarc IN TXT \"v=DMARC1; p=reject; sp=quarantine\"\n",
        ),
    ]);
    let (app, smtp) = app_with_dns(Some(&nsd), |_| {}).await;
    smtp_account(&app, &smtp, json!({})).await;

    let r = app.get("/v1/domains/acme.test").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.data();
    assert_eq!(d["spf"]["lookups"], 15, "{d}");
    assert_eq!(d["spf"]["all"], "~all");
    assert_eq!(
        d["spf"]["hosts"],
        json!([{ "host": "127.0.0.1", "authorised": false }])
    );
    assert_eq!(
        d["dkim"]["selectors"],
        json!([{ "selector": "s1", "keyType": "rsa", "bits": 512, "managed": false }])
    );
    assert_eq!(d["dmarc"]["record"], Value::Null);
    assert_eq!(
        d["mx"]["records"],
        json!([{ "preference": 10, "host": "mx.acme.test" }])
    );
    let gmail = codes(&d["verdicts"]["gmailYahooBulk"]);
    assert_eq!(d["verdicts"]["gmailYahooBulk"]["status"], "fail");
    for code in [
        "spf_too_many_lookups",
        "spf_host_not_authorised",
        "dkim_weak_key",
        "dmarc_missing",
    ] {
        assert!(gmail.contains(&code.to_owned()), "{code} in {gmail:?}");
    }
    assert!(
        d["verdicts"]["gmailYahooBulk"]["problems"][0]["fix"]
            .as_str()
            .unwrap()
            .len()
            > 20
    );
    assert_eq!(d["bimiEligible"], false);
    assert!(d["checkedAt"].is_string());

    // A subdomain without DMARC falls back to its organisational domain's record.
    let acct = json!({ "email": "ops@news.example.test" });
    smtp_account(&app, &smtp, acct).await;
    let r = app
        .post("/v1/domains/news.example.test/check", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.data()["dmarc"]["recordDomain"], "example.test");
    assert_eq!(r.data()["dmarc"]["p"], "reject");
    assert_eq!(r.data()["dmarc"]["sp"], "quarantine");

    let list = app.get("/v1/domains").await;
    let names: Vec<&str> = list
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme.test", "news.example.test"]);
}

/// The DKIM results of `raw` verified by mail-auth's verifier against `dns`.
async fn dkim_results(dns: std::net::SocketAddr, raw: &str) -> Vec<(String, String, bool)> {
    use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
    use mail_auth::hickory_resolver::proto::xfer::Protocol;
    use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator};
    let mut config = ResolverConfig::new();
    config.add_name_server(NameServerConfig::new(dns, Protocol::Udp));
    let verifier = MessageAuthenticator::new(config, ResolverOpts::default()).unwrap();
    let message = AuthenticatedMessage::parse(raw.as_bytes()).expect("a parsable email");
    verifier
        .verify_dkim(&message)
        .await
        .iter()
        .map(|out| {
            let sig = out.signature().expect("a signature");
            (
                sig.d.clone(),
                sig.s.clone(),
                out.result() == &DkimResult::Pass,
            )
        })
        .collect()
}

#[tokio::test]
#[ignore = "needs nsd"]
async fn a_key_published_after_creation_signs_every_email_and_verifies() {
    let mut nsd = Nsd::start(&[("acme.test", GOOD_ZONE)]);
    let (app, smtp) = app_with_dns(Some(&nsd), |_| {}).await;
    let account = smtp_account(&app, &smtp, json!({})).await;

    let d = app.get("/v1/domains/acme.test").await.data().clone();
    assert_eq!(
        d["spf"]["hosts"],
        json!([{ "host": "127.0.0.1", "authorised": true }])
    );
    assert_eq!(codes(&d["verdicts"]["gmailYahooBulk"]), ["dkim_missing"]);

    let made = app.post("/v1/domains/acme.test/dkim", json!({})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let key = made.data()["key"].clone();
    assert_eq!(key["selector"], "fluenzr");
    assert_eq!(key["state"], "pending");
    assert_eq!(key["record"]["name"], "fluenzr._domainkey.acme.test");
    let value = key["record"]["value"].as_str().unwrap().to_owned();
    assert!(value.starts_with("v=DKIM1; k=rsa; p=MIIBIjAN"), "{value}");
    let domain = &made.data()["domain"];
    assert_eq!(
        codes(&domain["verdicts"]["gmailYahooBulk"]),
        ["dkim_not_published"]
    );

    // Not published yet: email goes unsigned.
    launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
        1,
        "first",
    )
    .await;
    assert_eq!(pass(&app).await, 1);
    let first = smtp.received();
    assert!(
        first[0]
            .raw
            .lines()
            .all(|l| !l.starts_with("DKIM-Signature"))
    );

    nsd.set(
        "acme.test",
        &format!("{GOOD_ZONE}fluenzr._domainkey IN TXT {}\n", txt(&value)),
    );
    let checked = app.post("/v1/domains/acme.test/check", json!({})).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let d = checked.data();
    assert_eq!(d["dkimKeys"][0]["state"], "active", "{d}");
    assert_eq!(
        d["dkim"]["selectors"][0],
        json!({ "selector": "fluenzr", "keyType": "rsa", "bits": 2048, "managed": true })
    );
    assert_eq!(d["verdicts"]["gmailYahooBulk"]["status"], "pass", "{d}");
    assert_eq!(d["verdicts"]["microsoftHighVolume"]["status"], "pass");
    assert_eq!(d["bimiEligible"], true);

    launch(&app, &account, json!([{ "subject": "Hi", "body": "<p>Hello</p><p><a href=\"{{unsubscribeUrl}}\">Unsubscribe</a></p>" }]), json!({}), 1, "second").await;
    assert_eq!(pass(&app).await, 1);
    let signed = smtp.received().pop().unwrap();
    assert!(signed.raw.starts_with("DKIM-Signature:"), "{}", signed.raw);
    assert_eq!(
        dkim_results(nsd.addr(), &signed.raw).await,
        [("acme.test".to_owned(), "fluenzr".to_owned(), true)]
    );

    // Rotation: an Ed25519 key under a second selector, published, then switched to.
    let second = app
        .post(
            "/v1/domains/acme.test/dkim",
            json!({ "algorithm": "ed25519", "selector": "fz2" }),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let value2 = second.data()["key"]["record"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(value2.starts_with("v=DKIM1; k=ed25519; p="));
    let early = app
        .post("/v1/domains/acme.test/dkim/fz2/activate", json!({}))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    nsd.set(
        "acme.test",
        &format!(
            "{GOOD_ZONE}fluenzr._domainkey IN TXT {}\nfz2._domainkey IN TXT {}\n",
            txt(&value),
            txt(&value2)
        ),
    );
    let d = app
        .post("/v1/domains/acme.test/check", json!({}))
        .await
        .data()
        .clone();
    let states: Vec<&str> = d["dkimKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "published"]);
    let switched = app
        .post("/v1/domains/acme.test/dkim/fz2/activate", json!({}))
        .await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
    launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello again" }]),
        json!({}),
        1,
        "third",
    )
    .await;
    assert_eq!(pass(&app).await, 1);
    let rotated = smtp.received().pop().unwrap();
    assert_eq!(
        dkim_results(nsd.addr(), &rotated.raw).await,
        [("acme.test".to_owned(), "fz2".to_owned(), true)]
    );

    // DMARC removed: the next check fails and says so to the webhooks.
    nsd.set(
        "acme.test",
        &format!(
            "{}fluenzr._domainkey IN TXT {}\nfz2._domainkey IN TXT {}\n",
            GOOD_ZONE.replace(
                "_dmarc IN TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test\"\n",
                ""
            ),
            txt(&value),
            txt(&value2)
        ),
    );
    app.clock.advance(Duration::hours(25));
    let due = api::service::domains::due(&app.db, app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(due, [(app.workspace_id.clone(), "acme.test".to_owned())]);
    let dns = api::service::dns::Dns::new(Some(nsd.addr()));
    assert_eq!(
        api::engine::domains::run_once(&app.db, &dns, &app.clock)
            .await
            .unwrap(),
        1
    );
    let failed = events_of(&app, "domain.check_failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["domain"], "acme.test");
    assert_eq!(failed[0]["verdicts"]["gmailYahooBulk"], "fail");
    assert!(
        failed[0]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "dmarc_missing")
    );
}

#[tokio::test]
async fn dkim_keys_refuse_bad_input_and_other_workspaces() {
    let (app, smtp) = app_with_dns(None, |_| {}).await;
    smtp_account(&app, &smtp, json!({})).await;
    // A new account's domain is due its first check by itself.
    let due = api::service::domains::due(&app.db, app.clock.now(), 10)
        .await
        .unwrap();
    assert_eq!(due, [(app.workspace_id.clone(), "acme.test".to_owned())]);
    let listed = app.get("/v1/domains").await;
    assert_eq!(
        listed.data()[0]["checkedAt"],
        Value::Null,
        "{}",
        listed.body
    );
    // A DNS server that refuses to answer is not a domain without records.
    let refused = app.get("/v1/domains/acme.test").await;
    let found = codes(&refused.data()["verdicts"]["gmailYahooBulk"]);
    assert!(found.contains(&"dns_unavailable".to_owned()), "{found:?}");
    assert!(!found.iter().any(|c| c.ends_with("_missing")), "{found:?}");
    let unknown = app.post("/v1/domains/elsewhere.test/dkim", json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let bad = app
        .post(
            "/v1/domains/acme.test/dkim",
            json!({ "algorithm": "rsa-512" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let bad = app
        .post(
            "/v1/domains/acme.test/dkim",
            json!({ "selector": "bad selector!" }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.body["error"]["details"]["field"], "selector");
    let made = app
        .post(
            "/v1/domains/acme.test/dkim",
            json!({ "selector": "s2026", "algorithm": "ed25519" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let again = app
        .post("/v1/domains/acme.test/dkim", json!({ "selector": "s2026" }))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let pending = app
        .post("/v1/domains/acme.test/dkim/s2026/activate", json!({}))
        .await;
    assert_eq!(pending.status, StatusCode::CONFLICT, "{}", pending.body);
    // The private key is sealed at rest.
    let row = entity::dkim_key::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.private_key.starts_with("enc:v1:"),
        "{}",
        row.private_key
    );

    let (_, other_key) = app
        .new_workspace("Other", api::service::workspaces::Plan::Pro)
        .await;
    let theirs = app
        .request_as(
            Some(&other_key),
            reqwest::Method::GET,
            "/v1/domains/acme.test",
            None,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
    let listed = app
        .request_as(Some(&other_key), reqwest::Method::GET, "/v1/domains", None)
        .await;
    assert_eq!(listed.data(), &json!([]));
    let gone = app.delete("/v1/domains/acme.test/dkim/s2026").await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    assert_eq!(gone.data()["dkimKeys"], json!([]));
}

#[tokio::test]
async fn a_new_mailbox_ramps_up_day_by_day() {
    let (app, smtp) = app_with_dns(None, |_| {}).await;
    let account = smtp_account(
        &app,
        &smtp,
        json!({ "dailyLimit": 6, "ramp": { "startPerDay": 2, "increasePerDay": 3 } }),
    )
    .await;
    assert_eq!(account["dailyLimitToday"], 2);
    assert_eq!(
        account["ramp"],
        json!({ "startPerDay": 2, "increasePerDay": 3, "startedAt": MONDAY_10 })
    );
    let (c, _) = launch(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({ "dailyLimit": 100 }),
        15,
        "ramp",
    )
    .await;
    let mut sent = vec![];
    for _ in 0..3 {
        let mut today = 0;
        while let n @ 1.. = pass(&app).await {
            today += n;
        }
        sent.push(today);
        if sent.len() == 1 {
            let status = app
                .get(&format!("/v1/campaigns/{}/sending-status", id_of(&c)))
                .await;
            let notes = &status.data()["notes"];
            assert_eq!(notes[0]["code"], "ramp_limit", "{}", status.body);
            assert_eq!(status.data()["accounts"][0]["limitToday"], 2);
            assert_eq!(status.data()["state"], "daily_limit_reached");
        }
        app.clock.advance(Duration::days(1));
    }
    assert_eq!(sent, [2, 5, 6]);
    assert_eq!(smtp.received().len(), 13);
    let bad = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&account)),
            json!({ "ramp": { "startPerDay": 0, "increasePerDay": 1 } }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let off = app
        .put(
            &format!("/v1/email-accounts/{}", id_of(&account)),
            json!({ "ramp": null }),
        )
        .await;
    assert_eq!(off.data()["ramp"], Value::Null);
    assert_eq!(off.data()["dailyLimitToday"], 6);
}

#[tokio::test]
#[ignore = "needs nsd"]
async fn provider_limits_pace_sends_by_the_recipients_mx() {
    let nsd = Nsd::start(&[
        ("bigco.test", "@ IN MX 1 aspmx.l.google.com.\n"),
        (
            "smallco.test",
            "@ IN MX 10 mx.smallco.test.\nmx IN A 127.0.0.1\n",
        ),
    ]);
    let (app, smtp) = app_with_dns(Some(&nsd), |_| {}).await;
    let account = smtp_account(&app, &smtp, json!({ "providerLimits": { "google": 2 } })).await;
    assert_eq!(
        account["providerLimits"],
        json!({ "google": 2, "microsoft": null, "yahoo": null, "other": null })
    );
    let c = campaign(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
    )
    .await;
    let mut ids = vec![];
    for email in [
        "a@bigco.test",
        "b@bigco.test",
        "c@bigco.test",
        "d@bigco.test",
        "e@smallco.test",
        "f@smallco.test",
    ] {
        ids.push(id_of(&app.contact(json!({ "email": email })).await));
    }
    enrol(&app, &c, &ids).await;
    start(&app, &c).await;
    pass(&app).await;
    pass(&app).await;
    let to: Vec<String> = smtp.received().iter().map(|r| r.to[0].clone()).collect();
    assert_eq!(
        to.iter().filter(|t| t.ends_with("@bigco.test")).count(),
        2,
        "{to:?}"
    );
    assert_eq!(
        to.iter().filter(|t| t.ends_with("@smallco.test")).count(),
        2,
        "{to:?}"
    );
    let held: Vec<Value> = enrolments(&app, &c)
        .await
        .into_iter()
        .filter(|e| e["reason"] == "provider_limit:google")
        .collect();
    assert_eq!(held.len(), 2);
    let status = app
        .get(&format!("/v1/campaigns/{}/sending-status", id_of(&c)))
        .await;
    assert!(
        status.data()["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["code"] == "provider_limit"),
        "{}",
        status.body
    );

    app.clock.advance(Duration::hours(1));
    pass(&app).await;
    assert_eq!(smtp.received().len(), 6);
}

#[tokio::test]
async fn a_reply_stops_everyone_at_the_repliers_company_but_not_at_free_mail() {
    let (app, smtp) = app_with_dns(None, |_| {}).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let steps = json!([{ "subject": "Hi", "body": "Hello" }, { "subject": "", "body": "Bump", "delayDays": 1 }]);
    let c = campaign(
        &app,
        &account,
        steps,
        json!({ "stopOnReplyScope": "company" }),
    )
    .await;
    assert_eq!(c["stopOnReplyScope"], "company");
    let mut ids = vec![];
    for email in [
        "ana@initech.test",
        "bo@initech.test",
        "cy@gmail.com",
        "di@gmail.com",
        "ed@other.test",
    ] {
        ids.push(id_of(&app.contact(json!({ "email": email })).await));
    }
    enrol(&app, &c, &ids).await;
    start(&app, &c).await;
    assert_eq!(pass(&app).await, 5);
    for replier in [&ids[0], &ids[2]] {
        let message = entity::message::Entity::find()
            .filter(entity::message::Column::ContactId.eq(replier.as_str()))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let txn = app.db.begin().await.unwrap();
        let reply = api::service::messages::EmailEvent::Replied {
            subject: "Re: Hi".into(),
            excerpt: "Yes".into(),
            class: entity::states::LeadStatus::Interested,
        };
        api::service::enrolments::record_email_event(&txn, &message, reply, app.clock.now())
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
    let states: Vec<(String, String, Value)> = enrolments(&app, &c)
        .await
        .into_iter()
        .map(|e| {
            (
                e["contact"]["id"].as_str().unwrap().to_owned(),
                e["state"].as_str().unwrap().to_owned(),
                e["reason"].clone(),
            )
        })
        .collect();
    let of = |id: &str| states.iter().find(|s| s.0 == id).unwrap().clone();
    assert_eq!(of(&ids[0]).1, "replied");
    assert_eq!(
        (of(&ids[1]).1, of(&ids[1]).2),
        ("failed".to_owned(), json!("company_replied"))
    );
    assert_eq!(of(&ids[2]).1, "replied");
    assert_eq!(
        of(&ids[3]).1,
        "active",
        "a free-mail reply stops no one else"
    );
    assert_eq!(of(&ids[4]).1, "active");
}

#[tokio::test]
async fn starting_warns_about_deliverability_and_refuses_when_domains_must_pass() {
    for required in [false, true] {
        let (app, smtp) =
            app_with_dns(None, move |c| c.require_authenticated_domains = required).await;
        let account = smtp_account(&app, &smtp, json!({})).await;
        let free = smtp_account(&app, &smtp, json!({ "email": "someone@gmail.com" })).await;
        let steps = json!([{ "subject": "Hi", "body": "<p>Hello</p>" }]);
        let c = campaign(
            &app,
            &account,
            steps,
            json!({ "emailAccountIds": [account["id"], free["id"]] }),
        )
        .await;
        enrol(
            &app,
            &c,
            &[id_of(
                &app.contact(json!({ "email": "x@example.com" })).await,
            )],
        )
        .await;
        let r = app
            .post(&format!("/v1/campaigns/{}/start", id_of(&c)), json!({}))
            .await;
        if required {
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
            assert_eq!(r.body["error"]["code"], "DOMAIN_NOT_AUTHENTICATED");
            let again = app.get(&format!("/v1/campaigns/{}", id_of(&c))).await;
            assert_eq!(again.data()["status"], "draft");
            continue;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.data()["status"], "running");
        let codes: Vec<&str> = r.data()["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "no_unsubscribe_link",
                "domain_unchecked",
                "free_mail_elsewhere"
            ],
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn sending_status_warns_when_a_domain_nears_gmails_bulk_volume() {
    let (app, smtp) = app_with_dns(None, |_| {}).await;
    let account = smtp_account(&app, &smtp, json!({})).await;
    let c = campaign(
        &app,
        &account,
        json!([{ "subject": "Hi", "body": "Hello" }]),
        json!({}),
    )
    .await;
    let mut ids = vec![];
    for email in ["one@gmail.com", "two@googlemail.com", "three@example.com"] {
        ids.push(id_of(&app.contact(json!({ "email": email })).await));
    }
    enrol(&app, &c, &ids).await;
    start(&app, &c).await;
    assert_eq!(pass(&app).await, 3);
    let scope = api::service::sending_status::gmail_scope(&app.workspace_id, "acme.test");
    let counted = entity::send_count::Entity::find_by_id((scope.clone(), "2026-11-30".to_owned()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("emails to Gmail are counted by From domain and day");
    assert_eq!(counted.sent, 2);
    let status = app
        .get(&format!("/v1/campaigns/{}/sending-status", id_of(&c)))
        .await;
    assert!(
        status.data()["notes"].as_array().unwrap().is_empty(),
        "{}",
        status.body
    );
    use sea_orm::{ActiveModelTrait, Set};
    entity::send_count::ActiveModel {
        scope: Set(scope),
        day: Set("2026-11-30".to_owned()),
        sent: Set(4_600),
    }
    .update(&app.db)
    .await
    .unwrap();
    let status = app
        .get(&format!("/v1/campaigns/{}/sending-status", id_of(&c)))
        .await;
    let notes = status.data()["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{}", status.body);
    assert_eq!(notes[0]["code"], "gmail_volume");
    assert!(notes[0]["message"].as_str().unwrap().contains("4600"));
}
