//! What the setup pages share: a field as the templates draw it, the submitted form, the
//! problems found in it, and saving a change through the clinic file's one validation.

use std::collections::BTreeMap;

use super::super::AdminError;
use super::super::auth::{ClinicStaff, check_csrf};
use crate::booking::setup::{self, ClinicFile, Renames, SetupError};
use crate::http::AppState;

/// One input as `setup_field.html` draws it.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub label: String,
    /// The input's name: its place in the clinic file.
    pub name: String,
    pub value: String,
    /// "text", "number", "area", "check", "select" or "date".
    pub kind: &'static str,
    pub checked: bool,
    /// (value, label) for a select.
    pub options: Vec<(String, String)>,
    pub hint: String,
    pub error: Option<String>,
    /// A hidden input that travels with this one (a row's name before a rename).
    pub companion: Option<(String, String)>,
}

impl Field {
    fn new(kind: &'static str, label: &str, name: &str, value: &str) -> Self {
        Self {
            label: label.to_owned(),
            name: name.to_owned(),
            value: value.to_owned(),
            kind,
            ..Self::default()
        }
    }

    pub fn text(label: &str, name: &str, value: &str) -> Self {
        Self::new("text", label, name, value)
    }

    pub fn number(label: &str, name: &str, value: &str) -> Self {
        Self::new("number", label, name, value)
    }

    pub fn area(label: &str, name: &str, value: &str) -> Self {
        Self::new("area", label, name, value)
    }

    pub fn check(label: &str, name: &str, checked: bool) -> Self {
        Self {
            checked,
            ..Self::new("check", label, name, "yes")
        }
    }

    pub fn select(label: &str, name: &str, value: &str, options: &[(&str, &str)]) -> Self {
        Self {
            options: options
                .iter()
                .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
                .collect(),
            ..Self::new("select", label, name, value)
        }
    }

    /// Adds a hidden input next to this one.
    pub fn with_hidden(mut self, name: &str, value: &str) -> Self {
        self.companion = Some((name.to_owned(), value.to_owned()));
        self
    }

    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = hint.to_owned();
        self
    }
}

/// A submitted form as name/value pairs, in order.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// How many rows `section[i].name` the form has, counting from 0.
    pub fn rows(&self, section: &str) -> usize {
        (0..)
            .take_while(|i| {
                let name = format!("{section}[{i}].name");
                self.0.iter().any(|(n, _)| *n == name)
            })
            .count()
    }

    /// Appends a pair (building a form from a clinic file).
    pub fn put(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// The value of the first input of that name, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// A checkbox: present when ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Optional text: `None` when empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn check_csrf(&self, staff: &ClinicStaff) -> Result<(), AdminError> {
        check_csrf(
            &staff.staff.session.csrf_token,
            self.0
                .iter()
                .find(|(n, _)| n == "csrf")
                .map(|(_, v)| v.as_str()),
        )
    }
}

/// A row of a table form (chairs, types, providers) that holds something.
pub struct NamedRow {
    pub index: usize,
    pub name: String,
}

impl NamedRow {
    /// The input `field` of this row: `section[index].field`.
    pub fn field(&self, section: &str, field: &str) -> String {
        format!("{section}[{}].{field}", self.index)
    }
}

/// How many rows a table form draws: its rows, and an empty one to add with unless the form
/// already ends in a new one.
pub fn shown_rows(form: &FormData, section: &str) -> (usize, usize) {
    let rows = form.rows(section);
    let last_is_new = rows > 0 && form.get(&format!("{section}[{}].was", rows - 1)).is_empty();
    (rows, if last_is_new { rows } else { rows + 1 })
}

/// The rows of a table form that hold something. The empty row for adding is skipped (unless
/// `filled` says it holds more than a name); a row whose name was emptied is a problem, since
/// rows are retired, not deleted. Renamed rows are listed new name to old.
pub fn named_rows(
    form: &FormData,
    section: &str,
    retire: &str,
    problems: &mut Problems,
    renames: &mut std::collections::HashMap<String, String>,
    filled: impl Fn(usize) -> bool,
) -> Vec<NamedRow> {
    let mut named = Vec::new();
    for index in 0..form.rows(section) {
        let row = |field: &str| format!("{section}[{index}].{field}");
        let (name, was) = (form.get(&row("name")), form.get(&row("was")));
        if name.is_empty() && was.is_empty() && !filled(index) {
            continue;
        }
        if name.is_empty() {
            problems.add(&row("name"), format!("a name is needed ({retire})"));
            continue;
        }
        if !was.is_empty() && was != name {
            renames.insert(name.to_owned(), was.to_owned());
        }
        named.push(NamedRow {
            index,
            name: name.to_owned(),
        });
    }
    named
}

/// What is wrong with a submitted form: by the clinic-file place it is about, and the rest.
#[derive(Debug, Default)]
pub struct Problems {
    by_place: BTreeMap<String, String>,
    pub general: Vec<String>,
}

impl Problems {
    pub fn add(&mut self, place: &str, message: impl Into<String>) {
        self.by_place
            .entry(place.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.by_place.is_empty() && self.general.is_empty()
    }

    /// A whole number from the form, or a problem at `place`.
    pub fn number(&mut self, form: &FormData, place: &str) -> Option<u32> {
        let raw = form.get(place);
        match raw.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.add(place, format!("'{raw}' is not a whole number"));
                None
            }
        }
    }

    /// Renames places (a page whose inputs are not one to one with the file's fields).
    pub fn map_places(&mut self, rename: impl Fn(&str) -> String) {
        self.by_place = std::mem::take(&mut self.by_place)
            .into_iter()
            .map(|(place, message)| (rename(&place), message))
            .collect();
    }

    /// Puts each problem next to its field; those no field shows stay general.
    pub fn place_on<'a>(&mut self, fields: impl IntoIterator<Item = &'a mut Field>) {
        for field in fields {
            if let Some(message) = self.by_place.remove(&field.name) {
                field.error = Some(message);
            }
        }
        let rest = std::mem::take(&mut self.by_place);
        self.general.extend(
            rest.into_iter()
                .map(|(place, message)| format!("{place}: {message}")),
        );
    }
}

/// Saves a change to the clinic's setup (the caller has checked role and CSRF): the whole
/// file is validated and written in one transaction, the change is recorded as a staff
/// action, and this server serves it at once (others within a second). A refused change
/// comes back as problems by place, and nothing is written.
pub async fn save(
    state: &AppState,
    staff: &ClinicStaff,
    what: &str,
    renames: &Renames,
    change: impl FnOnce(&mut ClinicFile) -> Result<(), SetupError>,
) -> Result<Result<ClinicFile, Problems>, AdminError> {
    let file = match setup::edit(&state.store, &staff.org, renames, change).await {
        Ok(file) => file,
        Err(SetupError::Invalid { place, message }) => {
            let mut problems = Problems::default();
            problems.add(&place, message);
            return Ok(Err(problems));
        }
        Err(SetupError::Parse(message)) => {
            let mut problems = Problems::default();
            problems.general.push(message);
            return Ok(Err(problems));
        }
        Err(SetupError::Store(err)) => return Err(err.into()),
    };
    state
        .staff
        .record(
            staff.org.id,
            &staff.staff.session.user,
            "changed setup",
            what,
        )
        .await?;
    if let Err(err) = state.registry.refresh().await {
        // The background reload picks the change up within a second.
        tracing::warn!(error = %err, "[console] clinic registry reload failed");
    }
    Ok(Ok(file))
}

/// The page's frame for a setup tab (owners and managers only).
pub fn frame(staff: &ClinicStaff) -> Result<super::super::view::Frame, AdminError> {
    staff.require(crate::staff::Role::Manager)?;
    Ok(super::super::view::Frame::new(staff, "setup"))
}
