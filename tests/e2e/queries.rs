//! Finding things as a screen reader would: Testing Library's queries by ARIA role and
//! accessible name (or label), injected into the page, each waiting until the app renders
//! what it looks for.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::runner::TestResult;

/// How long a query waits for the app to render what it looks for.
const WAIT: Duration = Duration::from_secs(10);

const TESTING_LIBRARY: &str = "@testing-library/dom/dist/@testing-library/dom.umd.min.js";

impl Browser {
    /// The one element with this ARIA role and accessible name, waiting until it appears.
    pub async fn by_role(&self, role: &str, name: impl Into<Option<&str>>) -> TestResult<Element> {
        let name = name.into();
        let found = self
            .poll(&format!("a {role} named {name:?}"), || async {
                one(self.all_by_role(role, name).await?, || {
                    format!("a {role} named {name:?}")
                })
            })
            .await?;
        Ok(found)
    }

    /// Clicks the one element with this role and accessible name, once it appears.
    pub async fn click(&self, role: &str, name: &str) -> TestResult {
        self.by_role(role, name)
            .await?
            .click()
            .await
            .map_err(|e| format!("clicking the {role} {name:?}: {e}"))
    }

    /// Every element with this role (and accessible name, if given), right now.
    pub async fn all_by_role(&self, role: &str, name: Option<&str>) -> TestResult<Vec<Element>> {
        self.query_all(
            "ByRole",
            None,
            json!(role),
            json!(name.map(|n| json!({"name": n}))),
        )
        .await
    }

    /// Every element with this role (and name) inside `container`, right now.
    pub async fn all_by_role_within(
        &self,
        container: &Element,
        role: &str,
        name: Option<&str>,
    ) -> TestResult<Vec<Element>> {
        let options = json!(name.map(|n| json!({"name": n})));
        self.query_all("ByRole", Some(container), json!(role), options)
            .await
    }

    /// The one element with this role and name inside `container`, waiting until it appears.
    pub async fn by_role_within(
        &self,
        container: &Element,
        role: &str,
        name: &str,
    ) -> TestResult<Element> {
        self.poll(
            &format!("a {role} named {name:?} in its container"),
            || async {
                one(
                    self.all_by_role_within(container, role, Some(name)).await?,
                    || format!("a {role} named {name:?}"),
                )
            },
        )
        .await
    }

    /// Clicks the one element with this role and name inside `container`, once it appears.
    pub async fn click_within(&self, container: &Element, role: &str, name: &str) -> TestResult {
        self.by_role_within(container, role, name)
            .await?
            .click()
            .await
            .map_err(|e| format!("clicking the {role} {name:?}: {e}"))
    }

    /// The one element with this role, name and accessible description (`aria-describedby`),
    /// waiting until it appears.
    pub async fn by_role_described(
        &self,
        role: &str,
        name: &str,
        description: &str,
    ) -> TestResult<Element> {
        let what = format!("a {role} named {name:?} described as {description:?}");
        self.poll(&what, || async {
            let options = json!({"name": name, "description": description});
            one(
                self.query_all("ByRole", None, json!(role), options).await?,
                || what.clone(),
            )
        })
        .await
    }

    /// The one form field labelled `label` (by `<label>`, `aria-label` or `aria-labelledby`),
    /// waiting until it appears. Password inputs have no ARIA role, so they are found this way.
    pub async fn by_label(&self, label: &str) -> TestResult<Element> {
        let what = format!("a field labelled {label:?}");
        self.poll(&what, || async {
            one(
                self.query_all("ByLabelText", None, json!(label), Value::Null)
                    .await?,
                || what.clone(),
            )
        })
        .await
    }

    /// Clears the field labelled `label` and types `text` into it.
    pub async fn fill(&self, label: &str, text: &str) -> TestResult {
        let field = self.by_label(label).await?;
        field
            .clear()
            .await
            .map_err(|e| format!("clearing {label:?}: {e}"))?;
        field
            .send_keys(text)
            .await
            .map_err(|e| format!("typing into {label:?}: {e}"))
    }

    /// Waits until no element has this role and name (say, after a dialog closes).
    pub async fn wait_gone(&self, role: &str, name: &str) -> TestResult {
        self.poll(&format!("the {role} {name:?} to go away"), || async {
            Ok(self
                .all_by_role(role, Some(name))
                .await?
                .is_empty()
                .then_some(()))
        })
        .await
    }

    /// Waits until `script` (a function body) returns `true`.
    pub async fn wait_until(&self, what: &str, script: &str, args: Vec<Value>) -> TestResult {
        self.poll(what, || async {
            Ok((self.js(script, args.clone()).await? == true).then_some(()))
        })
        .await
    }

    /// Waits until the address's path is `path`.
    pub async fn wait_for_path(&self, path: &str) -> TestResult {
        self.wait_until(
            &format!("the address {path}"),
            "return location.pathname === arguments[0];",
            vec![json!(path)],
        )
        .await
    }

    /// Testing Library's `queryAll<by>(container, matcher, options)`, right now.
    async fn query_all(
        &self,
        by: &str,
        container: Option<&Element>,
        matcher: Value,
        options: Value,
    ) -> TestResult<Vec<Element>> {
        self.ensure_script("TestingLibraryDom", TESTING_LIBRARY)
            .await?;
        let container = match container {
            Some(el) => serde_json::to_value(el).map_err(|e| e.to_string())?,
            None => Value::Null,
        };
        let found = self
            .js(
                &format!(
                    "const [container, matcher, options] = arguments; \
                     return window.TestingLibraryDom.queryAll{by}( \
                       container || document.body, matcher, options || {{}});"
                ),
                vec![container, matcher, options],
            )
            .await?;
        Ok(found
            .as_array()
            .map(|items| items.iter().filter_map(|v| self.element(v)).collect())
            .unwrap_or_default())
    }

    /// Waits until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> TestResult {
        self.poll(&format!("the text {text:?}"), || async {
            let body = self
                .js(
                    "return document.body ? document.body.innerText : '';",
                    vec![],
                )
                .await?;
            Ok(body
                .as_str()
                .is_some_and(|b| b.contains(text))
                .then_some(()))
        })
        .await
    }

    /// Loads an npm script into the page once per document.
    pub(crate) async fn ensure_script(&self, global: &str, file: &str) -> TestResult {
        let present = self
            .js(
                &format!("return typeof window.{global} !== 'undefined';"),
                vec![],
            )
            .await?;
        if present == Value::Bool(true) {
            return Ok(());
        }
        let path = self.node_modules.join(file);
        let source =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // UMD bundles attach to `globalThis`, which in Firefox's WebDriver scripts is not the
        // page's window; bind it to `window` so the library outlives this one script.
        self.js(
            &format!(
                "(function (globalThis, self) {{\n{source}\n}}).call(window, window, window);"
            ),
            vec![],
        )
        .await?;
        let loaded = self
            .js(
                &format!("return typeof window.{global} !== 'undefined';"),
                vec![],
            )
            .await?;
        if loaded == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("{file} did not define window.{global}"))
        }
    }

    fn element(&self, value: &Value) -> Option<Element> {
        let id = value.as_object()?.values().next()?.as_str()?.to_owned();
        Some(Element::from_element_id(
            self.client.clone(),
            ElementRef::from(id),
        ))
    }

    /// Retries `attempt` until it yields something or [`WAIT`] runs out.
    pub(crate) async fn poll<T, F, Fut>(&self, what: &str, mut attempt: F) -> TestResult<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = TestResult<Option<T>>>,
    {
        let deadline = Instant::now() + WAIT;
        let mut last_error = None;
        loop {
            match attempt().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(err) => last_error = Some(err),
            }
            if Instant::now() > deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                return Err(match last_error {
                    Some(err) => format!("waiting for {what} on {url}: {err}"),
                    None => format!("{what} did not appear on {url} within {WAIT:?}"),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The one element found, none yet, or an error when the name is ambiguous.
fn one(found: Vec<Element>, what: impl FnOnce() -> String) -> TestResult<Option<Element>> {
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        n => Err(format!("{n} elements are {}", what())),
    }
}
