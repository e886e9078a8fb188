//! A community photo's key, `{prefix}/community-photo/{community}/{user}/{day}/{name}.{ext}`:
//! built for an upload, read back to learn whose it is.

/// The key segment of community photos.
pub const KIND: &str = "community-photo";
/// Where the gateway serves stored files.
pub const FILES_PATH: &str = "/api/v1/community/files/";

/// The extension the bytes really are (`png` or `jpg`); `None` for any other content.
pub fn image_extension(content: &[u8]) -> Option<&'static str> {
    if infer::image::is_png(content) {
        Some("png")
    } else if infer::image::is_jpeg(content) {
        Some("jpg")
    } else {
        None
    }
}

/// Whether `community` may be a folder of a key.
pub fn is_filable(community: &str) -> bool {
    community.chars().all(|c| c.is_ascii_alphanumeric()) && !community.is_empty()
}

/// The key of a new photo.
pub fn new_key(
    prefix: &str,
    community: &str,
    user_id: i64,
    day: impl std::fmt::Display,
    name: &str,
    extension: &str,
) -> String {
    format!("{prefix}/{KIND}/{community}/{user_id}/{day}/{name}.{extension}")
}

/// Whether `key` is a community photo under `prefix`.
pub fn is_ours(prefix: &str, key: &str) -> bool {
    key.starts_with(&format!("{prefix}/{KIND}/"))
}

/// `(community, uploader)` of a key under `prefix`; `None` for any other key.
pub fn parts<'k>(prefix: &str, key: &'k str) -> Option<(&'k str, i64)> {
    let rest = key.strip_prefix(&format!("{prefix}/{KIND}/"))?;
    let mut segments = rest.split('/');
    let community = segments.next()?;
    let user = segments.next()?.parse().ok()?;
    let _day = segments.next()?;
    let _name = segments.next()?;
    segments.next().is_none().then_some((community, user))
}

/// The key in `url` (relative `/api/v1/community/files/<key>`), or `url` itself.
pub fn key_of_url(url: &str) -> &str {
    url.split_once(FILES_PATH).map_or(url, |(_, key)| key)
}

/// The content type of the image at `key`.
pub fn content_type(key: &str) -> &'static str {
    if key.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_reads_back_as_its_community_and_uploader() {
        let key = new_key("wjdh-platform", "10002", 7, "20260101", "abc", "png");
        assert!(is_ours("wjdh-platform", &key));
        assert_eq!(parts("wjdh-platform", &key), Some(("10002", 7)));
        assert_eq!(content_type(&key), "image/png");
        let url = format!("{FILES_PATH}{key}");
        assert_eq!(key_of_url(&url), key);
    }

    #[test]
    fn keys_of_another_shape_have_no_parts() {
        assert_eq!(parts("p", "p/community-photo/10002/x/day/n.jpg"), None);
        assert_eq!(parts("p", "p/face-photo/10002/7/day/n.jpg"), None);
        assert_eq!(parts("p", "p/community-photo/10002/7/day/n.jpg/more"), None);
    }
}
