//! How long browsers may keep the site's files. cargo-leptos names each
//! file of the site's package folder after the MD5 of its content
//! (`chunk_12.<hash>.wasm`), so a file kept under such a name can never be
//! stale: browsers keep it for a year without asking again, and a second
//! visit downloads none of it. Some files are rewritten after they were
//! named (cargo-leptos 0.3.10 names the main JS and WASM, then writes the
//! split loader's final name into them), so a name counts as content-hashed
//! only when it matches the file's content as served; every other file is
//! asked for again on each use, which costs a 304 and no download when it
//! has not changed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64ct::{Base64UrlUnpadded, Encoding};
use leptos::prelude::LeptosOptions;
use md5::{Digest, Md5};

/// For a file whose name is the hash of its content.
const KEEP_FOR_A_YEAR: &str = "public, max-age=31536000, immutable";
/// For any other file of the package folder.
const ASK_AGAIN: &str = "no-cache";
/// For the pages: they show the user's own customers and profile, which a
/// browser should not show again from its cache (Back after Sign out). The
/// register's service worker keeps its own copies of the POS pages for
/// offline use, whatever this says.
const NOT_KEPT: &str = "no-store";
/// The length of a content hash in a name: 16 bytes of MD5 in unpadded
/// base64url.
const HASH_LENGTH: usize = 22;

/// The URL paths of the package folder's files whose names carry the hash
/// of their content.
#[derive(Debug)]
pub struct ContentHashedFiles {
    pkg_path: String,
    paths: HashSet<String>,
}

impl ContentHashedFiles {
    /// Reads each file of the site's package folder once.
    pub fn find(options: &LeptosOptions) -> ContentHashedFiles {
        let pkg_dir = options.site_pkg_dir.to_string();
        let folder = Path::new(options.site_root.as_ref()).join(&pkg_dir);
        let pkg_path = format!("/{pkg_dir}/");
        let paths = files_under(&folder)
            .into_iter()
            .filter(|file| is_named_after_its_content(file))
            .filter_map(|file| {
                let relative = file.strip_prefix(&folder).ok()?.to_str()?.replace('\\', "/");
                Some(format!("{pkg_path}{relative}"))
            })
            .collect();
        ContentHashedFiles { pkg_path, paths }
    }

    /// The `Cache-Control` of the file at `path`; none outside the package
    /// folder.
    pub fn cache_control(&self, path: &str) -> Option<&'static str> {
        if !path.starts_with(&self.pkg_path) {
            return None;
        }
        Some(if self.paths.contains(path) {
            KEEP_FOR_A_YEAR
        } else {
            ASK_AGAIN
        })
    }
}

/// Leptos reads the hashed names from `hash.txt`, which cargo-leptos writes
/// beside the server it builds: with it the pages name the hashed files;
/// without it (a server built by `cargo test`), the plain names.
pub fn with_hashed_names_if_built(mut options: LeptosOptions) -> LeptosOptions {
    options.hash_files = std::env::current_exe()
        .ok()
        .and_then(|server| {
            server
                .parent()
                .map(|folder| folder.join(options.hash_file.as_ref()))
        })
        .is_some_and(|hash_file| hash_file.is_file());
    options
}

/// Adds the `Cache-Control` of the package folder's files to their answers,
/// and keeps pages out of browsers' caches.
pub async fn set_cache_control(
    State(files): State<Arc<ContentHashedFiles>>,
    request: Request,
    next: Next,
) -> Response {
    let site_file = files.cache_control(request.uri().path());
    let mut response = next.run(request).await;
    let cache_control = site_file.or_else(|| is_page(&response).then_some(NOT_KEPT));
    if let Some(value) = cache_control {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

fn is_page(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// Whether the file's name holds the hash of its content:
/// `custsync.<hash>.css`, `chunk_3.<hash>.wasm`, `__wasm_split.<hash>.js`.
fn is_named_after_its_content(file: &Path) -> bool {
    let Some(name_hash) = file
        .file_name()
        .and_then(|name| name.to_str())
        .and_then(name_hash)
    else {
        return false;
    };
    std::fs::read(file).is_ok_and(|content| content_hash(&content) == name_hash)
}

/// The hash part of `stem.<hash>.extension`.
fn name_hash(file_name: &str) -> Option<&str> {
    let mut parts = file_name.rsplit('.');
    let _extension = parts.next()?;
    let hash = parts.next()?;
    parts.next()?;
    let is_hash = hash.len() == HASH_LENGTH
        && hash
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    is_hash.then_some(hash)
}

/// The hash cargo-leptos names a file by: its MD5 in unpadded base64url.
fn content_hash(content: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(&Md5::digest(content))
}

/// Every file under `folder`, in its subfolders too.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, LeptosOptions) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("pkg")).unwrap();
        for (name, content) in files {
            std::fs::write(root.path().join("pkg").join(name), content).unwrap();
        }
        let options = LeptosOptions::builder()
            .output_name("custsync")
            .site_root(root.path().to_str().unwrap())
            .site_pkg_dir("pkg")
            .build();
        (root, options)
    }

    #[test]
    fn only_a_name_that_matches_its_content_is_kept_for_a_year() {
        let chunk = b"chunk content".as_slice();
        let chunk_name = format!("chunk_1.{}.wasm", content_hash(chunk));
        let rewritten_name = format!("custsync.{}.js", content_hash(b"before it was rewritten"));
        let (_root, options) = site_with(&[
            (&chunk_name, chunk),
            (&format!("{chunk_name}.gz"), b"compressed"),
            (&rewritten_name, b"after it was rewritten"),
            ("custsync.wasm", b"not hashed"),
        ]);
        let files = ContentHashedFiles::find(&options);

        assert_eq!(
            files.cache_control(&format!("/pkg/{chunk_name}")),
            Some(KEEP_FOR_A_YEAR)
        );
        assert_eq!(
            files.cache_control(&format!("/pkg/{rewritten_name}")),
            Some(ASK_AGAIN)
        );
        assert_eq!(files.cache_control("/pkg/custsync.wasm"), Some(ASK_AGAIN));
        assert_eq!(
            files.cache_control("/pkg/gone.AAAAAAAAAAAAAAAAAAAAAA.wasm"),
            Some(ASK_AGAIN)
        );
        assert_eq!(files.cache_control("/pos"), None);
    }

    #[test]
    fn a_hash_is_the_part_before_the_extension_of_the_right_length() {
        assert_eq!(
            name_hash("chunk_1.0IQo1pWiyJHGAAYS1fqk3g.wasm"),
            Some("0IQo1pWiyJHGAAYS1fqk3g")
        );
        assert_eq!(
            name_hash("__wasm_split.p4uVab_yJXSBl1Ip-0zgJw.js"),
            Some("p4uVab_yJXSBl1Ip-0zgJw")
        );
        assert_eq!(name_hash("custsync.wasm"), None);
        assert_eq!(name_hash("0IQo1pWiyJHGAAYS1fqk3g.wasm"), None);
        assert_eq!(name_hash("chunk_1.short.wasm"), None);
        assert_eq!(
            name_hash("__wasm_split.______________________.js"),
            Some("______________________")
        );
    }
}
