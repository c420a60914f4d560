use hallpass_api::{Account as AccountData, LinkedAccount, Profile};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{
    Avatar, AvatarSize, ConfirmDialog, FormError, LoadError, PageHeading, PartError, Row,
    RowAnchor, RowLink, SkeletonCard, Submit, SummaryCard, element, section_id, use_announcer,
    use_step_up,
};
use crate::context::expected;
use crate::format;
use crate::parts::UnlinkDialogPart;
use crate::routes::Page;

/// The account at a glance: membership, sign-in details, recovery, linked accounts and
/// profiles, each fact on a row with the way to change it.
///
/// The account and the profiles are two requests: if only the profiles fail, the rest of the
/// page shows and the Profiles card offers its own Retry.
#[component]
pub fn Account() -> impl IntoView {
    let (account, pending, retry_account) = crate::load::load(api::account);
    let (profiles, profiles_pending, retry_profiles) = crate::load::load(api::profiles);
    // The page's Retry (everything failed, say the server was down) asks for both again.
    let retry_all = Callback::new(move |()| {
        retry_account.run(());
        if profiles.with_untracked(|p| matches!(p, Some(Err(_)))) {
            retry_profiles.run(());
        }
    });
    let profiles_part = ProfilesPart {
        list: profiles,
        pending: profiles_pending,
        retry: retry_profiles,
    };
    view! {
        <PageHeading text="Account" />
        {move || match account.get() {
            None => view! {
                <p class="visually-hidden" role="status">"Loading your account…"</p>
                <SkeletonCard rows=4 />
                <SkeletonCard rows=3 />
                <SkeletonCard rows=2 />
            }.into_any(),
            Some(Ok(account)) => view! { <AccountSections account profiles=profiles_part /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry_all pending /> }.into_any(),
        }}
    }
}

/// The profiles' request, loaded on its own.
#[derive(Clone, Copy)]
struct ProfilesPart {
    list: RwSignal<Option<Result<Vec<Profile>, ApiError>>>,
    pending: Signal<bool>,
    retry: Callback<()>,
}

/// "Not set", in the muted style of a missing value.
fn not_set() -> AnyView {
    view! { <span class="muted">"Not set"</span> }.into_any()
}

/// A value with "Verified" or "Not verified" after it.
fn with_check(value: String, verified: bool) -> AnyView {
    view! {
        <span>{value}</span>
        " "
        {if verified {
            view! { <span class="badge">"Verified"</span> }.into_any()
        } else {
            view! { <span class="badge badge-warn">"Not verified"</span> }.into_any()
        }}
    }
    .into_any()
}

#[component]
fn AccountSections(account: AccountData, profiles: ProfilesPart) -> impl IntoView {
    let plan = account.plan;
    let streams = format!(
        "{} stream{} at once",
        plan.streams,
        if plan.streams == 1 { "" } else { "s" }
    );
    let has_phone = account.phone.is_some();
    let phone = match account.phone {
        Some(phone) => with_check(format::phone(&phone), account.phone_verified),
        None => not_set(),
    };
    let phone_link = if has_phone {
        RowLink::new(Page::ChangePhone.href(), "Change", "Change phone")
    } else {
        RowLink::new(Page::ChangePhone.href(), "Add", "Add a phone number")
    };
    let recovery = |value: Option<String>, what: &str| {
        let (text, verb) = if value.is_some() {
            ("Change", "Change")
        } else {
            ("Add", "Add a")
        };
        let shown = value.map_or_else(not_set, |v| view! { <span>{v}</span> }.into_any());
        (
            shown,
            RowLink::new(Page::Recovery.href(), text, format!("{verb} {what}")),
        )
    };
    let (recovery_email, recovery_email_link) = recovery(account.recovery_email, "recovery email");
    let (recovery_phone, recovery_phone_link) = recovery(
        account.recovery_phone.map(|p| format::phone(&p)),
        "recovery phone",
    );
    let linked = account.linked_accounts;
    view! {
        <SummaryCard title="Membership">
            <dl class="rows">
                <Row label="Plan">
                    <span>{plan.name}</span>
                    <span class="row-detail">{streams}</span>
                </Row>
                <Row label="Price">
                    {format!("{} / month", format::price(&plan.price, &plan.currency))}
                </Row>
                <Row label="Next payment">{crate::time::day(plan.next_billing_date.as_str())}</Row>
                <Row label="Member since">{crate::time::day(account.member_since.as_str())}</Row>
            </dl>
        </SummaryCard>
        <SummaryCard title="Sign-in details">
            <dl class="rows">
                <Row label="Email" link=RowLink::new(Page::ChangeEmail.href(), "Change", "Change email")>
                    {with_check(account.email, account.email_verified)}
                </Row>
                <Row label="Phone" link=phone_link>{phone}</Row>
                <Row label="Password"
                    link=RowLink::new(Page::ChangePassword.href(), "Change", "Change password")>
                    <span aria-hidden="true" class="password-dots">"••••••••"</span>
                    <span class="visually-hidden">"Set, never shown"</span>
                </Row>
            </dl>
        </SummaryCard>
        <SummaryCard title="Recovery">
            <p class="card-lead">"Where we reach you if you lose access to your email or phone."</p>
            <dl class="rows">
                <Row label="Recovery email" link=recovery_email_link>{recovery_email}</Row>
                <Row label="Recovery phone" link=recovery_phone_link>{recovery_phone}</Row>
            </dl>
        </SummaryCard>
        <SummaryCard title="Linked accounts">
            <LinkedAccounts linked />
        </SummaryCard>
        <SummaryCard title="Profiles">
            <div class="profiles-summary">
                <ProfilesValue part=profiles />
                <RowAnchor link=RowLink::new(Page::ManageProfiles.href(), "Manage", "Manage profiles") />
            </div>
        </SummaryCard>
    }
}

/// Placeholder chips, as many as most accounts have profiles: the card keeps its height when
/// they arrive. Static markup, which costs the wasm almost nothing.
const CHIPS: &str = concat!(
    r#"<span class="profile-chip"><span class="skeleton skeleton-avatar"></span><span class="skeleton skeleton-name"></span></span>"#,
    r#"<span class="profile-chip"><span class="skeleton skeleton-avatar"></span><span class="skeleton skeleton-name"></span></span>"#,
    r#"<span class="profile-chip"><span class="skeleton skeleton-avatar"></span><span class="skeleton skeleton-name"></span></span>"#,
    r#"<span class="profile-chip"><span class="skeleton skeleton-avatar"></span><span class="skeleton skeleton-name"></span></span>"#,
);

/// The account's profiles with their avatars; skeletons while they load; a line and Retry if
/// they couldn't be loaded.
#[component]
fn ProfilesValue(part: ProfilesPart) -> impl IntoView {
    move || match part.list.get() {
        None => view! {
            <span class="visually-hidden" role="status">"Loading profiles…"</span>
            <span class="profile-chips" aria-hidden="true" inner_html=CHIPS></span>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <ul class="profile-chips">
                {list.into_iter().map(|p| view! {
                    <li class="profile-chip">
                        <Avatar avatar=p.avatar size=AvatarSize::Small />
                        <span>{p.name}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <PartError what="Your profiles couldn't be loaded." error
                on_retry=part.retry pending=part.pending />
        }
        .into_any(),
    }
}

/// The account elsewhere being unlinked, for the confirmation (a part of its own): which one,
/// whether the dialog is open, and the list it leaves.
#[derive(Clone, Copy)]
pub struct UnlinkRequest {
    target: RwSignal<Option<LinkedAccount>>,
    open: RwSignal<bool>,
    linked: RwSignal<Vec<LinkedAccount>>,
}

/// The accounts elsewhere that can sign in to this one, each with "Unlink <service>"
/// (step-up, after a confirmation).
#[component]
fn LinkedAccounts(linked: Vec<LinkedAccount>) -> impl IntoView {
    let request = UnlinkRequest {
        target: RwSignal::new(None),
        open: RwSignal::new(false),
        linked: RwSignal::new(linked),
    };
    provide_context(request);
    let UnlinkRequest {
        target,
        open,
        linked,
    } = request;
    // Why the confirmation didn't open: its part couldn't be fetched.
    let problem = RwSignal::new(None::<String>);
    view! {
        <FormError message=problem />
        {move || if linked.with(Vec::is_empty) {
            view! { <p class="muted">"No accounts elsewhere can sign in to this one."</p> }.into_any()
        } else {
            view! {
                <dl class="rows">
                    <For each=move || linked.get() key=|l| l.provider.clone() let(account)>
                        {
                            let label = format::capitalised(&account.provider);
                            let since = format!("Linked {}", crate::time::day(account.linked_at.as_str()));
                            view! {
                                <div class="row">
                                    <dt>{label.clone()}</dt>
                                    <dd class="row-value">
                                        <span>{account.display_name.clone()}</span>
                                        <span class="row-detail">{since}</span>
                                    </dd>
                                    <dd class="row-action">
                                        <button type="button" class="quiet"
                                            aria-label=format!("Unlink {label}")
                                            on:click=move |_| {
                                                target.set(Some(account.clone()));
                                                problem.set(None);
                                                open.set(true);
                                            }>
                                            "Unlink"
                                        </button>
                                    </dd>
                                </div>
                            }
                        }
                    </For>
                </dl>
            }.into_any()
        }}
        <UnlinkDialogPart open problem />
    }
}

/// The confirmation of unlinking an account elsewhere, with its [`UnlinkRequest`].
#[component]
pub fn UnlinkDialog() -> impl IntoView {
    let UnlinkRequest {
        target,
        open,
        linked,
    } = expected();
    let step_up = use_step_up();
    let announcer = use_announcer();
    let submit = Submit::new();
    submit.reset_on_open(open);
    let confirm = Callback::new(move |()| {
        let Some(account) = target.get_untracked() else {
            return;
        };
        if !submit.ready() {
            return;
        }
        let provider = account.provider.clone();
        let request = async move { step_up.run(|| api::unlink(&provider)).await };
        submit.send(request, move |result| match result {
            Ok(()) => {
                linked.update(|l| l.retain(|x| x.provider != account.provider));
                open.set(false);
                announcer.say(format!(
                    "Unlinked {}",
                    format::capitalised(&account.provider)
                ));
            }
            Err(e) => submit.fail(e, &[]),
        });
    });
    let name = move || {
        target.with(|t| {
            t.as_ref()
                .map(|a| format::capitalised(&a.provider))
                .unwrap_or_default()
        })
    };
    let title = Signal::derive(move || format!("Unlink {}?", name()));
    // The item is gone: focus goes to the section's heading.
    let return_to = Callback::new(|()| element(&section_id("Linked accounts")));
    view! {
        <ConfirmDialog open title confirm="Unlink" busy=submit.busy error=submit.error on_confirm=confirm
            return_to>
            <p>{move || format!(
                "You won't be able to sign in with {} any more. Your Hallpass email and password still work.",
                name()
            )}</p>
        </ConfirmDialog>
    }
}
