//! How server functions' answers and errors cross the wire: JSON, which the
//! browser decodes from text.
//!
//! The browser decodes the resources a page arrives with from text (Leptos's
//! hydration data), while server_fn's own `Json` decodes answers from bytes.
//! Two ways in would give every type two JSON decoders in the WASM; with
//! this codec answers are decoded from text too, so each type has one.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::{DeserializeOwned, Error as _};

/// JSON, decoded from text.
pub struct JsonTextEncoding;

/// A server function's answer as JSON: `#[server(output = crate::wire::JsonText)]`.
pub type JsonText = Post<JsonTextEncoding>;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Into::into)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde_json::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_comes_back_as_it_was_sent() {
        let answer: Result<Vec<String>, crate::error::AppError> = Ok(vec!["C000001".to_string()]);
        let bytes = JsonTextEncoding::encode(&answer).expect("encodes");
        let back: Result<Vec<String>, crate::error::AppError> =
            JsonTextEncoding::decode(bytes).expect("decodes");
        assert_eq!(back, answer);
    }

    /// A server function left on server_fn's own codec would bring a
    /// second JSON decoder for its answer into the WASM.
    #[test]
    fn every_server_function_answers_through_this_codec() {
        let mut unlisted = Vec::new();
        let mut folders = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("a source folder") {
                let path = entry.expect("a folder entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    let source = std::fs::read_to_string(&path).expect("a source file");
                    for line in source
                        .lines()
                        .map(str::trim)
                        // An argument's `#[server(default)]` is followed by the argument.
                        .filter(|line| line.starts_with("#[server") && line.ends_with(']'))
                    {
                        if !line.contains("output = crate::wire::JsonText") {
                            unlisted.push(format!("{}: {}", path.display(), line.trim()));
                        }
                    }
                }
            }
        }
        assert!(
            unlisted.is_empty(),
            "server functions without the codec: {unlisted:#?}"
        );
    }

    #[test]
    fn bytes_that_are_not_text_are_a_decoding_error() {
        let decoded: Result<String, _> = JsonTextEncoding::decode(vec![b'"', 0xff, b'"'].into());
        assert!(decoded.is_err());
    }
}
