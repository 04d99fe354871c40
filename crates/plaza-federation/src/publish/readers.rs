//! Who reads a group's activities, and in what form. Forum software (Lemmy, Mbin, PieFed, NodeBB,
//! Plaza…) understands FEP-1b12 and gets everything: threads, comments, edits, deletions, votes.
//! Microblogging software (Mastodon and its kin) boosts whatever a group announces, so announcing
//! every comment floods its users' timelines; it gets the threads only, in a form it shows in full.

/// How a receiving server reads a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Gets every activity, announced as FEP-1b12 describes.
    Forum,
    /// Gets new threads as `Note`s (and the withdrawal of those it was sent).
    Microblog,
}

/// Software names (as NodeInfo reports them) whose timelines show every announce as a boost.
const MICROBLOGS: [&str; 16] = [
    "mastodon",
    "hometown",
    "glitchsoc",
    "pleroma",
    "akkoma",
    "misskey",
    "sharkey",
    "firefish",
    "iceshrimp",
    "calckey",
    "foundkey",
    "catodon",
    "gotosocial",
    "snac",
    "takahe",
    "pixelfed",
];

/// The reader for a server running `software`. An unknown server (no NodeInfo yet) is treated as
/// a forum: it may get more than it shows, but nothing it needs is withheld.
pub fn reader(software: Option<&str>) -> Reader {
    match software {
        Some(name) if MICROBLOGS.contains(&name.to_ascii_lowercase().as_str()) => Reader::Microblog,
        _ => Reader::Forum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_reads_as_a_microblog_and_lemmy_or_unknown_as_a_forum() {
        assert_eq!(reader(Some("mastodon")), Reader::Microblog);
        assert_eq!(reader(Some("Misskey")), Reader::Microblog);
        assert_eq!(reader(Some("lemmy")), Reader::Forum);
        assert_eq!(reader(Some("plaza")), Reader::Forum);
        assert_eq!(reader(None), Reader::Forum);
    }
}
