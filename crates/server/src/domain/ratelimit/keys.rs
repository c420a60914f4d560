//! The limits, and the keys their failures are counted under.

use std::net::IpAddr;

use super::{Limit, WINDOW};

/// 5 failed sign-ins (or password checks) per account in 15 minutes.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};
/// 20 failed sign-ins per IP address in 15 minutes, whatever the account.
pub const SIGN_IN_PER_IP: Limit = Limit {
    max_failures: 20,
    window: WINDOW,
};
/// 10 wrong two-step codes per account in 15 minutes, over all its challenges.
pub const TWO_STEP_PER_ACCOUNT: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};
/// 10 PINs set per account in 15 minutes: each is an argon2 hash, and nobody needs more.
pub const PIN_CHANGES_PER_ACCOUNT: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};
/// 5 wrong PINs per profile in 15 minutes.
pub const PROFILE_PIN: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};

pub fn account_key(account_id: &str) -> String {
    format!("password:{account_id}")
}

/// IPv4 addresses count one by one; IPv6 by their /64, the block one subscriber gets, since
/// anyone can use a fresh address of their /64 for every try.
pub fn ip_key(ip: Option<IpAddr>) -> String {
    format!("sign-in-ip:{}", source(ip))
}

/// IPv4 addresses one by one; IPv6 by their /64.
fn source(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

/// Wrong two-step codes per account, over all its challenges: a challenge allows five, and
/// someone with the password could otherwise ask for challenges without end.
pub fn two_step_key(account_id: &str) -> String {
    format!("two-step:{account_id}")
}

pub fn pin_key(profile_id: &str) -> String {
    format!("pin:{profile_id}")
}

/// Codes and notices someone asks the server to send (a contact change): per account, per
/// destination (so one address or number can't be flooded from many accounts: harassment, SMS
/// pumping) and per network address.
pub const SENDS_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};
pub const SENDS_PER_DESTINATION: Limit = Limit {
    max_failures: 3,
    window: WINDOW,
};
pub const SENDS_PER_IP: Limit = Limit {
    max_failures: 8,
    window: WINDOW,
};

/// The three keys a send counts against: the account, the destination (an email address in
/// any case, or a number) and the network address it came from.
pub fn send_keys(account_id: &str, destination: &str, ip: Option<IpAddr>) -> [String; 3] {
    [
        format!("send:{account_id}"),
        format!("send-to:{}", destination.to_lowercase()),
        format!("send-from:{}", source(ip)),
    ]
}

/// Password-reset codes asked for, counted like the other sends (every request, whether or
/// not the address has an account, so the answer can't tell): per address, per account (an
/// address may change hands) and per network address.
pub const RESETS_PER_ADDRESS: Limit = Limit {
    max_failures: 3,
    window: WINDOW,
};
pub const RESETS_PER_ACCOUNT: Limit = Limit {
    max_failures: 5,
    window: WINDOW,
};
pub const RESETS_PER_IP: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};

/// The three keys a reset request counts against. Without an account, the account key is
/// made from the address, so both cases do the same work.
pub fn reset_keys(account_id: Option<&str>, address: &str, ip: Option<IpAddr>) -> [String; 3] {
    let address = address.to_lowercase();
    [
        format!("reset-to:{address}"),
        match account_id {
            Some(id) => format!("reset:{id}"),
            None => format!("reset:{address}"),
        },
        format!("reset-from:{}", source(ip)),
    ]
}

/// Wrong reset codes, over every code sent: 10 per address and 20 per network address in 15
/// minutes (each code also dies after 5), so a 6-digit code can't be worked through.
pub const RESET_GUESSES_PER_ADDRESS: Limit = Limit {
    max_failures: 10,
    window: WINDOW,
};
pub const RESET_GUESSES_PER_IP: Limit = Limit {
    max_failures: 20,
    window: WINDOW,
};

pub fn reset_guess_keys(address: &str, ip: Option<IpAddr>) -> [String; 2] {
    [
        format!("reset-guess:{}", address.to_lowercase()),
        format!("reset-guess-from:{}", source(ip)),
    ]
}

pub fn pin_change_key(account_id: &str) -> String {
    format!("pin-set:{account_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_their_64_block() {
        let key = |s: &str| ip_key(s.parse().ok());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::2"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:203.0.113.7"), "sign-in-ip:203.0.113.7");
        assert_ne!(key("203.0.113.7"), key("203.0.113.8"));
    }
}
