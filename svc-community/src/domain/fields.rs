//! The caller's fields as they came over HTTP, read with validation: a bad field is code 1
//! naming it, text is capped in characters.
use std::collections::HashMap;

use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;

/// The fields of one request.
#[derive(Clone, Debug, Default)]
pub struct Fields(HashMap<String, String>);

impl From<HashMap<String, String>> for Fields {
    fn from(map: HashMap<String, String>) -> Self {
        Self(map)
    }
}

impl Fields {
    /// A trimmed, non-blank value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Text of at most `max` characters, if sent.
    pub fn text(&self, name: &str, max: usize) -> ServiceResult<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(text) if text.chars().count() > max => Err(ServiceError::invalid(
                name,
                format!("{name}不能超过{max}个字"),
            )),
            Some(text) => Ok(Some(text.to_owned())),
        }
    }

    /// Text that must be sent, at most `max` characters.
    pub fn required_text(&self, name: &str, max: usize) -> ServiceResult<String> {
        self.text(name, max)?
            .ok_or_else(|| ServiceError::missing(name))
    }

    /// An integer, if sent.
    pub fn int(&self, name: &str) -> ServiceResult<Option<i64>> {
        self.get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ServiceError::invalid(name, format!("{name}必须是整数")))
            })
            .transpose()
    }

    pub fn required_int(&self, name: &str) -> ServiceResult<i64> {
        self.int(name)?.ok_or_else(|| ServiceError::missing(name))
    }

    /// A positive record id.
    pub fn id(&self, name: &str) -> ServiceResult<i64> {
        let id = self.required_int(name)?;
        if id < 1 {
            return Err(ServiceError::invalid(name, format!("{name}必须是正整数")));
        }
        Ok(id)
    }

    /// A 0/1 switch (`true`/`false` too), if sent.
    pub fn flag(&self, name: &str) -> ServiceResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some("1" | "true") => Ok(Some(true)),
            Some("0" | "false") => Ok(Some(false)),
            Some(_) => Err(ServiceError::invalid(name, format!("{name}只能是0或1"))),
        }
    }

    pub fn required_flag(&self, name: &str) -> ServiceResult<bool> {
        self.flag(name)?.ok_or_else(|| ServiceError::missing(name))
    }

    /// `page` and `per_page`.
    pub fn paging(&self) -> ServiceResult<Paging> {
        Paging::new(self.int("page")?, self.int("per_page")?)
            .map_err(|field| ServiceError::invalid(field, format!("{field}超出范围")))
    }

    /// A comma-separated list of image URLs: at most `max`, each at most 500 characters.
    pub fn images(&self, name: &str, max: usize) -> ServiceResult<Vec<String>> {
        let Some(text) = self.get(name) else {
            return Ok(Vec::new());
        };
        let images: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if images.len() > max {
            return Err(ServiceError::invalid(
                name,
                format!("{name}最多{max}张图片"),
            ));
        }
        if images.iter().any(|url| url.chars().count() > 500) {
            return Err(ServiceError::invalid(name, format!("{name}的图片地址太长")));
        }
        Ok(images)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn bad_fields_are_named() {
        let f = fields(&[("id", "x"), ("status", "2"), ("title", "长长长")]);
        assert_eq!(f.id("id").unwrap_err().msg, "id: id必须是整数");
        assert!(f.flag("status").unwrap_err().msg.starts_with("status"));
        assert!(f.text("title", 2).unwrap_err().msg.starts_with("title"));
        assert!(
            f.required_text("content", 10)
                .unwrap_err()
                .msg
                .starts_with("content")
        );
        assert_eq!(f.text("title", 3).unwrap().as_deref(), Some("长长长"));
    }

    #[test]
    fn images_are_split_and_capped() {
        let f = fields(&[("images", "http://a.jpg, http://b.png,")]);
        assert_eq!(f.images("images", 9).unwrap().len(), 2);
        assert!(f.images("images", 1).is_err());
    }
}
