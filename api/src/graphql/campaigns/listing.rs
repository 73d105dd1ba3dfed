//! What a `campaigns` listing reads: the columns, counters and account its selection shows.

use async_graphql::Context;
use entity::campaign;

use super::campaign::Campaign;
use crate::graphql::email_accounts::EmailAccount;
use crate::service::campaigns as svc;
use crate::service::columns::Columns;

impl Campaign {
    pub(super) fn listed(listed: svc::Listed) -> Self {
        Campaign {
            model: listed.campaign,
            totals: listed.totals,
            stats: listed.stats,
            account: listed.account,
            read: listed.columns,
            timeline: None,
        }
    }

    /// What a `campaigns` selection asks of its items: the columns its fields show, and beside
    /// them the counters and the email account.
    pub(super) fn wanted(ctx: &Context<'_>) -> svc::ListWith {
        let mut with = svc::ListWith {
            columns: Columns::none(),
            totals: false,
            steps: false,
            account: None,
        };
        let page = ctx.field();
        for items in page.selection_set().filter(|f| f.name() == "items") {
            for field in items.selection_set() {
                match field.name() {
                    "stats" => {
                        with.totals = true;
                        with.steps |= field.selection_set().any(|f| f.name() == "steps");
                    }
                    "emailAccount" => {
                        let asked = EmailAccount::columns_for(field);
                        with.account = Some(with.account.map_or(asked, |a| a.union(asked)));
                    }
                    _ => {}
                }
                with.columns = with.columns.union(Self::columns_of(field.name()));
            }
        }
        with
    }

    /// The columns a field of `Campaign` reads from the model (beyond the id and workspace,
    /// always read). A field missing here reads them all.
    fn columns_of(field: &str) -> Columns<campaign::Entity> {
        use campaign::Column as C;
        Columns::of(match field {
            "id" | "__typename" | "sendingStatus" | "contacts" | "plan" | "preview" => &[],
            "name" => &[C::Name],
            "status" => &[C::Status],
            "emailAccountId" | "emailAccount" => &[C::EmailAccountId],
            "emailAccountIds" => &[C::EmailAccountId, C::EmailAccountIds],
            "pausedReason" => &[C::PausedReason],
            "steps" | "warnings" => &[C::Steps],
            "schedule" => &[C::Schedule],
            "dailyLimit" => &[C::DailyLimit],
            "trackOpens" => &[C::TrackOpens],
            "trackClicks" => &[C::TrackClicks],
            "stopOnReply" => &[C::StopOnReply],
            "stopOnReplyScope" => &[C::StopOnReplyScope],
            "oooPauseDays" => &[C::OooPauseDays],
            "autoWinner" => &[C::AutoWinner],
            "contactCount" | "stats" => &[C::ContactCount],
            "createdAt" => &[C::CreatedAt],
            "updatedAt" => &[C::UpdatedAt],
            "startedAt" => &[C::StartedAt],
            "completedAt" => &[C::CompletedAt],
            _ => return Columns::all(),
        })
    }
}
