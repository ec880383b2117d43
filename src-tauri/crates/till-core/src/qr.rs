//! QR codes for payment links, as SVG: shown large at the counter so a
//! customer can pay from their phone.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::Error;

/// A QR code of `text` as a standalone SVG document, black on white with
/// the quiet zone scanners need. Medium error correction: a little damage
/// or glare on a screen still scans.
pub fn svg(text: &str) -> Result<String, Error> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|err| Error::internal(format!("no QR code for this link: {err}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_link_becomes_an_svg_whose_size_grows_with_the_text() {
        let short = svg("https://checkout.stripe.com/c/pay/cs_test_a1").unwrap();
        assert!(short.starts_with("<?xml"), "{}", &short[..40]);
        assert!(short.contains("<svg") && short.trim_end().ends_with("</svg>"));
        let long = svg(&format!(
            "https://checkout.stripe.com/c/pay/{}",
            "x".repeat(400)
        ))
        .unwrap();
        // More data, more modules: a bigger path.
        assert!(long.len() > short.len());
    }

    #[test]
    fn text_beyond_what_a_qr_code_holds_is_an_error_not_a_panic() {
        assert!(svg(&"x".repeat(5000)).is_err());
    }
}
