//! Leaving nothing behind: everything this origin keeps in the browser, cleared.
//!
//! The server's `Clear-Site-Data` does this too, but only when its answer arrives; this runs
//! whatever the answer, including none. The session cookie is `HttpOnly`, so script can't
//! clear it; the server's answer does, or the server refuses it from then on.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlDocument, IdbFactory, Window};

/// Clears localStorage, sessionStorage, every IndexedDB database, Cache Storage and every
/// cookie script can reach. Never fails: each store is cleared as far as the browser allows.
pub async fn clear_browser_data() {
    let Some(window) = web_sys::window() else {
        return;
    };
    for storage in [window.local_storage(), window.session_storage()] {
        if let Ok(Some(storage)) = storage {
            let _ = storage.clear();
        }
    }
    clear_cookies(&window);
    if let Ok(Some(idb)) = window.indexed_db() {
        clear_indexed_db(&idb).await;
    }
    clear_caches(&window).await;
}

fn clear_cookies(window: &Window) {
    let Some(document) = window
        .document()
        .and_then(|d| d.dyn_into::<HtmlDocument>().ok())
    else {
        return;
    };
    let cookies = document.cookie().unwrap_or_default();
    let path = window.location().pathname().unwrap_or_default();
    for name in cookies
        .split(';')
        .filter_map(|pair| pair.split('=').next())
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        // A cookie is removed only with the path it was set with: the root, and this page's.
        for suffix in [
            "; Path=/".to_owned(),
            format!("; Path={path}"),
            String::new(),
        ] {
            let _ = document.set_cookie(&format!("{name}=; Max-Age=0{suffix}"));
        }
    }
}

/// `indexedDB.databases()` is not in web-sys' stable API; it is called by name. Each deletion
/// is awaited, so nothing is still pending when the page is replaced.
async fn clear_indexed_db(idb: &IdbFactory) {
    let names = Reflect::get(idb, &JsValue::from_str("databases"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(idb).ok())
        .and_then(|p| p.dyn_into::<Promise>().ok());
    let Some(names) = names else {
        return;
    };
    let Ok(list) = JsFuture::from(names).await else {
        return;
    };
    for info in Array::from(&list).iter() {
        let Some(name) = Reflect::get(&info, &JsValue::from_str("name"))
            .ok()
            .and_then(|n| n.as_string())
        else {
            continue;
        };
        let Ok(request) = idb.delete_database(&name) else {
            continue;
        };
        // Settles on success, on error, and when another tab holds it open ("blocked").
        let done = Promise::new(&mut |resolve, _| {
            request.set_onsuccess(Some(&resolve));
            request.set_onerror(Some(&resolve));
            request.set_onblocked(Some(&resolve));
        });
        let _ = JsFuture::from(done).await;
    }
}

async fn clear_caches(window: &Window) {
    // Only in secure contexts; elsewhere there is nothing to clear.
    let Ok(caches) = window.caches() else {
        return;
    };
    let Ok(keys) = JsFuture::from(caches.keys()).await else {
        return;
    };
    for key in Array::from(&keys).iter() {
        if let Some(key) = key.as_string() {
            let _ = JsFuture::from(caches.delete(&key)).await;
        }
    }
}
