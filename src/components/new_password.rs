//! The new password and its confirmation, with the hints that follow the typing: Change
//! password and Forgot password ask for it alike, so they say the same things.

use hallpass_api::validate;
use leptos::html::Input;
use leptos::prelude::*;

use crate::components::{Field, FieldSlot};

/// What the two fields hold and what is wrong with them.
#[derive(Clone, Copy)]
pub struct NewPassword {
    pub value: RwSignal<String>,
    again: RwSignal<String>,
    error: RwSignal<Option<String>>,
    again_error: RwSignal<Option<String>>,
    input: NodeRef<Input>,
    again_input: NodeRef<Input>,
}

impl NewPassword {
    pub fn new() -> Self {
        Self {
            value: RwSignal::new(String::new()),
            again: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            again_error: RwSignal::new(None),
            input: NodeRef::new(),
            again_input: NodeRef::new(),
        }
    }

    /// The rules the server applies, here first so a slip costs no round trip: each field's
    /// problem goes beside it, and the first field with one is returned, to take focus.
    pub fn check(self) -> Option<NodeRef<Input>> {
        let first = self.value.get_untracked();
        let problems = [
            (validate::new_password(&first).err(), self.error, self.input),
            (
                (self.again.get_untracked() != first)
                    .then_some("The two new passwords are not the same."),
                self.again_error,
                self.again_input,
            ),
        ];
        let mut focus = None;
        for (problem, message, input) in problems {
            message.set(problem.map(str::to_owned));
            if problem.is_some() && focus.is_none() {
                focus = Some(input);
            }
        }
        focus
    }

    /// Where the server's `fields.new_password` (its strength advice) goes.
    pub fn slot(self) -> FieldSlot {
        ("new_password", self.error, self.input)
    }
}

impl Default for NewPassword {
    fn default() -> Self {
        Self::new()
    }
}

/// "New password" and "Confirm new password", both `autocomplete="new-password"` so password
/// managers offer to make and save one.
#[component]
pub fn NewPasswordFields(password: NewPassword) -> impl IntoView {
    let NewPassword {
        value,
        again,
        error,
        again_error,
        input,
        again_input,
    } = password;
    // States, not counts, so the polite hint speaks only when something changes.
    let length_hint = Signal::derive(move || {
        value.with(|p| match validate::new_password(p) {
            Ok(()) => "Long enough. A few unrelated words make a strong password.".to_owned(),
            Err(problem) => problem.to_owned(),
        })
    });
    let match_hint = Signal::derive(move || {
        let (typed, first) = (again.get(), value.get());
        if typed.is_empty() {
            "Type the new password again.".to_owned()
        } else if typed == first {
            "Matches.".to_owned()
        } else {
            "Doesn't match yet.".to_owned()
        }
    });
    view! {
        <Field label="New password" id="new-password" value error node_ref=input
            input_type="password" autocomplete="new-password" hint=length_hint />
        <Field label="Confirm new password" id="confirm-password" value=again error=again_error
            node_ref=again_input input_type="password" autocomplete="new-password" hint=match_hint />
    }
}
