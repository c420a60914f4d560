use hallpass_api::{Account as AccountData, LinkedAccount};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::auth::use_auth;
use crate::components::{
    ConfirmDialog, Link, LoadError, PageHeading, element, use_announcer, use_step_up,
};
use crate::routes::Page;

/// The account at a glance: membership, contact details, sign-in and profiles, each with the
/// way to change it.
#[component]
pub fn Account() -> impl IntoView {
    let auth = use_auth();
    let (both, pending, retry) = crate::load::load(move || async move {
        (
            auth.check(api::account().await),
            auth.check(api::profiles().await),
        )
    });
    view! {
        <PageHeading text="Account" />
            {move || match both.get() {
                None => view! { <p class="status" role="status">"Loading your account…"</p> }.into_any(),
                Some((Ok(account), Ok(profiles))) => view! {
                        <AccountSections account profile_names=profiles.into_iter().map(|p| p.name).collect() />
                    }.into_any(),
                Some((Err(error), _) | (_, Err(error))) => view! {
                        <LoadError error on_retry=retry pending />
                    }.into_any(),
            }}
    }
}

fn or_none(value: Option<String>) -> String {
    value.unwrap_or_else(|| "Not set".to_owned())
}

#[component]
fn AccountSections(account: AccountData, profile_names: Vec<String>) -> impl IntoView {
    let plan = account.plan;
    let verified = |yes: bool| {
        if yes {
            " (verified)"
        } else {
            " (not verified)"
        }
    };
    let phone_line = match &account.phone {
        Some(phone) => format!("{phone}{}", verified(account.phone_verified)),
        None => "Not set".to_owned(),
    };
    let phone_action = if account.phone.is_some() {
        "Change phone"
    } else {
        "Add a phone number"
    };
    let linked = account.linked_accounts;
    view! {
        <Section title="Membership">
            <dl>
                <dt>"Plan"</dt><dd>{plan.name}</dd>
                <dt>"Price"</dt><dd>{format!("{} {} a month", plan.price, plan.currency)}</dd>
                <dt>"Next billing date"</dt><dd>{crate::time::day(plan.next_billing_date.as_str())}</dd>
                <dt>"Member since"</dt><dd>{crate::time::day(account.member_since.as_str())}</dd>
            </dl>
        </Section>
        <Section title="Email">
            <p>{format!("{}{}", account.email, verified(account.email_verified))}</p>
            <p><Link href=Page::ChangeEmail.href()>"Change email"</Link></p>
        </Section>
        <Section title="Phone">
            <p>{phone_line}</p>
            <p><Link href=Page::ChangePhone.href()>{phone_action}</Link></p>
        </Section>
        <Section title="Password">
            <p>"Set. It is never shown."</p>
            <p><Link href=Page::ChangePassword.href()>"Change password"</Link></p>
        </Section>
        <Section title="Recovery">
            <dl>
                <dt>"Recovery email"</dt><dd>{or_none(account.recovery_email)}</dd>
                <dt>"Recovery phone"</dt><dd>{or_none(account.recovery_phone)}</dd>
            </dl>
            <p><Link href=Page::Recovery.href()>"Change recovery email and phone"</Link></p>
        </Section>
        <Section title="Linked accounts">
            <LinkedAccounts linked />
        </Section>
        <Section title="Profiles">
            <ul>{profile_names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            <p><Link href=Page::ManageProfiles.href()>"Manage profiles"</Link></p>
        </Section>
    }
}

/// A titled card of the account page.
#[component]
fn Section(title: &'static str, children: Children) -> impl IntoView {
    let id = format!("section-{}", title.to_lowercase().replace(' ', "-"));
    let labelled_by = id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=id tabindex="-1">{title}</h2>
            {children()}
        </section>
    }
}

/// A provider's name as people know it: `google` is Google.
fn service(provider: &str) -> String {
    let mut chars = provider.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The accounts elsewhere that can sign in to this one, each with "Unlink <service>"
/// (step-up, after a confirmation).
#[component]
fn LinkedAccounts(linked: Vec<LinkedAccount>) -> impl IntoView {
    let auth = use_auth();
    let step_up = use_step_up();
    let announcer = use_announcer();
    let linked = RwSignal::new(linked);
    let target = RwSignal::new(None::<LinkedAccount>);
    let open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm = Callback::new(move |()| {
        let Some(account) = target.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let provider = account.provider.clone();
            let result = auth.check(step_up.run(|| api::unlink(&provider)).await);
            busy.set(false);
            match result {
                Ok(()) => {
                    linked.update(|l| l.retain(|x| x.provider != account.provider));
                    open.set(false);
                    announcer.say(format!("Unlinked {}", service(&account.provider)));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    });
    let name =
        move || target.with(|t| t.as_ref().map(|a| service(&a.provider)).unwrap_or_default());
    let title = Signal::derive(move || format!("Unlink {}?", name()));
    // The item is gone: focus goes to the section's heading.
    let return_to = Callback::new(|()| element("section-linked-accounts"));
    view! {
        {move || if linked.with(Vec::is_empty) {
            view! { <p>"No linked accounts."</p> }.into_any()
        } else {
            view! {
                <ul class="linked">
                    <For each=move || linked.get() key=|l| l.provider.clone() let(account)>
                        {
                            let label = service(&account.provider);
                            let text = format!(
                                "{label} ({}), linked {}",
                                account.display_name,
                                crate::time::day(account.linked_at.as_str())
                            );
                            view! {
                                <li>
                                    <span>{text}</span>
                                    <button type="button" class="secondary"
                                        aria-label=format!("Unlink {label}")
                                        on:click=move |_| {
                                            target.set(Some(account.clone()));
                                            error.set(None);
                                            open.set(true);
                                        }>
                                        "Unlink"
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            }.into_any()
        }}
        <ConfirmDialog open title confirm="Unlink" busy error on_confirm=confirm return_to>
            <p>{move || format!(
                "You won't be able to sign in with {} any more. Your Hallpass email and password still work.",
                name()
            )}</p>
        </ConfirmDialog>
    }
}
