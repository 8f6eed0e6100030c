//! The storage contract: one story (clinics, setup, patients, bookings and conflicts, messages,
//! calls and their records, retention, keys, isolation, removal) told to each backend. Both
//! must tell it the same way.

use crate::common;

use ascendia::booking::AppointmentFilter;
use ascendia::booking::setup::{self, ClinicFile};
use ascendia::booking::{
    BookRequest, MessageQuery, NewMessage, NewPatient, PatientLookup, PhoneNumber,
    RescheduleRequest, Scheduler, ServiceError, SlotSearch,
};
use ascendia::calls::{CallEvent, CallMetadata, ToolCallRecord};
use ascendia::store::{Store, StoreError};
use ascendia::tenancy::{NewApiKey, NewOrganization, Organization, Slug, TimeZone};
use chrono::{Duration, NaiveDate, Utc};
use serde_json::json;

#[tokio::test]
async fn sqlite_keeps_the_storage_contract() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("story.db").display());
    let store = Store::open(&url, None).await.expect("open");
    assert!(store.is_fresh());
    story(store).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set ASCENDIA_TEST_POSTGRES_URL"
)]
async fn postgres_keeps_the_storage_contract() {
    if common::pg::url("postgres_keeps_the_storage_contract").is_none() {
        return;
    }
    let database = common::pg::TestDatabase::create().await;
    let store = Store::open(&database.runtime_url, Some(&database.owner_url))
        .await
        .expect("open");
    assert!(store.is_fresh());
    story(store).await;
}

async fn clinic(store: &Store, name: &str, slug: &str) -> Organization {
    let zone = TimeZone::parse("America/Denver").expect("zone");
    let org = store
        .create_org(
            NewOrganization::new(name, Slug::parse(slug).expect("slug"), zone).expect("new org"),
        )
        .await
        .expect("create org");
    let file = ClinicFile::parse(include_str!("../fixtures/lakeside.toml")).expect("clinic file");
    setup::import(store, &org, &file).await.expect("import");
    org
}

fn patient(first: &str, last: &str) -> NewPatient {
    NewPatient {
        first_name: first.into(),
        last_name: last.into(),
        birth_date: NaiveDate::from_ymd_opt(1984, 3, 9).expect("date"),
        phone: Some(PhoneNumber::parse("+13035550142").expect("phone")),
        email: None,
    }
}

async fn story(store: Store) {
    let now = Utc::now();
    let generation = store.registry_generation().await.expect("generation");

    // Clinics: slugs are unique, each change bumps the generation running servers poll.
    let a = clinic(&store, "Story Dental", "story-a").await;
    let b = clinic(&store, "Other Dental", "story-b").await;
    assert!(store.registry_generation().await.expect("generation") > generation);
    let zone = TimeZone::parse("America/Denver").expect("zone");
    let again =
        NewOrganization::new("Copy", Slug::parse("story-a").expect("slug"), zone).expect("new org");
    assert!(matches!(
        store.create_org(again).await,
        Err(StoreError::DuplicateSlug(_))
    ));
    let slugs: Vec<String> = store
        .list_orgs()
        .await
        .expect("list")
        .iter()
        .map(|o| o.slug.to_string())
        .collect();
    assert_eq!(slugs, ["story-a", "story-b"]);
    let found = store.org_by_slug(&a.slug).await.expect("by slug");
    assert_eq!(
        found.map(|o| (o.id, o.name)),
        Some((a.id, "Lakeside Dental".into()))
    );
    store.set_default_org(a.id).await.expect("default");
    assert_eq!(store.default_org_id().await.expect("default"), Some(a.id));

    // Setup reads back as imported.
    let scheduler = Scheduler::new(store.clone());
    let catalogue = scheduler.catalogue(&a).await.expect("catalogue");
    assert!(!catalogue.providers.is_empty() && !catalogue.office_hours.is_empty());
    let cleaning = catalogue
        .appointment_types
        .iter()
        .find(|t| t.name.contains("leaning"))
        .expect("a cleaning type")
        .id;

    // Patients: names match without regard to case; the same person twice is a conflict.
    let amara = scheduler
        .create_patient(&a, patient("Amara", "Okafor"), now)
        .await
        .expect("patient");
    assert!(matches!(
        scheduler
            .create_patient(&a, patient("AMARA", "okafor"), now)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    let lookup = PatientLookup::Name {
        last_name: "OKAFOR",
        first_name: Some("amara"),
        birth_date: amara.birth_date,
    };
    assert_eq!(
        scheduler.find_patients(&a, lookup).await.expect("find"),
        std::slice::from_ref(&amara)
    );
    let other_lookup = PatientLookup::Name {
        last_name: "Okafor",
        first_name: None,
        birth_date: amara.birth_date,
    };
    assert!(
        scheduler
            .find_patients(&b, other_lookup)
            .await
            .expect("find")
            .is_empty(),
        "another clinic's patient is not found"
    );
    let phone = PhoneNumber::parse("+13035550142").expect("phone");
    assert_eq!(
        scheduler
            .find_patients(&a, PatientLookup::Phone(&phone))
            .await
            .expect("by phone")
            .len(),
        1
    );

    // Bookings: idempotent by key, a taken time is refused, moves and cancels are kept.
    let from = (now + Duration::days(7)).date_naive();
    let search = SlotSearch {
        appointment_type: cleaning,
        from,
        to: from + Duration::days(13),
        provider: None,
        patient: Some(amara.id),
        limit: Some(40),
    };
    let slots = scheduler.open_slots(&a, &search, now).await.expect("slots");
    assert!(slots.len() > 2, "open slots: {}", slots.len());
    let request = |slot: &ascendia::booking::Slot, patient, key: &str| BookRequest {
        patient,
        appointment_type: cleaning,
        provider: slot.provider,
        start: slot.start,
        operatory: None,
        note: Some("story".into()),
        source: "api".into(),
        idempotency_key: Some(key.into()),
        call_id: Some("call-story-1".into()),
    };
    let booked = scheduler
        .book(&a, request(&slots[0], amara.id, "k1"), now)
        .await
        .expect("book");
    assert!(booked.created);
    let repeat = scheduler
        .book(&a, request(&slots[0], amara.id, "k1"), now)
        .await
        .expect("repeat");
    assert!(!repeat.created);
    assert_eq!(repeat.appointment.id, booked.appointment.id);
    let ben = scheduler
        .create_patient(&a, patient("Ben", "Cohen"), now)
        .await
        .expect("second patient");
    let clash = BookRequest {
        operatory: Some(booked.appointment.operatory),
        ..request(&slots[0], ben.id, "k2")
    };
    assert!(
        scheduler.book(&a, clash, now).await.is_err(),
        "the same provider and chair at the same time is refused"
    );
    let later = slots
        .iter()
        .find(|s| s.start >= booked.appointment.end + Duration::days(1))
        .expect("a later slot");
    let moved = scheduler
        .reschedule(
            &a,
            booked.appointment.id,
            RescheduleRequest {
                start: later.start,
                provider: Some(later.provider),
                operatory: None,
            },
            now,
        )
        .await
        .expect("reschedule");
    assert_eq!(moved.start, later.start);
    let window = AppointmentFilter::Between(later.start - Duration::hours(1), later.end);
    assert_eq!(
        scheduler.appointments(&a, window).await.expect("between"),
        std::slice::from_ref(&moved)
    );
    let cancelled = scheduler
        .cancel(&a, moved.id, Some("story".into()), now)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status.as_str(), "cancelled");
    assert_eq!(
        scheduler
            .appointment(&a, moved.id)
            .await
            .expect("read back")
            .status
            .as_str(),
        "cancelled"
    );
    assert!(matches!(
        scheduler.appointment(&b, moved.id).await,
        Err(ServiceError::NotFound(_))
    ));

    // Messages for the front desk, per clinic.
    let message = scheduler
        .take_message(
            &a,
            NewMessage::new(
                Some("call-story-1"),
                "Amara Okafor",
                Some(phone.clone()),
                "Please call about my crown",
                None,
                true,
            )
            .expect("message"),
            now,
        )
        .await
        .expect("take message");
    assert_eq!(
        scheduler
            .call_messages(&a, "call-story-1")
            .await
            .expect("call messages"),
        std::slice::from_ref(&message)
    );
    let handled = scheduler
        .mark_message_handled(&a, message.id, now)
        .await
        .expect("handled");
    assert!(handled.handled_at.is_some());
    let everything = MessageQuery {
        from: None,
        to: None,
        status: None,
        limit: None,
        offset: None,
    };
    assert!(
        scheduler
            .messages(&b, &everything)
            .await
            .expect("messages")
            .items
            .is_empty()
    );
    assert_eq!(
        scheduler
            .messages(&a, &everything)
            .await
            .expect("messages")
            .items
            .len(),
        1
    );

    // Calls: a call id belongs to the clinic that served it, for good.
    store
        .record_call_connected(a.id, "call-story-1")
        .await
        .expect("connected");
    store
        .record_call_connected(a.id, "call-story-1")
        .await
        .expect("reconnected");
    assert!(
        matches!(
            store.record_call_connected(b.id, "call-story-1").await,
            Err(StoreError::CallOfAnotherClinic(_))
        ),
        "another clinic's connect records nothing"
    );
    assert_eq!(
        store.org_for_call("call-story-1").await.expect("route"),
        Some(a.id)
    );
    let details = CallMetadata {
        agent_id: Some("agent-story".into()),
        call_type: Some("phone_call".into()),
        direction: Some("inbound".into()),
        from_number: Some("+13035550142".into()),
        to_number: Some("+13035550100".into()),
        ..CallMetadata::default()
    };
    store
        .record_call_details(a.id, "call-story-1", &details)
        .await
        .expect("details");
    let record = store
        .call_record(a.id, "call-story-1")
        .await
        .expect("record")
        .expect("the call is recorded");
    assert_eq!(record.connections, 2);
    assert_eq!(record.metadata, details);
    assert_eq!(
        store.call_record(b.id, "call-story-1").await.expect("b"),
        None
    );
    assert_eq!(store.count_calls(a.id).await.expect("count"), 1);
    assert_eq!(store.count_calls(b.id).await.expect("count"), 0);

    let ended = CallEvent::parse(&json!({
        "event": "call_ended",
        "call": {
            "call_id": "call-story-1",
            "agent_id": "agent-story",
            "call_status": "ended",
            "start_timestamp": 1_700_000_000_000_i64,
            "end_timestamp": 1_700_000_060_000_i64,
            "transcript": "Agent: Hello.",
            "transcript_object": [{"role": "agent", "content": "Hello."}],
        }
    }))
    .expect("event");
    store.apply_call_event(a.id, &ended).await.expect("filed");
    store.apply_call_event(a.id, &ended).await.expect("again");
    assert!(matches!(
        store.apply_call_event(b.id, &ended).await,
        Err(StoreError::CallOfAnotherClinic(_))
    ));
    let started = CallEvent::parse(&json!({
        "event": "call_started",
        "call": {"call_id": "call-story-1", "call_status": "ongoing"}
    }))
    .expect("event");
    store
        .apply_call_event(a.id, &started)
        .await
        .expect("late start");
    store
        .record_tool_call(
            a.id,
            "call-story-1",
            &ToolCallRecord {
                at: ascendia::store::stamp(now),
                name: "book_appointment".into(),
                arguments: "{}".into(),
                result: "{}".into(),
                successful: true,
            },
        )
        .await
        .expect("tool call");
    let detail = store
        .call_detail(a.id, "call-story-1")
        .await
        .expect("detail")
        .expect("found");
    assert_eq!(
        detail.summary.call_status.as_deref(),
        Some("ended"),
        "a late start never reopens an ended call"
    );
    assert_eq!(detail.summary.events, ["call_ended", "call_started"]);
    assert_eq!(detail.transcript.as_deref(), Some("Agent: Hello."));
    assert_eq!(detail.tool_calls.len(), 1);
    assert_eq!(detail.appointments, [booked.appointment.id.to_string()]);
    assert_eq!(
        store.call_detail(b.id, "call-story-1").await.expect("b"),
        None
    );
    let listed = store
        .list_call_records(a.id, 0, i64::MAX, 10, 0)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert!(
        store
            .list_call_records(b.id, 0, i64::MAX, 10, 0)
            .await
            .expect("list")
            .is_empty()
    );

    // Retention removes transcripts and keeps the record.
    assert_eq!(
        store
            .purge_transcripts(a.id, 1_800_000_000_000)
            .await
            .expect("purge"),
        1
    );
    let purged = store
        .call_detail(a.id, "call-story-1")
        .await
        .expect("detail")
        .expect("kept");
    assert_eq!(purged.transcript, None);
    assert_eq!(purged.transcript_object, None);
    assert_eq!(purged.summary.call_status.as_deref(), Some("ended"));

    // Keys and agents route to their clinic alone.
    let key = NewApiKey::generate(Some("story".into()));
    store.insert_api_key(a.id, &key).await.expect("key");
    assert_eq!(
        store
            .org_for_api_key(&key.hash)
            .await
            .expect("route")
            .map(|o| o.id),
        Some(a.id)
    );
    assert_eq!(store.api_keys(a.id).await.expect("keys").len(), 1);
    assert!(store.api_keys(b.id).await.expect("keys").is_empty());
    assert!(!store.revoke_api_key(b.id, &key.prefix).await.expect("b"));
    assert!(store.revoke_api_key(a.id, &key.prefix).await.expect("a"));
    assert_eq!(store.org_for_api_key(&key.hash).await.expect("route"), None);
    store.set_agent(a.id, "agent-story").await.expect("agent");
    assert!(matches!(
        store.set_agent(b.id, "agent-story").await,
        Err(StoreError::AgentTaken(_))
    ));
    assert_eq!(
        store.org_for_agent("agent-story").await.expect("agent"),
        Some(a.id)
    );
    store.set_agent(a.id, "agent-spare").await.expect("agent");
    assert_eq!(
        store.agent_ids(a.id).await.expect("ids"),
        ["agent-spare", "agent-story"]
    );
    assert!(store.agent_ids(b.id).await.expect("ids").is_empty());
    assert!(
        !store.remove_agent(b.id, "agent-spare").await.expect("b"),
        "another clinic's agent id is not b's to remove"
    );
    assert!(store.remove_agent(a.id, "agent-spare").await.expect("a"));
    assert_eq!(
        store.org_for_agent("agent-spare").await.expect("agent"),
        None
    );
    assert_eq!(store.agent_ids(a.id).await.expect("ids"), ["agent-story"]);

    // Removal: a clinic with records needs force; an empty one goes, with its routes.
    assert!(matches!(
        store.remove_org(&a, false).await,
        Err(StoreError::OrgHasData { .. })
    ));
    assert_eq!(store.remove_org(&b, false).await.expect("remove"), 0);
    assert_eq!(store.org_by_slug(&b.slug).await.expect("slug"), None);
    assert_eq!(store.remove_org(&a, true).await.expect("force"), 1);
    assert_eq!(
        store.org_for_call("call-story-1").await.expect("route"),
        None
    );
    assert_eq!(store.default_org_id().await.expect("default"), None);
    assert!(store.list_orgs().await.expect("list").is_empty());
}
