//! Adversarial inputs against every Booking API route and the calls and messages API routes,
//! over real HTTP against one real server (SQLite, or PostgreSQL with
//! `ASCENDIA_TEST_DATABASE=postgres`), with two clinics: A is attacked with A's own key and
//! with B's ids; B is only ever read with B's key, before and after.
//!
//! `generated_inputs_never_break_the_api` sends, per route, a systematic pass (every field,
//! query value and path segment replaced in turn by each special input, each field left out,
//! extra fields, malformed query strings and bodies, other methods, other keys) and a
//! generated pass (proptest strategies combining those with random strings, driven by a
//! deterministic `TestRunner`). Every answer must arrive within 10 s, never be 5xx, and every
//! 4xx must be `{"error":{"code":string,"message":string}}`. Clinic B's ids used with A's key
//! are never a 2xx (a 404 when the rest of the request is valid), no answer carries B's data,
//! B is unchanged afterwards, and A's appointments are consistent (each one reads back, no
//! double booking, every row the API can list). `ADVERSARIAL_CASES=N` sets the generated cases
//! per route (default 100), `ADVERSARIAL_SEED=N` the seed; `-- --nocapture` shows the counts.
//!
//! The `regression_*` tests and `huge_offsets_are_answered` / `path_segments_that_are_not_utf8_*`
//! keep issue 12's findings fixed: NULs are a `validation` error (PostgreSQL answered 500,
//! SQLite stored them), a start with fractions replays its booking, `limit=0` is refused,
//! query errors are in the API's words, 405 and 413 are JSON, a huge offset is answered and a
//! path that is not UTF-8 gets the JSON error. A raw NUL in a header is refused by the HTTP
//! parser itself (an empty 400) before any route runs: that test asserts the 400 and no booking.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ascendia::booking::{NewMessage, PhoneNumber};
use ascendia::calls::CallEvent;
use chrono::{Utc, Weekday};
use common::{Api, TestApp};
use futures_util::StreamExt;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ZONE: &str = "America/New_York";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const IN_FLIGHT: usize = 4;

// ---------------------------------------------------------------------------------------------
// Raw HTTP: any bytes out, any bytes back, with a deadline.

#[derive(Clone, Debug, Default)]
pub(crate) struct Wire {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(body, b"\r\n") {
        let size = std::str::from_utf8(&body[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        body = &body[line_end + 2..];
        if size == 0 || body.len() < size {
            break;
        }
        out.extend_from_slice(&body[..size]);
        body = body.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// One request on a fresh connection. The write half stays open until the answer is read:
/// hyper drops a connection whose client half-closes.
pub(crate) async fn send(addr: SocketAddr, wire: &Wire) -> Result<Reply, String> {
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (mut reader, mut writer) = stream.into_split();
        let mut bytes = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n",
            wire.method, wire.target
        )
        .into_bytes();
        for (name, value) in &wire.headers {
            bytes.extend_from_slice(name.as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(value);
            bytes.extend_from_slice(b"\r\n");
        }
        let body = wire.body.clone().unwrap_or_default();
        bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        bytes.extend_from_slice(&body);
        let write = tokio::spawn(async move {
            let _ = writer.write_all(&bytes).await;
            let _ = writer.flush().await;
            writer
        });
        let mut buf = Vec::new();
        let read = reader.read_to_end(&mut buf).await;
        let _writer = write.await;
        let Some(split) = find(&buf, b"\r\n\r\n") else {
            return Err(format!(
                "no HTTP answer ({} bytes, read: {read:?})",
                buf.len()
            ));
        };
        let head = String::from_utf8_lossy(&buf[..split]).to_ascii_lowercase();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("no status line: {head}"))?;
        let rest = &buf[split + 4..];
        let body = if head.contains("transfer-encoding: chunked") {
            dechunk(rest)
        } else {
            rest.to_vec()
        };
        Ok(Reply { status, body })
    };
    tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("no answer within {REQUEST_TIMEOUT:?}"))?
}

/// Percent-encodes every byte but the unreserved ones.
fn enc(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `{"error":{"code":string,"message":string}}`, and its code.
fn api_error_code(body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    let error = json.get("error")?;
    let code = error.get("code")?.as_str()?;
    error.get("message")?.as_str()?;
    Some(code.to_owned())
}

fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push_str(&format!("…({} bytes)", bytes.len()));
    }
    out.escape_debug().to_string()
}

// ---------------------------------------------------------------------------------------------
// The two clinics.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Patient,
    Appointment,
    /// Appointments only the reschedule route touches, so they stay movable.
    Movable,
    Provider,
    Type,
    Operatory,
    Message,
    Call,
    Day,
    BirthDate,
    Start,
    Name,
    Phone,
    Email,
    Note,
    Limit,
    Offset,
    Status,
    IdemKey,
}

impl Kind {
    fn is_id(self) -> bool {
        matches!(
            self,
            Kind::Patient
                | Kind::Appointment
                | Kind::Movable
                | Kind::Provider
                | Kind::Type
                | Kind::Operatory
                | Kind::Message
                | Kind::Call
        )
    }
}

/// A clinic's rows, as the values a request can name.
struct Clinic {
    api: Api,
    values: HashMap<Kind, Vec<String>>,
}

impl Clinic {
    fn pool(&self, kind: Kind) -> &[String] {
        self.values.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    fn pick(&self, kind: Kind, index: usize) -> String {
        let pool = self.pool(kind);
        if pool.is_empty() {
            String::new()
        } else {
            pool[index % pool.len()].clone()
        }
    }

    fn ids(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k.is_id())
            .flat_map(|(_, v)| v.iter().cloned())
            .collect()
    }
}

struct World {
    app: TestApp,
    a: Clinic,
    b: Clinic,
    /// Strings only clinic B's rows hold; no answer to A may contain them.
    b_secrets: Vec<String>,
    today: chrono::NaiveDate,
}

fn local_today() -> chrono::NaiveDate {
    let tz: chrono_tz::Tz = ZONE.parse().expect("zone");
    Utc::now().with_timezone(&tz).date_naive()
}

fn item_ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Patients, two appointments (one cancelled), a call record and two messages (one handled).
async fn populate(app: &TestApp, slug: &str, prefix: &str) -> Clinic {
    let api = app.api(slug).await;
    let org = app.org(slug).await;
    let mut values: HashMap<Kind, Vec<String>> = HashMap::new();
    let (first, last) = if prefix == "b" {
        ("Zzyzxtwin", "Quuxsecret")
    } else {
        ("Ann", "Rivera")
    };
    let mut patients = Vec::new();
    for (i, phone) in ["+1 555 201 0123", "+1 555 201 0124"].iter().enumerate() {
        let (status, body) = api
            .post(
                "/patients",
                json!({"first_name": format!("{first}{}", ["", "two"][i]), "last_name": last,
                       "birth_date": "1980-05-17", "phone": phone, "email": format!("{prefix}{i}@example.com")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        patients.push(body["id"].as_str().expect("id").to_owned());
    }
    let id_of = |listing: &'static str, name: &'static str| {
        let api = api.clone();
        async move { api.id_of(listing, name).await }
    };
    let maria = id_of("/providers", "Maria Lopez").await;
    let chen = id_of("/providers", "Dr. Sarah Chen").await;
    let patel = id_of("/providers", "Dr. James Patel").await;
    let cleaning = id_of("/appointment-types", "Cleaning").await;
    let filling = id_of("/appointment-types", "Filling").await;
    let emergency = id_of("/appointment-types", "Emergency visit").await;
    let crown = id_of("/appointment-types", "Crown").await;
    let exam = id_of("/appointment-types", "New patient exam").await;
    let hyg1 = id_of("/operatories", "Hygiene 1").await;
    let op1 = id_of("/operatories", "Op 1").await;
    let op2 = id_of("/operatories", "Op 2").await;
    // Aligned: the n-th type, provider and chair go together.
    values.insert(
        Kind::Type,
        vec![cleaning.clone(), filling, emergency, crown, exam],
    );
    values.insert(
        Kind::Provider,
        vec![maria.clone(), chen.clone(), patel.clone(), chen, patel],
    );
    values.insert(
        Kind::Operatory,
        vec![hyg1.clone(), op1.clone(), op2.clone(), op1, op2],
    );

    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let mut appointments = Vec::new();
    for i in 0..2 {
        let (status, body) = api
            .post(
                "/appointments",
                json!({"patient_id": patients[i], "appointment_type_id": cleaning,
                       "provider_id": maria, "start": format!("{tuesday}T{}", ["09:00", "11:00"][i]),
                       "operatory_id": hyg1, "note": format!("{prefix} setup {i}"),
                       "idempotency_key": format!("setup-{i}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        appointments.push(body["id"].as_str().expect("id").to_owned());
    }
    let (status, body) = api
        .post(
            &format!("/appointments/{}/cancel", appointments[1]),
            json!({"reason": "setup"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Fillings with Dr. Chen, Wednesday and Thursday: what the reschedule route moves.
    let mut movable = Vec::new();
    for (i, (day, time)) in [
        (Weekday::Wed, "08:00"),
        (Weekday::Wed, "10:00"),
        (Weekday::Thu, "08:00"),
        (Weekday::Thu, "10:00"),
    ]
    .iter()
    .enumerate()
    {
        let date = common::next_weekday(ZONE, *day, 3);
        let (status, body) = api
            .post(
                "/appointments",
                json!({"patient_id": patients[i % 2], "appointment_type_id": values[&Kind::Type][1],
                       "provider_id": values[&Kind::Provider][1], "start": format!("{date}T{time}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        movable.push(body["id"].as_str().expect("id").to_owned());
    }

    let call_id = format!("{prefix}-call-1");
    let event = CallEvent {
        event: "call_ended".into(),
        call_id: call_id.clone(),
        start_ms: Some(Utc::now().timestamp_millis()),
        call_status: Some("ended".into()),
        transcript: Some(format!("{prefix} {first} transcript")),
        ..CallEvent::default()
    };
    app.store
        .apply_call_event(org.id, &event)
        .await
        .expect("call filed");
    let mut messages = Vec::new();
    for i in 0..2 {
        let new = NewMessage::new(
            Some(&call_id),
            &format!("{first} caller {i}"),
            Some(PhoneNumber::parse("+1 555 201 0199").expect("phone")),
            &format!("{first} asks about {last}"),
            None,
            i == 1,
        )
        .expect("message");
        let message = app
            .state
            .scheduler
            .take_message(&org, new, Utc::now())
            .await
            .expect("taken");
        messages.push(message.id.to_string());
    }
    app.state
        .scheduler
        .mark_message_handled(&org, messages[1].parse().expect("id"), Utc::now())
        .await
        .expect("handled");

    values.insert(Kind::Patient, patients);
    values.insert(Kind::Appointment, appointments);
    values.insert(Kind::Movable, movable);
    values.insert(Kind::Message, messages);
    values.insert(Kind::Call, vec![call_id]);
    Clinic { api, values }
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    let mut a = populate(&app, "demo", "a").await;
    let b = populate(&app, "twin", "b").await;
    let today = local_today();
    // Plain values for A's other fields.
    let days: Vec<String> = (1..15)
        .map(|d| (today + chrono::Duration::days(d)).to_string())
        .collect();
    let mut starts = Vec::new();
    for (i, day) in days.iter().enumerate() {
        for (j, time) in ["08:00", "09:15", "10:30", "11:00", "13:00", "13:45"]
            .iter()
            .enumerate()
        {
            starts.push(match (i + j) % 4 {
                0 | 1 => format!("{day}T{time}"),
                2 => format!("{day}T{time}:00"),
                _ => format!("{day}T{time}:00-05:00"),
            });
        }
    }
    a.values.insert(Kind::Day, days);
    a.values.insert(Kind::Start, starts);
    a.values.insert(
        Kind::BirthDate,
        vec![
            "1980-05-17".into(),
            "1990-01-01".into(),
            "2000-02-29".into(),
        ],
    );
    a.values.insert(
        Kind::Name,
        vec![
            "Ann".into(),
            "Rivera".into(),
            "O'Brien".into(),
            "María-José".into(),
            "Nguyễn".into(),
        ],
    );
    a.values.insert(
        Kind::Phone,
        vec![
            "+1 555 201 0123".into(),
            "(555) 201-0150".into(),
            "5552010151".into(),
        ],
    );
    a.values.insert(
        Kind::Email,
        vec!["a@example.com".into(), "first.last+tag@example.org".into()],
    );
    a.values.insert(
        Kind::Note,
        vec!["first visit".into(), "bring x-rays".into()],
    );
    a.values
        .insert(Kind::Limit, vec!["5".into(), "1".into(), "50".into()]);
    a.values.insert(Kind::Offset, vec!["0".into(), "1".into()]);
    a.values
        .insert(Kind::Status, vec!["new".into(), "handled".into()]);
    a.values.insert(
        Kind::IdemKey,
        (0..64).map(|i| format!("fuzz-key-{i}")).collect(),
    );
    let b_secrets = vec![
        "Zzyzxtwin".to_owned(),
        "Quuxsecret".to_owned(),
        "b@example".to_owned(),
        "b0@example.com".to_owned(),
        "b-call-1".to_owned(),
        "b setup".to_owned(),
    ];
    World {
        app,
        a,
        b,
        b_secrets,
        today,
    }
}

// ---------------------------------------------------------------------------------------------
// Routes as templates: where each value goes and which kind of value it is.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Path,
    Query,
    Body,
    Header,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    name: &'static str,
    place: Place,
    kind: Kind,
}

const fn slot(name: &'static str, place: Place, kind: Kind) -> Slot {
    Slot { name, place, kind }
}

struct Template {
    route: &'static str,
    method: &'static str,
    /// `{}` stands for the one path slot.
    path: &'static str,
    slots: Vec<Slot>,
    json_body: bool,
    /// Whether B's id in a slot of this template must be exactly a 404 when the rest is valid.
    b_is_not_found: fn(&Slot) -> bool,
}

fn always(_: &Slot) -> bool {
    true
}

fn path_only(slot: &Slot) -> bool {
    slot.place == Place::Path
}

fn templates() -> Vec<Template> {
    use Kind::*;
    use Place::*;
    let mut all = Vec::new();
    for (route, path) in [
        ("GET /api/booking/clinic", "/api/booking/clinic"),
        ("GET /api/booking/providers", "/api/booking/providers"),
        ("GET /api/booking/operatories", "/api/booking/operatories"),
        (
            "GET /api/booking/appointment-types",
            "/api/booking/appointment-types",
        ),
    ] {
        all.push(Template {
            route,
            method: "GET",
            path,
            slots: vec![],
            json_body: false,
            b_is_not_found: always,
        });
    }
    all.push(Template {
        route: "GET /api/booking/patients",
        method: "GET",
        path: "/api/booking/patients",
        slots: vec![slot("phone", Query, Phone)],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/booking/patients",
        method: "GET",
        path: "/api/booking/patients",
        slots: vec![
            slot("last_name", Query, Name),
            slot("birth_date", Query, BirthDate),
            slot("first_name", Query, Name),
        ],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "POST /api/booking/patients",
        method: "POST",
        path: "/api/booking/patients",
        slots: vec![
            slot("first_name", Body, Name),
            slot("last_name", Body, Name),
            slot("birth_date", Body, BirthDate),
            slot("phone", Body, Phone),
            slot("email", Body, Email),
        ],
        json_body: true,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/booking/patients/{id}",
        method: "GET",
        path: "/api/booking/patients/{}",
        slots: vec![slot("id", Path, Patient)],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/booking/slots",
        method: "GET",
        path: "/api/booking/slots",
        slots: vec![
            slot("appointment_type_id", Query, Type),
            slot("from", Query, Day),
            slot("to", Query, Day),
            slot("provider_id", Query, Provider),
            slot("patient_id", Query, Patient),
            slot("limit", Query, Limit),
        ],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/booking/appointments",
        method: "GET",
        path: "/api/booking/appointments",
        slots: vec![slot("patient_id", Query, Patient)],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/booking/appointments",
        method: "GET",
        path: "/api/booking/appointments",
        slots: vec![slot("from", Query, Day), slot("to", Query, Day)],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "POST /api/booking/appointments",
        method: "POST",
        path: "/api/booking/appointments",
        slots: vec![
            slot("patient_id", Body, Patient),
            slot("appointment_type_id", Body, Type),
            slot("provider_id", Body, Provider),
            slot("start", Body, Start),
            slot("operatory_id", Body, Operatory),
            slot("note", Body, Note),
            slot("idempotency_key", Body, IdemKey),
            slot("Idempotency-Key", Header, IdemKey),
        ],
        json_body: true,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/booking/appointments/{id}",
        method: "GET",
        path: "/api/booking/appointments/{}",
        slots: vec![slot("id", Path, Appointment)],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "POST /api/booking/appointments/{id}/reschedule",
        method: "POST",
        path: "/api/booking/appointments/{}/reschedule",
        slots: vec![
            slot("id", Path, Movable),
            slot("start", Body, Start),
            slot("provider_id", Body, Provider),
            slot("operatory_id", Body, Operatory),
        ],
        json_body: true,
        b_is_not_found: path_only,
    });
    all.push(Template {
        route: "POST /api/booking/appointments/{id}/cancel",
        method: "POST",
        path: "/api/booking/appointments/{}/cancel",
        slots: vec![slot("id", Path, Appointment), slot("reason", Body, Note)],
        json_body: true,
        b_is_not_found: path_only,
    });
    all.push(Template {
        route: "GET /api/calls",
        method: "GET",
        path: "/api/calls",
        slots: vec![
            slot("from", Query, Day),
            slot("to", Query, Day),
            slot("limit", Query, Limit),
            slot("offset", Query, Offset),
        ],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/calls/{call_id}",
        method: "GET",
        path: "/api/calls/{}",
        slots: vec![slot("call_id", Path, Call)],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "GET /api/messages",
        method: "GET",
        path: "/api/messages",
        slots: vec![
            slot("from", Query, Day),
            slot("to", Query, Day),
            slot("status", Query, Status),
            slot("limit", Query, Limit),
            slot("offset", Query, Offset),
        ],
        json_body: false,
        b_is_not_found: always,
    });
    all.push(Template {
        route: "POST /api/messages/{id}/handled",
        method: "POST",
        path: "/api/messages/{}/handled",
        slots: vec![slot("id", Path, Message)],
        json_body: false,
        b_is_not_found: always,
    });
    all
}

// ---------------------------------------------------------------------------------------------
// Adversarial values.

const HUGE_BODY: usize = 100_000;
/// URIs longer than 64 KiB are refused by hyper itself (414, empty body) before routing.
const HUGE_URI: usize = 16_000;

fn special_strings() -> Vec<String> {
    let mut all: Vec<String> = [
        "",
        " ",
        "\u{0}",
        "a\u{0}b",
        "\u{0}\u{0}\u{0}",
        "+262142-12-31",
        "-262143-01-01T10:00",
        "9999-12-31",
        "0000-01-01",
        "+262142-12-31T23:59:59Z",
        "-262143-01-01T00:00:00-23:59",
        "9999-12-31T23:59:59.999999999Z",
        "0000-01-01T00:00",
        "1899-12-31",
        "2201-01-01",
        "2026-02-30",
        "2026-13-01",
        "2026-12-08T24:00",
        "2026-12-08T10:00:60",
        "2027-03-14T02:30",
        "1970-01-01T00:00:00Z",
        "👩🏽‍⚕️🦷😀",
        "\u{202E}gnp.exe\u{202C}",
        "مرحبا بالعالم",
        "e\u{301}\u{302}\u{303}\u{304}\u{305}",
        "\u{200B}\u{FEFF}\u{200D}",
        "\u{FFFF}\u{10FFFF}\u{FFFD}",
        "\r\n",
        "\t",
        "'; DROP TABLE patients; --",
        "\" OR 1=1 --",
        "%00",
        "%s%n%x",
        "../../etc/passwd",
        "null",
        "true",
        "-1",
        "0",
        "99999999999999999999",
        "-9223372036854775809",
        "1e309",
        "NaN",
        "0x10",
        "00000000-0000-0000-0000-000000000000",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    all.push("a".repeat(HUGE_BODY));
    all.push("é".repeat(HUGE_BODY / 2));
    all.push("🦷".repeat(HUGE_BODY / 4));
    all.push(format!("\u{0}{}", "x".repeat(HUGE_BODY - 1)));
    all
}

/// A string cut to what its place holds: 100 KB in a body, 16 KB once percent-encoded in a URI.
fn fit(s: &str, place: Place) -> String {
    let (budget, cost): (usize, fn(char) -> usize) = match place {
        Place::Body | Place::Header => (HUGE_BODY, char::len_utf8),
        Place::Path | Place::Query => (HUGE_URI, |c| {
            if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                1
            } else {
                3 * c.len_utf8()
            }
        }),
    };
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += cost(*c);
            used <= budget
        })
        .collect()
}

fn special_json() -> Vec<Value> {
    vec![
        json!(0),
        json!(-1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1.5),
        json!(1e308),
        json!(-1e308),
        json!(5e-324),
        json!(true),
        json!(false),
        Value::Null,
        json!([]),
        json!(["x", 1]),
        json!({}),
        json!({"$gt": ""}),
    ]
}

/// Already percent-encoded (or not encodable at all): bad escapes, encoded NUL, invalid UTF-8.
const RAW_ENCODED: &[&str] = &[
    "%",
    "%0",
    "%zz",
    "%00",
    "ab%00cd",
    "%C3%28",
    "%FF%FE",
    "%E2%82",
    "%2e%2e",
    "%2F",
    "a%2Fb",
    "%20",
    "+",
    "%2B",
    "%25",
    "%%",
    "%u0041",
    "%F0%9F%A6%B7",
];

/// Appended to a query string.
const QUERY_SUFFIXES: &[&str] = &[
    "&",
    "&&&",
    "=",
    "==",
    "=x",
    "&=&",
    "%",
    "%zz",
    "%zz=1",
    "%C3%28=1",
    "x=%C3%28",
    "%00=%00",
    "a[]=1",
    "a%5B%5D=1",
    "limit=1&limit=2",
    "from=2026-01-01&from=2026-01-02",
    ";",
    "?",
    "zzz=1",
    "org_id=00000000-0000-0000-0000-000000000000",
    "+=+",
    "%FF",
];

fn body_mutations(first_field: &str) -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = [
        &b""[..],
        b" ",
        b"[]",
        b"null",
        b"\"x\"",
        b"123",
        b"{",
        b"{\"a\":",
        b"}",
        b"\xff\xfe\xfd",
        b"\xef\xbb\xbf{}",
        b"{}garbage",
        b"{} {}",
        b"/* c */ {}",
        b"\x00",
        b"{\"a\":1,\"a\":2}",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    all.push(format!("{{\"{first_field}\":\"\\ud800\"}}").into_bytes());
    all.push(format!("{{\"{first_field}\":\"\\u0000\"}}").into_bytes());
    all.push(format!("{{\"{first_field}\":1e400}}").into_bytes());
    all.push(format!("{{\"{first_field}\":\"a\",\"{first_field}\":\"b\"}}").into_bytes());
    all.push(format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes());
    all.push(format!("{}{}", "{\"a\":".repeat(300), "}".repeat(300)).into_bytes());
    all
}

const OTHER_METHODS: &[&str] = &["PUT", "DELETE", "PATCH", "OPTIONS", "FOO"];
const CONTENT_TYPES: &[Option<&str>] = &[
    Some("application/json"),
    None,
    Some("text/plain"),
    Some("application/json; charset=utf-8"),
    Some("application/x-www-form-urlencoded"),
    Some("APPLICATION/JSON"),
    Some("application/json; charset=utf-16"),
];

/// How a slot's value is chosen.
#[derive(Clone, Debug)]
enum Choice {
    /// A plain value of the slot's kind from clinic A.
    Keep(usize),
    Absent,
    Str(String),
    Json(Value),
    /// Put on the wire as is (query and path); a string elsewhere.
    Raw(String),
    /// Clinic B's value of the same kind (for ids: B's row).
    Theirs(usize, usize),
    /// A's value with a NUL inserted.
    Nul(usize, usize),
}

#[derive(Clone, Debug)]
struct Plan {
    template: usize,
    choices: Vec<Choice>,
    extra_field: Option<usize>,
    query_suffix: Option<usize>,
    method: Option<usize>,
    auth: usize,
    content_type: usize,
    whole_body: Option<usize>,
    get_body: bool,
}

/// Forms of one id: the parser accepts several spellings of one UUID.
fn id_variant(id: &str, n: usize) -> String {
    match n % 7 {
        0 => id.to_owned(),
        1 => id.to_uppercase(),
        2 => format!(" {id} "),
        3 => format!("{{{id}}}"),
        4 => id.replace('-', ""),
        5 => format!("urn:uuid:{id}"),
        _ => format!("\t{id}\n"),
    }
}

struct Built {
    route: &'static str,
    wire: Wire,
    /// An id slot or the path names one of clinic B's rows.
    names_b: bool,
    /// The answer must be exactly this status (B's row with an otherwise valid request).
    expect: Option<u16>,
    has_nul: bool,
    /// A control byte in a header value: hyper refuses the request (400, empty body) before
    /// any of the app runs. Not something the app can answer with JSON.
    malformed_header: bool,
    summary: String,
}

const AUTH_FORMS: usize = 8;

fn auth_header(key: &str, form: usize) -> Option<Vec<u8>> {
    match form {
        0 => Some(format!("Bearer {key}").into_bytes()),
        1 => None,
        2 => Some(b"Bearer asc_not_a_key".to_vec()),
        3 => Some(format!("bearer {key}").into_bytes()),
        4 => Some(format!("Basic {key}").into_bytes()),
        5 => Some(b"Bearer \xff\xfe".to_vec()),
        6 => Some(format!("Bearer    {key}   ").into_bytes()),
        _ => Some(format!("Bearer {key}x").into_bytes()),
    }
}

fn build(world: &World, templates: &[Template], plan: &Plan) -> Built {
    let template = &templates[plan.template % templates.len()];
    let mut names_b = false;
    let mut all_plain = true;
    let mut b_slot_not_found = false;
    let mut has_nul = false;
    let mut malformed_header = false;
    let mut path = template.path.to_owned();
    let mut query: Vec<String> = Vec::new();
    let mut body = serde_json::Map::new();
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, slot) in template.slots.iter().enumerate() {
        let choice = plan.choices.get(i).cloned().unwrap_or(Choice::Keep(0));
        // (text for a string, or a non-string JSON value), and whether it is raw wire text.
        let value: Option<(Value, bool)> = match &choice {
            Choice::Keep(n) => Some((json!(world.a.pick(slot.kind, *n)), false)),
            Choice::Absent => {
                all_plain = false;
                None
            }
            Choice::Str(s) => {
                all_plain = false;
                Some((json!(fit(s, slot.place)), false))
            }
            Choice::Json(v) => {
                all_plain = false;
                Some((v.clone(), false))
            }
            Choice::Raw(r) => {
                all_plain = false;
                Some((json!(r), true))
            }
            // B's ids only ever go where ids go: as free text they would be stored in A's
            // rows and read back, which is no leak.
            Choice::Theirs(n, form) if slot.kind.is_id() => {
                names_b = true;
                if (template.b_is_not_found)(slot) {
                    b_slot_not_found = true;
                }
                Some((
                    json!(id_variant(&world.b.pick(slot.kind, *n), *form)),
                    false,
                ))
            }
            Choice::Theirs(n, _) => Some((json!(world.a.pick(slot.kind, *n)), false)),
            Choice::Nul(n, at) => {
                all_plain = false;
                let plain = world.a.pick(slot.kind, *n);
                let chars: Vec<char> = plain.chars().collect();
                let at = if chars.is_empty() {
                    0
                } else {
                    at % (chars.len() + 1)
                };
                let mut s: String = chars[..at].iter().collect();
                s.push('\u{0}');
                s.extend(chars[at..].iter());
                Some((json!(s), false))
            }
        };
        if let Some((v, raw)) = &value {
            let text = v
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string());
            let on_the_wire_nul =
                *raw && matches!(slot.place, Place::Query | Place::Path) && text.contains("%00");
            if text.contains('\u{0}') || on_the_wire_nul {
                has_nul = true;
            }
        }
        match slot.place {
            Place::Body => {
                if let Some((v, _)) = value {
                    body.insert(slot.name.to_owned(), v);
                }
            }
            Place::Query => {
                if let Some((v, raw)) = value {
                    let text = v
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string());
                    let text = if raw { text } else { enc(&text) };
                    query.push(format!("{}={text}", slot.name));
                }
            }
            Place::Path => {
                let text = match value {
                    Some((v, raw)) => {
                        let text = v
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| v.to_string());
                        if raw { text } else { enc(&text) }
                    }
                    None => String::new(),
                };
                path = path.replace("{}", &text);
            }
            Place::Header => {
                if let Some((v, _)) = value {
                    let text = v
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string());
                    if text.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                        malformed_header = true;
                    }
                    headers.push((slot.name.to_owned(), text.into_bytes()));
                }
            }
        }
    }
    const EXTRAS: &[(&str, &str)] = &[
        ("zzz", "1"),
        ("org_id", "00000000-0000-0000-0000-000000000000"),
        ("id", "x"),
        ("status", "cancelled"),
        ("__proto__", "{}"),
    ];
    if let Some(extra) = plan.extra_field {
        all_plain = false;
        let (name, value) = EXTRAS[extra % EXTRAS.len()];
        if template.json_body {
            body.insert(name.to_owned(), json!(value));
        } else {
            query.push(format!("{}={}", enc(name), enc(value)));
        }
    }
    if let Some(suffix) = plan.query_suffix {
        all_plain = false;
        let suffix = QUERY_SUFFIXES[suffix % QUERY_SUFFIXES.len()];
        if suffix.contains("%00") {
            has_nul = true;
        }
        query.push(suffix.to_owned());
    }
    let mut target = path;
    if !query.is_empty() {
        target.push('?');
        target.push_str(&query.join("&"));
    }
    let method = match plan.method {
        Some(m) => {
            all_plain = false;
            OTHER_METHODS[m % OTHER_METHODS.len()]
        }
        None => template.method,
    };
    if let Some(auth) = auth_header(&world.a.api.key, plan.auth % AUTH_FORMS) {
        headers.push(("Authorization".to_owned(), auth));
    }
    // 0 and 6 are A's key, plainly and padded with spaces.
    let auth_form = plan.auth % AUTH_FORMS;
    if auth_form != 0 && auth_form != 6 {
        all_plain = false;
    }
    let first_field = template
        .slots
        .iter()
        .find(|s| s.place == Place::Body)
        .map_or("x", |s| s.name);
    let body_bytes: Option<Vec<u8>> = if template.json_body {
        match plan.whole_body {
            Some(m) => {
                all_plain = false;
                let all = body_mutations(first_field);
                Some(all[m % all.len()].clone())
            }
            None => Some(Value::Object(body).to_string().into_bytes()),
        }
    } else if plan.get_body {
        Some(br#"{"patient_id": "x", "limit": -1}"#.to_vec())
    } else {
        None
    };
    if let Some(b) = &body_bytes {
        if find(b, b"\\u0000").is_some() || b.contains(&0) {
            has_nul = true;
        }
        if let Some(ct) = CONTENT_TYPES[plan.content_type % CONTENT_TYPES.len()] {
            headers.push(("Content-Type".to_owned(), ct.as_bytes().to_vec()));
        }
        // 0 and 3 are JSON content types.
        let ct = plan.content_type % CONTENT_TYPES.len();
        if ct != 0 && ct != 3 {
            all_plain = false;
        }
    }
    let expect = (names_b && b_slot_not_found && all_plain).then_some(404);
    let summary = format!(
        "{method} {} {}{}",
        excerpt(target.as_bytes(), 160),
        headers
            .iter()
            .filter(|(n, _)| n != "Authorization")
            .map(|(n, v)| format!("[{n}: {}] ", excerpt(v, 40)))
            .collect::<String>(),
        body_bytes
            .as_ref()
            .map(|b| format!("body {}", excerpt(b, 160)))
            .unwrap_or_default(),
    ) + &format!(" auth#{}", plan.auth % AUTH_FORMS);
    Built {
        route: template.route,
        wire: Wire {
            method: method.to_owned(),
            target,
            headers,
            body: body_bytes,
        },
        names_b,
        expect,
        has_nul,
        malformed_header,
        summary,
    }
}

// ---------------------------------------------------------------------------------------------
// Plans: a systematic pass and a generated one.

fn keep_plan(template: usize, slots: usize, n: usize) -> Plan {
    Plan {
        template,
        choices: vec![Choice::Keep(n); slots],
        extra_field: None,
        query_suffix: None,
        method: None,
        auth: 0,
        content_type: 0,
        whole_body: None,
        get_body: false,
    }
}

/// Each slot in turn replaced by each special value, left out, B's id; then whole-request
/// variations. The other slots keep plain values, the same index so they agree.
fn systematic(templates: &[Template]) -> Vec<Plan> {
    let mut plans = Vec::new();
    let mut n = 0usize;
    let mut next = || {
        n += 1;
        n
    };
    for (t, template) in templates.iter().enumerate() {
        let slots = template.slots.len();
        plans.push(keep_plan(t, slots, next()));
        for (s, slot) in template.slots.iter().enumerate() {
            let with = |choice: Choice, k: usize| {
                let mut plan = keep_plan(t, slots, k);
                plan.choices[s] = choice;
                // B's id with a key that is A's own: no idempotency replay in the way.
                if matches!(plan.choices[s], Choice::Theirs(..)) {
                    for (j, other) in template.slots.iter().enumerate() {
                        if other.kind == Kind::IdemKey && j != s {
                            plan.choices[j] = Choice::Absent;
                        }
                    }
                }
                plan
            };
            for special in special_strings() {
                plans.push(with(Choice::Str(special), next()));
            }
            for value in special_json() {
                plans.push(with(Choice::Json(value), next()));
            }
            if matches!(slot.place, Place::Query | Place::Path) {
                for raw in RAW_ENCODED {
                    plans.push(with(Choice::Raw((*raw).to_owned()), next()));
                }
            }
            plans.push(with(Choice::Absent, next()));
            for at in [0, 3, 1000] {
                plans.push(with(Choice::Nul(next(), at), next()));
            }
            let forms = if slot.kind.is_id() { 7 } else { 1 };
            for form in 0..forms {
                for which in 0..2 {
                    plans.push(with(Choice::Theirs(which, form), next()));
                }
            }
        }
        for extra in 0..5 {
            let mut plan = keep_plan(t, slots, next());
            plan.extra_field = Some(extra);
            plans.push(plan);
        }
        for suffix in 0..QUERY_SUFFIXES.len() {
            let mut plan = keep_plan(t, slots, next());
            plan.query_suffix = Some(suffix);
            plans.push(plan);
        }
        for method in 0..OTHER_METHODS.len() {
            let mut plan = keep_plan(t, slots, next());
            plan.method = Some(method);
            plans.push(plan);
        }
        for auth in 1..AUTH_FORMS {
            let mut plan = keep_plan(t, slots, next());
            plan.auth = auth;
            plans.push(plan);
        }
        if template.json_body {
            for m in 0..body_mutations("x").len() {
                let mut plan = keep_plan(t, slots, next());
                plan.whole_body = Some(m);
                plans.push(plan);
            }
            for ct in 1..CONTENT_TYPES.len() {
                let mut plan = keep_plan(t, slots, next());
                plan.content_type = ct;
                plans.push(plan);
            }
        } else {
            let mut plan = keep_plan(t, slots, next());
            plan.get_body = true;
            plans.push(plan);
        }
    }
    plans
}

fn choice_strategy() -> BoxedStrategy<Choice> {
    let strings_body = special_strings();
    let json_values = special_json();
    prop_oneof![
        10 => any::<usize>().prop_map(Choice::Keep),
        2 => Just(Choice::Absent),
        4 => proptest::sample::select(strings_body).prop_map(Choice::Str),
        2 => "\\PC{0,24}".prop_map(Choice::Str),
        2 => ".{0,24}".prop_map(Choice::Str),
        1 => "[\\x00-\\x1f\\x7f-\\x9f]{1,8}".prop_map(Choice::Str),
        2 => proptest::sample::select(json_values).prop_map(Choice::Json),
        1 => (-1_000_000_000_000i64..1_000_000_000_000i64).prop_map(|n| Choice::Json(json!(n))),
        1 => any::<f64>().prop_map(|f| Choice::Json(json!(f))),
        1 => proptest::sample::select(RAW_ENCODED).prop_map(|r| Choice::Raw(r.to_owned())),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(n, f)| Choice::Theirs(n, f)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(n, at)| Choice::Nul(n, at)),
    ]
    .boxed()
}

fn plan_strategy(templates: usize) -> BoxedStrategy<Plan> {
    (
        0..templates,
        proptest::collection::vec(choice_strategy(), 8),
        proptest::option::weighted(0.08, 0usize..5),
        proptest::option::weighted(0.12, 0..QUERY_SUFFIXES.len()),
        proptest::option::weighted(0.04, 0..OTHER_METHODS.len()),
        prop_oneof![12 => Just(0usize), 1 => 1..AUTH_FORMS],
        prop_oneof![12 => Just(0usize), 1 => 1..CONTENT_TYPES.len()],
        proptest::option::weighted(0.1, any::<usize>()),
        proptest::bool::weighted(0.05),
    )
        .prop_map(
            |(
                template,
                choices,
                extra_field,
                query_suffix,
                method,
                auth,
                content_type,
                whole_body,
                get_body,
            )| Plan {
                template,
                choices,
                extra_field,
                query_suffix,
                method,
                auth,
                content_type,
                whole_body,
                get_body,
            },
        )
        .boxed()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `cases` generated plans for every route, from a deterministic runner.
fn generated(templates: &[Template], cases: usize, seed: u64) -> Vec<Plan> {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: cases as u32,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let mut routes: Vec<&'static str> = templates.iter().map(|t| t.route).collect();
    routes.dedup();
    let mut plans = Vec::new();
    for route in routes {
        let indices: Vec<usize> = templates
            .iter()
            .enumerate()
            .filter(|(_, t)| t.route == route)
            .map(|(i, _)| i)
            .collect();
        let strategy = plan_strategy(indices.len());
        for _ in 0..cases {
            let mut plan = strategy
                .new_tree(&mut runner)
                .expect("a generated plan")
                .current();
            plan.template = indices[plan.template % indices.len()];
            plans.push(plan);
        }
    }
    plans
}

// ---------------------------------------------------------------------------------------------
// Judging the answers.

#[derive(Default)]
struct RouteStats {
    systematic: usize,
    generated: usize,
    statuses: BTreeMap<u16, usize>,
    slowest: Duration,
}

/// (known finding, route, what, status): one line of the summary.
type GroupKey = (Option<&'static str>, &'static str, String, u16);

#[derive(Debug, Clone)]
struct Violation {
    route: &'static str,
    what: String,
    known: Option<&'static str>,
    status: u16,
    input: String,
    answer: String,
}

fn judge(world: &World, built: &Built, outcome: &Result<Reply, String>) -> Vec<Violation> {
    // (what, known finding, status, answer)
    let mut found: Vec<(String, Option<&'static str>, u16, String)> = Vec::new();
    match outcome {
        Err(why) => found.push((format!("no answer: {why}"), None, 0, String::new())),
        Ok(reply) => {
            let status = reply.status;
            let answer = excerpt(&reply.body, 300);
            let code = api_error_code(&reply.body);
            if status >= 500 {
                let known = built.has_nul.then_some("NUL byte answered 5xx");
                found.push(("5xx".into(), known, status, answer.clone()));
            } else if !(200..300).contains(&status) && !(400..500).contains(&status) {
                found.push((
                    "status neither 2xx nor 4xx".into(),
                    None,
                    status,
                    answer.clone(),
                ));
            }
            let refused_by_hyper = (built.malformed_header && status == 400)
                || (built.wire.target.len() > 65_534 && status == 414);
            if (400..500).contains(&status) && code.is_none() && !refused_by_hyper {
                let known = match status {
                    405 => Some("405 without a JSON ApiError body"),
                    413 => Some("413 without a JSON ApiError body"),
                    _ => None,
                };
                found.push((
                    "4xx body is not an ApiError".into(),
                    known,
                    status,
                    answer.clone(),
                ));
            }
            if built.names_b && (200..300).contains(&status) {
                found.push((
                    "clinic B's id with A's key answered 2xx".into(),
                    None,
                    status,
                    answer.clone(),
                ));
            }
            if let Some(expected) = built.expect
                && (status != expected || code.as_deref() != Some("not_found"))
            {
                found.push((
                    format!(
                        "clinic B's id in an otherwise valid request: expected {expected} not_found"
                    ),
                    None,
                    status,
                    answer.clone(),
                ));
            }
            let text = String::from_utf8_lossy(&reply.body);
            for secret in &world.b_secrets {
                if text.contains(secret.as_str()) {
                    found.push((
                        format!("answer carries clinic B's data ({secret})"),
                        None,
                        status,
                        answer.clone(),
                    ));
                }
            }
            if (200..300).contains(&status) {
                for id in world.b.ids() {
                    if text.contains(&id) {
                        found.push((
                            format!("2xx answer carries clinic B's id {id}"),
                            None,
                            status,
                            answer.clone(),
                        ));
                    }
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(what, known, status, answer)| Violation {
            route: built.route,
            what,
            known,
            status,
            input: built.summary.clone(),
            answer,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Before and after.

/// Row counts per table for one clinic, straight from the database (superuser on PostgreSQL).
async fn row_counts(app: &TestApp, slug: &str) -> BTreeMap<&'static str, i64> {
    use sqlx::{AssertSqlSafe, Connection};
    let tables = [
        "patients",
        "appointments",
        "caller_messages",
        "call_records",
        "call_tool_calls",
        "calls",
    ];
    let mut counts = BTreeMap::new();
    if common::pg::selected() {
        let su = std::env::var("ASCENDIA_TEST_POSTGRES_URL").expect("superuser url");
        let name = app
            .settings
            .database_url
            .rsplit('/')
            .next()
            .expect("database name");
        let (auth, rest) = su.split_once('@').expect("url with @");
        let host = rest.split('/').next().expect("host");
        let mut conn = sqlx::PgConnection::connect(&format!("{auth}@{host}/{name}"))
            .await
            .expect("superuser connection");
        for table in tables {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT count(*) FROM {table} WHERE org_id = (SELECT id FROM organizations WHERE slug = $1)"
            )))
            .bind(slug)
            .fetch_one(&mut conn)
            .await
            .expect("count");
            counts.insert(table, n);
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&app.settings.database_url)
            .await
            .expect("sqlite connection");
        for table in tables {
            let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT count(*) FROM {table} WHERE org_id = (SELECT id FROM organizations WHERE slug = ?)"
            )))
            .bind(slug)
            .fetch_one(&mut conn)
            .await
            .expect("count");
            counts.insert(table, n);
        }
    }
    counts
}

/// Everything clinic B has, through its own key, and its row counts.
async fn snapshot_b(world: &World) -> Vec<(String, u16, Value)> {
    let b = &world.b;
    let api = &b.api;
    let mut paths = vec![
        "/api/booking/providers".to_owned(),
        "/api/booking/operatories".to_owned(),
        "/api/booking/appointment-types".to_owned(),
        "/api/booking/patients?phone=%2B15552010123".to_owned(),
        "/api/booking/patients?last_name=Quuxsecret&birth_date=1980-05-17".to_owned(),
        format!(
            "/api/booking/appointments?from={}&to={}",
            world.today - chrono::Duration::days(1),
            world.today + chrono::Duration::days(365)
        ),
        "/api/calls".to_owned(),
        "/api/messages?limit=200".to_owned(),
    ];
    for id in b.pool(Kind::Patient) {
        paths.push(format!("/api/booking/patients/{id}"));
        paths.push(format!("/api/booking/appointments?patient_id={id}"));
    }
    for id in b.pool(Kind::Appointment) {
        paths.push(format!("/api/booking/appointments/{id}"));
    }
    for id in b.pool(Kind::Call) {
        paths.push(format!("/api/calls/{id}"));
    }
    let auth = format!("Bearer {}", api.key);
    let mut all = Vec::new();
    for path in paths {
        let (status, body) =
            common::http_request(api.addr, "GET", &path, &[("Authorization", &auth)], None).await;
        assert_eq!(status, 200, "B's own read {path}: {body}");
        all.push((path, status, body));
    }
    let (status, mut clinic) = api.get("/clinic").await;
    assert_eq!(status, 200);
    clinic["today"] = Value::Null;
    all.push(("/clinic".into(), status, clinic));
    let counts = row_counts(&world.app, "twin").await;
    all.push(("row counts".into(), 0, json!(counts)));
    all
}

/// A's appointments after the run: each reads back as listed, names A's rows, and no
/// provider, chair or patient holds two at once.
async fn check_clinic_a(world: &World) -> Vec<String> {
    let mut problems = Vec::new();
    let api = &world.a.api;
    let (_, providers) = api.get("/providers").await;
    let (_, operatories) = api.get("/operatories").await;
    let (_, types) = api.get("/appointment-types").await;
    let (providers, operatories, types) = (
        item_ids(&providers),
        item_ids(&operatories),
        item_ids(&types),
    );
    let (status, listed) = api
        .get(&format!(
            "/appointments?from={}&to={}",
            world.today - chrono::Duration::days(1),
            world.today + chrono::Duration::days(365)
        ))
        .await;
    assert_eq!(status, 200, "{listed}");
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    let stored = row_counts(&world.app, "demo").await["appointments"];
    if stored != items.len() as i64 {
        problems.push(format!(
            "A has {stored} appointment rows but lists {} in the bookable year",
            items.len()
        ));
    }
    let mut seen = BTreeSet::new();
    let mut scheduled: Vec<(String, String, String, i64, i64)> = Vec::new();
    let instant = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.timestamp())
    };
    for item in &items {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        if !seen.insert(id.clone()) {
            problems.push(format!("appointment {id} listed twice"));
        }
        let (status, one) = api.get(&format!("/appointments/{id}")).await;
        if status != 200 || &one != item {
            problems.push(format!(
                "GET /appointments/{id}: {status} {one} differs from the listing {item}"
            ));
        }
        let patient = item["patient_id"].as_str().unwrap_or_default();
        let (status, _) = api.get(&format!("/patients/{patient}")).await;
        if status != 200 {
            problems.push(format!(
                "appointment {id}: its patient {patient} answers {status}"
            ));
        }
        for (field, pool) in [
            ("provider_id", &providers),
            ("operatory_id", &operatories),
            ("appointment_type_id", &types),
        ] {
            let value = item[field].as_str().unwrap_or_default().to_owned();
            if !pool.contains(&value) {
                problems.push(format!("appointment {id}: {field} {value} is not A's"));
            }
        }
        let (Some(start), Some(end)) = (instant(&item["start"]), instant(&item["end"])) else {
            problems.push(format!("appointment {id}: unreadable times {item}"));
            continue;
        };
        if end <= start {
            problems.push(format!("appointment {id}: ends before it starts"));
        }
        if item["status"] == "scheduled" {
            scheduled.push((
                item["provider_id"].as_str().unwrap_or_default().to_owned(),
                item["operatory_id"].as_str().unwrap_or_default().to_owned(),
                patient.to_owned(),
                start,
                end,
            ));
        }
    }
    for (i, x) in scheduled.iter().enumerate() {
        for y in &scheduled[i + 1..] {
            let overlap = x.3 < y.4 && y.3 < x.4;
            if overlap && (x.0 == y.0 || x.1 == y.1 || x.2 == y.2) {
                problems.push(format!("double booking: {x:?} and {y:?}"));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// The generated suite.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_inputs_never_break_the_api() {
    let started = Instant::now();
    let world = Arc::new(world().await);
    let templates = Arc::new(templates());
    let before = snapshot_b(&world).await;

    let cases = env_number("ADVERSARIAL_CASES", 100) as usize;
    let seed = env_number("ADVERSARIAL_SEED", 0x00ad_5e12);
    let mut plans: Vec<(bool, Plan)> = systematic(&templates)
        .into_iter()
        .map(|p| (true, p))
        .collect();
    plans.extend(
        generated(&templates, cases, seed)
            .into_iter()
            .map(|p| (false, p)),
    );
    let total = plans.len();

    let results = futures_util::stream::iter(plans)
        .map(|(systematic, plan)| {
            let world = world.clone();
            let templates = templates.clone();
            async move {
                let built = build(&world, &templates, &plan);
                let sent = Instant::now();
                let outcome = send(world.app.addr, &built.wire).await;
                let took = sent.elapsed();
                let violations = judge(&world, &built, &outcome);
                let status = outcome.as_ref().map_or(0, |r| r.status);
                (built.route, systematic, status, took, violations)
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;

    let mut stats: BTreeMap<&'static str, RouteStats> = BTreeMap::new();
    let mut violations = Vec::new();
    for (route, systematic, status, took, found) in results {
        let entry = stats.entry(route).or_default();
        if systematic {
            entry.systematic += 1;
        } else {
            entry.generated += 1;
        }
        *entry.statuses.entry(status).or_default() += 1;
        entry.slowest = entry.slowest.max(took);
        violations.extend(found);
    }
    let database = if common::pg::selected() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    eprintln!(
        "adversarial ({database}, seed {seed:#x}, {cases} generated per route): {total} inputs in {:.1?}",
        started.elapsed()
    );
    for (route, s) in &stats {
        eprintln!(
            "  {route:<50} {:>5} inputs ({} systematic + {} generated), statuses {:?}, slowest {:?}",
            s.systematic + s.generated,
            s.systematic,
            s.generated,
            s.statuses,
            s.slowest
        );
    }

    let after = snapshot_b(&world).await;
    let mut problems: Vec<String> = Vec::new();
    for ((path, _, was), (_, _, now)) in before.iter().zip(after.iter()) {
        if was != now {
            problems.push(format!("clinic B changed: {path}: {was} -> {now}"));
        }
    }
    problems.extend(check_clinic_a(&world).await);

    // One line per (route, kind of violation, status), with the first input that showed it.
    let mut grouped: BTreeMap<GroupKey, (usize, Violation)> = BTreeMap::new();
    for v in &violations {
        grouped
            .entry((v.known, v.route, v.what.clone(), v.status))
            .or_insert((0, v.clone()))
            .0 += 1;
    }
    let known: usize = violations.iter().filter(|v| v.known.is_some()).count();
    eprintln!(
        "violations: {} ({} of them known findings being fixed), other problems: {}",
        violations.len(),
        known,
        problems.len()
    );
    for ((known, route, what, status), (count, example)) in &grouped {
        eprintln!(
            "  [{}] {route}: {what} (status {status}) x{count}\n      input:  {}\n      answer: {}",
            known.unwrap_or("NEW"),
            example.input,
            example.answer
        );
    }
    for problem in &problems {
        eprintln!("  [STATE] {problem}");
    }
    assert!(
        violations.is_empty() && problems.is_empty(),
        "{} violations ({} known findings), {} state problems; see the summary above",
        violations.len(),
        known,
        problems.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Regression tests for findings being fixed in src/ (see the header).

struct Demo {
    app: TestApp,
    api: Api,
    patient: String,
    cleaning: String,
    maria: String,
    hyg1: String,
    appointment: String,
}

async fn demo() -> Demo {
    let app = TestApp::spawn().await;
    let api = app.api("demo").await;
    let (status, body) = api
        .post(
            "/patients",
            json!({"first_name": "Ann", "last_name": "Rivera", "birth_date": "1980-05-17"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let patient = body["id"].as_str().expect("id").to_owned();
    let cleaning = api.id_of("/appointment-types", "Cleaning").await;
    let maria = api.id_of("/providers", "Maria Lopez").await;
    let hyg1 = api.id_of("/operatories", "Hygiene 1").await;
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let (status, body) = api
        .post(
            "/appointments",
            json!({"patient_id": patient, "appointment_type_id": cleaning, "provider_id": maria,
                   "start": format!("{tuesday}T09:00")}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let appointment = body["id"].as_str().expect("id").to_owned();
    Demo {
        app,
        api,
        patient,
        cleaning,
        maria,
        hyg1,
        appointment,
    }
}

async fn raw(api: &Api, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    let auth = format!("Bearer {}", api.key);
    common::http_request(api.addr, method, path, &[("Authorization", &auth)], body).await
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// DEPENDS ON A FIX: NUL bytes were a 500 on PostgreSQL (and stored as is on SQLite).
#[tokio::test]
async fn regression_nul_bytes_are_validation_errors() {
    let d = demo().await;
    let day = common::next_weekday(ZONE, Weekday::Wed, 3);
    let tuesday = common::next_weekday(ZONE, Weekday::Tue, 3);
    let patient = json!({"first_name": "Nul", "last_name": "Tester", "birth_date": "1970-01-02",
                         "phone": "+1 555 201 0177", "email": "nul@example.com"});
    let booking = json!({"patient_id": d.patient, "appointment_type_id": d.cleaning,
                         "provider_id": d.maria, "start": format!("{day}T10:00"),
                         "operatory_id": d.hyg1, "note": "note", "idempotency_key": "nul-test"});
    let mut cases: Vec<(String, String, Option<String>)> = Vec::new();
    // Each case its own birth date, start and key: one accepted case does not turn the next
    // into a 409.
    let mut n = 0;
    for field in ["first_name", "last_name", "birth_date", "phone", "email"] {
        for form in ["\u{0}", "a\u{0}b", "x\u{0}"] {
            n += 1;
            let mut body = patient.clone();
            body["birth_date"] = json!(format!("1970-01-{n:02}"));
            let plain = body[field].as_str().unwrap_or("").to_owned();
            body[field] = json!(format!("{plain}{form}"));
            cases.push((
                "POST".into(),
                "/api/booking/patients".into(),
                Some(body.to_string()),
            ));
        }
    }
    for field in [
        "patient_id",
        "appointment_type_id",
        "provider_id",
        "start",
        "operatory_id",
        "note",
        "idempotency_key",
    ] {
        n += 1;
        let mut body = booking.clone();
        body["start"] = json!(format!("{day}T{:02}:00", 8 + n % 6));
        body["idempotency_key"] = json!(format!("nul-test-{n}"));
        let plain = body[field].as_str().unwrap_or("").to_owned();
        body[field] = json!(format!("{plain}\u{0}"));
        cases.push((
            "POST".into(),
            "/api/booking/appointments".into(),
            Some(body.to_string()),
        ));
    }
    cases.push((
        "POST".into(),
        format!("/api/booking/appointments/{}/reschedule", d.appointment),
        Some(json!({"start": format!("{tuesday}T10:00\u{0}")}).to_string()),
    ));
    cases.push((
        "POST".into(),
        format!("/api/booking/appointments/{}/cancel", d.appointment),
        Some(json!({"reason": "changed\u{0}mind"}).to_string()),
    ));
    for path in [
        "/api/calls/ab%00cd".to_owned(),
        "/api/calls/%00".to_owned(),
        "/api/messages/%00/handled".to_owned(),
        format!("/api/booking/patients/{}%00", d.patient),
        format!("/api/booking/appointments/{}%00", d.appointment),
        "/api/booking/patients?last_name=Riv%00era&birth_date=1980-05-17".to_owned(),
        "/api/booking/patients?last_name=Rivera&birth_date=1980-05-17&first_name=A%00".to_owned(),
        "/api/booking/patients?phone=555%00201".to_owned(),
        format!(
            "/api/booking/slots?appointment_type_id={}&from={day}%00",
            d.cleaning
        ),
        "/api/calls?from=2026-01-01%00".to_owned(),
        "/api/messages?status=new%00".to_owned(),
    ] {
        let method = if path.ends_with("/handled") {
            "POST"
        } else {
            "GET"
        };
        cases.push((method.into(), path, None));
    }
    let mut failures = Vec::new();
    for (method, path, body) in &cases {
        let (status, answer) = raw(&d.api, method, path, body.as_deref()).await;
        if (status, code(&answer)) != (400, "validation") {
            failures.push(format!(
                "{method} {path} {} -> {status} {answer}",
                body.as_deref()
                    .map(|b| excerpt(b.as_bytes(), 200))
                    .unwrap_or_default()
            ));
        }
    }
    // Nothing with a NUL was stored.
    let (_, listed) = d
        .api
        .get(&format!("/appointments?patient_id={}", d.patient))
        .await;
    let (_, found) = d.api.get("/patients?phone=%2B15552010177").await;
    for stored in [listed, found] {
        if stored.to_string().contains("\\u0000") {
            failures.push(format!("a NUL was stored: {stored}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} NUL inputs were not a 400 validation:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A raw NUL cannot be a header value: hyper refuses the request (400, empty body) before the
/// app runs. What matters: never a 5xx, never a booking.
#[tokio::test]
async fn regression_nul_in_the_idempotency_key_header() {
    let d = demo().await;
    let day = common::next_weekday(ZONE, Weekday::Wed, 3);
    let body = json!({"patient_id": d.patient, "appointment_type_id": d.cleaning,
                      "provider_id": d.maria, "start": format!("{day}T10:00")})
    .to_string();
    for key in [&b"a\x00b"[..], b"\x00", b"key\x00"] {
        let wire = Wire {
            method: "POST".into(),
            target: "/api/booking/appointments".into(),
            headers: vec![
                (
                    "Authorization".into(),
                    format!("Bearer {}", d.api.key).into_bytes(),
                ),
                ("Content-Type".into(), b"application/json".to_vec()),
                ("Idempotency-Key".into(), key.to_vec()),
            ],
            body: Some(body.clone().into_bytes()),
        };
        let reply = send(d.app.addr, &wire).await.expect("an answer");
        assert_eq!(reply.status, 400, "{}", excerpt(&reply.body, 300));
        if !reply.body.is_empty() {
            assert_eq!(
                api_error_code(&reply.body).as_deref(),
                Some("validation"),
                "{}",
                excerpt(&reply.body, 300)
            );
        }
    }
    let (_, listed) = d
        .api
        .get(&format!("/appointments?patient_id={}", d.patient))
        .await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}

/// DEPENDS ON A FIX: a start with sub-second digits was stored in whole seconds, so the same
/// request again (same key) compared unequal and answered 409.
#[tokio::test]
async fn regression_sub_second_start_replays_with_the_same_key() {
    let d = demo().await;
    let day = common::next_weekday(ZONE, Weekday::Wed, 3);
    // 15:00Z is 10:00 in New York in winter, 11:00 in summer: Maria works both.
    for (n, start) in [
        format!("{day}T15:00:00.123456789Z"),
        format!("{day}T17:00:00.5Z"),
        format!("{day}T13:00:00.001-00:00"),
    ]
    .iter()
    .enumerate()
    {
        let key = format!("sub-second-{n}");
        let body = json!({"patient_id": d.patient, "appointment_type_id": d.cleaning,
                          "provider_id": d.maria, "start": start});
        let auth = format!("Bearer {}", d.api.key);
        let headers = [
            ("Authorization", auth.as_str()),
            ("Idempotency-Key", key.as_str()),
        ];
        let (first, booked) = common::http_request(
            d.app.addr,
            "POST",
            "/api/booking/appointments",
            &headers,
            Some(&body.to_string()),
        )
        .await;
        if (first, code(&booked)) == (400, "validation") {
            // A fix may refuse sub-second starts outright; then the repeat is refused too.
            let (again, _) = common::http_request(
                d.app.addr,
                "POST",
                "/api/booking/appointments",
                &headers,
                Some(&body.to_string()),
            )
            .await;
            assert_eq!(again, 400, "{start}");
            continue;
        }
        assert_eq!(first, 201, "{start}: {booked}");
        let (second, replay) = common::http_request(
            d.app.addr,
            "POST",
            "/api/booking/appointments",
            &headers,
            Some(&body.to_string()),
        )
        .await;
        assert_eq!(
            second, 200,
            "{start}: the same request again is a replay: {replay}"
        );
        assert_eq!(replay["id"], booked["id"]);
        let id = booked["id"].as_str().expect("id");
        let (_, read) = d.api.get(&format!("/appointments/{id}")).await;
        assert_eq!(
            read["start"], booked["start"],
            "{start}: the 201 said one start, the store keeps another"
        );
        assert_eq!(read["end"], booked["end"]);
        assert_eq!(replay["start"], booked["start"]);
    }
}

/// DEPENDS ON A FIX: `limit=0` was clamped to 1 and answered one slot. The calls and messages
/// APIs answer a 400 for `limit=0`; the slots route now does too.
#[tokio::test]
async fn regression_slots_limit_zero_is_a_validation_error() {
    let d = demo().await;
    let day = common::next_weekday(ZONE, Weekday::Wed, 3);
    let (status, body) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={day}&limit=0",
            d.cleaning
        ))
        .await;
    assert_eq!((status, code(&body)), (400, "validation"), "{body}");
    let (status, body) = d
        .api
        .get(&format!(
            "/slots?appointment_type_id={}&from={day}&limit=1",
            d.cleaning
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(1));
}

/// DEPENDS ON A FIX: query-string rejections carried axum's wording ("Failed to deserialize
/// query string: ...").
#[tokio::test]
async fn regression_query_errors_are_validation_without_framework_wording() {
    let d = demo().await;
    let day = common::next_weekday(ZONE, Weekday::Wed, 3);
    let paths = [
        "/api/booking/slots".to_owned(),
        format!("/api/booking/slots?from={day}"),
        format!("/api/booking/slots?appointment_type_id={}", d.cleaning),
        format!(
            "/api/booking/slots?appointment_type_id={}&from={day}&limit=abc",
            d.cleaning
        ),
        format!(
            "/api/booking/slots?appointment_type_id={}&from={day}&limit=-1",
            d.cleaning
        ),
        format!(
            "/api/booking/slots?appointment_type_id={}&from={day}&limit=99999999999999999999999",
            d.cleaning
        ),
        format!(
            "/api/booking/slots?appointment_type_id={}&from={day}&colour=red",
            d.cleaning
        ),
        "/api/booking/patients?colour=red".to_owned(),
        "/api/booking/patients?phone=1&phone=2".to_owned(),
        "/api/booking/appointments?from=2026-01-01&zzz=1".to_owned(),
        "/api/calls?limit=ten".to_owned(),
        "/api/calls?offset=1.5".to_owned(),
        "/api/calls?limit=1e3".to_owned(),
        "/api/calls?extra=1".to_owned(),
        "/api/messages?limit=abc".to_owned(),
        "/api/messages?offset=-".to_owned(),
        "/api/messages?from=2026-01-01&from=2026-01-02".to_owned(),
        "/api/messages?%C3%28=1".to_owned(),
    ];
    let mut failures = Vec::new();
    for path in &paths {
        let (status, body) = raw(&d.api, "GET", path, None).await;
        let message = body["error"]["message"].as_str().unwrap_or("");
        let ok = status == 400
            && code(&body) == "validation"
            && !message.contains("Failed to deserialize")
            && !message.is_empty();
        if !ok {
            failures.push(format!("GET {path} -> {status} {body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad query strings:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

/// DEPENDS ON A FIX: a body over the limit was a 400 `validation` on the JSON routes and a
/// plain-text 413 on the cancel route.
#[tokio::test]
async fn regression_oversized_body_is_413_json() {
    let d = demo().await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let mut failures = Vec::new();
    for path in [
        "/api/booking/patients".to_owned(),
        "/api/booking/appointments".to_owned(),
        format!("/api/booking/appointments/{}/reschedule", d.appointment),
        format!("/api/booking/appointments/{}/cancel", d.appointment),
    ] {
        let body = json!({"note": huge, "reason": huge}).to_string();
        let wire = Wire {
            method: "POST".into(),
            target: path.clone(),
            headers: vec![
                (
                    "Authorization".into(),
                    format!("Bearer {}", d.api.key).into_bytes(),
                ),
                ("Content-Type".into(), b"application/json".to_vec()),
            ],
            body: Some(body.into_bytes()),
        };
        match send(d.app.addr, &wire).await {
            Ok(reply) => {
                let code = api_error_code(&reply.body);
                if reply.status != 413 || code.as_deref() != Some("payload_too_large") {
                    failures.push(format!(
                        "POST {path} (3 MiB) -> {} {}",
                        reply.status,
                        excerpt(&reply.body, 200)
                    ));
                }
            }
            Err(why) => failures.push(format!("POST {path} (3 MiB) -> {why}")),
        }
    }
    let (_, listed) = d.api.get(&format!("/appointments/{}", d.appointment)).await;
    assert_eq!(listed["status"], "scheduled", "nothing was cancelled");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// DEPENDS ON A FIX: a method a route does not take was a 405 with an empty body.
#[tokio::test]
async fn regression_unknown_method_is_405_json() {
    let d = demo().await;
    let mut failures = Vec::new();
    for (method, path) in [
        ("DELETE", "/api/booking/clinic".to_owned()),
        ("PATCH", "/api/booking/providers".to_owned()),
        ("PUT", "/api/booking/slots".to_owned()),
        ("DELETE", format!("/api/booking/patients/{}", d.patient)),
        (
            "PUT",
            format!("/api/booking/appointments/{}", d.appointment),
        ),
        (
            "GET",
            format!("/api/booking/appointments/{}/cancel", d.appointment),
        ),
        ("DELETE", "/api/calls".to_owned()),
        ("PATCH", "/api/calls/some-call".to_owned()),
        ("PUT", "/api/messages".to_owned()),
        ("GET", "/api/messages/x/handled".to_owned()),
        ("FOO", "/api/booking/clinic".to_owned()),
    ] {
        let wire = Wire {
            method: method.into(),
            target: path.clone(),
            headers: vec![(
                "Authorization".into(),
                format!("Bearer {}", d.api.key).into_bytes(),
            )],
            body: None,
        };
        let reply = send(d.app.addr, &wire).await.expect("an answer");
        let code = api_error_code(&reply.body);
        if reply.status != 405 || code.as_deref() != Some("method_not_allowed") {
            failures.push(format!(
                "{method} {path} -> {} {}",
                reply.status,
                excerpt(&reply.body, 200)
            ));
        }
    }
    let (_, one) = d.api.get(&format!("/appointments/{}", d.appointment)).await;
    assert_eq!(one["status"], "scheduled");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Not in the list of findings being fixed: a path segment that percent-decodes to invalid
/// UTF-8 is rejected by axum's `Path` extractor as a plain-text 400 ("Invalid URL: Invalid
/// UTF-8 in `id`"), not the API's JSON error.
#[tokio::test]
async fn path_segments_that_are_not_utf8_answer_a_json_validation_error() {
    let d = demo().await;
    let mut failures = Vec::new();
    for (method, path) in [
        ("GET", "/api/booking/patients/%FF"),
        ("GET", "/api/booking/appointments/%C3%28"),
        ("POST", "/api/booking/appointments/%FF/cancel"),
        ("POST", "/api/booking/appointments/%E2%82/reschedule"),
        ("GET", "/api/calls/%FF%FE"),
        ("POST", "/api/messages/%C3%28/handled"),
    ] {
        let (status, body) = raw(&d.api, method, path, Some("{}")).await;
        if !(status == 400 || status == 404) || code(&body).is_empty() {
            failures.push(format!("{method} {path} -> {status} {body}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Not in the list of findings being fixed; found by this suite. `next_offset` is
/// `more.then_some(offset + limit)`, and `then_some` evaluates its argument: an offset near
/// i64::MAX overflows, which panics in a debug build (src/http/calls_api.rs and
/// src/booking/service/messages.rs): the connection closes with no answer at all.
#[tokio::test]
async fn huge_offsets_are_answered() {
    let d = demo().await;
    let mut failures = Vec::new();
    for path in [
        "/api/calls?offset=9223372036854775807",
        "/api/calls?offset=9223372036854775800&limit=200",
        "/api/messages?offset=9223372036854775807",
        "/api/messages?offset=9223372036854775700&limit=200",
    ] {
        let (status, body) = raw(&d.api, "GET", path, None).await;
        let answered = status == 200 && body["items"] == json!([])
            || (status, code(&body)) == (400, "validation");
        if !answered {
            failures.push(format!("GET {path} -> {status} {body}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_systematic_pass_covers_every_route() {
    let templates = templates();
    let routes: BTreeSet<&str> = templates.iter().map(|t| t.route).collect();
    assert_eq!(routes.len(), 17, "{routes:?}");
    let plans = systematic(&templates);
    let covered: BTreeSet<&str> = plans.iter().map(|p| templates[p.template].route).collect();
    assert_eq!(covered, routes);
}
