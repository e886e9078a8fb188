//! WeChat Pay APIv2's XML: one flat `<xml>` element (`<root>` inside a refund notification's
//! `req_info`) of `<key>value</key>` children, no attributes, no nesting. Values are written as CDATA; CDATA, text and the five predefined
//! entities (plus numeric ones) are read. DTDs are refused, so no entity can be smuggled in.

use std::collections::BTreeMap;

/// Why a body is not WeChat Pay's flat XML.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not WeChat Pay XML: {0}")]
pub struct XmlError(pub String);

fn error(problem: impl Into<String>) -> XmlError {
    XmlError(problem.into())
}

/// `<xml><k><![CDATA[v]]></k>…</xml>`, keys in their sorted order.
pub fn to_xml(fields: &BTreeMap<String, String>) -> String {
    to_xml_root(fields, "xml")
}

/// Like [`to_xml`] with another root element, e.g. `root`.
pub fn to_xml_root(fields: &BTreeMap<String, String>, root: &str) -> String {
    let mut out = format!("<{root}>");
    for (key, value) in fields {
        // "]]>" cannot appear inside one CDATA section: it is split across two.
        let value = value.replace("]]>", "]]]]><![CDATA[>");
        out.push_str(&format!("<{key}><![CDATA[{value}]]></{key}>"));
    }
    out.push_str(&format!("</{root}>"));
    out
}

/// The fields of a flat `<xml>` document; a repeated key, a nested element, an attribute or a
/// DTD is an error.
pub fn from_xml(text: &str) -> Result<BTreeMap<String, String>, XmlError> {
    from_xml_root(text, "xml")
}

/// Like [`from_xml`] for a document whose root element is `root`.
pub fn from_xml_root(text: &str, root: &str) -> Result<BTreeMap<String, String>, XmlError> {
    let open = format!("<{root}>");
    let close = format!("</{root}>");
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    if rest.starts_with("<?xml") {
        let end = rest
            .find("?>")
            .ok_or_else(|| error("unterminated declaration"))?;
        rest = rest[end + 2..].trim_start();
    }
    rest = rest
        .strip_prefix(open.as_str())
        .ok_or_else(|| error(format!("no {open} root")))?;
    let mut fields = BTreeMap::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(close.as_str()) {
            if !after.trim().is_empty() {
                return Err(error(format!("content after {close}")));
            }
            return Ok(fields);
        }
        let (key, value, after) = element(rest)?;
        if fields.insert(key.to_owned(), value).is_some() {
            return Err(error(format!("repeated <{key}>")));
        }
        rest = after;
    }
}

/// One `<key>…</key>` (or `<key/>`) at the start of `text`: its key, value and what follows.
fn element(text: &str) -> Result<(&str, String, &str), XmlError> {
    let inner = text
        .strip_prefix('<')
        .ok_or_else(|| error("text outside an element"))?;
    let close = inner.find('>').ok_or_else(|| error("unterminated tag"))?;
    let (tag, mut rest) = (&inner[..close], &inner[close + 1..]);
    if let Some(key) = tag.strip_suffix('/') {
        return Ok((valid_name(key)?, String::new(), rest));
    }
    let key = valid_name(tag)?;
    let end_tag = format!("</{key}>");
    let mut value = String::new();
    loop {
        if let Some(after) = rest.strip_prefix(end_tag.as_str()) {
            return Ok((key, value, after));
        }
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata
                .find("]]>")
                .ok_or_else(|| error("unterminated CDATA"))?;
            value.push_str(&cdata[..end]);
            rest = &cdata[end + 3..];
        } else if rest.starts_with('<') {
            return Err(error(format!("<{key}> holds an element")));
        } else if rest.is_empty() {
            return Err(error(format!("<{key}> is not closed")));
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            value.push_str(&unescape(&rest[..end])?);
            rest = &rest[end..];
        }
    }
}

/// A tag name of letters, digits and `_`: anything else (attributes, `!DOCTYPE`, `/`) is refused.
fn valid_name(name: &str) -> Result<&str, XmlError> {
    if !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(name)
    } else {
        Err(error("an unexpected tag"))
    }
}

fn unescape(text: &str) -> Result<String, XmlError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let entity_end = rest[start..]
            .find(';')
            .ok_or_else(|| error("unterminated entity"))?;
        let entity = &rest[start + 1..start + entity_end];
        out.push(match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => numeric_entity(entity).ok_or_else(|| error("an unknown entity"))?,
        });
        rest = &rest[start + entity_end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn numeric_entity(entity: &str) -> Option<char> {
    let number = entity.strip_prefix('#')?;
    let code = match number
        .strip_prefix('x')
        .or_else(|| number.strip_prefix('X'))
    {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => number.parse().ok()?,
    };
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn written_fields_read_back_the_same() {
        let written = fields(&[
            ("body", "物业费 <2024> & \"more\""),
            ("total_fee", "1"),
            ("tricky", "a]]>b"),
            ("empty", ""),
        ]);
        let text = to_xml(&written);
        assert!(text.starts_with("<xml><body><![CDATA[物业费"));
        assert_eq!(from_xml(&text).expect("readable"), written);
        let root = to_xml_root(&written, "root");
        assert!(root.starts_with("<root><body>") && root.ends_with("</root>"));
        assert_eq!(from_xml_root(&root, "root").expect("readable"), written);
        assert!(from_xml(&root).is_err());
        assert!(from_xml_root(&text, "root").is_err());
    }

    #[test]
    fn wechat_style_documents_are_read() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  \
            <return_code><![CDATA[SUCCESS]]></return_code>\n  <total_fee>100</total_fee>\n  \
            <note>a &lt;b&gt; &amp; &#20320;&#x597D;</note><none/>\n</xml>\n";
        let read = from_xml(text).expect("readable");
        assert_eq!(read["return_code"], "SUCCESS");
        assert_eq!(read["total_fee"], "100");
        assert_eq!(read["note"], "a <b> & 你好");
        assert_eq!(read["none"], "");
    }

    #[test]
    fn anything_but_flat_xml_is_refused() {
        for garbage in [
            "",
            "{}",
            "<xml>",
            "<xml><a>1</a>",
            "<xml><a>1</b></xml>",
            "<xml><a><b>1</b></a></xml>",
            "<xml><a x=\"1\">1</a></xml>",
            "<xml><a>1</a><a>2</a></xml>",
            "<!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><a>&e;</a></xml>",
            "<xml><a>&e;</a></xml>",
            "<xml><a><![CDATA[1</a></xml>",
            "<xml><a>1</a></xml>trailing",
            "<xml>text</xml>",
            "<xml><a>&#xD800;</a></xml>",
        ] {
            assert!(from_xml(garbage).is_err(), "{garbage:?} was accepted");
        }
    }
}
