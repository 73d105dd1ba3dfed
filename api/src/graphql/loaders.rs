//! Per-request batch loaders, so lists cost a constant number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use entity::{campaign, campaign_contact, campaign_stat, email_account, message};
use sea_orm::DatabaseConnection;

use crate::error::AppError;
use crate::service::stats::{self, Counts};
use crate::service::{campaigns, contacts, email_accounts, groups};

pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        DbLoader { db }
    }
}

/// A contact id, to load its group ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupIdsOfContact(pub String);

/// A group id, to load its member count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContactCountOfGroup(pub String);

impl Loader<GroupIdsOfContact> for DbLoader {
    type Value = Vec<String>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[GroupIdsOfContact],
    ) -> Result<HashMap<GroupIdsOfContact, Vec<String>>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = contacts::group_ids_of(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, groups)| (GroupIdsOfContact(id), groups))
            .collect())
    }
}

impl Loader<ContactCountOfGroup> for DbLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ContactCountOfGroup],
    ) -> Result<HashMap<ContactCountOfGroup, i64>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = groups::contact_counts(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, n)| (ContactCountOfGroup(id), n))
            .collect())
    }
}

/// An email account by id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EmailAccountById(pub String);

/// A campaign by id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CampaignById(pub String);

/// A contact by id (the caller knows it is the workspace's).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContactById(pub String);

/// A campaign's counter rows (totals and steps).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountersOfCampaign(pub String);

/// A campaign's figures per step and variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VariantCountsOf(pub String);

/// A campaign's automatic A/B winners, by step.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WinnersOf(pub String);

/// A contact's campaign enrolments.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnrolmentsOfContact(pub String);

/// Emails an account (or campaign) took from its limit on one local day.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SentOn {
    pub scope: String,
    pub day: String,
}

/// The emails sent to a contact.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessagesOfContact(pub String);

/// A campaign's daily figures between two days.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimelineOf {
    pub campaign_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Loader<EmailAccountById> for DbLoader {
    type Value = email_account::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[EmailAccountById],
    ) -> Result<HashMap<EmailAccountById, email_account::Model>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = email_accounts::by_ids(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|a| (EmailAccountById(a.id.clone()), a))
            .collect())
    }
}

impl Loader<CampaignById> for DbLoader {
    type Value = campaign::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CampaignById],
    ) -> Result<HashMap<CampaignById, campaign::Model>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = campaigns::by_ids(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|c| (CampaignById(c.id.clone()), c))
            .collect())
    }
}

impl Loader<ContactById> for DbLoader {
    type Value = entity::contact::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ContactById],
    ) -> Result<HashMap<ContactById, entity::contact::Model>, AppError> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = entity::contact::Entity::find()
            .filter(entity::contact::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(found
            .into_iter()
            .map(|c| (ContactById(c.id.clone()), c))
            .collect())
    }
}

impl Loader<CountersOfCampaign> for DbLoader {
    type Value = Vec<campaign_stat::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CountersOfCampaign],
    ) -> Result<HashMap<CountersOfCampaign, Vec<campaign_stat::Model>>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = stats::counters(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, rows)| (CountersOfCampaign(id), rows))
            .collect())
    }
}

impl Loader<VariantCountsOf> for DbLoader {
    type Value = Vec<(i32, Option<String>, stats::VariantCounts)>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[VariantCountsOf],
    ) -> Result<HashMap<VariantCountsOf, Self::Value>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = stats::variant_counts(&self.db, &ids, None).await?;
        Ok(found
            .into_iter()
            .map(|(id, rows)| (VariantCountsOf(id), rows))
            .collect())
    }
}

impl Loader<WinnersOf> for DbLoader {
    type Value = HashMap<i32, String>;
    type Error = AppError;

    async fn load(&self, keys: &[WinnersOf]) -> Result<HashMap<WinnersOf, Self::Value>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let mut out: HashMap<WinnersOf, Self::Value> = HashMap::new();
        for ((campaign_id, step), variant) in
            crate::service::campaigns::winners_of(&self.db, &ids).await?
        {
            out.entry(WinnersOf(campaign_id))
                .or_default()
                .insert(step, variant);
        }
        Ok(out)
    }
}

impl Loader<EnrolmentsOfContact> for DbLoader {
    type Value = Vec<campaign_contact::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[EnrolmentsOfContact],
    ) -> Result<HashMap<EnrolmentsOfContact, Vec<campaign_contact::Model>>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = crate::service::enrolments::enrolments_of_contacts(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, rows)| (EnrolmentsOfContact(id), rows))
            .collect())
    }
}

impl Loader<SentOn> for DbLoader {
    type Value = i32;
    type Error = AppError;

    async fn load(&self, keys: &[SentOn]) -> Result<HashMap<SentOn, i32>, AppError> {
        let pairs: Vec<(String, String)> = keys
            .iter()
            .map(|k| (k.scope.clone(), k.day.clone()))
            .collect();
        let found = crate::service::quotas::sent_on_many(&self.db, &pairs).await?;
        Ok(found
            .into_iter()
            .map(|((scope, day), n)| (SentOn { scope, day }, n))
            .collect())
    }
}

impl Loader<MessagesOfContact> for DbLoader {
    type Value = Vec<message::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[MessagesOfContact],
    ) -> Result<HashMap<MessagesOfContact, Vec<message::Model>>, AppError> {
        let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let found = crate::service::messages::of_contacts(&self.db, &ids).await?;
        Ok(found
            .into_iter()
            .map(|(id, rows)| (MessagesOfContact(id), rows))
            .collect())
    }
}

impl Loader<TimelineOf> for DbLoader {
    type Value = Vec<(NaiveDate, Counts)>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[TimelineOf],
    ) -> Result<HashMap<TimelineOf, Vec<(NaiveDate, Counts)>>, AppError> {
        // One statement per distinct range (usually one per request).
        let mut ranges: HashMap<(NaiveDate, NaiveDate), Vec<String>> = HashMap::new();
        for key in keys {
            ranges
                .entry((key.from, key.to))
                .or_default()
                .push(key.campaign_id.clone());
        }
        let mut out = HashMap::new();
        for ((from, to), ids) in ranges {
            for (campaign_id, series) in stats::timelines(&self.db, &ids, from, to).await? {
                out.insert(
                    TimelineOf {
                        campaign_id,
                        from,
                        to,
                    },
                    series,
                );
            }
        }
        Ok(out)
    }
}
