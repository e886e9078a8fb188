//! Masks personal data before it reaches a log line.

/// `17600381130` → `176****1130`; anything shorter than 8 characters becomes `***`.
pub(crate) fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "***".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_middle_of_a_mobile_number() {
        assert_eq!(mask_phone("17600381130"), "176****1130");
        assert_eq!(mask_phone("123"), "***");
    }
}
