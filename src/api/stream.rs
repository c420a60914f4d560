//! `GET /api/events`: the server's live events, through the browser's own `EventSource`.
//!
//! An event stays its name and JSON text until the code that acts on it decodes it
//! ([`super::decode`]): that is what travels between tabs (see `crate::live`), and it keeps
//! the decoding of `devices_changed` and `new_sign_in` out of the shell, in the parts of the
//! page and of the notice that use them.

use hallpass_api::events::{DEVICES_CHANGED, NEW_SIGN_IN, SESSION_ENDED};
use hallpass_api::paths;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

/// What an open [`Stream`] reports, in the order the browser does.
pub enum Heard<'a> {
    /// The connection is up: from here on, nothing is missed until [`Heard::Lost`].
    Opened,
    /// An event, by its `event:` name and `data:` text.
    Event { name: &'a str, data: &'a str },
    /// The connection failed or ended, including a 401 for an ended session and the end the
    /// server makes after `session_ended`. The stream is closed: the browser does not retry
    /// by itself, so the caller chooses when (with backoff) and checks the session first.
    Lost,
}

/// An open `GET /api/events`; closed when dropped.
pub struct Stream {
    source: EventSource,
    // Kept alive as long as the source can call them.
    _listeners: Vec<Closure<dyn FnMut(Event)>>,
}

impl Stream {
    /// Opens the stream and reports to `heard` until it is lost or dropped.
    pub fn open(heard: impl Fn(Heard<'_>) + 'static) -> Option<Stream> {
        let source = EventSource::new(paths::EVENTS).ok()?;
        let heard = std::rc::Rc::new(heard);
        let mut listeners = Vec::new();
        let mut listen = |name: &str, listener: Closure<dyn FnMut(Event)>| {
            let added =
                source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            listeners.push(listener);
            added.is_ok()
        };
        let on_open = heard.clone();
        listen("open", Closure::new(move |_| on_open(Heard::Opened)));
        let on_error = heard.clone();
        let closing = source.clone();
        listen(
            "error",
            Closure::new(move |_| {
                closing.close();
                on_error(Heard::Lost);
            }),
        );
        for name in [SESSION_ENDED, DEVICES_CHANGED, NEW_SIGN_IN] {
            let on_event = heard.clone();
            let listener = Closure::new(move |event: Event| {
                let Some(data) = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                else {
                    return;
                };
                on_event(Heard::Event {
                    name: &event.type_(),
                    data: &data,
                });
            });
            listen(name, listener);
        }
        Some(Stream {
            source,
            _listeners: listeners,
        })
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}
