//! What applying one clinic file over another changes, in words: the console's upload
//! preview and `org import` say it before (or as) it is written.

use serde_json::Value;

use super::file::ClinicFile;

/// What applying `new` over `current` changes, in words.
pub fn changes(current: &ClinicFile, new: &ClinicFile) -> Vec<String> {
    let json = |file: &ClinicFile| serde_json::to_value(file).unwrap_or(Value::Null);
    let (before, after) = (json(current), json(new));
    let mut said = Vec::new();
    for key in ["name", "time_zone", "greeting", "instructions"] {
        if before.get(key) != after.get(key) {
            said.push(format!("{} changes", key.replace('_', " ")));
        }
    }
    for section in ["settings", "office_hours", "phrases"] {
        let empty = serde_json::Map::new();
        let field = |v: &Value| {
            v.get(section)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (b, a) = (field(&before), field(&after));
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if b.get(key) != a.get(key) {
                said.push(format!("{section}.{key} changes"));
            }
        }
    }
    for (section, what) in [
        ("operatories", "chair"),
        ("providers", "provider"),
        ("appointment_types", "appointment type"),
    ] {
        let named = |v: &Value| -> Vec<(String, Value)> {
            v.get(section)
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .map(|item| {
                            let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                            (name.to_owned(), item.clone())
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (b, a) = (named(&before), named(&after));
        for (name, item) in &a {
            match b.iter().find(|(n, _)| n == name) {
                None => said.push(format!("adds {what} '{name}'")),
                Some((_, old)) if old != item => said.push(format!("changes {what} '{name}'")),
                Some(_) => {}
            }
        }
        for (name, item) in &b {
            let active = item.get("active").and_then(Value::as_bool).unwrap_or(true);
            if active && !a.iter().any(|(n, _)| n == name) {
                said.push(format!(
                    "{what} '{name}' is not in the file: no longer used"
                ));
            }
        }
    }
    if current.exceptions != new.exceptions {
        said.push(format!(
            "exceptions: {} now, {} after",
            current.exceptions.len(),
            new.exceptions.len()
        ));
    }
    if said.is_empty() {
        said.push("Nothing: the file is the clinic's setup as it is.".into());
    }
    said
}
