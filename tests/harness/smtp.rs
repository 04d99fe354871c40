//! A real SMTP server on loopback for the e-mail tests: Python's aiosmtpd (Debian's
//! python3-aiosmtpd, installed by scripts/ensure-smtpd) storing what it receives in a maildir,
//! which the tests read.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    port: u16,
    maildir: tempfile::TempDir,
    child: Child,
}

/// A mail the server received.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl ReceivedMail {
    /// The first link in the body that starts with `prefix` (such as `http://localhost:1234/verify-email`).
    pub fn link(&self, prefix: &str) -> Option<String> {
        self.body
            .split_whitespace()
            .find(|word| word.starts_with(prefix))
            .map(str::to_owned)
    }
}

impl SmtpServer {
    /// Starts the server on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        let maildir = tempfile::tempdir().expect("a maildir");
        // A free port: bound, read, released (the server binds it right after).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (run scripts/ensure-smtpd)");
        let server = Self {
            port,
            maildir,
            child,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start (is python3-aiosmtpd installed? scripts/ensure-smtpd)"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The URL for `PLAZA_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn new_dir(&self) -> PathBuf {
        self.maildir.path().join("mail").join("new")
    }

    /// Every mail received so far, oldest first.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        let Ok(entries) = std::fs::read_dir(self.new_dir()) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| {
                let modified = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (modified, e.path())
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| std::fs::read_to_string(path).ok())
            .map(|raw| parse(&raw))
            .collect()
    }

    /// The mails received so far for `to`.
    pub fn mails_to(&self, to: &str) -> Vec<ReceivedMail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to.contains(to))
            .collect()
    }

    /// Waits (up to 20 s) until `to` has received `count` mails; returns them.
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<ReceivedMail> {
        let started = Instant::now();
        loop {
            let mails = self.mails_to(to);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{to} received {} mails, not {count}: {mails:?}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Debian's Python, where python3-aiosmtpd is installed (another python3 on PATH may lack it);
/// `PLAZA_TEST_PYTHON` names another.
fn python() -> String {
    if let Ok(python) = std::env::var("PLAZA_TEST_PYTHON") {
        return python;
    }
    if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3".to_owned()
    } else {
        "python3".to_owned()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Headers and body of a stored mail; quoted-printable bodies are decoded (Plaza's mail is
/// ASCII, but a transfer encoding is the sender's choice).
fn parse(raw: &str) -> ReceivedMail {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    // Folded header lines continue with white space.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let body = if header("Content-Transfer-Encoding").eq_ignore_ascii_case("quoted-printable") {
        decode_quoted_printable(body)
    } else {
        body.to_owned()
    };
    ReceivedMail {
        to: header("To"),
        subject: header("Subject"),
        body,
    }
}

fn decode_quoted_printable(text: &str) -> String {
    let text = text.replace("=\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
