//! The REST route table: each documented `/v1` endpoint is one row naming a GraphQL operation.
//! Nothing here touches the database or knows a business rule.

mod campaigns;
mod contacts;
mod domains;
mod email_accounts;
mod groups;
mod imports;
mod inbox;
mod suppressions;
mod webhooks;

use axum::http::Method;

use crate::service::stats::{self, EventKind};

/// How a query-string value becomes a GraphQL variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Int,
    Str,
    /// `true` or `false`.
    Bool,
    /// A JSON value written as text (e.g. an import's column mapping).
    Json,
}

#[derive(Clone, Debug)]
pub struct QueryParam {
    pub name: &'static str,
    /// Dotted variable path, e.g. `filter.email`.
    pub target: &'static str,
    pub kind: ParamKind,
    pub description: &'static str,
}

/// Where the JSON body goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyMap {
    None,
    /// The whole body object is this variable.
    Variable(&'static str),
    /// Each listed top-level key is a variable of the same name; other keys are refused.
    Fields(&'static [&'static str]),
    /// As `Fields`, but the body may be left out (the variables can come from the query).
    OptionalFields(&'static [&'static str]),
    /// The raw body is a CSV file: its text (UTF-8, or Latin-1 decoded) is this variable.
    Csv(&'static str),
}

/// Where the REST `data` sits in the GraphQL answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    Object(&'static [&'static str]),
    /// A `{ items, pageInfo }` object: `items` becomes `data`, `pageInfo` becomes `meta`.
    Page(&'static [&'static str]),
}

#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub name: &'static str,
    pub method: Method,
    /// axum path syntax, below `/v1`.
    pub path: &'static str,
    pub summary: &'static str,
    pub operation: String,
    pub status: u16,
    pub query: Vec<QueryParam>,
    pub body: BodyMap,
    pub shape: Shape,
}

const CONTACT: &str = "id email firstName lastName company phone timezone customFields status leadStatus groupIds createdAt updatedAt";
const GROUP: &str = "id name description contactCount createdAt updatedAt";
const ACCOUNT: &str = "id email name smtpHost smtpPort smtpUsername smtpSecurity dailyLimit dailyLimitToday ramp { startPerDay increasePerDay startedAt } providerLimits { google microsoft yahoo other } timezone sendGapSeconds status lastError sentToday replyTracking imapHost imapPort imapUsername imapSecurity imapCheckedAt createdAt updatedAt";
const CAMPAIGN: &str = "id name status pausedReason emailAccountId emailAccountIds steps { step subject body delayDays sendIf variants { id subject body weight } } schedule { timezone days startTime endTime fallbackTimezone skipDates } dailyLimit trackOpens trackClicks stopOnReply stopOnReplyScope oooPauseDays autoWinner { metric minSentPerVariant } contactCount createdAt updatedAt startedAt completedAt";
const MESSAGE: &str = "id campaignId contactId step variantId seed emailAccountId messageId state skipReason subject body bodyText attempts lastReply createdAt sentAt openedAt clickedAt repliedAt";
const PREVIEW: &str =
    "step variantId seed subject body bodyText from to emailAccountId headers { name value }";
const PLAN: &str = "contactId state reason timezone steps { step plannedAt emailAccountId reasons { code message } }";
const WARNINGS: &str = "warnings { step variantId part variable suggestion message }";
const WEBHOOK: &str = "id url events description active disabledReason createdAt updatedAt";
const RATES: &str = "openRate clickRate replyRate bounceRate unsubscribeRate";
const CHECK: &str = "ok error steps { step ok reply }";
const IMPORT: &str = "id status total processed created updated skipped failedRows errors { row column message } groupId duplicates createdAt startedAt completedAt";
const SUPPRESSION: &str = "id kind value source createdAt";
const DKIM_KEY: &str =
    "id selector algorithm state record { type name host value } publishedAt activatedAt createdAt";
const DOMAIN: &str = "name emailAccountIds checkedAt mx { records { preference host } provider } spf { record mechanisms lookups all hosts { host authorised } } dkim { selectors { selector keyType bits managed } } dmarc { record recordDomain p sp pct adkim aspf rua } bimiEligible verdicts { gmailYahooBulk { status problems { code message fix } } microsoftHighVolume { status problems { code message fix } } } dkimKeys { @DKIM_KEY }";
const PAGE_INFO: &str = "pageInfo { page perPage total totalPages totalIsEstimate nextCursor }";

/// One count per kind of email event.
fn counts() -> String {
    EventKind::ALL.map(stats::figure_name).join(" ")
}

fn op(text: &str) -> String {
    let counts = counts();
    text.replace("@FIGURES", &format!("{counts} {RATES}"))
        .replace("@COUNTS", &counts)
        .replace("@CONTACT", CONTACT)
        .replace("@GROUP", GROUP)
        .replace("@ACCOUNT", ACCOUNT)
        .replace("@CAMPAIGN", CAMPAIGN)
        .replace("@MESSAGE", MESSAGE)
        .replace("@WARNINGS", WARNINGS)
        .replace("@PREVIEW", PREVIEW)
        .replace("@PLAN", PLAN)
        .replace("@WEBHOOK", WEBHOOK)
        .replace("@PAGE", PAGE_INFO)
        .replace("@CHECK", CHECK)
        .replace("@IMPORT", IMPORT)
        .replace("@SUPPRESSION", SUPPRESSION)
        .replace("@DOMAIN", DOMAIN)
        .replace("@DKIM_KEY", DKIM_KEY)
}

fn param(
    name: &'static str,
    target: &'static str,
    kind: ParamKind,
    description: &'static str,
) -> QueryParam {
    QueryParam {
        name,
        target,
        kind,
        description,
    }
}

/// `page`, `perPage` and `cursor`.
fn page_only() -> Vec<QueryParam> {
    vec![
        param(
            "page",
            "page",
            ParamKind::Int,
            "Page number, from 1 (default 1)",
        ),
        param(
            "perPage",
            "perPage",
            ParamKind::Int,
            "Items per page (default 20, at most 100)",
        ),
        param(
            "cursor",
            "cursor",
            ParamKind::Str,
            "Where to start instead of page: meta.nextCursor of the page before (a deep page costs what the first does)",
        ),
    ]
}

/// `page`, `perPage`, `sort` and `order`.
fn paging() -> Vec<QueryParam> {
    let mut params = page_only();
    params.push(param(
        "sort",
        "sort",
        ParamKind::Str,
        "Field to sort by (default createdAt)",
    ));
    params.push(param(
        "order",
        "order",
        ParamKind::Str,
        "asc or desc (default desc)",
    ));
    params
}

fn contact_filters(with_group: bool) -> Vec<QueryParam> {
    let mut params = paging();
    params.push(param(
        "email",
        "filter.email",
        ParamKind::Str,
        "Case-insensitive substring of the email",
    ));
    if with_group {
        params.push(param(
            "group",
            "filter.group",
            ParamKind::Str,
            "Only members of this group",
        ));
    }
    params.push(param(
        "status",
        "filter.status",
        ParamKind::Str,
        "active, unsubscribed or bounced",
    ));
    params.push(param(
        "company",
        "filter.company",
        ParamKind::Str,
        "Case-insensitive company name",
    ));
    params
}

/// The variables of a list of contacts (of the workspace, or of a group).
const CONTACT_LIST_VARS: &str = "$page: Int, $perPage: Int, $cursor: String, $filter: ContactFilter, $sort: String, $order: SortOrder = desc";

const LIST_ARGS: &str =
    "page: $page, perPage: $perPage, cursor: $cursor, filter: $filter, sort: $sort, order: $order";

/// Every `/v1` endpoint: one table, assembled from each domain's rows in a fixed order.
pub fn routes() -> Vec<RouteSpec> {
    [
        contacts::routes(),
        imports::routes(),
        groups::routes(),
        email_accounts::routes(),
        campaigns::routes(),
        webhooks::routes(),
        suppressions::routes(),
        domains::routes(),
        inbox::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
