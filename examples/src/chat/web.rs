//! The chat app's page: a small browser client (HTML, JS and CSS shipped in
//! `examples/chat-web/`) and the browser builds of `@feathersjs/client` and
//! `socket.io-client` that `npm ci` installs there, served from disk at a
//! few fixed paths beside the app's services, as feathers-chat serves its
//! `public/` folder.
//!
//! | path | file in the web folder |
//! | --- | --- |
//! | `/` | `index.html` |
//! | `/app.js`, `/style.css` | the same names |
//! | `/vendor/feathers.js` | `node_modules/@feathersjs/client/dist/feathers.js` |
//! | `/vendor/socket.io.js` | `node_modules/socket.io-client/dist/socket.io.js` |
//!
//! Every other path is the app's (its REST fallback and its transports):
//! [`router`] refuses to start when a service is registered at one of the
//! page's paths, so the page never hides a service. Without `npm ci`, `/`
//! answers a page that says how to install the browser builds.
//!
//! Pages of any origin may call the app (CONTRACT.md: "any origin by
//! default in the chat app"): the page's routes and the app's answer
//! preflights and carry `Access-Control-Allow-Origin`. `CORS_ORIGINS`
//! narrows it ([`cors_from_env`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use auth_core::rest::{Cors, RestOptions};
use auth_core::{App, Error, Result};
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};

/// The web folder of the source tree (`examples/chat-web`).
pub const DEFAULT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/chat-web");

/// The web folder: `CHAT_WEB_DIR` when set (a binary run outside the
/// source tree), otherwise [`DEFAULT_DIR`].
#[must_use]
pub fn dir_from_env() -> PathBuf {
    std::env::var_os("CHAT_WEB_DIR")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from)
}

/// One file the page is made of.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Where the app serves it.
    pub path: &'static str,
    /// Where it is, relative to the web folder.
    pub file: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Installed by `npm ci` (not shipped in the repository).
    pub installed: bool,
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The page's files, in the order the page loads them.
pub const ASSETS: [Asset; 5] = [
    Asset {
        path: "/",
        file: "index.html",
        content_type: HTML,
        installed: false,
    },
    Asset {
        path: "/style.css",
        file: "style.css",
        content_type: CSS,
        installed: false,
    },
    Asset {
        path: "/vendor/socket.io.js",
        file: "node_modules/socket.io-client/dist/socket.io.js",
        content_type: JS,
        installed: true,
    },
    Asset {
        path: "/vendor/feathers.js",
        file: "node_modules/@feathersjs/client/dist/feathers.js",
        content_type: JS,
        installed: true,
    },
    Asset {
        path: "/app.js",
        file: "app.js",
        content_type: JS,
        installed: false,
    },
];

/// The chat app's CORS setting from `CORS_ORIGINS`: unset or empty, any
/// origin (the contract's default); `*` any origin too; `none` same-origin
/// only; otherwise a comma-separated list of origins
/// (`https://chat.example.com,http://localhost:8080`).
///
/// # Errors
///
/// `BadRequest` naming an entry that is not an origin (see
/// [`Cors::parse`]): the app does not start on it.
pub fn cors_from_env() -> Result<Cors> {
    match std::env::var("CORS_ORIGINS") {
        Ok(text) if !text.trim().is_empty() => Cors::parse(&text),
        _ => Ok(Cors::AnyOrigin),
    }
}

/// The chat app's REST options: the defaults, open to pages of any
/// origin.
#[must_use]
pub fn rest_options() -> RestOptions {
    RestOptions {
        cors: Cors::AnyOrigin,
        ..RestOptions::default()
    }
}

/// The app's router with the page in front of it, with the chat app's
/// [`rest_options`]; see [`router_with`].
///
/// # Errors
///
/// As [`router_with`].
pub fn router(app: App, dir: impl Into<PathBuf>) -> Result<Router> {
    router_with(app, dir, rest_options())
}

/// The app's router with the page in front of it: the page's paths are
/// answered from `dir`, everything else goes to the app, served with
/// `options`; both take `options.cors`.
///
/// # Errors
///
/// `GeneralError` when a service is registered at the first segment of a
/// page's path (`app.js`, `style.css`, `vendor`), which the page would
/// hide; otherwise what [`App::into_router_with`] reports.
pub fn router_with(app: App, dir: impl Into<PathBuf>, options: RestOptions) -> Result<Router> {
    let services = app.paths();
    if let Some((asset, service)) = ASSETS.iter().find_map(|asset| {
        let first = asset.path.trim_start_matches('/').split('/').next()?;
        services
            .iter()
            .find(|service| service.trim_matches('/') == first)
            .map(|service| (asset, service))
    }) {
        return Err(Error::general(format!(
            "The service `{service}` is at the chat page's path `{}`",
            asset.path
        )));
    }
    let page = page(dir.into(), &options.cors)?;
    Ok(page.merge(app.into_router_with(options)?))
}

/// The page's routes alone, with the app's CORS, logged as the app's
/// requests are.
fn page(dir: PathBuf, cors: &Cors) -> Result<Router> {
    let dir = Arc::new(dir);
    let mut router = Router::new();
    for asset in ASSETS {
        let dir = Arc::clone(&dir);
        let files = get(move || serve(asset, Arc::clone(&dir))).fallback(only_get);
        router = router.route(asset.path, files);
    }
    if let Some(cors) = cors.layer()? {
        // A preflight is answered by the layer, so it gets `nosniff` here
        // (every other answer of the page sets it itself).
        router = router
            .layer(cors)
            .layer(axum::middleware::map_response(no_sniffing));
    }
    Ok(router.layer(auth_core::rest::AccessLog::default()))
}

async fn no_sniffing(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// One asset read from disk on each request: the files are small, and an
/// edit of the page shows on a reload without restarting the app.
async fn serve(asset: Asset, dir: Arc<PathBuf>) -> Response {
    if asset.path == "/" {
        if let Some(missing) = missing_install(&dir) {
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                HTML,
                install_page(&dir, missing),
            );
        }
    }
    let file = dir.join(asset.file);
    match tokio::fs::read(&file).await {
        Ok(bytes) => answer(StatusCode::OK, asset.content_type, bytes),
        Err(error) => {
            tracing::warn!(file = %file.display(), %error, "a file of the chat page can not be read");
            let advice = if asset.installed {
                format!("run `npm ci` in {}", dir.display())
            } else {
                format!(
                    "set CHAT_WEB_DIR to the folder of index.html (now {})",
                    dir.display()
                )
            };
            answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain; charset=utf-8",
                format!(
                    "The chat page's file {} is missing: {advice}.\n",
                    asset.file
                ),
            )
        }
    }
}

/// Any other method on a page's path: Feathers' `405` JSON, as the app
/// answers a method a service does not have.
async fn only_get() -> Response {
    let error = Error::method_not_allowed("The chat page's files are read with GET");
    let body = serde_json::to_vec(&error).unwrap_or_default();
    let mut response = answer(StatusCode::METHOD_NOT_ALLOWED, "application/json", body);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// The first browser build `npm ci` has not installed, if any.
#[must_use]
pub fn missing_install(dir: &Path) -> Option<&'static str> {
    ASSETS
        .iter()
        .filter(|asset| asset.installed)
        .find(|asset| !dir.join(asset.file).is_file())
        .map(|asset| asset.file)
}

/// What `/` says when the browser builds are not installed.
fn install_page(dir: &Path, missing: &str) -> String {
    let dir = escape(&dir.display().to_string());
    let missing = escape(missing);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Chat: install the page</title></head>\n\
         <body>\n<h1>The chat page is not installed yet</h1>\n\
         <p>The page loads the browser builds of <code>@feathersjs/client</code> and \
         <code>socket.io-client</code> from <code>{dir}/node_modules</code>, and \
         <code>{missing}</code> is not there. Install them, then reload:</p>\n\
         <pre>cd {dir}\nnpm ci</pre>\n\
         <p>The services answer meanwhile: <a href=\"/messages\">/messages</a>.</p>\n</body>\n</html>\n"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn answer(status: StatusCode, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // A reload shows the files as they are on disk now.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body.into(),
    )
        .into_response()
}
