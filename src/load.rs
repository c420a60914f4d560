//! Loading without Suspense: spawn_local into a signal.
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

pub fn load<T, Fut>(
    fetch: impl Fn() -> Fut + Copy + Send + Sync + 'static,
) -> (RwSignal<Option<T>>, Signal<bool>, Callback<()>)
where
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let value = RwSignal::new(None);
    let pending = RwSignal::new(false);
    let run = move || {
        pending.set(true);
        spawn_local(async move {
            let v = fetch().await;
            value.set(Some(v));
            pending.set(false);
        });
    };
    run();
    (value, pending.into(), Callback::new(move |()| run()))
}
