//! A real local S3 API for the `--from-aws` tests: moto's server (`moto_server`), started on a free
//! loopback port and stopped when the handle drops. scripts/test.sh installs it into
//! `$TFREMEDY_MOTO_HOME` (default `~/.cache/tfremedy-moto`); under CI=true its absence fails the test.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn home() -> PathBuf {
    super::cache_home("TFREMEDY_MOTO_HOME", "tfremedy-moto")
}

/// A running moto server; its request log (one line per request) is kept in `log`.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Starts moto, or returns `None` (a skip) when it is not installed outside CI.
    pub fn start() -> Option<Moto> {
        Self::start_with(&[])
    }

    /// Starts moto as account `account` (`MOTO_ACCOUNT_ID`): STS answers with it and every ARN
    /// moto makes names it. AWS managed IAM policies are loaded (`MOTO_IAM_LOAD_MANAGED_POLICIES`),
    /// so that a policy attachment such as AWSCompromisedKeyQuarantineV3 can be applied.
    pub fn start_for_account(account: &str) -> Option<Moto> {
        Self::start_with(&[
            ("MOTO_ACCOUNT_ID", account),
            ("MOTO_IAM_LOAD_MANAGED_POLICIES", "true"),
        ])
    }

    /// Starts moto with these extra environment variables (moto's settings).
    pub fn start_with(env: &[(&str, &str)]) -> Option<Moto> {
        let bin = home().join("bin/moto_server");
        if !bin.exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "moto is not installed in {} and CI=true: scripts/test.sh installs it",
                home().display()
            );
            eprintln!("SKIP live S3 tests: moto not installed (run scripts/test.sh)");
            return None;
        }
        // A free port: bind to 0, read it, release it for moto.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("moto.log");
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !moto.answers(port) {
            assert!(
                Instant::now() < deadline,
                "moto did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    fn answers(&self, port: u16) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let request = "GET /moto-api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        if s.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut buf = [0u8; 12];
        s.read(&mut buf).map(|n| n > 0).unwrap_or(false)
    }

    /// Runs a Python script with moto's own interpreter (it has boto3), the endpoint as argument.
    pub fn run_python(&self, script: &std::path::Path) {
        let out = Command::new(home().join("bin/python"))
            .arg(script)
            .arg(&self.endpoint)
            .output()
            .expect("python runs");
        assert!(
            out.status.success(),
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The request lines moto logged so far (`GET /bucket?policy HTTP/1.1` and the like).
    pub fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let start = l.find('"')?;
                let rest = &l[start + 1..];
                Some(strip_colours(&rest[..rest.find('"')?]))
            })
            .collect()
    }
}

/// Removes the ANSI colour sequences moto puts around non-200 request lines.
fn strip_colours(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
