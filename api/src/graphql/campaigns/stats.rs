//! A campaign's figures: totals and rates, per step and per day.

use async_graphql::parser::types::Field;
use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use tokio::sync::OnceCell;

use crate::graphql::loader;
use crate::graphql::loaders::{CountersOfCampaign, TimelineOf, VariantCountsOf, WinnersOf};
use crate::graphql::plain::InPlace;
use crate::service::stats::{self, Counts};

/// Counts and rates for a campaign or one step. Rates are percentages (0–100, 2 decimals) of
/// the contacts emailed at least once, 0 when none were.
#[derive(SimpleObject)]
pub struct Figures {
    #[graphql(flatten)]
    pub counts: Counts,
    pub open_rate: f64,
    pub click_rate: f64,
    pub reply_rate: f64,
    pub bounce_rate: f64,
    pub unsubscribe_rate: f64,
}

impl From<Counts> for Figures {
    fn from(c: Counts) -> Self {
        Figures {
            counts: c,
            open_rate: c.rate(c.opened),
            click_rate: c.rate(c.clicked),
            reply_rate: c.rate(c.replied),
            bounce_rate: c.rate(c.bounced),
            unsubscribe_rate: c.rate(c.unsubscribed),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct StepStats {
    pub step: i32,
    #[graphql(flatten)]
    pub figures: Figures,
    #[graphql(skip)]
    pub campaign_id: String,
    /// The step's variants, in the campaign's order.
    #[graphql(skip)]
    pub variant_ids: Vec<String>,
}

/// What one variant of a step came to. Rates are percentages (0–100, 2 decimals) of the
/// variant's emails sent.
#[derive(SimpleObject)]
pub struct VariantStats {
    pub variant_id: ID,
    pub sent: i64,
    pub opened: i64,
    pub clicked: i64,
    pub replied: i64,
    pub open_rate: f64,
    pub click_rate: f64,
    pub reply_rate: f64,
}

#[ComplexObject]
impl StepStats {
    /// The variant the campaign's `autoWinner` picked for this step (all further sends go to
    /// it); null while undecided or without one.
    async fn winner_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        let winners = loader(ctx)?
            .load_one(WinnersOf(self.campaign_id.clone()))
            .await?
            .unwrap_or_default();
        Ok(winners.get(&self.step).cloned().map(ID))
    }
    /// The same step's figures per variant (A/B/n), every variant of the step listed; read
    /// for every campaign of a page at once.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::service::campaigns::MAX_VARIANTS, child_complexity)"
    )]
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<VariantStats>> {
        let rows = loader(ctx)?
            .load_one(VariantCountsOf(self.campaign_id.clone()))
            .await?
            .unwrap_or_default();
        let first = self.variant_ids.first();
        Ok(self
            .variant_ids
            .iter()
            .map(|id| {
                // Emails from before variants belong to the step's one (first) variant.
                let c = rows
                    .iter()
                    .filter(|(step, variant, _)| {
                        *step == self.step && variant.as_ref().or(first) == Some(id)
                    })
                    .fold(stats::VariantCounts::default(), |a, (_, _, c)| {
                        stats::VariantCounts {
                            sent: a.sent + c.sent,
                            opened: a.opened + c.opened,
                            clicked: a.clicked + c.clicked,
                            replied: a.replied + c.replied,
                        }
                    });
                VariantStats {
                    variant_id: ID(id.clone()),
                    sent: c.sent,
                    opened: c.opened,
                    clicked: c.clicked,
                    replied: c.replied,
                    open_rate: c.rate(c.opened),
                    click_rate: c.rate(c.clicked),
                    reply_rate: c.rate(c.replied),
                }
            })
            .collect())
    }
}

/// Events on one UTC day.
#[derive(SimpleObject)]
pub struct DailyStats {
    pub date: String,
    #[graphql(flatten)]
    pub counts: Counts,
}

pub struct CampaignStats {
    pub(super) campaign_id: String,
    pub(super) contact_count: i64,
    pub(super) step_count: usize,
    /// Each step's variant ids (when the campaign's steps were read).
    pub(super) variant_ids: Vec<Vec<String>>,
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    /// The totals, when read with a listing's page.
    pub(super) totals: Option<Counts>,
    /// The counters, loaded once for all the figures asked for.
    pub(super) computed: OnceCell<stats::CampaignStats>,
    /// The timeline over `from..=to`, when read with the campaign.
    pub(super) timeline: Option<Vec<(NaiveDate, Counts)>>,
}

impl CampaignStats {
    /// The campaign's totals: read with the page, or from the loaded counters.
    async fn totals(&self, ctx: &Context<'_>) -> Result<Counts> {
        match self.totals {
            Some(totals) => Ok(totals),
            None => Ok(self.computed(ctx).await?.totals),
        }
    }

    async fn computed(&self, ctx: &Context<'_>) -> Result<&stats::CampaignStats> {
        self.computed
            .get_or_try_init(|| async {
                let rows = loader(ctx)?
                    .load_one(CountersOfCampaign(self.campaign_id.clone()))
                    .await?
                    .unwrap_or_default();
                Ok::<_, async_graphql::Error>(stats::CampaignStats::from_rows(
                    &rows,
                    self.step_count,
                )?)
            })
            .await
    }
}

/// Whether a figure of `CampaignStats` waits, given what the campaign was read with: the
/// totals (`totals`), every counter (`computed`), the timeline of the range asked for
/// (`timeline`). Per-step figures need every counter; the other loaded figures are read from
/// either.
pub(super) fn figure_waits(field: &str, totals: bool, computed: bool, timeline: bool) -> bool {
    match field {
        "steps" => !computed,
        "timeline" => !timeline,
        f if CampaignStats::LOADED.contains(&f) => !(totals || computed),
        f => f != "__typename" && !CampaignStats::HELD.contains(&f),
    }
}

impl InPlace for CampaignStats {
    const HELD: &'static [&'static str] = &["campaignId", "contacts"];
    const LOADED: &'static [&'static str] = &[
        "sent",
        "opened",
        "clicked",
        "replied",
        "bounced",
        "unsubscribed",
        "autoReplied",
        "openedRaw",
        "clickedRaw",
        "openRate",
        "clickRate",
        "replyRate",
        "bounceRate",
        "unsubscribeRate",
        "steps",
        "timeline",
    ];
    const WAITING: &'static [&'static str] = &[];

    fn holds(&self, field: &Field) -> bool {
        !figure_waits(
            &field.name.node,
            self.totals.is_some(),
            self.computed.initialized(),
            self.timeline.is_some(),
        )
    }
}

#[Object]
impl CampaignStats {
    async fn campaign_id(&self) -> ID {
        ID(self.campaign_id.clone())
    }
    /// Contacts enrolled.
    async fn contacts(&self) -> i64 {
        self.contact_count
    }
    async fn sent(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.sent)
    }
    async fn opened(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.opened)
    }
    async fn clicked(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.clicked)
    }
    async fn replied(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.replied)
    }
    async fn bounced(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.bounced)
    }
    async fn unsubscribed(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.unsubscribed)
    }
    /// Contacts who answered automatically (out of office, auto-responder): not replies.
    async fn auto_replied(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.auto_replied)
    }
    /// Contacts whose email was opened by anyone, machines included (link scanners, Apple
    /// Mail Privacy Protection): `opened` and `openRate` count readers only.
    async fn opened_raw(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.opened_raw)
    }
    /// Contacts whose links were followed by anyone, machines included.
    async fn clicked_raw(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.totals(ctx).await?.clicked_raw)
    }
    async fn open_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.opened))
    }
    async fn click_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.clicked))
    }
    async fn reply_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.replied))
    }
    async fn bounce_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.bounced))
    }
    async fn unsubscribe_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let t = self.totals(ctx).await?;
        Ok(t.rate(t.unsubscribed))
    }
    /// The same figures for each step.
    #[graphql(
        complexity = "crate::graphql::list_cost(crate::service::campaigns::MAX_STEPS, child_complexity)"
    )]
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<StepStats>> {
        Ok(self
            .computed(ctx)
            .await?
            .steps
            .iter()
            .map(|&(step, counts)| StepStats {
                step,
                figures: counts.into(),
                campaign_id: self.campaign_id.clone(),
                variant_ids: usize::try_from(step - 1)
                    .ok()
                    .and_then(|i| self.variant_ids.get(i))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect())
    }
    /// Events per UTC day between `from` and `to`.
    #[graphql(complexity = "crate::graphql::list_cost(31, child_complexity)")]
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<DailyStats>> {
        if let Some(series) = &self.timeline {
            return Ok(daily(series.iter().copied()));
        }
        let key = TimelineOf {
            campaign_id: self.campaign_id.clone(),
            from: self.from,
            to: self.to,
        };
        let series = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        Ok(daily(series))
    }
}

/// A timeline's days as GraphQL objects.
fn daily(series: impl IntoIterator<Item = (NaiveDate, Counts)>) -> Vec<DailyStats> {
    series
        .into_iter()
        .map(|(day, counts)| DailyStats {
            date: day.format("%Y-%m-%d").to_string(),
            counts,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use async_graphql::OutputType;
    use async_graphql::registry::{MetaType, Registry};

    use super::{CampaignStats, DailyStats, Figures};
    use crate::service::stats::{self, EventKind};

    fn fields(registry: &Registry, name: &str) -> Vec<String> {
        match &registry.types[name] {
            MetaType::Object { fields, .. } => fields.keys().cloned().collect(),
            _ => panic!("{name} is not an object"),
        }
    }

    /// The figures come from one list of event kinds; a campaign's totals are resolved one
    /// field each, so a kind added to the list must be answered here too.
    #[test]
    fn every_kind_of_event_is_a_figure_of_a_campaign_a_step_and_a_day() {
        let mut registry = Registry::default();
        CampaignStats::create_type_info(&mut registry);
        Figures::create_type_info(&mut registry);
        DailyStats::create_type_info(&mut registry);
        let campaign = fields(&registry, "CampaignStats");
        let step = fields(&registry, "Figures");
        let day = fields(&registry, "DailyStats");
        for kind in EventKind::ALL {
            let camel = stats::figure_name(kind);
            for (object, names) in [
                ("CampaignStats", &campaign),
                ("Figures", &step),
                ("DailyStats", &day),
            ] {
                assert!(names.contains(&camel), "{object} has no {camel}");
            }
        }
        for figure in &step {
            assert!(campaign.contains(figure), "CampaignStats has no {figure}");
        }
    }
}
