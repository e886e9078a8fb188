//! The lockout of platform secrets: per (secret_id, client) pair, a few wrong secrets, then a lock
//! that doubles with each further lock. Keyed by the client too, so a stranger's failures never
//! lock the credential's owner out.
use std::net::IpAddr;
use std::time::Duration;

/// How many wrong secrets a pair may send, and how long it is locked after that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Attempts allowed in one window (the first lock's length) before the pair is locked.
    pub max_failures: i64,
    /// The first lock, and the window attempts are counted in.
    pub first_lock: Duration,
    /// The longest lock.
    pub longest_lock: Duration,
}

impl LockoutPolicy {
    /// The lock after the `strike`-th time the pair used up its attempts: the first lock doubled
    /// for each earlier one, never longer than the longest (nor shorter than the window, so the
    /// attempts counted before it have expired when it lifts).
    pub fn lock_for(&self, strike: i64) -> Duration {
        let doublings = u32::try_from(strike.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.first_lock
            .saturating_mul(1_u32 << doublings)
            .min(self.longest_lock)
            .max(self.first_lock)
    }
}

/// The client part of a lockout key: the address the gateway vouched for, in canonical form
/// (IPv4-mapped IPv6 as IPv4); anything unparsable shares one bucket.
pub fn client_key(client_ip: &str) -> String {
    match client_ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        Ok(ip) => ip.to_string(),
        Err(_) => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LockoutPolicy {
        LockoutPolicy {
            max_failures: 5,
            first_lock: Duration::from_secs(900),
            longest_lock: Duration::from_secs(86_400),
        }
    }

    #[test]
    fn each_lock_doubles_up_to_the_longest() {
        let policy = policy();
        assert_eq!(policy.lock_for(1), Duration::from_secs(900));
        assert_eq!(policy.lock_for(2), Duration::from_secs(1800));
        assert_eq!(policy.lock_for(3), Duration::from_secs(3600));
        assert_eq!(policy.lock_for(7), Duration::from_secs(57_600));
        assert_eq!(policy.lock_for(8), Duration::from_secs(86_400));
        assert_eq!(policy.lock_for(i64::MAX), Duration::from_secs(86_400));
        assert_eq!(policy.lock_for(0), Duration::from_secs(900));
    }

    #[test]
    fn clients_are_keyed_by_their_canonical_address() {
        assert_eq!(client_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("2001:DB8::1"), "2001:db8::1");
        assert_eq!(client_key(""), "unknown");
        assert_eq!(client_key("203.0.113.7:80"), "unknown");
    }
}
