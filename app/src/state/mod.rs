//! App-wide state shared through Leptos contexts, each a `Copy` newtype over signals:
//! [`Auth`] (who is logged in, restored from browser storage), [`Cart`] (the server or the
//! offline cart and the header's count), [`Favourites`] (the SKUs every heart shows as
//! 已收藏) and [`Flash`] (a one-off message carried to the next page, such as
//! "密码已修改，请重新登录").

mod action;
mod auth;
mod cart;
mod favourites;
mod flash;
mod handover;
mod remote;
mod storage;

pub use action::Task;
pub use auth::{Auth, Session, use_auth};
pub use cart::{Cart, CartOp, CartView, use_cart};
pub use favourites::{Favourites, use_favourites};
pub use flash::{Flash, use_flash};
pub use handover::adopt_session_from_open_tabs;
pub use remote::Remote;
pub use storage::{PendingWeiboLogin, save_weibo_login, take_weibo_login};

/// The `GET /v1/goods/index` answer, loaded once by the app shell and shared by the header
/// (catalog links) and the home page.
#[derive(Clone, Copy)]
pub struct GoodsIndex(pub Remote<dadashop_types::goods::IndexResponse>);

impl GoodsIndex {
    /// Starts loading the answer (again).
    pub fn load(self) {
        self.0.load(crate::api::goods::index());
    }
}
