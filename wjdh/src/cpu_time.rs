//! CPU time, read from Linux's `/proc`: this process's (the whole stack, the simulated outside
//! world and the bench's own load) and the database and cache servers' (`postgres`,
//! `redis-server`). A bench divides what a path spent by the requests it answered: on a shared
//! 2-core machine, CPU per request moves far less from run to run than requests a second do.

/// The clock `/proc/*/stat` counts in (`USER_HZ`, 100 on every Linux ABI).
const TICKS_PER_SECOND: f64 = 100.0;
/// The servers whose time a path also spends: PostgreSQL's processes and Redis.
const SERVERS: [&str; 2] = ["postgres", "redis-server"];

/// CPU seconds (user and system) spent so far, or between two readings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuTime {
    /// This process: every service, the gateway, the sandbox and the load.
    pub ours: f64,
    /// The database and cache servers' processes.
    pub servers: f64,
}

impl CpuTime {
    /// The time spent so far; none where `/proc` can't be read (not Linux).
    pub fn now() -> Option<Self> {
        let ours = std::fs::read_to_string("/proc/self/stat").ok()?;
        let (_, ours) = spent(&ours)?;
        let mut servers = 0.0;
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let is_process = entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()));
            if !is_process {
                continue;
            }
            // A process that ended in between is simply not counted.
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            if let Some((name, seconds)) = spent(&stat)
                && SERVERS.contains(&name)
            {
                servers += seconds;
            }
        }
        Some(Self { ours, servers })
    }

    /// What was spent from `earlier` to `self`.
    pub fn since(self, earlier: Self) -> Self {
        Self {
            ours: (self.ours - earlier.ours).max(0.0),
            servers: (self.servers - earlier.servers).max(0.0),
        }
    }

    /// Microseconds spent a request, in all and of it the servers'.
    pub fn per_request_us(self, requests: usize) -> Option<(f64, f64)> {
        if requests == 0 {
            return None;
        }
        let per = |seconds: f64| seconds * 1e6 / requests as f64;
        Some((per(self.ours + self.servers), per(self.servers)))
    }
}

/// A `/proc/<pid>/stat` line's command name and its user + system CPU seconds. The name is in
/// parentheses and may hold spaces or parentheses itself: the fields are read after the last `)`.
fn spent(stat: &str) -> Option<(&str, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?;
    // After the name: state (field 3) … utime (14), stime (15).
    let mut fields = stat.get(close + 1..)?.split_ascii_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((name, (user + system) as f64 / TICKS_PER_SECOND))
}

#[cfg(test)]
mod tests {
    use super::{CpuTime, spent};

    #[test]
    fn a_stat_line_gives_its_name_and_user_plus_system_seconds() {
        let line = "4242 (postgres) S 1 4242 4242 0 -1 4194560 2107 0 0 0 250 75 0 0 20 0 1 0 \
                    123 221184000 3000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0";
        assert_eq!(spent(line), Some(("postgres", 3.25)));
        // A name may hold spaces and parentheses: the fields start after the last ')'.
        let odd = "7 (tokio (rt) x) R 1 7 7 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 1 1 1";
        assert_eq!(spent(odd), Some(("tokio (rt) x", 0.15)));
        assert_eq!(spent("7 (short) R 1 2"), None);
        assert_eq!(spent("garbage"), None);
    }

    #[test]
    fn time_spent_between_readings_is_divided_by_the_requests() {
        let before = CpuTime {
            ours: 10.0,
            servers: 4.0,
        };
        let after = CpuTime {
            ours: 11.5,
            servers: 4.5,
        };
        let spent = after.since(before);
        assert_eq!(spent.per_request_us(1000), Some((2000.0, 500.0)));
        assert_eq!(spent.per_request_us(0), None);
        #[cfg(target_os = "linux")]
        assert!(CpuTime::now().is_some());
    }
}
