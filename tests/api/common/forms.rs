//! A form's inputs read back out of a page, as a browser would submit them: text and hidden
//! inputs, ticked checkboxes, selected options and textareas.

/// The inputs of the form posting to `action`, in page order.
pub fn form_values(body: &str, action: &str) -> Vec<(String, String)> {
    let marker = format!("action=\"{action}\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let form = &body[start..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    let mut values = Vec::new();
    let mut rest = form;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let name = attribute(tag, "name");
        if tag.starts_with("input") {
            let kind = attribute(tag, "type").unwrap_or_default();
            if let Some(name) = name {
                let ticked = kind != "checkbox" || has_word(tag, "checked");
                if ticked && kind != "file" {
                    values.push((name, attribute(tag, "value").unwrap_or_default()));
                }
            }
        } else if tag.starts_with("textarea") {
            let body = &rest[end + 1..];
            let text = &body[..body.find("</textarea>").unwrap_or(0)];
            if let Some(name) = name {
                values.push((name, unescape(text)));
            }
        } else if tag.starts_with("select") {
            let body = &rest[end + 1..];
            let options = &body[..body.find("</select>").unwrap_or(0)];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| has_word(&o[..o.find('>').unwrap_or(0)], "selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attribute(o, "value"))
                .unwrap_or_default();
            if let Some(name) = name {
                values.push((name, chosen));
            }
        }
    }
    values
}

/// Sets (or adds) an input's value.
pub fn set(values: &mut Vec<(String, String)>, name: &str, value: &str) {
    match values.iter_mut().find(|(n, _)| n == name) {
        Some(pair) => pair.1 = value.to_owned(),
        None => values.push((name.to_owned(), value.to_owned())),
    }
}

/// Unticks a checkbox.
pub fn untick(values: &mut Vec<(String, String)>, name: &str) {
    values.retain(|(n, _)| n != name);
}

pub fn pairs(values: &[(String, String)]) -> Vec<(&str, &str)> {
    values
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// The error shown under the named field, if any.
pub fn field_error(body: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = body.find(&marker)?;
    let after = &body[at..];
    // The field's own error comes before the next field.
    let next = after[marker.len()..]
        .find("name=\"")
        .map_or(after.len(), |n| n + marker.len());
    let scope = &after[..next];
    let start = scope.find("class=\"field-error\"")?;
    let text = &scope[start..];
    let open = text.find('>')? + 1;
    let close = text.find("</p>")?;
    Some(unescape(&text[open..close]))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn has_word(tag: &str, word: &str) -> bool {
    tag.split(|c: char| c.is_whitespace() || c == '>')
        .any(|part| part == word)
}

pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}
