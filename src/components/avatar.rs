//! A profile's picture: one of the built-in avatars in `public/avatars/`.

use hallpass_api::AVATARS;
use leptos::prelude::*;

/// How big an avatar is drawn; the sizes are fixed so the page doesn't move when the images
/// arrive (the `width` and `height` attributes reserve the room before the SVG loads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AvatarSize {
    /// 32 px: in the header and in lists.
    Small,
    /// 48 px: beside a profile's details.
    Medium,
    /// 96 px: "Who's watching?".
    Large,
}

impl AvatarSize {
    const fn px(self) -> u32 {
        match self {
            AvatarSize::Small => 32,
            AvatarSize::Medium => 48,
            AvatarSize::Large => 96,
        }
    }
}

/// The avatar named `avatar`, decorative (`alt=""`): the profile's name is always next to it.
/// A name the app doesn't know (a newer server) falls back to the first avatar.
#[component]
pub fn Avatar(#[prop(into)] avatar: String, size: AvatarSize) -> impl IntoView {
    let name = if AVATARS.contains(&avatar.as_str()) {
        avatar
    } else {
        AVATARS[0].to_owned()
    };
    let px = size.px();
    view! {
        <img class="avatar" src=format!("/avatars/{name}.svg") alt="" width=px height=px
            decoding="async" />
    }
}
