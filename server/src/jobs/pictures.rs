//! The picture sweep (issue 25 item 4): every `PICTURE_SWEEP_SECS` each worker process
//! removes the pictures that no SKU, brand or order has used for `PICTURE_GRACE_SECS` (row
//! and both files). Several workers may sweep at once: each removal is one write transaction
//! that re-checks the picture (crate::db::pictures::delete_if_unused), so a picture is
//! removed once and never while an upload is claiming it again.

use anyhow::Context;

use super::JobContext;
use crate::db::pictures::{self, Swept};

/// Most pictures looked at in one run (the next run takes the rest).
pub const SWEEP_BATCH: i64 = 200;

/// One run of the sweep: returns how many pictures were removed. A media store that cannot
/// be reached fails the run (the rows stay; the next run tries again).
pub async fn sweep(ctx: &JobContext) -> anyhow::Result<usize> {
    let grace = i64::try_from(ctx.picture_grace_secs).unwrap_or(i64::MAX);
    let cutoff = crate::db::now_secs().saturating_sub(grace);
    let candidates = pictures::sweep_candidates(&ctx.db, cutoff, SWEEP_BATCH)
        .await
        .context("listing unused pictures")?;
    let mut removed = 0;
    for picture in &candidates {
        let media = &ctx.media;
        let outcome = pictures::delete_if_unused(&ctx.db, picture, cutoff, || async {
            media.delete(&picture.image).await?;
            media.delete(&picture.thumbnail).await
        })
        .await
        .context("removing an unused picture")?;
        match outcome {
            Ok(Swept::Removed) => {
                tracing::debug!(picture = %picture.image, "unused picture removed");
                removed += 1;
            }
            Ok(Swept::Kept) => {}
            Err(e) => return Err(anyhow::anyhow!("{e}")).context("removing a picture's files"),
        }
    }
    Ok(removed)
}
