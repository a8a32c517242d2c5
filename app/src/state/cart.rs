//! The cart, logged in or not: the server cart of a logged-in shopper, or the offline cart of
//! one who is not, kept in `localStorage` under the legacy keys `cart` (the API's cart-item
//! array, JSON) and `dashop_count` (its number of lines), as the original jQuery pages did.
//!
//! Pages change either cart the same way, through [`Cart::apply`] with a [`CartOp`]; the
//! offline cart follows the server's rules (counts 1 to the stock and at most
//! [`MAX_LINE_COUNT`], at most [`MAX_CART_LINES`] lines, a new line selected) so that the
//! merge at login changes nothing the shopper saw. The header's count is
//! [`Cart::count`]: the server's `carts_count` of the last cart answer when logged in (kept in
//! the session), else the offline cart's lines.

use dadashop_types::codes;
use dadashop_types::orders::{CartItem, MAX_CART_LINES, MAX_LINE_COUNT};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use super::auth::Auth;
use crate::api::carts::Change;
use crate::api::{self, ApiError};

/// `localStorage` key of the offline cart.
const CART_KEY: &str = "cart";
/// `localStorage` key of its line count (the legacy header read it).
const COUNT_KEY: &str = "dashop_count";

/// A change to a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartOp {
    /// Adds `item.count` units of `item.id` (onto its line, or as a new selected line). The
    /// rest of `item` (name, price, picture, attributes, stock) is what the offline cart
    /// keeps; the server looks the SKU up itself.
    Add(CartItem),
    /// One more unit of a line (up to the stock).
    Increment(i64),
    /// One unit less (never below 1).
    Decrement(i64),
    /// Selects (`true`) or unselects a line for the next order.
    Select(i64, bool),
    /// Selects or unselects every line.
    SelectAll(bool),
    /// Removes a line.
    Remove(i64),
}

/// A cart as a page shows it: the lines and the prefix of their pictures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartView {
    pub lines: Vec<CartItem>,
    /// `<API origin>/media/`.
    pub base_url: String,
}

/// The cart context provided by `App` ([`use_cart`]).
#[derive(Debug, Clone, Copy)]
pub struct Cart {
    auth: Auth,
    /// Lines of the offline cart.
    offline_count: RwSignal<u32>,
}

/// The [`Cart`] context provided by `App`.
///
/// # Panics
/// Outside `App` (a programming error).
pub fn use_cart() -> Cart {
    expect_context::<Cart>()
}

impl Cart {
    /// The cart of `auth`'s shopper, the offline cart read from storage.
    pub fn new(auth: Auth) -> Self {
        Self {
            auth,
            offline_count: RwSignal::new(count_of(offline_lines().len())),
        }
    }

    /// The cart of `auth`'s shopper with the offline cart not read yet, as the web origin
    /// rendered the page (it has no browser storage), for hydrating that page;
    /// [`Cart::reload_offline`] then reads it.
    pub fn not_read(auth: Auth) -> Self {
        Self {
            auth,
            offline_count: RwSignal::new(0),
        }
    }

    /// Reads the offline cart's line count from storage (after hydration).
    pub fn reload_offline(self) {
        self.offline_count.set(count_of(offline_lines().len()));
    }

    /// Lines in the cart (reactive): the server's count when logged in, else the offline one.
    pub fn count(self) -> u32 {
        self.auth
            .carts_count()
            .unwrap_or_else(|| self.offline_count.get())
    }

    /// The whole cart.
    pub async fn load(self) -> Result<CartView, ApiError> {
        match self.auth.credentials() {
            Some(credentials) => self.server(api::carts::cart(&credentials).await),
            None => Ok(offline_view(offline_lines())),
        }
    }

    /// Changes the cart; answers the whole cart after the change.
    pub async fn apply(self, op: CartOp) -> Result<CartView, ApiError> {
        let Some(c) = self.auth.credentials() else {
            let mut lines = offline_lines();
            apply_offline(&mut lines, &op).map_err(|message| ApiError::Api {
                status: 400,
                code: codes::CART_EXCEEDS_STOCK,
                message: message.to_owned(),
            })?;
            self.save_offline(&lines);
            return Ok(offline_view(lines));
        };
        let change = match op {
            CartOp::Add(item) => Change::Add {
                sku_id: item.id,
                count: item.count,
            },
            CartOp::Increment(id) => Change::State("add", Some(id)),
            CartOp::Decrement(id) => Change::State("del", Some(id)),
            CartOp::Select(id, on) => {
                Change::State(if on { "select" } else { "unselect" }, Some(id))
            }
            CartOp::SelectAll(on) => {
                Change::State(if on { "selectall" } else { "unselectall" }, None)
            }
            CartOp::Remove(id) => Change::Remove(id),
        };
        self.server(api::carts::change(&c, change).await)
    }

    /// Records the server's count of an answer (after an order, say) in the session.
    pub fn set_server_count(self, count: u32) {
        self.auth.set_carts_count(count);
    }

    fn server(
        self,
        answer: Result<dadashop_types::orders::CartResponse, ApiError>,
    ) -> Result<CartView, ApiError> {
        let answer = self.auth.check(answer)?;
        self.auth.set_carts_count(answer.carts_count);
        Ok(CartView {
            lines: answer.data,
            base_url: answer.base_url,
        })
    }

    /// The offline cart for the `carts` field of login and register, `None` when empty.
    pub fn to_merge(self) -> Option<Vec<CartItem>> {
        let lines = offline_lines();
        (!lines.is_empty()).then_some(lines)
    }

    /// Forgets the offline cart once login or register merged it into the server cart.
    pub fn merged(self) {
        LocalStorage::delete(CART_KEY);
        self.offline_count.set(0);
    }

    fn save_offline(self, lines: &[CartItem]) {
        // A full or refused storage loses the offline cart on the next page load only.
        let _ = LocalStorage::set(CART_KEY, lines);
        let count = count_of(lines.len());
        let _ = LocalStorage::set(COUNT_KEY, count);
        self.offline_count.set(count);
    }
}

fn count_of(lines: usize) -> u32 {
    u32::try_from(lines).unwrap_or(u32::MAX)
}

/// The offline cart; an unreadable value counts as empty.
fn offline_lines() -> Vec<CartItem> {
    // Rendering on the web origin: no browser storage.
    if !cfg!(target_arch = "wasm32") {
        return Vec::new();
    }
    LocalStorage::get(CART_KEY).unwrap_or_default()
}

fn offline_view(lines: Vec<CartItem>) -> CartView {
    CartView {
        lines,
        base_url: format!("{}/media/", api::base_url()),
    }
}

/// Most units a line of `item` may hold: its stock, at most [`MAX_LINE_COUNT`].
fn line_cap(item: &CartItem) -> i64 {
    item.stock.min(MAX_LINE_COUNT)
}

/// Applies `op` to offline `lines` with the server's rules; a refused change leaves them as
/// they were and says why.
pub fn apply_offline(lines: &mut Vec<CartItem>, op: &CartOp) -> Result<(), &'static str> {
    const OVER_STOCK: &str = "购买数量超过库存";
    let line = |lines: &mut Vec<CartItem>, id: i64| lines.iter_mut().position(|l| l.id == id);
    match op {
        CartOp::Add(item) => {
            if item.count < 1 {
                return Err("购买数量有误");
            }
            match line(lines, item.id) {
                Some(i) => {
                    let existing = &mut lines[i];
                    existing.stock = item.stock;
                    let cap = line_cap(existing);
                    if existing.count >= cap {
                        return Err(OVER_STOCK);
                    }
                    existing.count = (existing.count + item.count).min(cap);
                    existing.selected = true;
                }
                None => {
                    if line_cap(item) < 1 {
                        return Err("商品已售罄");
                    }
                    if lines.len() >= MAX_CART_LINES {
                        return Err("购物车已满，请先结算或删除部分商品");
                    }
                    let mut new = item.clone();
                    new.count = new.count.min(line_cap(item));
                    new.selected = true;
                    lines.push(new);
                }
            }
        }
        CartOp::Increment(id) | CartOp::Decrement(id) => {
            let i = line(lines, *id).ok_or("购物车中没有该商品")?;
            let existing = &mut lines[i];
            if matches!(op, CartOp::Increment(_)) {
                if existing.count >= line_cap(existing) {
                    return Err(OVER_STOCK);
                }
                existing.count += 1;
            } else {
                existing.count = (existing.count - 1).max(1);
            }
        }
        CartOp::Select(id, on) => {
            let i = line(lines, *id).ok_or("购物车中没有该商品")?;
            lines[i].selected = *on;
        }
        CartOp::SelectAll(on) => lines.iter_mut().for_each(|l| l.selected = *on),
        CartOp::Remove(id) => lines.retain(|l| l.id != *id),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{CartOp, apply_offline};
    use dadashop_types::orders::CartItem;

    fn item(id: i64, count: i64, stock: i64) -> CartItem {
        CartItem {
            id,
            name: format!("sku {id}"),
            count,
            selected: false,
            default_image_url: String::new(),
            price: "10.00".into(),
            sku_sale_attr_name: vec![],
            sku_sale_attr_val: vec![],
            stock,
        }
    }

    #[test]
    fn adding_makes_a_selected_line_or_adds_onto_it_capped_at_the_stock() {
        let mut lines = Vec::new();
        apply_offline(&mut lines, &CartOp::Add(item(1, 2, 5))).expect("new line");
        assert_eq!((lines[0].count, lines[0].selected), (2, true));
        apply_offline(&mut lines, &CartOp::Add(item(1, 9, 5))).expect("capped");
        assert_eq!(lines[0].count, 5);
        assert!(apply_offline(&mut lines, &CartOp::Add(item(1, 1, 5))).is_err());
        assert!(apply_offline(&mut lines, &CartOp::Add(item(2, 1, 0))).is_err());
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn counts_stay_between_one_and_the_stock() {
        let mut lines = vec![item(1, 1, 2)];
        apply_offline(&mut lines, &CartOp::Decrement(1)).expect("floor");
        assert_eq!(lines[0].count, 1);
        apply_offline(&mut lines, &CartOp::Increment(1)).expect("+1");
        assert_eq!(lines[0].count, 2);
        assert!(apply_offline(&mut lines, &CartOp::Increment(1)).is_err());
        assert!(apply_offline(&mut lines, &CartOp::Increment(9)).is_err());
    }

    #[test]
    fn lines_are_selected_one_by_one_or_all_and_removed() {
        let mut lines = vec![item(1, 1, 5), item(2, 1, 5)];
        apply_offline(&mut lines, &CartOp::SelectAll(true)).expect("all");
        apply_offline(&mut lines, &CartOp::Select(2, false)).expect("one");
        assert_eq!(
            lines.iter().map(|l| l.selected).collect::<Vec<_>>(),
            [true, false]
        );
        apply_offline(&mut lines, &CartOp::Remove(1)).expect("remove");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].id, 2);
    }
}
