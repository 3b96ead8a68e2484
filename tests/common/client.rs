//! An HTTP/1.1 client on hyper, one keep-alive connection per cashier, as
//! the load and crash tests and the bench drive a served app: every answer
//! is read whole, whatever its framing (a length or chunks), and a
//! connection the server drops is an error, not a panic. The bench takes
//! this file too (`benches/custsync/main.rs`).

use std::io::{Error, ErrorKind};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use custsync::api::sign_in::SignIn;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT, CONTENT_TYPE, COOKIE, HOST, HeaderValue, RETRY_AFTER, SET_COOKIE};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use leptos::server_fn::ServerFn;
use tokio::net::{TcpSocket, TcpStream};

/// One keep-alive connection to the server.
pub struct Connection(SendRequest<Full<Bytes>>);

/// What one request was answered with.
pub struct Reply {
    pub status: u16,
    /// The session cookie the answer set, as `name=value`.
    pub cookie: Option<String>,
    /// Its `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    pub body: String,
}

pub async fn connect(addr: SocketAddr) -> std::io::Result<Connection> {
    open(TcpStream::connect(addr).await?).await
}

/// A connection from another local address (any of 127.0.0.0/8 on Linux),
/// as from another device.
pub async fn connect_from(local: IpAddr, addr: SocketAddr) -> std::io::Result<Connection> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(local, 0))?;
    open(socket.connect(addr).await?).await
}

async fn open(stream: TcpStream) -> std::io::Result<Connection> {
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(broken)?;
    // Drives the connection's reads and writes; it ends when either side
    // closes it, which the next request then reports.
    tokio::spawn(connection);
    Ok(Connection(sender))
}

/// Signs `user_name` in on the connection, as the Sign in form posts.
pub async fn sign_in(connection: &mut Connection, user_name: &str, password: &str) -> std::io::Result<Reply> {
    let body = format!("user_name={user_name}&password={password}");
    post(
        connection,
        SignIn::PATH,
        "application/x-www-form-urlencoded",
        "",
        &body,
    )
    .await
}

/// Posts `body` to `path` on the connection and reads its whole answer.
pub async fn post(
    connection: &mut Connection,
    path: &str,
    content_type: &str,
    cookie: &str,
    body: &str,
) -> std::io::Result<Reply> {
    let request = request(Method::POST, path, "application/json", cookie)
        .header(CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::copy_from_slice(body.as_bytes())))
        .map_err(invalid)?;
    send(connection, request).await
}

/// Gets a page as a browser would, on the connection, and reads its whole
/// streamed answer.
pub async fn get(connection: &mut Connection, path: &str, cookie: &str) -> std::io::Result<Reply> {
    let request = request(Method::GET, path, "text/html", cookie)
        .body(Full::new(Bytes::new()))
        .map_err(invalid)?;
    send(connection, request).await
}

/// What a download brought: its status, the bytes read, and how long after
/// the request was sent the first of them came (none for an empty body).
pub struct Downloaded {
    pub status: u16,
    pub length: u64,
    pub first_byte_after: Option<Duration>,
}

/// Gets `path` and reads its answer as it streams, keeping none of it (a
/// download larger than memory).
pub async fn download(connection: &mut Connection, path: &str, cookie: &str) -> std::io::Result<Downloaded> {
    let request = request(Method::GET, path, "*/*", cookie)
        .body(Full::new(Bytes::new()))
        .map_err(invalid)?;
    connection.0.ready().await.map_err(broken)?;
    let sent = Instant::now();
    let response = connection.0.send_request(request).await.map_err(broken)?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut length = 0;
    let mut first_byte_after = None;
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame.map_err(broken)?.data_ref()
            && !data.is_empty()
        {
            first_byte_after.get_or_insert_with(|| sent.elapsed());
            length += data.len() as u64;
        }
    }
    Ok(Downloaded {
        status,
        length,
        first_byte_after,
    })
}

fn request(method: Method, path: &str, accept: &str, cookie: &str) -> hyper::http::request::Builder {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, "127.0.0.1")
        .header(ACCEPT, accept);
    if cookie.is_empty() {
        request
    } else {
        request.header(COOKIE, cookie)
    }
}

async fn send(connection: &mut Connection, request: Request<Full<Bytes>>) -> std::io::Result<Reply> {
    connection.0.ready().await.map_err(broken)?;
    let response = connection.0.send_request(request).await.map_err(broken)?;
    let status = response.status().as_u16();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    let cookie = header(SET_COOKIE)
        .and_then(|value| value.split(';').next())
        .map(str::to_string);
    let retry_after = header(RETRY_AFTER).and_then(|value| value.trim().parse().ok());
    let body = response.into_body().collect().await.map_err(broken)?.to_bytes();
    Ok(Reply {
        status,
        cookie,
        retry_after,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn broken(error: hyper::Error) -> Error {
    Error::new(ErrorKind::ConnectionAborted, error)
}

fn invalid(error: hyper::http::Error) -> Error {
    Error::new(ErrorKind::InvalidInput, error)
}
