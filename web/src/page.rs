//! The page: web/page/index.html with its style, its script and the WebAssembly (base64)
//! inlined, under a Content-Security-Policy that allows no request of any kind: no
//! `connect-src`, no images, fonts, frames or forms (`default-src 'none'`), and only the
//! page's own script and style, by hash. `'wasm-unsafe-eval'` lets the script compile the
//! inlined module; it allows no other script.

use sha2::{Digest, Sha256};

pub const TEMPLATE: &str = include_str!("../page/index.html");
pub const SCRIPT: &str = include_str!("../page/app.js");
pub const STYLE: &str = include_str!("../page/style.css");

/// The Content-Security-Policy for a page whose only script and style are these.
pub fn policy(script: &str, style: &str) -> String {
    format!(
        "default-src 'none'; script-src 'sha256-{}' 'wasm-unsafe-eval'; style-src 'sha256-{}'; \
         form-action 'none'; base-uri 'none'",
        base64(&Sha256::digest(script.as_bytes())),
        base64(&Sha256::digest(style.as_bytes()))
    )
}

/// The page, with `wasm` (the threshold-web module) inlined.
pub fn build(wasm: &[u8]) -> String {
    assert!(!SCRIPT.contains("</script") && !STYLE.contains("</style"));
    TEMPLATE
        .replace("{{CSP}}", &policy(SCRIPT, STYLE))
        .replace("{{STYLE}}", STYLE)
        .replace("{{WASM}}", &base64(wasm))
        .replace("{{SCRIPT}}", SCRIPT)
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn the_page_allows_no_request_and_only_its_own_script() {
        let page = build(b"\0asm");
        let policy = policy(SCRIPT, STYLE);
        assert!(page.contains(&format!("content=\"{policy}\"")));
        assert!(policy.starts_with("default-src 'none';"));
        assert!(!policy.contains("connect-src") && !policy.contains("unsafe-inline"));
        assert!(page.contains("AGFzbQ=="), "the module is inlined");
        assert!(!page.contains("{{"), "every placeholder is filled");
        // No address the browser could fetch: no src=, no href= but the downloads made at run time.
        assert!(!page.contains(" src=") && !page.contains("href="));
    }
}
