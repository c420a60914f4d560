//! How many connections the server may hold at once: as many as the open-file limit allows
//! after what the rest of the process needs. Past that, `accept` fails with `EMFILE` and the
//! database can no longer open its files either: the server stops answering even `/api/health`.

/// Descriptors kept out of the connection cap: stdin, stdout and stderr (where the logs go);
/// the listener; the runtime's epoll, event and signal descriptors; the SQLite pool's 8
/// connections, each with the database and its WAL file open, plus the shared-memory (SHM)
/// file and SQLite's temporary files; the GeoIP database; and slack for what libraries open.
pub const RESERVED_FILES: u64 = 64;

/// Raises the soft open-file limit to the hard one, then derives the cap from it, or checks
/// the one asked for (`--max-connections`) against it.
pub fn connection_cap(requested: Option<usize>) -> Result<usize, String> {
    let limit = rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|err| format!("can't read or raise the open-file limit: {err}"))?;
    let room = room_for_connections(limit);
    if room == 0 {
        return Err(format!(
            "the open-file limit ({limit}) leaves no room for connections: {RESERVED_FILES} \
             descriptors are kept for the database, the logs and the server itself \
             (raise it with `ulimit -n`)"
        ));
    }
    match requested {
        Some(0) => Err("--max-connections must be at least 1".to_owned()),
        Some(n) if n as u64 > room => Err(format!(
            "--max-connections {n} is more than the open-file limit ({limit}) allows: at most \
             {room}, after {RESERVED_FILES} descriptors for the database, the logs and the \
             server itself, and one more per connection for a file it may be sending"
        )),
        Some(n) => Ok(n),
        None => Ok(usize::try_from(room).unwrap_or(usize::MAX)),
    }
}

/// Half of what the reserve leaves: a connection sending a file from `dist/` holds that
/// file's descriptor as well as its socket's.
fn room_for_connections(limit: u64) -> u64 {
    limit.saturating_sub(RESERVED_FILES) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reserve_comes_off_before_halving() {
        assert_eq!(room_for_connections(20_000), 9_968);
        assert_eq!(room_for_connections(1_024), 480);
        assert_eq!(room_for_connections(RESERVED_FILES + 1), 0);
        assert_eq!(room_for_connections(10), 0);
    }
}
