//! The demo catalog's product pictures: 400×400 SVGs drawn from simple shapes by code (no
//! third-party images, no text, no external references), one drawing per kind of product, in
//! the SKU's colour, scaled by its size, in three views.

use std::fmt::Write as _;

use serde::Deserialize;

/// What a catalog's products look like (`kind` of a catalog in the data file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Suitcase,
    Backpack,
    Handbag,
    Wallet,
}

/// The fill colour drawn for a colour name.
pub fn colour_hex(name: &str) -> Option<&'static str> {
    Some(match name {
        "黑色" => "#2e2f33",
        "深蓝" => "#1f3b6e",
        "酒红" => "#7b1e2e",
        "灰色" => "#8c929c",
        "棕色" => "#8a5a2e",
        "墨绿" => "#2f5e48",
        _ => return None,
    })
}

/// Which picture of a SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Straight on, on a warm light background: the default image.
    Front,
    /// Tilted, on a cool light background with a soft backdrop.
    Angled,
    /// A close-up of the upper part (handle, zip, clasp), on a lilac background.
    Closeup,
}

impl View {
    /// Every view, in the order of a SKU's images (the first is the default image).
    pub const ALL: [View; 3] = [View::Front, View::Angled, View::Closeup];
}

/// Drawing scale for size `index` of `count` sizes: the smallest 0.78, the largest 1.0.
pub fn size_scale(index: usize, count: usize) -> f64 {
    if count <= 1 {
        return 1.0;
    }
    let (i, n) = (index.min(count - 1) as f64, (count - 1) as f64);
    0.78 + 0.22 * i / n
}

fn parse_hex(hex: &str) -> (u8, u8, u8) {
    let channel = |range: std::ops::Range<usize>| {
        hex.get(range)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(128)
    };
    (channel(1..3), channel(3..5), channel(5..7))
}

/// Mixes `hex` toward `target` (0 = black, 255 = white) by `amount` (0.0 ..= 1.0).
fn mix(hex: &str, target: u8, amount: f64) -> String {
    let (r, g, b) = parse_hex(hex);
    let m = |c: u8| {
        let v = f64::from(c) + (f64::from(target) - f64::from(c)) * amount;
        v.round().clamp(0.0, 255.0) as u8
    };
    format!("#{:02x}{:02x}{:02x}", m(r), m(g), m(b))
}

/// A 400×400 SVG of a product of `kind` in colour `hex` (`#rrggbb`), drawn at `scale` around its
/// resting point. `variant` (the colour's position) only moves the backdrop a little.
pub fn product_svg(kind: Kind, hex: &str, scale: f64, view: View, variant: usize) -> String {
    let dark = mix(hex, 0, 0.35);
    let light = mix(hex, 255, 0.35);
    let (background, ground_y) = match view {
        View::Front => ("#f6f4f0", 352.0),
        View::Angled => ("#eef2f6", 352.0),
        View::Closeup => ("#f3f0f6", 352.0),
    };

    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">"##
    );
    let _ = write!(
        svg,
        r##"<rect x="0" y="0" width="400" height="400" fill="{background}"/>"##
    );
    if view == View::Angled {
        let cx = 150 + 40 * (variant % 3);
        let _ = write!(
            svg,
            r##"<circle cx="{cx}" cy="170" r="150" fill="#ffffff" opacity="0.7"/>"##
        );
    }
    // The shadow on the ground, scaled with the product.
    let _ = write!(
        svg,
        r##"<ellipse cx="200" cy="{ground_y}" rx="{:.1}" ry="{:.1}" fill="#000000" opacity="0.12"/>"##,
        110.0 * scale,
        11.0 * scale
    );
    let rotate = match view {
        View::Front => String::new(),
        View::Angled => format!(" rotate(-8 200 {ground_y})"),
        // Twice as large around the upper middle, cut by the picture's edges.
        View::Closeup => " translate(200 130) scale(2) translate(-200 -130)".to_owned(),
    };
    let _ = write!(
        svg,
        r##"<g transform="translate(200 {ground_y}) scale({scale:.3}) translate(-200 -{ground_y}){rotate}">"##
    );
    match kind {
        Kind::Suitcase => suitcase(&mut svg, hex, &dark, &light),
        Kind::Backpack => backpack(&mut svg, hex, &dark, &light),
        Kind::Handbag => handbag(&mut svg, hex, &dark, &light),
        Kind::Wallet => wallet(&mut svg, hex, &dark, &light),
    }
    svg.push_str("</g></svg>\n");
    svg
}

fn suitcase(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Telescoping handle.
            r##"<rect x="163" y="58" width="7" height="60" fill="#9aa0a8"/>"##,
            r##"<rect x="230" y="58" width="7" height="60" fill="#9aa0a8"/>"##,
            r##"<rect x="156" y="48" width="88" height="16" rx="8" fill="#3a3c40"/>"##,
            // Wheels and their housings.
            r##"<rect x="128" y="320" width="28" height="16" rx="4" fill="#3a3c40"/>"##,
            r##"<rect x="244" y="320" width="28" height="16" rx="4" fill="#3a3c40"/>"##,
            r##"<circle cx="142" cy="340" r="11" fill="#26272a"/>"##,
            r##"<circle cx="142" cy="340" r="4" fill="#b8bcc4"/>"##,
            r##"<circle cx="258" cy="340" r="11" fill="#26272a"/>"##,
            r##"<circle cx="258" cy="340" r="4" fill="#b8bcc4"/>"##,
            // Shell.
            r##"<rect x="116" y="106" width="168" height="222" rx="24" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Ribs.
            r##"<path d="M158 124 V310 M200 124 V310 M242 124 V310" stroke="{dark}" stroke-width="5" stroke-linecap="round" fill="none"/>"##,
            // Highlight.
            r##"<rect x="126" y="118" width="16" height="196" rx="8" fill="{light}" opacity="0.45"/>"##,
            // Carry handle on top.
            r##"<rect x="178" y="96" width="44" height="12" rx="6" fill="{dark}"/>"##,
            // Corner guards.
            r##"<path d="M116 140 V130 Q116 106 140 106 H150" stroke="#3a3c40" stroke-width="6" fill="none"/>"##,
            r##"<path d="M284 140 V130 Q284 106 260 106 H250" stroke="#3a3c40" stroke-width="6" fill="none"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

fn backpack(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Shoulder straps peeking out at the sides.
            r##"<rect x="110" y="150" width="16" height="176" rx="8" fill="{dark}"/>"##,
            r##"<rect x="274" y="150" width="16" height="176" rx="8" fill="{dark}"/>"##,
            // Top loop.
            r##"<path d="M182 88 Q200 52 218 88" stroke="{dark}" stroke-width="9" stroke-linecap="round" fill="none"/>"##,
            // Body.
            r##"<path d="M128 150 Q128 82 200 82 Q272 82 272 150 L278 322 Q278 344 256 344 L144 344 Q122 344 122 322 Z" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Main zip.
            r##"<path d="M138 162 Q200 112 262 162" stroke="{light}" stroke-width="4" stroke-linecap="round" fill="none"/>"##,
            r##"<rect x="252" y="150" width="8" height="20" rx="3" fill="#c9ccd2"/>"##,
            // Front pocket with its zip and pull.
            r##"<rect x="146" y="226" width="108" height="96" rx="18" fill="{dark}"/>"##,
            r##"<path d="M156 246 H244" stroke="{light}" stroke-width="3" stroke-linecap="round"/>"##,
            r##"<rect x="226" y="242" width="7" height="18" rx="3" fill="#c9ccd2"/>"##,
            // Highlight.
            r##"<path d="M142 160 Q144 120 176 104" stroke="{light}" stroke-width="8" stroke-linecap="round" fill="none" opacity="0.5"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

fn handbag(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Handles.
            r##"<path d="M158 170 Q158 84 200 84 Q242 84 242 170" stroke="{dark}" stroke-width="11" stroke-linecap="round" fill="none"/>"##,
            r##"<path d="M172 170 Q172 104 200 104 Q228 104 228 170" stroke="{dark}" stroke-width="7" stroke-linecap="round" fill="none" opacity="0.7"/>"##,
            // Body.
            r##"<path d="M112 160 H288 L304 318 Q306 340 284 340 H116 Q94 340 96 318 Z" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Top band and stitching.
            r##"<path d="M112 160 H288 L290 182 H110 Z" fill="{dark}"/>"##,
            r##"<path d="M118 196 H282 L294 320 Q295 330 284 330 H116 Q105 330 106 320 Z" stroke="{light}" stroke-width="2" stroke-dasharray="6 5" fill="none"/>"##,
            // Clasp.
            r##"<rect x="186" y="174" width="28" height="22" rx="5" fill="#d4af37" stroke="#a8862a" stroke-width="2"/>"##,
            // Highlight.
            r##"<path d="M126 200 L118 300" stroke="{light}" stroke-width="8" stroke-linecap="round" opacity="0.45"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

fn wallet(svg: &mut String, fill: &str, dark: &str, light: &str) {
    let _ = write!(
        svg,
        concat!(
            // Cards peeking out behind the wallet.
            r##"<rect x="128" y="154" width="120" height="76" rx="8" fill="#6fa8dc" transform="rotate(-8 188 192)"/>"##,
            r##"<rect x="156" y="150" width="120" height="76" rx="8" fill="#f2c14e" transform="rotate(6 216 188)"/>"##,
            // Body.
            r##"<rect x="96" y="186" width="208" height="150" rx="16" fill="{fill}" stroke="{dark}" stroke-width="3"/>"##,
            // Flap and snap.
            r##"<path d="M96 202 Q96 186 112 186 H288 Q304 186 304 202 V246 Q304 256 294 256 H106 Q96 256 96 246 Z" fill="{dark}"/>"##,
            r##"<circle cx="200" cy="250" r="10" fill="#d4af37" stroke="#a8862a" stroke-width="2"/>"##,
            // Stitching.
            r##"<rect x="106" y="196" width="188" height="130" rx="11" stroke="{light}" stroke-width="2" stroke-dasharray="6 5" fill="none"/>"##,
            // Highlight.
            r##"<path d="M112 272 V318" stroke="{light}" stroke-width="7" stroke-linecap="round" opacity="0.45"/>"##,
        ),
        fill = fill,
        dark = dark,
        light = light,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_self_contained_svg() {
        for kind in [Kind::Suitcase, Kind::Backpack, Kind::Handbag, Kind::Wallet] {
            for view in View::ALL {
                let svg = product_svg(kind, "#1f3b6e", 0.78, view, 1);
                assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
                assert!(svg.trim_end().ends_with("</svg>"));
                assert!(svg.contains("viewBox=\"0 0 400 400\""));
                for banned in ["<text", "<script", "href", "url(", "<image", "{", "}"] {
                    assert!(!svg.contains(banned), "{kind:?} {view:?} has {banned}");
                }
                assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
                assert_eq!(svg.matches('"').count() % 2, 0);
                // Every element is either self-closing or one of the two containers.
                let opened = svg.matches('<').count();
                let self_closed = svg.matches("/>").count();
                let containers = svg.matches("<svg").count() + svg.matches("<g").count();
                assert_eq!(opened, self_closed + 2 * containers);
            }
        }
        // Sizes look different.
        let small = product_svg(Kind::Suitcase, "#2e2f33", size_scale(0, 3), View::Front, 0);
        let large = product_svg(Kind::Suitcase, "#2e2f33", size_scale(2, 3), View::Front, 0);
        assert_ne!(small, large);
        assert!(small.contains("scale(0.780)") && large.contains("scale(1.000)"));
        assert_eq!(mix("#000000", 255, 0.5), "#808080");
    }
}
