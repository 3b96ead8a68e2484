//! A client over plain TCP, one keep-alive connection per cashier, as the
//! load and crash tests drive a served app: every answer is read whole, and
//! a connection the server drops is an error, not a panic.

use std::io::{Error, ErrorKind};
use std::net::{IpAddr, SocketAddr};

use custsync::views::sign_in::SignIn;
use leptos::server_fn::ServerFn;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

pub type Connection = BufReader<TcpStream>;

/// What one request was answered with.
pub struct Reply {
    pub status: u16,
    /// The session cookie the answer set, as `name=value`.
    pub cookie: Option<String>,
    /// Its `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
    pub body: String,
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

pub async fn connect(addr: SocketAddr) -> std::io::Result<Connection> {
    Ok(BufReader::new(TcpStream::connect(addr).await?))
}

/// A connection from another local address (any of 127.0.0.0/8 on Linux),
/// as from another device.
pub async fn connect_from(local: IpAddr, addr: SocketAddr) -> std::io::Result<Connection> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(local, 0))?;
    Ok(BufReader::new(socket.connect(addr).await?))
}

/// Posts `body` to `path` on the connection and reads its whole answer.
pub async fn post(
    connection: &mut Connection,
    path: &str,
    content_type: &str,
    cookie: &str,
    body: &str,
) -> std::io::Result<Reply> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nAccept: application/json\r\n\
         Cookie: {cookie}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    connection.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    read_line(connection, &mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(format!("not a status line: {line:?}")))?;
    let mut length = 0;
    let mut cookie = None;
    let mut retry_after = None;
    loop {
        read_line(connection, &mut line).await?;
        if line == "\r\n" {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("not a header: {line:?}")))?;
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .trim()
                .parse()
                .map_err(|_| invalid(format!("not a length: {value:?}")))?;
        } else if name.eq_ignore_ascii_case("retry-after") {
            retry_after = value.trim().parse().ok();
        } else if name.eq_ignore_ascii_case("set-cookie") {
            cookie = value.trim().split(';').next().map(str::to_string);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(invalid("server functions answer with a length".to_string()));
        }
    }
    let mut body = vec![0; length];
    connection.read_exact(&mut body).await?;
    Ok(Reply {
        status,
        cookie,
        retry_after,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

async fn read_line(connection: &mut Connection, line: &mut String) -> std::io::Result<()> {
    line.clear();
    if connection.read_line(line).await? == 0 {
        return Err(Error::new(
            ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    Ok(())
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidData, message)
}

/// Serves the app on a free local port, over real TCP.
pub async fn serve(backend: custsync::services::backend::Backend) -> SocketAddr {
    let app = super::http::router(backend);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("its address");
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}
