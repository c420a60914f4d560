//! Profiles ("Who's watching?").

use serde::{Deserialize, Serialize};

/// At most this many profiles per account.
pub const MAX_PROFILES: usize = 5;

/// The app's built-in avatars (SVGs in `public/avatars/`); `avatar` fields name one of these.
pub const AVATARS: &[&str] = &[
    "sunrise", "ocean", "forest", "ember", "violet", "slate", "meadow", "comet",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub avatar: String,
    pub kids: bool,
    pub maturity_rating: MaturityRating,
    /// A PIN protects the profile. The PIN itself is never sent.
    pub locked: bool,
    /// A BCP 47 language tag, such as `en` or `pt-BR`.
    pub language: String,
}

/// What a profile may watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaturityRating {
    #[serde(rename = "all")]
    All,
    #[serde(rename = "7+")]
    Seven,
    #[serde(rename = "13+")]
    Thirteen,
    #[serde(rename = "16+")]
    Sixteen,
    #[serde(rename = "18+")]
    Eighteen,
}

impl MaturityRating {
    /// From the youngest audience to the oldest.
    pub const ALL: [MaturityRating; 5] = [
        MaturityRating::All,
        MaturityRating::Seven,
        MaturityRating::Thirteen,
        MaturityRating::Sixteen,
        MaturityRating::Eighteen,
    ];

    /// The wire value (`"all"`, `"7+"` …), which the server also stores and a form submits.
    pub const fn as_str(self) -> &'static str {
        match self {
            MaturityRating::All => "all",
            MaturityRating::Seven => "7+",
            MaturityRating::Thirteen => "13+",
            MaturityRating::Sixteen => "16+",
            MaturityRating::Eighteen => "18+",
        }
    }

    /// The rating whose wire value is `text`.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A profile as other resources mention it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProfileRef {
    pub id: String,
    pub name: String,
    pub avatar: String,
}

/// `POST /api/profiles`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "A kids profile is rated `all`, `7+` or `13+`; a name may not read \
        like another profile's of the account."
    )
)]
pub struct NewProfile {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::profile_name))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::avatar))]
    pub avatar: String,
    pub kids: bool,
    pub maturity_rating: MaturityRating,
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::language))]
    pub language: String,
}

/// `PATCH /api/profiles/{id}`: only the fields present change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(schema_with = crate::schema::profile_name_or_null)
    )]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::avatar_or_null))]
    pub avatar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kids: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maturity_rating: Option<MaturityRating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::language_or_null))]
    pub language: Option<String>,
}

/// `POST /api/profiles/{id}/select`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SelectProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{4}$"))]
    pub pin: Option<String>,
}

/// `PUT /api/profiles/{id}/lock`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileLock {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9]{4}$"))]
    pub pin: String,
}
