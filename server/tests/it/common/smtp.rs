//! A real SMTP server for tests: Python's aiosmtpd (installed by `make test`),
//! printing every message it receives.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    pub port: u16,
    child: Child,
    pub lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}

pub fn smtp_server() -> SmtpServer {
    smtp_server_on(free_port())
}

pub fn smtp_server_on(port: u16) -> SmtpServer {
    let mut child = Command::new("python3")
        .args(["-u", "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Debugging", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (make test installs it)");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Wait until it accepts connections.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    SmtpServer { port, child, lines }
}

/// Collects messages (header and body text, folded lines joined) until one
/// contains `needle`.
pub fn wait_for_mail(smtp: &SmtpServer, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut all = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = smtp.lines.recv_timeout(left).unwrap_or_else(|_| panic!("no mail with {needle:?}; got:\n{all}"));
        if line.starts_with(' ') || line.starts_with('\t') {
            all.push_str(line.trim_start());
        } else {
            all.push('\n');
            all.push_str(&line);
        }
        if all.contains(needle) {
            // Read the rest of this message.
            while let Ok(more) = smtp.lines.recv_timeout(Duration::from_millis(300)) {
                all.push('\n');
                all.push_str(&more);
            }
            return all;
        }
    }
}

/// The Message-ID of every message received, in order (a message received twice
/// is listed twice), gathered until `enough` says so or `timeout` passes.
pub fn message_ids(smtp: &SmtpServer, timeout: Duration, enough: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut ids = Vec::new();
    while !enough(&ids) {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = smtp.lines.recv_timeout(left) else { break };
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("message-id") {
                ids.push(value.trim().to_string());
            }
        }
    }
    ids
}
