//! Face photos as values: the accepted image types (by content, never by name), the house address
//! a photo is filed under, and its object key — built for a new photo, or from the parts the
//! gateway read from a URL.
use chrono::{DateTime, Utc};

/// The folder under the public prefix that holds face photos (000 §2.3.1.4).
pub const FACE_PHOTO: &str = "face-photo";

/// Length of the random file name (the seed's example has 40).
pub const NAME_LEN: usize = 40;

/// The image types a face photo may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
}

impl PhotoType {
    /// The type the bytes really are; `None` for anything but JPEG and PNG.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if infer::image::is_png(bytes) {
            Some(Self::Png)
        } else if infer::image::is_jpeg(bytes) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }
}

/// The house a photo belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoAddress {
    pub community_identifier: String,
    pub building_number: i64,
    pub unit_number: i64,
    pub floor_number: i64,
    pub house_number: i64,
}

impl PhotoAddress {
    /// A community identifier is 1 to 20 digits: it is a folder of the key.
    pub fn is_filable(&self) -> bool {
        crate::domain::address::is_community_identifier(&self.community_identifier)
    }

    /// The same house as the address tree looks it up.
    pub fn house_address(&self) -> secplat::HouseAddress {
        secplat::HouseAddress {
            community_identifier: self.community_identifier.clone(),
            building_number: self.building_number,
            unit_number: self.unit_number,
            floor_number: self.floor_number,
            house_number: self.house_number,
        }
    }
}

/// A key as the gateway read it from a URL (in the layout [`PhotoKey::new`] makes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadKey {
    /// Everything before `/face-photo/`.
    pub prefix: String,
    pub address: PhotoAddress,
    /// `YYYYMM` and `DD` of the upload.
    pub month: i32,
    pub day: i32,
    pub name: String,
    pub photo_type: PhotoType,
}

/// `{prefix}/face-photo/{community}/{building}/{unit}/{floor}/{house}/{YYYYMM}/{DD}/{name}.{ext}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoKey {
    key: String,
    community_identifier: String,
    photo_type: PhotoType,
}

impl PhotoKey {
    /// The key of a new photo of `address`, stored at `at` (UTC) under the random `name`.
    pub fn new(
        prefix: &str,
        address: &PhotoAddress,
        at: DateTime<Utc>,
        name: &str,
        photo_type: PhotoType,
    ) -> Self {
        let key = format!(
            "{prefix}/{FACE_PHOTO}/{}/{}/{}/{}/{}/{}/{}.{}",
            address.community_identifier,
            address.building_number,
            address.unit_number,
            address.floor_number,
            address.house_number,
            at.format("%Y%m/%d"),
            name,
            photo_type.extension(),
        );
        Self {
            key,
            community_identifier: address.community_identifier.clone(),
            photo_type,
        }
    }

    /// The key the gateway read from a URL, when it is under this store's `prefix`.
    pub fn of_read(prefix: &str, read: &ReadKey) -> Option<Self> {
        if read.prefix != prefix || !read.address.is_filable() {
            return None;
        }
        let address = &read.address;
        let key = format!(
            "{prefix}/{FACE_PHOTO}/{}/{}/{}/{}/{}/{:06}/{:02}/{}.{}",
            address.community_identifier,
            address.building_number,
            address.unit_number,
            address.floor_number,
            address.house_number,
            read.month,
            read.day,
            read.name,
            read.photo_type.extension(),
        );
        Some(Self {
            key,
            community_identifier: address.community_identifier.clone(),
            photo_type: read.photo_type,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The community the photo's house is in.
    pub fn community_identifier(&self) -> &str {
        &self.community_identifier
    }

    pub fn photo_type(&self) -> PhotoType {
        self.photo_type
    }

    /// The sidecar object holding the uploader's user id.
    pub fn owner_key(&self) -> String {
        format!("{}.owner", self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";

    fn address() -> PhotoAddress {
        PhotoAddress {
            community_identifier: "10002".into(),
            building_number: 1,
            unit_number: 2,
            floor_number: 3,
            house_number: 301,
        }
    }

    #[test]
    fn the_content_decides_the_type_not_the_name() {
        assert_eq!(PhotoType::sniff(PNG), Some(PhotoType::Png));
        assert_eq!(PhotoType::sniff(JPEG), Some(PhotoType::Jpeg));
        assert_eq!(PhotoType::sniff(b"GIF89a......"), None);
        assert_eq!(PhotoType::sniff(b"just some text"), None);
        assert_eq!(PhotoType::sniff(b""), None);
    }

    #[test]
    fn a_new_key_follows_the_seeds_layout_and_parses_back() {
        let at = Utc
            .with_ymd_and_hms(2020, 11, 21, 10, 0, 0)
            .single()
            .expect("time");
        let name = "QhnV7ro72m5eYCTtdCNl6vLTusEigO7mNY7oVrVQ";
        let key = PhotoKey::new("wjdh-platform", &address(), at, name, PhotoType::Png);
        assert_eq!(
            key.as_str(),
            "wjdh-platform/face-photo/10002/1/2/3/301/202011/21/QhnV7ro72m5eYCTtdCNl6vLTusEigO7mNY7oVrVQ.png"
        );
        let read = ReadKey {
            prefix: "wjdh-platform".into(),
            address: address(),
            month: 202011,
            day: 21,
            name: name.into(),
            photo_type: PhotoType::Png,
        };
        assert_eq!(PhotoKey::of_read("wjdh-platform", &read), Some(key.clone()));
        assert_eq!(PhotoKey::of_read("another", &read), None);
        assert_eq!(key.community_identifier(), "10002");
        assert_eq!(key.owner_key(), format!("{}.owner", key.as_str()));
    }

    #[test]
    fn only_a_community_of_digits_is_a_folder() {
        assert!(address().is_filable());
        for bad in ["../x", "", "10 002", &"1".repeat(21)] {
            let address = PhotoAddress {
                community_identifier: bad.to_owned(),
                ..address()
            };
            assert!(!address.is_filable(), "{bad}");
        }
    }
}
