//! How many connections the server may hold at once: as many as the open-file limit allows
//! after what the rest of the process needs. Past that, `accept` fails with `EMFILE` and the
//! database can no longer open its files either: the server stops answering even `/api/health`.

/// Descriptors kept out of the connection cap: stdin, stdout and stderr (where the logs go);
/// the listener; the runtime's epoll, event and signal descriptors; the SQLite pool's 8
/// connections, each with the database and its WAL file open, plus the shared-memory (SHM)
/// file and SQLite's temporary files; the GeoIP database; and slack for what libraries open.
pub const RESERVED_FILES: u64 = 64;

use crate::web::MAX_FILE_SENDS;

/// What the open-file limit is split into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Connections served at once (`--max-connections`): one socket each.
    pub connections: usize,
    /// Files of `dist/` being sent at once: one more descriptor each, held until the body
    /// ends (`web::FileSends`, which waits for a permit past it).
    pub file_sends: usize,
}

/// Raises the soft open-file limit to the hard one, then derives the caps from it, or checks
/// the connection cap asked for (`--max-connections`) against it.
pub fn caps(requested: Option<usize>) -> Result<Caps, String> {
    let limit = rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|err| format!("can't read or raise the open-file limit: {err}"))?;
    let Some(caps) = split(limit) else {
        return Err(format!(
            "the open-file limit ({limit}) leaves no room for connections: {RESERVED_FILES} \
             descriptors are kept for the database, the logs and the server itself, and at \
             least one for sending the app's files (raise it with `ulimit -n`)"
        ));
    };
    match requested {
        Some(0) => Err("--max-connections must be at least 1".to_owned()),
        Some(n) if n > caps.connections => Err(format!(
            "--max-connections {n} is more than the open-file limit ({limit}) allows: at most \
             {}, after {RESERVED_FILES} descriptors for the database, the logs and the server \
             itself, and {} for files of the app being sent (raise the hard limit, e.g. \
             `ulimit -Hn` or systemd's `LimitNOFILE=`)",
            caps.connections, caps.file_sends
        )),
        Some(n) => Ok(Caps {
            connections: n,
            ..caps
        }),
        None => Ok(caps),
    }
}

/// After the reserve, a quarter (at most `MAX_FILE_SENDS`, at least one) for files being
/// sent and the rest for connections. Not half and half: only a connection that is sending a
/// file holds a second descriptor, and an idle `GET /api/events` stream never does.
fn split(limit: u64) -> Option<Caps> {
    let room = limit.saturating_sub(RESERVED_FILES);
    let file_sends = (room / 4).clamp(1, MAX_FILE_SENDS as u64);
    let connections = room.checked_sub(file_sends).filter(|&n| n > 0)?;
    Some(Caps {
        connections: usize::try_from(connections).unwrap_or(usize::MAX),
        file_sends: usize::try_from(file_sends).unwrap_or(usize::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(connections: usize, file_sends: usize) -> Option<Caps> {
        Some(Caps {
            connections,
            file_sends,
        })
    }

    #[test]
    fn the_reserve_comes_off_then_file_sends_then_connections() {
        // This machine's hard limit: 10,000 streams fit with room to spare.
        assert_eq!(split(20_000), caps(19_680, 256));
        // The least that holds 10,000 streams.
        assert_eq!(split(10_320), caps(10_000, 256));
        // A common default soft limit, where a quarter is less than the most file sends.
        assert_eq!(split(1_024), caps(720, 240));
        assert_eq!(split(RESERVED_FILES + 4), caps(3, 1));
        assert_eq!(split(RESERVED_FILES + 2), caps(1, 1));
        assert_eq!(split(RESERVED_FILES + 1), None);
        assert_eq!(split(10), None);
    }

    #[test]
    fn every_descriptor_is_counted_once() {
        for limit in [RESERVED_FILES + 2, 1_024, 4_096, 20_000, 1 << 20] {
            let caps = split(limit).expect("room");
            let used = RESERVED_FILES + caps.connections as u64 + caps.file_sends as u64;
            assert_eq!(used, limit, "{limit}");
        }
    }
}
