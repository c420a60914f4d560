//! Approximate location from an IP address, with a MaxMind-format City database (GeoLite2 or
//! DB-IP) that the operator passes with `--geoip FILE`. Without one, every location is null:
//! the server never calls an outside service to place its users.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use maxminddb::{Reader, geoip2};

#[derive(Debug, Default)]
pub struct Geo {
    reader: Option<Reader<Vec<u8>>>,
    /// Known places by address, consulted first: the demo data's documentation-range
    /// addresses, which no real database places anywhere.
    table: HashMap<IpAddr, Place>,
}

/// A city and a country, in English; either may be unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub city: Option<String>,
    pub country: Option<String>,
}

impl Geo {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn open(path: &Path) -> Result<Self, maxminddb::MaxMindDbError> {
        Ok(Self {
            reader: Some(Reader::open_readfile(path)?),
            table: HashMap::new(),
        })
    }

    /// This lookup, with `table` in front of it.
    pub fn with_table(self, table: impl IntoIterator<Item = (IpAddr, Place)>) -> Self {
        Self {
            table: table.into_iter().collect(),
            ..self
        }
    }

    /// `None` when there is no database, or it doesn't know the address (private ranges,
    /// documentation ranges, loopback).
    pub fn locate(&self, ip: Option<IpAddr>) -> Option<Place> {
        let ip = ip?;
        if let Some(place) = self.table.get(&ip) {
            return Some(place.clone());
        }
        let reader = self.reader.as_ref()?;
        let city: geoip2::City = reader.lookup(ip).ok().flatten()?;
        let english = |names: Option<std::collections::BTreeMap<&str, &str>>| {
            names.and_then(|n| n.get("en").map(|s| (*s).to_owned()))
        };
        let place = Place {
            city: city.city.and_then(|c| english(c.names)),
            country: city
                .country
                .and_then(|c| english(c.names).or(c.iso_code.map(str::to_owned))),
        };
        (place.city.is_some() || place.country.is_some()).then_some(place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_database_nothing_is_located() {
        assert_eq!(Geo::none().locate(Some(IpAddr::from([8, 8, 8, 8]))), None);
    }

    #[test]
    fn a_missing_database_file_is_an_error_not_a_silent_null() {
        assert!(Geo::open(Path::new("/nonexistent/GeoLite2-City.mmdb")).is_err());
    }
}
