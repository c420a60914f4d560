use hallpass_api::Account as AccountData;
use leptos::prelude::*;

use crate::api;
use crate::auth::use_auth;
use crate::components::{Link, LoadError, PageHeading};
use crate::routes::Page;

/// The account at a glance: membership, contact details, sign-in and profiles. Read-only.
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
            {if linked.is_empty() {
                view! { <p>"No linked accounts."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {linked.into_iter().map(|l| view! {
                            <li>{format!("{} ({}), linked {}", l.provider, l.display_name, crate::time::day(l.linked_at.as_str()))}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
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
            <h2 id=id>{title}</h2>
            {children()}
        </section>
    }
}
