//! The setup checklist and the operators' page in a real browser: an operator adds a clinic
//! through the form, finds it on the list with its readiness, and opens its checklist and
//! Retell page from there. Screenshots go to `target/console-screenshots/operator_adds_clinic/`.

use crate::common;

use common::TestApp;
use common::browser::{Browser, WAIT};
use common::console::PASSWORD;

#[tokio::test]
async fn an_operator_adds_a_clinic_and_opens_its_checklist_and_retell_page() {
    let app = TestApp::spawn().await;
    common::console::user(&app, "ops@ascendia.example", None).await;
    let Some(mut browser) = Browser::open(&app, "operator_adds_clinic").await else {
        return;
    };
    browser.visit("/admin/login", "sign-in-form").await;
    browser
        .type_into("input[name=email]", "ops@ascendia.example")
        .await;
    browser.type_into("input[name=password]", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    // One clinic: straight to its day, with the setup banner and the operators' link.
    browser.wait_for_path("/admin/demo/today", WAIT).await;
    browser.shot("today-with-banner").await;
    assert!(
        browser
            .text("p.banner")
            .await
            .contains("Setup is not complete")
    );
    browser.click("header a.operator").await;
    browser.wait_for_path("/admin/operator", WAIT).await;
    browser.shot("operator").await;

    browser
        .type_into(
            "form[action='/admin/operator/clinics'] input[name=name]",
            "Lakeside Dental",
        )
        .await;
    browser
        .type_into(
            "form[action='/admin/operator/clinics'] input[name=slug]",
            "Lake Side",
        )
        .await;
    browser
        .click("form[action='/admin/operator/clinics'] button")
        .await;
    browser
        .wait_for_text("#slug-error", "invalid slug", WAIT)
        .await;
    browser.shot("bad-slug").await;
    browser
        .type_into(
            "form[action='/admin/operator/clinics'] input[name=slug]",
            "lakeside",
        )
        .await;
    browser
        .type_into("input[name=time_zone]", "America/Chicago")
        .await;
    browser
        .click("form[action='/admin/operator/clinics'] button")
        .await;
    browser
        .wait_for_text("#clinic-lakeside .readiness", "3/7", WAIT)
        .await;
    browser.shot("added").await;

    browser.click("#clinic-lakeside a").await;
    browser.wait_for_path("/admin/lakeside/setup", WAIT).await;
    browser.shot("checklist").await;
    assert!(browser.text("main").await.contains("3 of 7 done"));
    browser
        .click("nav.setup a[href='/admin/lakeside/setup/retell']")
        .await;
    browser
        .wait_for_path("/admin/lakeside/setup/retell", WAIT)
        .await;
    browser.shot("retell").await;
    let url = browser.text("#websocket-url").await;
    assert!(url.ends_with("/llm-websocket/lakeside"), "{url}");
    browser.close().await;
}
