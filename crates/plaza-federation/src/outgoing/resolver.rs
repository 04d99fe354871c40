//! The DNS resolver of the outgoing client. The address a name resolves to is checked here, at
//! the moment of connecting, with the very answer the connection will use: a name that resolved
//! to a public address a moment ago (when a URL was first checked) and now answers 10.0.0.1 is
//! refused. Checking earlier and connecting later would leave that gap open (DNS rebinding).

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address::is_public;

/// A connection refused because of where it would lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRefused {
    /// The host as named in the URL.
    pub host: String,
    /// The address it led to.
    pub ip: IpAddr,
}

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} leads to {}, which is not a public address",
            self.host, self.ip
        )
    }
}

impl std::error::Error for AddressRefused {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Lookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>
        + Send
        + Sync,
>;

/// Resolves names, refusing those that lead to internal addresses unless `allow_internal`.
#[derive(Clone)]
pub struct GuardedResolver {
    allow_internal: bool,
    lookup: Lookup,
    /// Names let through whatever they resolve to; empty outside tests, where they stand for
    /// public servers that a test can only run on loopback.
    stand_ins: Arc<[String]>,
}

impl GuardedResolver {
    /// Resolves with the system's resolver.
    pub fn system(allow_internal: bool) -> Self {
        Self {
            allow_internal,
            lookup: Arc::new(|host: String| {
                Box::pin(async move {
                    // The port is replaced by the URL's when connecting.
                    Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect())
                })
            }),
            stand_ins: Arc::new([]),
        }
    }

    /// Resolves from a fixed table: a stand-in for a DNS server that answers what a test wants.
    #[cfg(test)]
    pub fn fixed(allow_internal: bool, table: Vec<(&str, Vec<IpAddr>)>) -> Self {
        let table: std::collections::HashMap<String, Vec<IpAddr>> = table
            .into_iter()
            .map(|(name, ips)| (name.to_owned(), ips))
            .collect();
        let table = Arc::new(table);
        Self {
            allow_internal,
            lookup: Arc::new(move |host: String| {
                let found = table.get(&host).cloned();
                Box::pin(async move {
                    let ips = found.ok_or_else(|| {
                        std::io::Error::new(std::io::ErrorKind::NotFound, "no such name")
                    })?;
                    Ok(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
                })
            }),
            stand_ins: Arc::new([]),
        }
    }

    /// Like [`GuardedResolver::fixed`] outside dev mode, with `public` names standing for public
    /// servers (their loopback addresses are let through).
    #[cfg(test)]
    pub fn fixed_with_public(
        internal: Vec<(&str, Vec<IpAddr>)>,
        public: Vec<(&str, Vec<IpAddr>)>,
    ) -> Self {
        let stand_ins: Vec<String> = public.iter().map(|(n, _)| (*n).to_owned()).collect();
        let mut resolver = Self::fixed(false, internal.into_iter().chain(public).collect());
        resolver.stand_ins = stand_ins.into();
        resolver
    }

    /// Resolves `host` and checks every address it answers.
    pub async fn resolve_checked(&self, host: &str) -> Result<Vec<SocketAddr>, BoxError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let addrs = (self.lookup)(host.clone()).await?;
        let allow = self.allow_internal || self.stand_ins.contains(&host);
        screen(&host, addrs, allow).map_err(Into::into)
    }
}

/// The addresses a name resolved to, if every one of them may be reached. A name that answers
/// one internal address among public ones is refused whole: the client could pick any of them.
pub fn screen(
    host: &str,
    addrs: Vec<SocketAddr>,
    allow_internal: bool,
) -> Result<Vec<SocketAddr>, AddressRefused> {
    if !allow_internal && let Some(bad) = addrs.iter().map(|a| a.ip()).find(|ip| !is_public(*ip)) {
        return Err(AddressRefused {
            host: host.to_owned(),
            ip: bad,
        });
    }
    Ok(addrs)
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = this.resolve_checked(&host).await?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(ips: &[&str]) -> Vec<SocketAddr> {
        ips.iter()
            .map(|ip| SocketAddr::new(ip.parse().unwrap(), 0))
            .collect()
    }

    #[test]
    fn a_name_with_any_internal_address_is_refused_outside_dev_mode() {
        let refused = screen("evil.example", addrs(&["93.184.216.34", "10.0.0.1"]), false);
        assert_eq!(
            refused,
            Err(AddressRefused {
                host: "evil.example".into(),
                ip: "10.0.0.1".parse().unwrap()
            })
        );
        assert!(screen("ok.example", addrs(&["93.184.216.34"]), false).is_ok());
        assert!(screen("dev.example", addrs(&["10.0.0.1"]), true).is_ok());
    }

    #[tokio::test]
    async fn a_name_that_rebinds_to_a_private_address_is_refused_when_connecting() {
        // What a rebinding server answers on the second lookup, the one made when connecting.
        let strict = GuardedResolver::fixed(
            false,
            vec![("rebind.example", vec!["10.0.0.1".parse().unwrap()])],
        );
        let error = strict.resolve_checked("rebind.example.").await.unwrap_err();
        assert!(error.is::<AddressRefused>(), "{error}");
        let dev = GuardedResolver::fixed(
            true,
            vec![("rebind.example", vec!["10.0.0.1".parse().unwrap()])],
        );
        assert!(dev.resolve_checked("rebind.example").await.is_ok());
    }
}
