//! A rental file's object key, `{prefix}/rental/{user}/{kind}/{yyyymmdd}/{name}.{ext}`: built for
//! an upload, read back to learn whose it is and who may see it.

/// The key segment of rental files.
pub const AREA: &str = "rental";
/// Where the gateway serves them.
pub const FILES_PATH: &str = "/api/v1/rental/files/";

/// What a file is; listing media and portraits are public (a mini-program's `<image>` sends no
/// token), the rest only for their owner and the platform reviewing them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Portrait,
    HousePhoto,
    HouseVideo,
    /// /user_identification's photos: the person, the card's front and back (owner only).
    IdPortrait,
    IdCardFront,
    IdCardBack,
    /// /house_identification's documents (owner and the platform deciding the claim).
    PropertyCert,
    Lease,
}

impl FileKind {
    const ALL: [Self; 8] = [
        Self::Portrait,
        Self::HousePhoto,
        Self::HouseVideo,
        Self::IdPortrait,
        Self::IdCardFront,
        Self::IdCardBack,
        Self::PropertyCert,
        Self::Lease,
    ];

    pub fn segment(self) -> &'static str {
        match self {
            Self::Portrait => "portrait",
            Self::HousePhoto => "house-photo",
            Self::HouseVideo => "house-video",
            Self::IdPortrait => "id-portrait",
            Self::IdCardFront => "idcard-front",
            Self::IdCardBack => "idcard-back",
            Self::PropertyCert => "property-cert",
            Self::Lease => "lease",
        }
    }

    /// Every segment, as a regex alternation (the gateway's key pattern says the same).
    pub fn segments() -> Vec<&'static str> {
        Self::ALL.iter().map(|kind| kind.segment()).collect()
    }

    fn of_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.segment() == segment)
    }

    pub fn is_public(self) -> bool {
        matches!(self, Self::Portrait | Self::HousePhoto | Self::HouseVideo)
    }

    /// A document the platform reviews with the claim it belongs to.
    pub fn is_claim_document(self) -> bool {
        matches!(self, Self::PropertyCert | Self::Lease)
    }

    pub fn is_video(self) -> bool {
        self == Self::HouseVideo
    }
}

/// The extension the bytes really are: `jpg` or `png` for images, `mp4` for a video; `None`
/// for anything else.
pub fn extension(kind: FileKind, content: &[u8]) -> Option<&'static str> {
    if kind.is_video() {
        infer::video::is_mp4(content).then_some("mp4")
    } else {
        super::photo_key::image_extension(content)
    }
}

/// The key of a new file.
pub fn new_key(
    prefix: &str,
    user_id: i64,
    kind: FileKind,
    day: impl std::fmt::Display,
    name: &str,
    extension: &str,
) -> String {
    format!(
        "{prefix}/{AREA}/{user_id}/{}/{day}/{name}.{extension}",
        kind.segment()
    )
}

/// Whose file `key` is and what it is, when it is a rental file under `prefix`.
pub fn parts(prefix: &str, key: &str) -> Option<(i64, FileKind)> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('/')?;
    let rest = rest.strip_prefix(AREA)?.strip_prefix('/')?;
    let mut segments = rest.split('/');
    let user = segments.next()?;
    let kind = FileKind::of_segment(segments.next()?)?;
    let day = segments.next()?;
    let file = segments.next()?;
    if segments.next().is_some()
        || !user.bytes().all(|b| b.is_ascii_digit())
        || user.starts_with('0')
        || day.len() != 8
        || !day.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (name, extension) = file.rsplit_once('.')?;
    let expected = if kind.is_video() { "mp4" } else { "" };
    let fits = match extension {
        "mp4" => expected == "mp4",
        "jpg" | "png" => expected.is_empty(),
        _ => false,
    };
    if !fits
        || name.is_empty()
        || name.len() > 64
        || !name.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    Some((user.parse().ok()?, kind))
}

/// The content type a key's extension names.
pub fn content_type(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("mp4") => "video/mp4",
        Some("png") => "image/png",
        _ => "image/jpeg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_says_whose_file_it_is_and_what() {
        let key = new_key(
            "wjdh-platform",
            7,
            FileKind::HousePhoto,
            "20261202",
            "abc",
            "png",
        );
        assert_eq!(key, "wjdh-platform/rental/7/house-photo/20261202/abc.png");
        assert_eq!(
            parts("wjdh-platform", &key),
            Some((7, FileKind::HousePhoto))
        );
        let video = new_key("p", 8, FileKind::HouseVideo, "20261202", "v1", "mp4");
        assert_eq!(parts("p", &video), Some((8, FileKind::HouseVideo)));
        assert_eq!(content_type(&video), "video/mp4");
        for bad in [
            "wjdh-platform/rental/7/house-photo/20261202/abc.mp4",
            "wjdh-platform/rental/7/house-video/20261202/abc.png",
            "wjdh-platform/rental/07/house-photo/20261202/abc.png",
            "wjdh-platform/rental/7/other/20261202/abc.png",
            "wjdh-platform/rental/7/house-photo/2026120/abc.png",
            "wjdh-platform/rental/7/house-photo/20261202/a-b.png",
            "wjdh-platform/rental/7/house-photo/20261202/abc.png/x",
            "other/rental/7/house-photo/20261202/abc.png",
        ] {
            assert_eq!(parts("wjdh-platform", bad), None, "{bad}");
        }
    }
}
