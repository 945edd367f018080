//! A deliberately small HTTP/1.1 server core: request parsing and response writing over a
//! `TcpStream`, with keep-alive.
//!
//! Hand-written on `std::net` (like cargo's test-support registry) rather than a framework, so
//! that faults can be injected at the byte level: a response can stop half-way through its body
//! with a clean close (truncation) or with a TCP RST (connection reset).

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A parsed request. Header names are lowercased.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// Path without the query string, still percent-encoded.
    pub(crate) path: String,
    /// The raw query string (without `?`), empty when absent.
    pub(crate) query: String,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Query parameter value, percent-decoded.
    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| decode(v))
        })
    }

    fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// Percent-decodes a path segment or query value (`+` stays `+`, as in a path).
pub(crate) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// How the body of a response is to be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// All of it.
    Full,
    /// Half of the body, then a clean close (the client sees a short body).
    Truncate,
    /// Half of the body, then a TCP reset.
    Reset,
    /// Half of the body, a pause, then the rest (a slow network; an install in progress).
    Stall(Duration),
}

/// A response ready to be written.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) delivery: Delivery,
    pub(crate) delay: Option<Duration>,
}

impl Response {
    pub(crate) fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delivery: Delivery::Full,
            delay: None,
        }
    }

    pub(crate) fn json(status: u16, value: &serde_json::Value) -> Response {
        let mut body = serde_json::to_vec_pretty(value).expect("JSON values serialize");
        body.push(b'\n');
        Response::new(status)
            .header("Content-Type", "application/json; charset=utf-8")
            .body(body)
    }

    pub(crate) fn message(status: u16, message: &str) -> Response {
        Response::json(
            status,
            &serde_json::json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest",
                "status": status.to_string(),
            }),
        )
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: Vec<u8>) -> Response {
        self.body = body;
        self
    }

    pub(crate) fn get_header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Reads one request; `Ok(None)` on a clean end of stream between requests.
fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let line = line.trim_end();
    let mut parts = line.split(' ');
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    // A request through a proxy carries an absolute URI: keep only its path.
    let target = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = BTreeMap::new();
    let mut total = 0usize;
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h)?;
        total += n;
        if n == 0 || total > 64 * 1024 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "bad headers"));
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(16 * 1024 * 1024)];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    }))
}

/// Writes `response`; returns whether the connection may be reused.
fn write_response(stream: &mut TcpStream, req: &Request, response: &Response) -> io::Result<bool> {
    if let Some(delay) = response.delay {
        std::thread::sleep(delay);
    }
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (k, v) in &response.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let keep_alive = response.delivery == Delivery::Full && !req.wants_close();
    head.push_str(&format!("Content-Length: {}\r\n", response.body.len()));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    stream.write_all(head.as_bytes())?;
    if req.method == "HEAD" {
        stream.flush()?;
        return Ok(keep_alive);
    }
    match response.delivery {
        Delivery::Full => stream.write_all(&response.body)?,
        Delivery::Truncate => {
            stream.write_all(&response.body[..response.body.len() / 2])?;
            stream.flush()?;
            stream.shutdown(std::net::Shutdown::Both)?;
        }
        Delivery::Reset => {
            stream.write_all(&response.body[..response.body.len() / 2])?;
            stream.flush()?;
            // Linger 0 turns the close into an RST: a "connection reset by peer" mid-body.
            socket2::SockRef::from(&*stream).set_linger(Some(Duration::ZERO))?;
        }
        Delivery::Stall(pause) => {
            let half = response.body.len() / 2;
            stream.write_all(&response.body[..half])?;
            stream.flush()?;
            std::thread::sleep(pause);
            stream.write_all(&response.body[half..])?;
        }
    }
    stream.flush()?;
    Ok(keep_alive)
}

/// Serves requests on one connection until it closes, calling `handle` for each.
pub(crate) fn serve_connection(stream: TcpStream, handle: &dyn Fn(&Request) -> Response) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Ok(Some(req)) = read_request(&mut reader) {
        let response = handle(&req);
        match write_response(&mut writer, &req, &response) {
            Ok(true) => {}
            _ => break,
        }
    }
}
