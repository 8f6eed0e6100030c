//! Finding and registering the caller, which verifies them for this call.

use super::{bad, service, trimmed};
use crate::agent::tools::contract::*;
use crate::agent::tools::{ToolContext, ToolError};
use crate::booking::{NewPatient, Patient, PatientId, PatientLookup, PhoneNumber};

pub(super) fn patient_ref(patient: &Patient) -> PatientRef {
    PatientRef {
        id: patient.id.to_string(),
        first_name: patient.first_name.clone(),
        last_name: patient.last_name.clone(),
    }
}

pub(super) async fn find_patient(
    ctx: &mut ToolContext<'_>,
    args: &FindPatient,
) -> Result<PatientMatch, ToolError> {
    let not_verified = |next| PatientMatch {
        found: true,
        verified: false,
        patient: None,
        next: Some(next),
    };
    // The verified patient is whoever the latest search proved: a caller who turns out to be
    // someone else loses what the earlier match allowed.
    ctx.guard.set_patient(None);
    let found = if let Some(phone) = trimmed(&args.phone) {
        let phone = PhoneNumber::parse(phone).map_err(bad)?;
        let matches = ctx
            .scheduler
            .find_patients(ctx.org, PatientLookup::Phone(&phone))
            .await
            .map_err(service)?;
        let from_caller = ctx.caller.as_ref() == Some(&phone);
        // A number alone proves nothing unless it is the one calling; a birth date does.
        let matches: Vec<Patient> = matches
            .into_iter()
            .filter(|p| args.birth_date.is_none_or(|d| p.birth_date == d))
            .collect();
        if !from_caller && args.birth_date.is_none() && !matches.is_empty() {
            return Ok(not_verified("ask for the date of birth to verify"));
        }
        matches
    } else {
        let last_name = trimmed(&args.last_name)
            .ok_or_else(|| bad("give a phone, or a last name and birth_date"))?;
        let birth_date = args
            .birth_date
            .ok_or_else(|| bad("give a phone, or a last name and birth_date"))?;
        ctx.scheduler
            .find_patients(
                ctx.org,
                PatientLookup::Name {
                    last_name,
                    first_name: trimmed(&args.first_name),
                    birth_date,
                },
            )
            .await
            .map_err(service)?
    };
    Ok(match found.as_slice() {
        [] => PatientMatch {
            found: false,
            verified: false,
            patient: None,
            next: None,
        },
        [one] => {
            ctx.guard.set_patient(Some(one.id));
            PatientMatch {
                found: true,
                verified: true,
                patient: Some(patient_ref(one)),
                next: None,
            }
        }
        _ => not_verified("several records match: ask for the first name"),
    })
}

pub(super) async fn create_patient(
    ctx: &mut ToolContext<'_>,
    args: &CreatePatient,
) -> Result<Registered, ToolError> {
    let phone = match trimmed(&args.phone) {
        Some(phone) => Some(PhoneNumber::parse(phone).map_err(bad)?),
        None => ctx.caller.clone(),
    };
    let today = ctx.org.time_zone.local(ctx.now).date_naive();
    let new = NewPatient::new(
        &args.first_name,
        &args.last_name,
        args.birth_date,
        phone,
        trimmed(&args.email),
        today,
    )
    .map_err(bad)?;
    let lookup = PatientLookup::Name {
        last_name: &new.last_name,
        first_name: Some(&new.first_name),
        birth_date: new.birth_date,
    };
    // Asked twice (a retry), or already a patient: the same record, not a second one.
    let existing = ctx
        .scheduler
        .find_patients(ctx.org, lookup)
        .await
        .map_err(service)?;
    let patient = match existing.into_iter().next() {
        Some(patient) => patient,
        None => ctx
            .scheduler
            .create_patient(ctx.org, new, ctx.now)
            .await
            .map_err(service)?,
    };
    ctx.guard.set_patient(Some(patient.id));
    Ok(Registered {
        created: true,
        verified: true,
        patient: patient_ref(&patient),
    })
}

pub(super) fn verified(ctx: &ToolContext<'_>) -> Result<PatientId, ToolError> {
    ctx.guard
        .patient
        .ok_or(ToolError::Refused(Refusal::NotVerified))
}
