//! Many callers' items done together: a task gathers what has been submitted while the previous
//! batch ran and hands it to one call, so a worker with hundreds of lanes writes their steps in
//! a few statements instead of one transaction each.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use super::supervise;

/// Submits items to a task that runs them in batches of at most `max`.
pub struct Batcher<T, R> {
    queue: mpsc::Sender<(T, oneshot::Sender<R>)>,
}

impl<T: Send + 'static, R: Send + 'static> Batcher<T, R> {
    /// Starts the task. `run` answers each item of a batch, in order; a batch that panics
    /// answers none of its items (their callers see `None`) and the task goes on. The task ends
    /// when the batcher is dropped.
    pub fn spawn<F, Fut>(engine: &'static str, what: &'static str, max: usize, run: F) -> Self
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = Vec<R>> + Send,
    {
        let (queue, mut submitted) = mpsc::channel::<(T, oneshot::Sender<R>)>(4 * max);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(max);
            while submitted.recv_many(&mut batch, max).await > 0 {
                let (items, answers): (Vec<T>, Vec<oneshot::Sender<R>>) = batch.drain(..).unzip();
                if let Some(results) = supervise::guard(engine, what, run(items)).await {
                    for (answer, result) in answers.into_iter().zip(results) {
                        let _ = answer.send(result);
                    }
                }
            }
        });
        Batcher { queue }
    }

    /// Runs `item` in the next batch and returns its answer; `None` when its batch panicked
    /// (or the task is gone).
    pub async fn submit(&self, item: T) -> Option<R> {
        let (answer, answered) = oneshot::channel();
        self.queue.send((item, answer)).await.ok()?;
        answered.await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn items_submitted_together_run_in_one_batch_and_each_gets_its_answer() {
        let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let doubler = std::sync::Arc::new(Batcher::spawn(
            "test",
            "double",
            8,
            move |items: Vec<u32>| {
                seen.lock().unwrap().push(items.len());
                async move { items.into_iter().map(|i| i * 2).collect() }
            },
        ));
        let calls: Vec<_> = (0..20u32)
            .map(|i| {
                let d = doubler.clone();
                tokio::spawn(async move { d.submit(i).await })
            })
            .collect();
        for (i, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.unwrap(), Some(i as u32 * 2));
        }
        let sizes = sizes.lock().unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 20);
        assert!(sizes.iter().all(|n| *n <= 8), "{sizes:?}");
    }

    #[tokio::test]
    async fn a_batch_that_panics_answers_none_and_the_next_one_runs() {
        let batcher = Batcher::spawn("test", "maybe", 4, |items: Vec<u32>| async move {
            assert!(!items.contains(&13), "unlucky");
            items
        });
        assert_eq!(batcher.submit(13).await, None);
        assert_eq!(batcher.submit(7).await, Some(7));
    }
}
