//! Route-agnostic building blocks with typed props. Components never call the API: pages fetch
//! and pass data and callbacks down.

mod address;
mod cart;
mod favourite;
mod fields;
mod goods;
mod head;
mod header;
mod review;
mod status;

pub use address::AddressCard;
pub use cart::{Countdown, LineInfo, OrderLines};
pub use favourite::FavouriteToggle;
pub use fields::{CheckboxField, FormError, TextField};
pub use goods::{CatalogBlock, Pager, SkuCard, SkuGrid, image_url};
pub use head::{HeadInfo, PageHead, SHOP_NAME, script_json};
pub use header::{SiteFooter, SiteHeader, UserNav};
pub use review::{MAX_STARS, Stars};
pub use status::{EmptyNotice, ErrorNotice, Loading, Toast};
