//! A Socket.IO client for the tests, small enough to read: Engine.IO 4
//! over a WebSocket only, Socket.IO 5's text packets on the main
//! namespace. It sends what Feathers' socket client sends
//! (`42<ack>["find","messages",{..}]`) and lets a test send what no client
//! would (any text frame, a frame of any size).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for one packet before it fails.
pub const WAIT: Duration = Duration::from_secs(30);

/// One connected socket.
pub struct Client {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_ack: u64,
    /// Events received while waiting for something else: `(name, data)`.
    events: VecDeque<(String, Value)>,
    closed: bool,
}

/// Why a client could not go on.
#[derive(Debug)]
pub enum Closed {
    /// The server ended the namespace (`41`) or the connection.
    Disconnected,
    /// Nothing came in time.
    TimedOut,
}

impl Client {
    /// Connects to the app served at `address`, with extra handshake
    /// headers (`Authorization`).
    pub async fn connect_with(
        address: SocketAddr,
        headers: &[(&str, &str)],
    ) -> Result<Client, Closed> {
        let url = format!("ws://{address}/socket.io/?EIO=4&transport=websocket");
        let mut request = url.into_client_request().expect("a valid URL");
        for (name, value) in headers {
            request.headers_mut().insert(
                http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                value.parse().expect("a header value"),
            );
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|_| Closed::Disconnected)?;
        let mut client = Client {
            socket,
            next_ack: 0,
            events: VecDeque::new(),
            closed: false,
        };
        let open = client.next_text().await?;
        assert!(
            open.starts_with('0'),
            "an Engine.IO open packet, got {open}"
        );
        client.send_raw("40").await;
        loop {
            let packet = client.next_text().await?;
            if packet.starts_with("40") {
                return Ok(client);
            }
            if packet.starts_with("41") || packet.starts_with("44") {
                return Err(Closed::Disconnected);
            }
        }
    }

    /// Connects with no extra header.
    pub async fn connect(address: SocketAddr) -> Client {
        Client::connect_with(address, &[])
            .await
            .expect("the socket connects")
    }

    /// Sends one text frame as is.
    pub async fn send_raw(&mut self, text: &str) {
        if std::env::var("SIO_DEBUG").is_ok() {
            eprintln!(">> {}", &text[..text.len().min(200)]);
        }
        let _ = self.socket.send(Message::text(text.to_owned())).await;
    }

    /// The next Engine.IO text packet, answering pings on the way.
    async fn next_text(&mut self) -> Result<String, Closed> {
        loop {
            if self.closed {
                return Err(Closed::Disconnected);
            }
            let frame = match tokio::time::timeout(WAIT, self.socket.next()).await {
                Err(_) => return Err(Closed::TimedOut),
                Ok(None | Some(Err(_))) => {
                    self.closed = true;
                    return Err(Closed::Disconnected);
                }
                Ok(Some(Ok(frame))) => frame,
            };
            match frame {
                Message::Text(text) if text.as_str() == "2" => self.send_raw("3").await,
                Message::Text(text) => {
                    if std::env::var("SIO_DEBUG").is_ok() {
                        eprintln!("<< {}", &text.as_str()[..text.len().min(200)]);
                    }
                    return Ok(text.as_str().to_owned());
                }
                Message::Close(_) => {
                    self.closed = true;
                    return Err(Closed::Disconnected);
                }
                _ => {}
            }
        }
    }

    /// The next Socket.IO packet on the main namespace; an event is kept
    /// aside in `events` and answered as an empty packet.
    async fn next_packet(&mut self) -> Result<String, Closed> {
        let text = self.next_text().await?;
        if text.starts_with("41") {
            self.closed = true;
            return Err(Closed::Disconnected);
        }
        // An event has no ack id: its array follows the type at once.
        if let Some(event) = text
            .strip_prefix("42")
            .filter(|event| event.starts_with('['))
        {
            let mut array: Vec<Value> =
                serde_json::from_str(event).expect("an event is a JSON array");
            let name = array.remove(0).as_str().unwrap_or_default().to_owned();
            let data = array.into_iter().next().unwrap_or(Value::Null);
            self.events.push_back((name, data));
            // Kept aside: an empty packet tells the caller to look.
            return Ok(String::new());
        }
        Ok(text)
    }

    /// Emits `method` with `args` (path first) and an acknowledgement;
    /// the acknowledgement's arguments (`[null, result]` or `[error]`).
    pub async fn call(&mut self, method: &str, args: &[Value]) -> Result<Vec<Value>, Closed> {
        let mut packet = vec![Value::from(method)];
        packet.extend(args.iter().cloned());
        let text = serde_json::to_string(&packet).expect("JSON");
        self.call_raw(&text).await
    }

    /// Emits a packet whose array is `array_text` as sent, with an ack.
    pub async fn call_raw(&mut self, array_text: &str) -> Result<Vec<Value>, Closed> {
        let ack = self.next_ack;
        self.next_ack += 1;
        self.send_raw(&format!("42{ack}{array_text}")).await;
        self.ack(ack).await
    }

    /// Emits `method` with `args` and an ack id, without waiting.
    pub async fn send_call(&mut self, method: &str, args: &[Value]) -> u64 {
        let ack = self.next_ack;
        self.next_ack += 1;
        let mut packet = vec![Value::from(method)];
        packet.extend(args.iter().cloned());
        let text = serde_json::to_string(&packet).expect("JSON");
        self.send_raw(&format!("42{ack}{text}")).await;
        ack
    }

    /// Waits for the acknowledgement `ack`.
    pub async fn ack(&mut self, ack: u64) -> Result<Vec<Value>, Closed> {
        let prefix = format!("43{ack}");
        loop {
            let packet = self.next_packet().await?;
            if let Some(body) = packet.strip_prefix(&prefix) {
                if body.starts_with('[') {
                    return Ok(serde_json::from_str(body).expect("an ack is a JSON array"));
                }
            }
        }
    }

    /// The next acknowledgement, whichever call it answers: its id and
    /// arguments.
    pub async fn any_ack(&mut self) -> Result<(u64, Vec<Value>), Closed> {
        loop {
            let packet = self.next_packet().await?;
            let Some(body) = packet.strip_prefix("43") else {
                continue;
            };
            let Some(start) = body.find('[') else {
                continue;
            };
            if let Ok(id) = body[..start].parse() {
                let arguments =
                    serde_json::from_str(&body[start..]).expect("an ack is a JSON array");
                return Ok((id, arguments));
            }
        }
    }

    /// A call's result, failing the test on an error acknowledgement.
    pub async fn ok(&mut self, method: &str, args: &[Value]) -> Value {
        let answer = self.call(method, args).await.expect("an acknowledgement");
        assert!(answer[0].is_null(), "{method} {args:?} failed: {answer:?}");
        answer.get(1).cloned().unwrap_or(Value::Null)
    }

    /// A call's error, failing the test on a result.
    pub async fn error(&mut self, method: &str, args: &[Value]) -> Value {
        let answer = self.call(method, args).await.expect("an acknowledgement");
        assert_eq!(answer.len(), 1, "{method} {args:?} should fail: {answer:?}");
        answer[0].clone()
    }

    /// The next event named `name`, waiting up to [`WAIT`].
    pub async fn event(&mut self, name: &str) -> Result<Value, Closed> {
        loop {
            if let Some(position) = self.events.iter().position(|(event, _)| event == name) {
                let (_, data) = self.events.remove(position).expect("an event");
                return Ok(data);
            }
            self.next_packet().await?;
        }
    }

    /// Every event received within `wait`, in order.
    pub async fn events_within(&mut self, wait: Duration) -> Vec<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                break;
            }
            match tokio::time::timeout(left, self.next_packet()).await {
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => break,
            }
        }
        self.events.drain(..).collect()
    }

    /// Waits until the server ends the socket; `false` if it is still
    /// open after [`WAIT`].
    pub async fn closed_by_server(&mut self) -> bool {
        loop {
            match self.next_packet().await {
                Ok(_) => {}
                Err(Closed::Disconnected) => return true,
                Err(Closed::TimedOut) => return false,
            }
        }
    }
}
