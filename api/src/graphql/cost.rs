//! What a query may cost: a field costs 1, a list multiplies what it holds; the budget, and the
//! probe that says by how much a refused query is over it.

use std::sync::Arc;

use crate::error::{AppError, ErrorCode};

/// What one request may cost: a field costs 1, a list multiplies what it holds by its page
/// size (or an assumed size for lists without pages). A dashboard of 100 campaigns with stats
/// costs ≈ 8 000; three nested pages of 100 cost over a million.
pub const COST_BUDGET: usize = 25_000;
/// Sizes assumed for lists that have no page size.
pub const ASSUMED_ENROLMENTS: usize = 10;
pub const ASSUMED_MESSAGES: usize = 20;

/// The cost of a paginated list: its page size (default 20, at most 100) times its items'.
pub fn page_cost(per_page: Option<i32>, child: usize) -> usize {
    let size = per_page.unwrap_or(20).clamp(1, 100) as usize;
    list_cost(size, child)
}

/// The cost of a list of `size` items.
pub fn list_cost(size: usize, child: usize) -> usize {
    size.saturating_mul(child).saturating_add(1)
}

/// Refuses, after validation and before execution, a request over `COST_BUDGET`, saying its
/// cost. Only the probe schema carries it: any extension puts every field of every request
/// through the extension chain (≈ 13 % of a contacts page), so the data schema enforces the
/// same budget with `limit_complexity` and the probe is asked only to explain a refusal.
pub(super) struct CostLimit;

impl async_graphql::extensions::ExtensionFactory for CostLimit {
    fn create(&self) -> Arc<dyn async_graphql::extensions::Extension> {
        Arc::new(CostLimitExtension)
    }
}

struct CostLimitExtension;

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for CostLimitExtension {
    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        let result = next.run(ctx).await?;
        if result.complexity > COST_BUDGET {
            let err = AppError::new(
                ErrorCode::BadRequest,
                format!(
                    "The query costs {}, over the budget of {COST_BUDGET}: ask for smaller pages or fewer nested lists",
                    result.complexity
                ),
            )
            .with_details(serde_json::json!({ "cost": result.complexity, "budget": COST_BUDGET }));
            let mut server = async_graphql::ServerError::new(err.message.clone(), None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", ErrorCode::BadRequest.as_str());
            if let Some(details) = &err.details
                && let Ok(value) = async_graphql::Value::from_json(details.clone())
            {
                extensions.set("details", value);
            }
            server.extensions = Some(extensions);
            return Err(vec![server]);
        }
        Ok(result)
    }
}
