//! HTTPS for the fake GitHub: a throwaway certificate authority and a TLS front per listener.
//!
//! [`TestCa`] makes a CA (rcgen) and a server certificate it signs for `127.0.0.1` and
//! `localhost`; its PEM goes into a file a test points `SSL_CERT_FILE` at, exactly as a user
//! trusts a corporate CA. [`HttpsFront`] accepts TLS on a loopback port, terminates it
//! (rustls, ring) and forwards the plain bytes to a listener of the [`FakeGitHub`] that knows
//! it sits behind TLS (so links and redirects it writes say `https://`). The plain listeners
//! stay as they are; HTTP parsing stays in one place.
//!
//! ```no_run
//! use testkit::{FakeGitHub, Listener};
//! use testkit::tls::{HttpsFront, TestCa};
//!
//! let github = FakeGitHub::start();
//! let ca = TestCa::new();
//! let api = HttpsFront::start(&github, &ca, Listener::Api).unwrap();
//! let dir = std::env::temp_dir();
//! let bundle = ca.write_pem(&dir).unwrap();
//! // SSL_CERT_FILE=<bundle>, API URL api.url() — or leave SSL_CERT_FILE unset to see the
//! // untrusted-issuer error.
//! # let _ = (api, bundle);
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};

use crate::server::{FakeGitHub, Listener};

/// A throwaway certificate authority and one server certificate it issued.
pub struct TestCa {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

impl TestCa {
    /// A fresh CA ("skillrig testkit CA <n>", a name no other instance has, as distinct CAs
    /// have) and a server certificate for `127.0.0.1`, `localhost` and `::1`.
    pub fn new() -> TestCa {
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            format!("skillrig testkit CA {}-{n}", std::process::id()),
        );
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key"))
            .expect("self-signed CA");
        let server_key = KeyPair::generate().expect("server key");
        let server = CertificateParams::new(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
            "::1".to_owned(),
        ])
        .expect("server params")
        .signed_by(&server_key, &ca)
        .expect("server certificate");
        TestCa {
            ca_pem: ca.pem(),
            chain: vec![server.der().clone(), ca.der().clone()],
            key_der: server_key.serialize_der(),
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.ca_pem
    }

    /// Writes the CA certificate to `<dir>/testkit-ca.pem` and returns the path (for
    /// `SSL_CERT_FILE`).
    pub fn write_pem(&self, dir: &Path) -> io::Result<PathBuf> {
        let path = dir.join("testkit-ca.pem");
        std::fs::write(&path, &self.ca_pem)?;
        Ok(path)
    }

    fn server_config(&self) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)
            .expect("server certificate and key match");
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> TestCa {
        TestCa::new()
    }
}

/// A TLS listener on loopback in front of one of the fake's listeners. Dropping it stops
/// accepting.
pub struct HttpsFront {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl HttpsFront {
    /// Serves `which` over TLS with `ca`'s server certificate. For [`Listener::Storage`], the
    /// API's signed asset redirects then point at this front (`https://`).
    pub fn start(github: &FakeGitHub, ca: &TestCa, which: Listener) -> io::Result<HttpsFront> {
        let backend = github.tls_backend(which)?;
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let config = ca.server_config();
        let stop2 = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = stream else { continue };
                let config = config.clone();
                std::thread::spawn(move || {
                    let _ = relay(client, backend, config);
                });
            }
        });
        if which == Listener::Storage {
            github.set_storage_base(Some(format!("https://{addr}")));
        }
        Ok(HttpsFront { addr, stop })
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The front's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for HttpsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Terminates TLS on `client` and relays plain bytes to and from `backend` until either side
/// closes. The rustls state is shared by the two directions under a mutex; socket reads
/// happen outside it.
fn relay(client: TcpStream, backend: SocketAddr, config: Arc<ServerConfig>) -> io::Result<()> {
    let tls = Arc::new(Mutex::new(
        ServerConnection::new(config).map_err(io::Error::other)?,
    ));
    let plain = TcpStream::connect(backend)?;
    let _ = client.set_nodelay(true);
    let _ = client.set_read_timeout(Some(Duration::from_secs(60)));

    // backend → client: encrypt what the fake answers.
    let (tls2, mut client_out, mut plain_in) =
        (tls.clone(), client.try_clone()?, plain.try_clone()?);
    let down = std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match plain_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut conn = tls2.lock().unwrap_or_else(|e| e.into_inner());
            if conn.writer().write_all(&buf[..n]).is_err()
                || flush_tls(&mut conn, &mut client_out).is_err()
            {
                break;
            }
        }
        let mut conn = tls2.lock().unwrap_or_else(|e| e.into_inner());
        conn.send_close_notify();
        let _ = flush_tls(&mut conn, &mut client_out);
        let _ = client_out.shutdown(Shutdown::Write);
    });

    // client → backend: decrypt what the client sends (and answer the handshake).
    let (mut client_in, mut client_out, mut plain_out) = (client.try_clone()?, client, plain);
    let mut buf = [0u8; 16 * 1024];
    let mut plaintext = Vec::new();
    'outer: loop {
        let n = match client_in.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        {
            let mut conn = tls.lock().unwrap_or_else(|e| e.into_inner());
            let mut rd = &buf[..n];
            while !rd.is_empty() {
                if conn.read_tls(&mut rd).is_err() {
                    break 'outer;
                }
                if conn.process_new_packets().is_err() {
                    // Tell the client why (an alert), then give up.
                    let _ = flush_tls(&mut conn, &mut client_out);
                    break 'outer;
                }
            }
            plaintext.clear();
            let _ = conn.reader().read_to_end(&mut plaintext);
            if flush_tls(&mut conn, &mut client_out).is_err() {
                break;
            }
        }
        if !plaintext.is_empty() && plain_out.write_all(&plaintext).is_err() {
            break;
        }
    }
    let _ = plain_out.shutdown(Shutdown::Both);
    let _ = down.join();
    Ok(())
}

fn flush_tls(conn: &mut ServerConnection, out: &mut TcpStream) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(out)?;
    }
    out.flush()
}
