//! The team and API key pages in a real browser (headless Chromium over WebDriver, the harness
//! in `common::browser`): an owner makes a Booking API key and the key read off the page opens
//! the API; an owner invites someone, who accepts in a browser of their own, signs out and
//! signs in again with the password they chose. Screenshots of every page go to
//! `target/console-screenshots/<test>/`.

use crate::common;

use ascendia::staff::Role;
use common::TestApp;
use common::browser::{Browser, WAIT};
use common::console::{PASSWORD, user};

const OWNER: &str = "owner@demo.example";

/// Signs in through the form; ends on the clinic's Today.
async fn sign_in(browser: &mut Browser, email: &str, password: &str) {
    browser.visit("/admin/login", "sign-in-form").await;
    browser.type_into("input[name=email]", email).await;
    browser.type_into("input[name=password]", password).await;
    browser.click("main form button[type=submit]").await;
    browser.wait_for_path("/admin/demo/today", WAIT).await;
    browser.shot("today").await;
}

#[tokio::test]
async fn an_owner_makes_an_api_key_in_the_console_and_it_opens_the_booking_api() {
    let app = TestApp::spawn().await;
    user(&app, OWNER, Some(("demo", Role::Owner))).await;
    let Some(mut browser) = Browser::open(&app, "team_api_key").await else {
        return;
    };
    sign_in(&mut browser, OWNER, PASSWORD).await;

    // Setup, then its API keys tab.
    browser.visit("/admin/demo/setup/keys", "keys-empty").await;
    assert_eq!(browser.title().await, "API keys · Demo Dental");
    assert!(
        browser
            .text("nav.setup a[aria-current=page]")
            .await
            .contains("API keys")
    );
    browser
        .type_into("input[name=label]", "Website booking")
        .await;
    browser.click("form.new-key button[type=submit]").await;
    browser.wait_for_text("main", "Copy it now", WAIT).await;
    browser.shot("key-created").await;
    let secret = browser.text("#new-key").await;
    assert!(
        ascendia::tenancy::looks_like_api_key(&secret),
        "the key as the page shows it: {secret:?}"
    );
    assert!(browser.text("table.keys").await.contains("Website booking"));

    // The key, copied off the page, works against the Booking API.
    let api = common::Api {
        addr: app.addr,
        key: secret.clone(),
    };
    let (status, providers) = api.get("/providers").await;
    assert_eq!(status, 200, "{providers}");
    assert!(providers.to_string().contains("Dr. Sarah Chen"));

    // Shown once: the page opened again lists it without the secret.
    browser.visit("/admin/demo/setup/keys", "keys-listed").await;
    assert!(!browser.source().await.contains(&secret));
    assert!(browser.text("table.keys").await.contains("active"));

    // Revoked with its button: the API refuses it at once.
    browser.click("table.keys form button[type=submit]").await;
    browser.wait_for_text("main", "Key revoked", WAIT).await;
    browser.shot("key-revoked").await;
    assert_eq!(api.get("/providers").await.0, 401);
    browser.close().await;
}

#[tokio::test]
async fn an_invited_person_joins_in_their_own_browser_and_signs_in_again_with_their_password() {
    let app = TestApp::spawn().await;
    user(&app, OWNER, Some(("demo", Role::Owner))).await;
    let Some(mut owner) = Browser::open(&app, "team_invitation").await else {
        return;
    };
    sign_in(&mut owner, OWNER, PASSWORD).await;

    // The owner invites a new manager; the page shows the link once.
    owner.visit("/admin/demo/setup/team", "team").await;
    assert_eq!(owner.title().await, "Team · Demo Dental");
    assert!(owner.text("table.team").await.contains(OWNER));
    owner
        .type_into("form.invite input[name=email]", "Nell@Demo.example")
        .await;
    owner
        .click("form.invite select[name=role] option[value=manager]")
        .await;
    owner.shot("invitation-form").await;
    owner.click("form.invite button[type=submit]").await;
    owner.wait_for_text("main", "Copy this link", WAIT).await;
    owner.shot("invitation-link").await;
    let link = owner.text("#invite-link").await;
    let origin = app.http("");
    let path = link
        .strip_prefix(&origin)
        .unwrap_or_else(|| panic!("a link on this server ({origin}): {link:?}"))
        .to_owned();
    assert!(path.starts_with("/admin/invite/"), "{path}");
    assert!(
        owner
            .text("table.invitations")
            .await
            .contains("nell@demo.example")
    );

    // Someone else's browser, a session of its own: the invitation, accepted.
    let Some(mut nell) = Browser::open(&app, "team_invitation_invitee").await else {
        return;
    };
    nell.visit(&path, "invitation").await;
    assert_eq!(nell.title().await, "Join Demo Dental · Ascendia");
    let text = nell.text("main").await;
    assert!(
        text.contains("nell@demo.example") && text.contains("manager"),
        "{text}"
    );
    let chosen = "nell's own passphrase";
    nell.type_into("input[name=password]", chosen).await;
    nell.type_into("input[name=again]", "not the same passphrase")
        .await;
    nell.click("main form button[type=submit]").await;
    nell.wait_for_text("main", "The passwords differ.", WAIT)
        .await;
    nell.shot("passwords-differ").await;
    nell.type_into("input[name=password]", chosen).await;
    nell.type_into("input[name=again]", chosen).await;
    nell.click("main form button[type=submit]").await;
    nell.wait_for_path("/admin/demo/today", WAIT).await;
    nell.shot("joined").await;
    assert_eq!(nell.title().await, "Today · Demo Dental");
    assert!(nell.text("header").await.contains("nell@demo.example"));

    // Signed out, and in again with the chosen password: the clinic.
    nell.click("header form.signout button").await;
    nell.wait_for_path("/admin/login", WAIT).await;
    nell.shot("signed-out").await;
    sign_in(&mut nell, "nell@demo.example", chosen).await;
    assert_eq!(nell.text("header .clinic").await, "Demo Dental");
    assert!(
        nell.text("header nav").await.contains("Statistics"),
        "a manager"
    );

    // The link is used up.
    nell.visit(&path, "invitation-used").await;
    assert!(
        nell.text("main")
            .await
            .contains("This invitation has expired")
    );

    // The owner's team page lists the new member, and no pending invitation.
    owner.visit("/admin/demo/setup/team", "team-after").await;
    assert!(owner.text("table.team").await.contains("nell@demo.example"));
    assert!(!owner.exists("table.invitations").await);
    nell.close().await;
    owner.close().await;
}
