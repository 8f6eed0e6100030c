//! Reading a webhook body whose signature is not yet checked. Anyone can send one, so the bytes
//! all such bodies hold at once are bounded: past the budget a request is turned away with 503
//! (Retell retries) instead of the server's memory growing with the flood.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::http::ApiError;

/// Budget units are KiB.
const UNIT: usize = 1024;

#[derive(Debug, Clone)]
pub struct UnverifiedBudget {
    units: Arc<Semaphore>,
}

impl UnverifiedBudget {
    pub fn new(bytes: usize) -> Self {
        Self {
            units: Arc::new(Semaphore::new(bytes.div_ceil(UNIT).max(1))),
        }
    }

    /// Reads at most `max_bytes`, holding budget for every byte read. The permit is released
    /// when the caller drops it, once the body is verified (or refused).
    pub async fn read(
        &self,
        body: Body,
        declared: Option<usize>,
        max_bytes: usize,
    ) -> Result<(Bytes, OwnedSemaphorePermit), ApiError> {
        if declared.is_some_and(|len| len > max_bytes) {
            return Err(too_large(max_bytes));
        }
        let mut held = self.take(declared.unwrap_or(0).div_ceil(UNIT).max(1))?;
        let mut buffer = Vec::with_capacity(declared.unwrap_or(0));
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|_| ApiError::Validation("the body could not be read".into()))?;
            if buffer.len() + chunk.len() > max_bytes {
                return Err(too_large(max_bytes));
            }
            buffer.extend_from_slice(&chunk);
            let needed = buffer.len().div_ceil(UNIT);
            let have = held.num_permits();
            if needed > have {
                held.merge(self.take(needed - have)?);
            }
        }
        Ok((Bytes::from(buffer), held))
    }

    fn take(&self, units: usize) -> Result<OwnedSemaphorePermit, ApiError> {
        let units = u32::try_from(units)
            .map_err(|_| ApiError::PayloadTooLarge("the body is too large".into()))?;
        Arc::clone(&self.units)
            .try_acquire_many_owned(units)
            .map_err(|_| {
                tracing::warn!("[Retell webhook] unverified bodies are over their memory budget: turning one away");
                ApiError::Busy("too many webhook bodies are being checked; retry shortly".into())
            })
    }
}

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "a webhook body is at most {} MB",
        max_bytes / (1024 * 1024)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_share_one_budget_and_give_it_back() {
        let budget = UnverifiedBudget::new(10 * UNIT);
        let (first, permit) = budget
            .read(Body::from(vec![b'x'; 6 * UNIT]), None, 100 * UNIT)
            .await
            .expect("fits");
        assert_eq!(first.len(), 6 * UNIT);
        let over = budget
            .read(Body::from(vec![b'x'; 6 * UNIT]), None, 100 * UNIT)
            .await;
        assert!(matches!(over, Err(ApiError::Busy(_))), "{over:?}");
        drop(permit);
        let again = budget
            .read(Body::from(vec![b'x'; 6 * UNIT]), Some(6 * UNIT), 100 * UNIT)
            .await;
        assert!(again.is_ok());
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_before_or_while_reading() {
        let budget = UnverifiedBudget::new(100 * UNIT);
        let declared = budget
            .read(Body::from(vec![b'x'; 10]), Some(11 * UNIT), 10 * UNIT)
            .await;
        assert!(matches!(declared, Err(ApiError::PayloadTooLarge(_))));
        let streamed = budget
            .read(Body::from(vec![b'x'; 11 * UNIT]), None, 10 * UNIT)
            .await;
        assert!(matches!(streamed, Err(ApiError::PayloadTooLarge(_))));
        assert_eq!(
            budget.units.available_permits(),
            100,
            "nothing held after a refusal"
        );
    }
}
