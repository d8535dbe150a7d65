//! The chat app's page (`examples::chat::web`): `/` and the files it loads
//! are served beside the services, never instead of them, and without
//! `npm ci` the page says how to install its browser libraries.

use std::path::{Path, PathBuf};

use auth_core::App;
use auth_core::memory::MemoryService;
use examples::chat::web::{self, ASSETS};
use tests::http_cases::{Res, read_response};

/// The chat app (records in memory) with its page from `dir`, served on an
/// ephemeral port; its base URL.
async fn serve(dir: &Path) -> String {
    let app = examples::chat::app("chat-web-test-secret").unwrap();
    let router = web::router(app, dir).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(auth_core::rest::serve_router(
        router,
        listener,
        std::future::pending(),
    ));
    url
}

async fn request(method: reqwest::Method, url: &str) -> (Res, reqwest::header::HeaderMap) {
    let response = reqwest::Client::new()
        .request(method, url)
        .send()
        .await
        .unwrap_or_else(|error| panic!("{url}: no answer: {error}"));
    let headers = response.headers().clone();
    (read_response(response).await.unwrap(), headers)
}

async fn get(url: &str) -> Res {
    request(reqwest::Method::GET, url).await.0
}

/// A fresh, empty folder for a web folder of the test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chat-web-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes every file of the page into `dir`, the installed ones (the
/// browser builds) only when `installed`; each file's text is its path.
fn write_page(dir: &Path, installed: bool) {
    for asset in ASSETS.iter().filter(|asset| installed || !asset.installed) {
        let file = dir.join(asset.file);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, format!("contents of {}", asset.file)).unwrap();
    }
}

/// The local paths `index.html` loads (`src="/.."` and `href="/.."`).
fn paths_named_by(html: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| html.split(attribute).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .filter(|path| path.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_shipped_page_and_every_file_it_names_are_served() {
    let dir = PathBuf::from(web::DEFAULT_DIR);
    let url = serve(&dir).await;
    let page = get(&format!("{url}/")).await;
    if let Some(missing) = web::missing_install(&dir) {
        // Without the browser builds, `/` says how to get them.
        assert_eq!(page.status, 503, "{}", page.shown());
        assert!(page.text().contains("npm ci"), "{}", page.shown());
        println!(
            "skipped: the page's files (not installed: {missing}); run `npm ci` in {}",
            dir.display()
        );
        return;
    }
    assert_eq!(page.status, 200, "{}", page.shown());
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    let named = paths_named_by(&page.text());
    // The stylesheet, both browser builds and the page's script.
    assert_eq!(named.len(), ASSETS.len() - 1, "{named:?}");
    for path in named {
        let asset = ASSETS
            .iter()
            .find(|asset| asset.path == path)
            .unwrap_or_else(|| panic!("index.html names {path}, which the app does not serve"));
        let res = get(&format!("{url}{path}")).await;
        assert_eq!(res.status, 200, "{path}: {}", res.shown());
        assert_eq!(
            res.content_type.as_deref(),
            Some(asset.content_type),
            "{path}"
        );
        let on_disk = std::fs::read(dir.join(asset.file)).unwrap();
        assert_eq!(res.body, on_disk, "{path} is not {}", asset.file);
    }
    // The browser builds expose what app.js uses.
    assert!(
        get(&format!("{url}/vendor/feathers.js"))
            .await
            .text()
            .contains("feathers")
    );
    assert!(
        get(&format!("{url}/vendor/socket.io.js"))
            .await
            .text()
            .contains("io")
    );
}

#[tokio::test]
async fn without_npm_ci_the_page_says_how_to_install_it() {
    let dir = scratch("not-installed");
    write_page(&dir, false);
    let url = serve(&dir).await;

    let page = get(&format!("{url}/")).await;
    assert_eq!(page.status, 503, "{}", page.shown());
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().contains("npm ci"), "{}", page.shown());
    assert!(
        page.text().contains(&dir.display().to_string()),
        "{}",
        page.shown()
    );

    let library = get(&format!("{url}/vendor/feathers.js")).await;
    assert_eq!(library.status, 503, "{}", library.shown());
    assert!(library.text().contains("npm ci"), "{}", library.shown());

    // The page's own files are there all the same.
    let script = get(&format!("{url}/app.js")).await;
    assert_eq!(script.status, 200, "{}", script.shown());
    assert_eq!(script.text(), "contents of app.js");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn each_file_is_read_from_the_web_folder_with_its_type() {
    let dir = scratch("installed");
    write_page(&dir, true);
    let url = serve(&dir).await;
    for asset in ASSETS {
        let (res, headers) = request(reqwest::Method::GET, &format!("{url}{}", asset.path)).await;
        assert_eq!(res.status, 200, "{}: {}", asset.path, res.shown());
        assert_eq!(res.text(), format!("contents of {}", asset.file));
        assert_eq!(res.content_type.as_deref(), Some(asset.content_type));
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_services_answer_beside_the_page() {
    let dir = scratch("beside");
    write_page(&dir, true);
    let url = serve(&dir).await;

    let messages = get(&format!("{url}/messages")).await;
    assert_eq!(messages.status, 200, "{}", messages.shown());
    assert_eq!(messages.json()["total"], 0);
    // Under a page's folder, and elsewhere: the app's own 404.
    for path in ["/vendor/other.js", "/nope", "/index.html"] {
        let res = get(&format!("{url}{path}")).await;
        assert_eq!(res.status, 404, "{path}: {}", res.shown());
        assert_eq!(res.json()["name"], "NotFound", "{path}");
    }
    // Another method on a page's path is Feathers' 405, not an empty answer.
    let (res, headers) = request(reqwest::Method::POST, &format!("{url}/")).await;
    assert_eq!(res.status, 405, "{}", res.shown());
    assert_eq!(res.json()["className"], "method-not-allowed");
    assert_eq!(headers["allow"], "GET, HEAD");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_socket_transport_answers_behind_the_page() {
    let dir = scratch("socket");
    write_page(&dir, true);
    let url = serve(&dir).await;
    // Engine.IO's first long-polling request: the open packet (`0{"sid":..}`).
    let open = get(&format!("{url}/socket.io/?EIO=4&transport=polling")).await;
    assert_eq!(open.status, 200, "{}", open.shown());
    assert!(open.text().starts_with("0{\"sid\":"), "{}", open.shown());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_service_at_a_page_path_is_refused_at_start() {
    for path in ["vendor", "app.js", "/style.css"] {
        let app = App::new().register(path, MemoryService::<serde_json::Value>::new());
        let error = web::router(app, web::DEFAULT_DIR)
            .err()
            .unwrap_or_else(|| panic!("a service at `{path}` was hidden by the page"));
        assert_eq!(error.code(), 500);
        assert!(
            error.to_string().contains(path.trim_start_matches('/')),
            "{error}"
        );
    }
    let app = App::new().register("messages", MemoryService::<serde_json::Value>::new());
    assert!(web::router(app, web::DEFAULT_DIR).is_ok());
}
