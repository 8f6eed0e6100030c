//! The console's team and Booking API key pages over real HTTP: owners only, every form with
//! its refusals and CSRF, the last-owner safeguard, invitations (made, accepted once, expired,
//! revoked) and keys that open the Booking API until revoked. What each page shows and what
//! the database holds afterwards.

use crate::common;

use ascendia::staff::{Email, Role, StaffUser};
use ascendia::tenancy::hash_api_key;
use common::TestApp;
use common::console::{Browser, PASSWORD, hidden, user};
use reqwest::StatusCode;
use sqlx::Connection;

const OWNER: &str = "owner@demo.example";
const DESK: &str = "desk@demo.example";
const MANAGER: &str = "manager@demo.example";
const GONE: &str = "This invitation has expired; ask the clinic&#39;s owner for a new one.";

async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_clinic("twin", common::DEMO_CLINIC).await;
    user(&app, DESK, Some(("demo", Role::Staff))).await;
    user(&app, MANAGER, Some(("demo", Role::Manager))).await;
    user(&app, OWNER, Some(("demo", Role::Owner))).await;
    user(&app, "owner@twin.example", Some(("twin", Role::Owner))).await;
    user(&app, "ops@ascendia.example", None).await;
    app
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let page = browser.sign_in(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    browser
}

async fn account(app: &TestApp, email: &str) -> Option<StaffUser> {
    let email = Email::parse(email).expect("email");
    app.store
        .user_for_sign_in(&email)
        .await
        .expect("lookup")
        .map(|(user, _)| user)
}

/// Everyone in the clinic's team with their role, by email.
async fn team(app: &TestApp, slug: &str) -> Vec<(String, Role)> {
    let org = app.org(slug).await;
    app.store
        .team(org.id)
        .await
        .expect("team")
        .into_iter()
        .map(|m| (m.user.email.to_string(), m.role))
        .collect()
}

async fn role_of(app: &TestApp, slug: &str, email: &str) -> Option<Role> {
    team(app, slug)
        .await
        .into_iter()
        .find(|(e, _)| e == email)
        .map(|(_, role)| role)
}

async fn actions(app: &TestApp) -> Vec<(String, String)> {
    let org = app.org("demo").await;
    app.store
        .staff_actions(org.id, 100)
        .await
        .expect("actions")
        .into_iter()
        .map(|a| (a.action, a.detail))
        .collect()
}

async fn pending(app: &TestApp) -> Vec<String> {
    let org = app.org("demo").await;
    app.store
        .pending_invitations(org.id, chrono::Utc::now())
        .await
        .expect("invitations")
        .into_iter()
        .map(|i| i.email.to_string())
        .collect()
}

/// Runs a statement straight on the test's database (either backend).
async fn execute(app: &TestApp, statement: &'static str) {
    let url = &app.settings.database_url;
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
        sqlx::raw_sql(statement)
            .execute(&mut conn)
            .await
            .expect("statement");
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("postgres");
        sqlx::raw_sql(statement)
            .execute(&mut conn)
            .await
            .expect("statement");
    }
}

/// The invitation link's token in the page that answered the invitation form.
fn invitation_token(body: &str) -> String {
    let (_, rest) = body
        .split_once("/admin/invite/")
        .unwrap_or_else(|| panic!("no invitation link in {body}"));
    rest.chars().take_while(char::is_ascii_hexdigit).collect()
}

/// Invites `email` as `role` through the form; the link's token.
async fn invite(owner: &mut Browser, email: &str, role: &str) -> String {
    let page = owner.get("/admin/demo/setup/team").await;
    let csrf = hidden(&page.body, "csrf");
    let answer = owner
        .post(
            "/admin/demo/setup/team/invitations",
            &[("csrf", &csrf), ("email", email), ("role", role)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let token = invitation_token(&answer.body);
    assert_eq!(token.len(), 64, "{}", answer.body);
    token
}

fn member_path(user: &StaffUser, what: &str) -> String {
    format!("/admin/demo/setup/team/members/{}/{what}", user.id)
}

#[tokio::test]
async fn team_and_keys_are_for_owners_and_every_form_needs_its_csrf_token() {
    let app = setup().await;
    let desk = account(&app, DESK).await.expect("desk");
    for email in [DESK, MANAGER] {
        let mut browser = signed_in(&app, email).await;
        for path in ["/admin/demo/setup/team", "/admin/demo/setup/keys"] {
            let page = browser.get(path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{email} {path}");
        }
        let today = browser.get("/admin/demo/today").await;
        let csrf = hidden(&today.body, "csrf");
        for (path, form) in [
            (
                "/admin/demo/setup/team/invitations".to_owned(),
                vec![("email", "x@demo.example"), ("role", "owner")],
            ),
            (member_path(&desk, "role"), vec![("role", "owner")]),
            (member_path(&desk, "remove"), vec![]),
            ("/admin/demo/setup/keys".to_owned(), vec![("label", "mine")]),
        ] {
            let mut form = form;
            form.push(("csrf", &csrf));
            let page = browser.post(&path, &form).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{email} {path}");
        }
    }
    // Another clinic's owner sees nothing of this one.
    let mut twin = signed_in(&app, "owner@twin.example").await;
    assert_eq!(
        twin.get("/admin/demo/setup/team").await.status,
        StatusCode::NOT_FOUND
    );

    // The owner: each form without the session's token is refused and changes nothing.
    let mut owner = signed_in(&app, OWNER).await;
    let page = owner.get("/admin/demo/setup/team").await;
    assert_eq!(page.status, StatusCode::OK);
    let token = invite(&mut owner, "new@demo.example", "staff").await;
    let invitation = app
        .store
        .invitation(&hash_api_key(&token))
        .await
        .expect("lookup")
        .expect("stored by its hash");
    let key = app.api("demo").await;
    let prefix = &key.key[..12];
    for (path, form) in [
        (
            "/admin/demo/setup/team/invitations".to_owned(),
            vec![("email", "other@demo.example"), ("role", "owner")],
        ),
        (
            format!(
                "/admin/demo/setup/team/invitations/{}/revoke",
                invitation.id
            ),
            vec![],
        ),
        (member_path(&desk, "role"), vec![("role", "owner")]),
        (member_path(&desk, "remove"), vec![]),
        ("/admin/demo/setup/keys".to_owned(), vec![("label", "mine")]),
        (format!("/admin/demo/setup/keys/{prefix}/revoke"), vec![]),
    ] {
        let page = owner.post(&path, &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let mut forged = form.clone();
        forged.push(("csrf", "forged"));
        let page = owner.post(&path, &forged).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(pending(&app).await, vec!["new@demo.example".to_owned()]);
    assert_eq!(role_of(&app, "demo", DESK).await, Some(Role::Staff));
    let org = app.org("demo").await;
    assert_eq!(app.store.api_keys(org.id).await.expect("keys").len(), 1);
    assert_eq!(key.get("/providers").await.0, 200, "the key still works");
    assert_eq!(
        actions(&app).await.len(),
        1,
        "only the invitation was recorded"
    );
}

#[tokio::test]
async fn owners_change_roles_and_remove_members_but_never_the_last_owner() {
    let app = setup().await;
    // An operator with a membership row is still no member: not listed, not counted.
    let ops = account(&app, "ops@ascendia.example").await.expect("ops");
    let demo = app.org("demo").await;
    app.store
        .set_membership(ops.id, demo.id, Role::Owner)
        .await
        .expect("membership");
    let desk = account(&app, DESK).await.expect("desk");
    let owner_user = account(&app, OWNER).await.expect("owner");
    let twin_owner = account(&app, "owner@twin.example").await.expect("twin");

    let mut owner = signed_in(&app, OWNER).await;
    let page = owner.get("/admin/demo/setup/team").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<title>Team · Demo Dental</title>"));
    for email in [DESK, MANAGER, OWNER] {
        assert!(page.body.contains(email), "{email}: {}", page.body);
    }
    assert!(!page.body.contains("ops@ascendia.example"));
    assert!(!page.body.contains("owner@twin.example"));
    assert!(page.body.contains("aria-current=\"page\">Team</a>"));
    let csrf = hidden(&page.body, "csrf");

    // A valid change.
    let changed = owner
        .post(
            &member_path(&desk, "role"),
            &[("csrf", &csrf), ("role", "manager")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        changed.location.as_deref(),
        Some("/admin/demo/setup/team?done=role")
    );
    assert_eq!(role_of(&app, "demo", DESK).await, Some(Role::Manager));
    let page = owner.get("/admin/demo/setup/team?done=role").await;
    assert!(page.body.contains("Role changed."));
    assert!(
        actions(&app)
            .await
            .contains(&("changed a role".into(), format!("{DESK}: staff → manager")))
    );

    // An unknown role: the error in the member's row, nothing written.
    let refused = owner
        .post(
            &member_path(&desk, "role"),
            &[("csrf", &csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Choose staff, manager or owner."));
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert_eq!(role_of(&app, "demo", DESK).await, Some(Role::Manager));

    // Nobody outside the clinic's team is reachable through these forms.
    for id in [
        twin_owner.id.to_string(),
        ops.id.to_string(),
        "not-an-id".into(),
    ] {
        let path = format!("/admin/demo/setup/team/members/{id}/role");
        let page = owner
            .post(&path, &[("csrf", &csrf), ("role", "staff")])
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
        let path = format!("/admin/demo/setup/team/members/{id}/remove");
        assert_eq!(
            owner.post(&path, &[("csrf", &csrf)]).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        role_of(&app, "twin", "owner@twin.example").await,
        Some(Role::Owner)
    );

    // The only owner can neither step down nor leave (the operator does not count).
    let last = owner
        .post(
            &member_path(&owner_user, "role"),
            &[("csrf", &csrf), ("role", "manager")],
        )
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT);
    assert!(
        last.body.contains("is the clinic&#39;s last owner"),
        "{}",
        last.body
    );
    let leave = owner
        .post(&member_path(&owner_user, "remove"), &[("csrf", &csrf)])
        .await;
    assert_eq!(leave.status, StatusCode::CONFLICT);
    assert!(leave.body.contains("make another member an owner first"));
    assert_eq!(role_of(&app, "demo", OWNER).await, Some(Role::Owner));

    // Removing a member ends the membership only.
    let removed = owner
        .post(&member_path(&desk, "remove"), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        removed.location.as_deref(),
        Some("/admin/demo/setup/team?done=removed")
    );
    assert_eq!(role_of(&app, "demo", DESK).await, None);
    assert!(account(&app, DESK).await.is_some(), "the account stays");
    let mut gone = Browser::new(&app);
    gone.sign_in(DESK, PASSWORD).await;
    assert_eq!(
        gone.get("/admin/demo/today").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        actions(&app)
            .await
            .contains(&("removed a team member".into(), format!("{DESK} (manager)")))
    );

    // With a second owner, the first may step down, and then sees the team page no more.
    let manager = account(&app, MANAGER).await.expect("manager");
    owner
        .post(
            &member_path(&manager, "role"),
            &[("csrf", &csrf), ("role", "owner")],
        )
        .await;
    let down = owner
        .post(
            &member_path(&owner_user, "role"),
            &[("csrf", &csrf), ("role", "staff")],
        )
        .await;
    assert_eq!(down.location.as_deref(), Some("/admin/demo/today"));
    assert_eq!(role_of(&app, "demo", OWNER).await, Some(Role::Staff));
    assert_eq!(
        owner.get("/admin/demo/setup/team").await.status,
        StatusCode::NOT_FOUND
    );
    // The operator manages the team as an owner would.
    let mut ops_browser = signed_in(&app, "ops@ascendia.example").await;
    let page = ops_browser.get("/admin/demo/setup/team").await;
    assert_eq!(page.status, StatusCode::OK);
    let ops_csrf = hidden(&page.body, "csrf");
    let last = ops_browser
        .post(&member_path(&manager, "remove"), &[("csrf", &ops_csrf)])
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT, "the new last owner");
}

#[tokio::test]
async fn an_invitation_makes_an_account_signs_it_in_and_works_once() {
    let app = setup().await;
    let mut owner = signed_in(&app, OWNER).await;
    let page = owner.get("/admin/demo/setup/team").await;
    let csrf = hidden(&page.body, "csrf");

    // Refusals, each next to its field, writing nothing.
    for (email, role, message) in [
        ("not an email", "staff", "Enter an email address"),
        (
            "new@demo.example",
            "admin",
            "Choose staff, manager or owner.",
        ),
        (DESK, "owner", "is already a member of this clinic."),
        (
            "ops@ascendia.example",
            "staff",
            "is an operator and already sees every clinic.",
        ),
    ] {
        let page = owner
            .post(
                "/admin/demo/setup/team/invitations",
                &[("csrf", &csrf), ("email", email), ("role", role)],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{email} {role}");
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(page.body.contains("class=\"field-error\""));
        assert!(!page.body.contains("/admin/invite/"));
    }
    assert!(pending(&app).await.is_empty());

    // A valid invitation: the link once, the invitation listed, only its hash stored.
    let answer = owner
        .post(
            "/admin/demo/setup/team/invitations",
            &[
                ("csrf", &csrf),
                ("email", " New@Demo.example "),
                ("role", "manager"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Copy this link"), "{}", answer.body);
    let token = invitation_token(&answer.body);
    assert!(
        answer
            .body
            .contains(&format!("http://{}/admin/invite/{token}", app.addr)),
        "the full link, with the page's origin: {}",
        answer.body
    );
    assert_eq!(pending(&app).await, vec!["new@demo.example".to_owned()]);
    assert!(
        app.store
            .invitation(&token)
            .await
            .expect("lookup")
            .is_none()
    );
    let stored = app
        .store
        .invitation(&hash_api_key(&token))
        .await
        .expect("lookup")
        .expect("by hash");
    let valid_for = stored.expires_at - stored.created_at;
    assert_eq!(valid_for, chrono::Duration::hours(24));
    let listed = owner.get("/admin/demo/setup/team").await;
    assert!(listed.body.contains("new@demo.example"));
    assert!(!listed.body.contains(&token), "the link is shown once");
    assert!(actions(&app).await.contains(&(
        "invited a team member".into(),
        "new@demo.example as manager".into()
    )));

    // The link, in another browser with nobody signed in.
    let link = format!("/admin/invite/{token}");
    let mut invitee = Browser::new(&app);
    let form = invitee.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Join Demo Dental"));
    assert!(form.body.contains("new@demo.example"));
    assert!(form.body.contains("<strong>manager</strong>"));
    assert!(
        form.body.contains("name=\"again\""),
        "a new password, twice"
    );
    let form_csrf = hidden(&form.body, "csrf");

    // Without the form's token, or with one that is not this browser's: refused.
    let strong = "a sturdy passphrase";
    let refused = invitee
        .post(&link, &[("password", strong), ("again", strong)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut stranger = Browser::new(&app);
    let refused = stranger
        .post(
            &link,
            &[
                ("csrf", &form_csrf),
                ("password", strong),
                ("again", strong),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Passwords: too short, or not the same twice.
    // (Each answer carries a new form token, as the sign-in form does.)
    let mut form_csrf = form_csrf;
    for (password, again, message) in [
        ("short", "short", "A password is 10 to 200 characters."),
        (strong, "a sturdy passphrasE", "The passwords differ."),
    ] {
        let page = invitee
            .post(
                &link,
                &[
                    ("csrf", &form_csrf),
                    ("password", password),
                    ("again", again),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains(message), "{}", page.body);
        form_csrf = hidden(&page.body, "csrf");
    }
    assert!(account(&app, "new@demo.example").await.is_none());
    assert_eq!(pending(&app).await.len(), 1);

    // A second tab with the form open, for later.
    let mut other_tab = Browser::new(&app);
    let late_form = other_tab.get(&link).await;
    let late_csrf = hidden(&late_form.body, "csrf");

    // Accepted: an account, the membership, signed in, on the clinic's day.
    let form = invitee.get(&link).await;
    let form_csrf = hidden(&form.body, "csrf");
    let accepted = invitee
        .post(
            &link,
            &[
                ("csrf", &form_csrf),
                ("password", strong),
                ("again", strong),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location.as_deref(), Some("/admin/demo/today"));
    assert!(invitee.cookies.contains_key("ascendia_session"));
    let today = invitee.get("/admin/demo/today").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.body.contains("new@demo.example"));
    assert!(today.body.contains(">Statistics</a>"), "a manager");
    assert_eq!(
        role_of(&app, "demo", "new@demo.example").await,
        Some(Role::Manager)
    );
    assert!(pending(&app).await.is_empty());
    let used = app
        .store
        .invitation(&hash_api_key(&token))
        .await
        .expect("lookup")
        .expect("kept");
    assert!(used.accepted_at.is_some());
    assert!(actions(&app).await.contains(&(
        "accepted an invitation".into(),
        "new@demo.example as manager".into()
    )));

    // Once only: the link now says so, and posting it again changes nothing.
    let again = Browser::new(&app).get(&link).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(again.body.contains(GONE), "{}", again.body);
    let reuse = other_tab
        .post(
            &link,
            &[
                ("csrf", &late_csrf),
                ("password", "another passphrase"),
                ("again", "another passphrase"),
            ],
        )
        .await;
    assert_eq!(reuse.status, StatusCode::GONE);
    assert!(reuse.body.contains(GONE));
    assert!(!other_tab.cookies.contains_key("ascendia_session"));
    let mut back = Browser::new(&app);
    assert_eq!(
        back.sign_in("new@demo.example", strong).await.status,
        StatusCode::SEE_OTHER,
        "the chosen password still signs in"
    );
}

#[tokio::test]
async fn an_invitation_to_an_existing_account_asks_for_its_password_throttled_like_sign_in() {
    let app = setup().await;
    let mut owner = signed_in(&app, OWNER).await;
    let twin_owner = "owner@twin.example";
    let token = invite(&mut owner, twin_owner, "staff").await;
    let link = format!("/admin/invite/{token}");
    let mut invitee = Browser::new(&app);
    let form = invitee.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("This email has an account already"));
    assert!(!form.body.contains("name=\"again\""));
    let mut csrf = hidden(&form.body, "csrf");
    for _ in 0..5 {
        let page = invitee
            .post(&link, &[("csrf", &csrf), ("password", "not the password")])
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.body
                .contains("That is not this account&#39;s password.")
        );
        csrf = hidden(&page.body, "csrf");
    }
    let held = invitee
        .post(&link, &[("csrf", &csrf), ("password", PASSWORD)])
        .await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(held.body.contains("Too many wrong passwords"));
    assert_eq!(role_of(&app, "demo", twin_owner).await, None);
    assert_eq!(pending(&app).await.len(), 1);
    // The throttle covers signing in too: the same account's counter.
    let mut login = Browser::new(&app);
    assert_eq!(
        login.sign_in(twin_owner, PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Another existing account, the right password: a member now, its other clinic kept.
    user(&app, "both@twin.example", Some(("twin", Role::Manager))).await;
    let token = invite(&mut owner, "both@twin.example", "owner").await;
    let link = format!("/admin/invite/{token}");
    let mut invitee = Browser::new(&app);
    let form = invitee.get(&link).await;
    let csrf = hidden(&form.body, "csrf");
    let accepted = invitee
        .post(&link, &[("csrf", &csrf), ("password", PASSWORD)])
        .await;
    assert_eq!(accepted.location.as_deref(), Some("/admin/demo/today"));
    assert_eq!(
        role_of(&app, "demo", "both@twin.example").await,
        Some(Role::Owner)
    );
    assert_eq!(
        role_of(&app, "twin", "both@twin.example").await,
        Some(Role::Manager)
    );
    assert_eq!(
        invitee.get("/admin/demo/setup/team").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn expired_revoked_and_unknown_invitations_change_nothing() {
    let app = setup().await;
    let mut owner = signed_in(&app, OWNER).await;

    // Expired: its day is over (set in the database).
    let token = invite(&mut owner, "late@demo.example", "staff").await;
    let link = format!("/admin/invite/{token}");
    let mut invitee = Browser::new(&app);
    let form = invitee.get(&link).await;
    let csrf = hidden(&form.body, "csrf");
    execute(&app, "UPDATE staff_invitations SET expires_at = created_at").await;
    assert!(pending(&app).await.is_empty(), "no longer listed");
    let page = invitee.get(&link).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains(GONE), "{}", page.body);
    let strong = "a sturdy passphrase";
    let page = invitee
        .post(
            &link,
            &[("csrf", &csrf), ("password", strong), ("again", strong)],
        )
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains(GONE));
    assert!(account(&app, "late@demo.example").await.is_none());
    assert!(!invitee.cookies.contains_key("ascendia_session"));

    // Revoked by the owner while the form was open.
    let token = invite(&mut owner, "maybe@demo.example", "staff").await;
    let link = format!("/admin/invite/{token}");
    let form = invitee.get(&link).await;
    let csrf = hidden(&form.body, "csrf");
    let team = owner.get("/admin/demo/setup/team").await;
    assert!(team.body.contains("maybe@demo.example"));
    let owner_csrf = hidden(&team.body, "csrf");
    let id = app
        .store
        .invitation(&hash_api_key(&token))
        .await
        .expect("lookup")
        .expect("stored")
        .id;
    let revoke = format!("/admin/demo/setup/team/invitations/{id}/revoke");
    let revoked = owner.post(&revoke, &[("csrf", &owner_csrf)]).await;
    assert_eq!(
        revoked.location.as_deref(),
        Some("/admin/demo/setup/team?done=revoked")
    );
    let team = owner.get("/admin/demo/setup/team?done=revoked").await;
    assert!(team.body.contains("Invitation revoked."));
    assert!(!team.body.contains("maybe@demo.example"));
    assert_eq!(
        owner.post(&revoke, &[("csrf", &owner_csrf)]).await.status,
        StatusCode::NOT_FOUND,
        "revoked already"
    );
    let page = invitee
        .post(
            &link,
            &[("csrf", &csrf), ("password", strong), ("again", strong)],
        )
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(account(&app, "maybe@demo.example").await.is_none());
    assert!(
        actions(&app)
            .await
            .contains(&("revoked an invitation".into(), "maybe@demo.example".into()))
    );

    // Another clinic's owner cannot revoke this clinic's invitation.
    let token = invite(&mut owner, "kept@demo.example", "staff").await;
    let id = app
        .store
        .invitation(&hash_api_key(&token))
        .await
        .expect("lookup")
        .expect("stored")
        .id;
    let mut twin = signed_in(&app, "owner@twin.example").await;
    let page = twin.get("/admin/twin/setup/team").await;
    let twin_csrf = hidden(&page.body, "csrf");
    for path in [
        format!("/admin/twin/setup/team/invitations/{id}/revoke"),
        format!("/admin/demo/setup/team/invitations/{id}/revoke"),
    ] {
        assert_eq!(
            twin.post(&path, &[("csrf", &twin_csrf)]).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(pending(&app).await, vec!["kept@demo.example".to_owned()]);

    // Unknown and malformed tokens: the same page, nothing more.
    for token in ["0".repeat(64), "nonsense".into()] {
        let page = invitee.get(&format!("/admin/invite/{token}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(page.body.contains(GONE));
    }
}

#[tokio::test]
async fn a_key_made_in_the_console_opens_the_booking_api_until_it_is_revoked() {
    let app = setup().await;
    let org = app.org("demo").await;
    let mut owner = signed_in(&app, OWNER).await;
    let page = owner.get("/admin/demo/setup/keys").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No keys yet."));
    let csrf = hidden(&page.body, "csrf");

    // A label too long, or of several lines: refused next to the field.
    for label in ["x".repeat(61), "two\nlines".into()] {
        let page = owner
            .post(
                "/admin/demo/setup/keys",
                &[("csrf", &csrf), ("label", &label)],
            )
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("class=\"field-error\""), "{}", page.body);
        assert!(!page.body.contains("id=\"new-key\""));
    }
    assert!(app.store.api_keys(org.id).await.expect("keys").is_empty());

    // Made: the secret on this page only, the hash in the database.
    let made = owner
        .post(
            "/admin/demo/setup/keys",
            &[("csrf", &csrf), ("label", " Front desk ")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK);
    let (_, rest) = made
        .body
        .split_once("<code id=\"new-key\">")
        .expect("the new key");
    let secret: String = rest.chars().take_while(|c| *c != '<').collect();
    assert!(ascendia::tenancy::looks_like_api_key(&secret), "{secret}");
    let keys = app.store.api_keys(org.id).await.expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].label.as_deref(), Some("Front desk"));
    let prefix = keys[0].prefix.clone();
    assert!(secret.starts_with(&prefix));
    let api = common::Api {
        addr: app.addr,
        key: secret.clone(),
    };
    let (status, providers) = api.get("/providers").await;
    assert_eq!(status, 200, "{providers}");
    assert!(providers.to_string().contains("Dr. "), "{providers}");

    let listed = owner.get("/admin/demo/setup/keys").await;
    assert!(listed.body.contains(&prefix) && listed.body.contains("Front desk"));
    assert!(listed.body.contains("active"));
    assert!(!listed.body.contains(&secret), "shown once");
    let recorded = actions(&app).await;
    assert!(recorded.contains(&(
        "created an API key".into(),
        format!("{prefix} (Front desk)")
    )));
    assert!(recorded.iter().all(|(_, detail)| !detail.contains(&secret)));

    // Staff cannot revoke it; an unknown prefix is not there.
    let mut desk = signed_in(&app, DESK).await;
    let desk_csrf = hidden(&desk.get("/admin/demo/today").await.body, "csrf");
    let revoke = format!("/admin/demo/setup/keys/{prefix}/revoke");
    assert_eq!(
        desk.post(&revoke, &[("csrf", &desk_csrf)]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        owner
            .post(
                "/admin/demo/setup/keys/asc_00000000/revoke",
                &[("csrf", &csrf)]
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.get("/providers").await.0, 200);

    // Revoked: the Booking API refuses it at once.
    let revoked = owner.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(
        revoked.location.as_deref(),
        Some("/admin/demo/setup/keys?done=revoked")
    );
    assert_eq!(api.get("/providers").await.0, 401);
    let listed = owner.get("/admin/demo/setup/keys?done=revoked").await;
    assert!(listed.body.contains("Key revoked"));
    assert!(listed.body.contains("revoked "));
    assert!(
        app.store.api_keys(org.id).await.expect("keys")[0]
            .revoked_at
            .is_some()
    );
    assert_eq!(
        owner.post(&revoke, &[("csrf", &csrf)]).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        actions(&app)
            .await
            .contains(&("revoked an API key".into(), prefix.clone()))
    );
}
