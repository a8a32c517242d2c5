//! 商品评价, the last section of the product page (`product.rs`): the reviews of the product
//! (every SKU of its SPU shares them) from `GET /v1/goods/<sku_id>/reviews`, newest first,
//! `REVIEWS_PAGE_SIZE` a page, with the average score and the count.
//!
//! It is asked for only once the product is on screen (the section is mounted by the
//! product's own view), so the reviews never hold up the product; being reached from the
//! product page alone, its code travels in the product page's lazily loaded module. A review's
//! text is the shopper's plain text: a text node, never markup.

use dadashop_types::after_sales::{Review, ReviewsResponse};
use leptos::html;
use leptos::prelude::*;

use crate::api;
use crate::components::{ErrorNotice, Loading, Stars};
use crate::state::Remote;

/// The section: the summary, one page of reviews and the pager, or 暂无评价.
#[component]
pub(super) fn ProductReviews(
    /// The SKU shown (any SKU of the product gives the same reviews).
    sku_id: i64,
    /// The first page when it came with the page (the web origin rendered it): not fetched
    /// again.
    #[prop(default = None)]
    initial: Option<Result<ReviewsResponse, api::ApiError>>,
) -> impl IntoView {
    let page = RwSignal::new(1u64);
    let answer: Remote<ReviewsResponse> = Remote::new();
    let load = move |n: u64| answer.load(api::after_sales::reviews(sku_id, n));
    let came_with_page = initial.is_some();
    if let Some(first) = initial {
        answer.set(first);
    }
    Effect::new(move |ran: Option<()>| {
        let n = page.get();
        if ran.is_some() || !came_with_page {
            load(n);
        }
    });
    let retry = Callback::new(move |()| load(page.get_untracked()));
    let section = NodeRef::<html::Section>::new();
    // Another page: its first review is where the shopper looks next (the pager sits below
    // the list, possibly a long way down on a phone).
    let go_to = move |n: u64| {
        page.set(n);
        if let Some(section) = section.get_untracked() {
            section.scroll_into_view();
        }
    };
    let body = move || match answer.get() {
        None => view! { <Loading text="正在加载评价…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.count == 0 => {
            view! { <p class="status empty" data-testid="no-reviews">"暂无评价"</p> }.into_any()
        }
        Some(Ok(answer)) => view! { <ReviewPage answer on_page=Callback::new(go_to) /> }.into_any(),
    };
    let count = move || match answer.get() {
        Some(Ok(answer)) if answer.count > 0 => format!("（{}）", answer.count),
        _ => String::new(),
    };
    view! {
        <section
            class="reviews-section"
            aria-labelledby="reviews-title"
            data-testid="reviews"
            node_ref=section
        >
            <h2 id="reviews-title">"商品评价" {count}</h2>
            {body}
        </section>
    }
}

/// The summary, the reviews of one page and the pager.
#[component]
fn ReviewPage(answer: ReviewsResponse, on_page: Callback<u64>) -> impl IntoView {
    let ReviewsResponse {
        count,
        average,
        page,
        pages,
        reviews,
        ..
    } = answer;
    let summary = average.map(|average| {
        let stars = rounded_score(&average);
        view! {
            <strong class="review-average" data-testid="review-average">{average}</strong>
            <Stars score=stars />
        }
    });
    let items = reviews
        .into_iter()
        .map(|review| view! { <ReviewItem review /> })
        .collect_view();
    let pager = (pages > 1).then(|| {
        view! {
            <nav class="review-pager" aria-label="评价分页">
                <button
                    type="button"
                    class="btn small"
                    disabled={ page <= 1 }
                    on:click=move |_| on_page.run(page - 1)
                >
                    "上一页"
                </button>
                <span class="review-page" data-testid="review-page">
                    {format!("第 {page} / {pages} 页")}
                </span>
                <button
                    type="button"
                    class="btn small"
                    disabled={ page >= pages }
                    on:click=move |_| on_page.run(page + 1)
                >
                    "下一页"
                </button>
            </nav>
        }
    });
    view! {
        <div class="review-summary" data-testid="review-summary">
            {summary}
            <span class="review-count" data-testid="review-count">
                {format!("共 {count} 条评价")}
            </span>
        </div>
        <ol class="review-list">{items}</ol>
        {pager}
    }
}

/// One review: who (匿名用户 or a masked name), the stars, the SKU's sale attributes, when,
/// and the text.
#[component]
fn ReviewItem(review: Review) -> impl IntoView {
    let spec =
        (!review.spec.is_empty()).then(|| view! { <span class="review-spec">{review.spec}</span> });
    view! {
        <li class="review" data-testid="review">
            <div class="review-head">
                <span class="review-author" data-testid="review-author">{review.author}</span>
                <Stars score=review.score />
                <time class="review-time">{review.time}</time>
            </div>
            {spec}
            <p class="review-text" data-testid="review-text">{review.content}</p>
        </li>
    }
}

/// The average (`"4.5"`, one decimal) as whole stars, nearest first: `4.5` → 5, `4.4` → 4;
/// an unreadable one shows none.
fn rounded_score(average: &str) -> i64 {
    average
        .trim()
        .parse::<f64>()
        .map(|a| a.round().clamp(0.0, 5.0) as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::rounded_score;

    #[test]
    fn an_average_shows_as_the_nearest_whole_stars() {
        assert_eq!(rounded_score("4.5"), 5);
        assert_eq!(rounded_score("4.4"), 4);
        assert_eq!(rounded_score("1.0"), 1);
        assert_eq!(rounded_score("x"), 0);
    }
}
