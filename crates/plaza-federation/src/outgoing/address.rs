//! Which IP addresses an outgoing request may reach outside development mode: only globally
//! routed ones. Anything that can lead into the machine or its network (loopback, private and
//! shared ranges, link-local, unique-local, multicast, unspecified, reserved, documentation) is
//! refused, and so are the IPv6 forms that carry such an IPv4 address inside.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether a request may connect to `ip` outside development mode.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let special = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        // "This network": Linux connects 0.x.x.x to the machine itself.
        || a == 0
        // Shared address space (carrier-grade NAT), often a cloud's internal services.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, and benchmarking networks.
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
        // Reserved for future use (240/4).
        || a >= 240;
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    // Forms that carry an IPv4 address are judged by that address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    match s {
        // NAT64's well-known prefix (64:ff9b::/96): the IPv4 address is in the last 32 bits.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return is_public_v4(v4_from(hi, lo)),
        // 6to4 (2002::/16): the IPv4 address follows the prefix.
        [0x2002, hi, lo, ..] => return is_public_v4(v4_from(hi, lo)),
        _ => {}
    }
    let special = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // IPv4-compatible (::/96, deprecated): no public host uses it.
        || s[..6] == [0; 6]
        // Unique-local (fc00::/7), link-local (fe80::/10) and the old site-local (fec0::/10).
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // Local-use NAT64 (64:ff9b:1::/48), discard-only (100::/64), Teredo (2001::/32), whose
        // embedded address is obscured, and documentation (2001:db8::/32, 3fff::/20).
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
        || (s[0] == 0x100 && s[1..4] == [0; 3])
        || (s[0] == 0x2001 && s[1] == 0)
        || (s[0] == 0x2001 && s[1] == 0xdb8)
        || (s[0] == 0x3fff && s[1] < 0x1000);
    !special
}

fn v4_from(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(ip: &str) -> bool {
        is_public(ip.parse().unwrap_or_else(|e| panic!("{ip}: {e}")))
    }

    #[test]
    fn internal_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "198.18.0.1",
            "192.0.2.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:c0a8:101::",
            "2001::1",
            "2001:db8::1",
            "3fff:123::1",
            "100::1",
        ] {
            assert!(!public(ip), "{ip} counted as public");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "64:ff9b::808:808",
            "2002:808:808::",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(ip), "{ip} counted as internal");
        }
    }
}
