//! The web console as a browser without JavaScript sees it: a cookie jar, forms posted with
//! their hidden CSRF input, redirects not followed; and staff accounts made for the tests.

use std::collections::HashMap;

use ascendia::booking::{Appointment, AppointmentId, AppointmentStatus, PatientId};
use ascendia::staff::{Email, Role, StaffAccounts};
use ascendia::store::TxMode;
use chrono::{Timelike, Utc};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use super::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// A browser without JavaScript: keeps cookies, follows no redirects.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.http(""),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: HashMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn take(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let Some((pair, _)) = value.to_str().unwrap_or_default().split_once(';') else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Page {
            status: response.status(),
            location: response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: response.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("get");
        self.take(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .expect("post");
        self.take(response).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/admin/login").await;
        let csrf = hidden(&form.body, "csrf");
        self.post(
            "/admin/login",
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}

/// A hidden input's value in a page.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(value, _)| value.to_owned())
        .unwrap_or_default()
}

pub async fn user(app: &TestApp, email: &str, clinic: Option<(&str, Role)>) {
    let hash = StaffAccounts::hash_password(PASSWORD).await.expect("hash");
    let email = Email::parse(email).expect("email");
    let id = app
        .store
        .create_user(&email, &hash, clinic.is_none())
        .await
        .expect("user")
        .expect("new");
    if let Some((slug, role)) = clinic {
        let org = app.org(slug).await;
        app.store
            .set_membership(id, org.id, role)
            .await
            .expect("member");
    }
}

/// An appointment starting this minute, written straight to the store: whatever the hour,
/// it is on the clinic's Today (the receptionist only books within opening hours, ahead).
pub async fn appointment_now(app: &TestApp, slug: &str, patient: PatientId, call_id: Option<&str>) {
    appointment_later(app, slug, patient, call_id, 0).await;
}

/// As `appointment_now`, `minutes` later.
pub async fn appointment_later(
    app: &TestApp,
    slug: &str,
    patient: PatientId,
    call_id: Option<&str>,
    minutes: i64,
) {
    let org = app.org(slug).await;
    let catalogue = app
        .state
        .scheduler
        .catalogue(&org)
        .await
        .expect("catalogue");
    let start = Utc::now()
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("minute")
        + chrono::Duration::minutes(minutes);
    let appointment = Appointment {
        id: AppointmentId::new_random(),
        patient,
        provider: catalogue.providers[0].id,
        operatory: catalogue.operatories[0].id,
        appointment_type: catalogue.appointment_types[0].id,
        start,
        end: start + chrono::Duration::minutes(30),
        status: AppointmentStatus::Scheduled,
        note: None,
        source: "voice".into(),
        idempotency_key: None,
        call_id: call_id.map(str::to_owned),
        created_at: start,
        updated_at: start,
    };
    let mut tx = app.store.clinic(org.id, TxMode::Write).await.expect("tx");
    tx.insert_appointment(&appointment).await.expect("insert");
    tx.commit().await.expect("commit");
}
