//! Subscribe messages (订阅消息): the residents' answers, each event's template, and a message's
//! values as its template shows them — only the keys the template names, each cut to WeChat's
//! limits, a phone always masked.
use std::collections::HashMap;

use kit::outbox::NoticeKind;
use kit::subscribe::ValueType;

use crate::config::{NoticeSettings, TemplateSettings};

/// What a resident answered for a template in `wx.requestSubscribeMessage`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// One more message of the template may be sent.
    Accept,
    Reject,
    /// The template is off for good: what was left of its quota is gone.
    Ban,
    /// WeChat filtered the template out.
    Filter,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::Ban => "ban",
            Self::Filter => "filter",
        }
    }
}

/// What became of a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// On its way to WeChat.
    Pending,
    Sent,
    /// The resident had no accept left for the template.
    Unsubscribed,
    /// WeChat said the resident refuses the template (43101).
    Refused,
    /// WeChat refused the message for good (bad openid, template or values).
    Dropped,
    /// The resident never signed in with WeChat: there is nobody to send to.
    NoWechat,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Unsubscribed => "unsubscribed",
            Self::Refused => "refused",
            Self::Dropped => "dropped",
            Self::NoWechat => "no_wechat",
        }
    }

    /// Why a message in this state was not sent, in the resident's words.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Pending => "正在发送",
            Self::Sent => "",
            Self::Unsubscribed => "未订阅该消息或订阅次数已用完",
            Self::Refused => "您已拒绝接收该消息",
            Self::Dropped => "微信未能发送该消息",
            Self::NoWechat => "未使用微信登录，无法接收订阅消息",
        }
    }
}

/// The values an event offers a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Title,
    Status,
    Remark,
    Amount,
    Number,
    Subject,
    Phone,
    Time,
}

impl Source {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "title" => Self::Title,
            "status" => Self::Status,
            "remark" => Self::Remark,
            "amount" => Self::Amount,
            "number" => Self::Number,
            "subject" => Self::Subject,
            "phone" => Self::Phone,
            "time" => Self::Time,
            _ => return None,
        })
    }
}

/// One event's template, its settings checked.
#[derive(Clone, Debug)]
pub struct Template {
    pub template_id: String,
    pub page: String,
    keys: Vec<(String, ValueType, Source)>,
}

/// The values of an event, as the service where it happened offered them.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub title: Option<String>,
    pub status: Option<String>,
    pub remark: Option<String>,
    pub amount_fen: Option<i64>,
    pub number: Option<String>,
    pub subject: Option<String>,
    pub phone: Option<String>,
    pub time: i64,
    pub page_query: Option<String>,
}

/// A message as it is sent: the page it opens and each key's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub page: String,
    pub data: Vec<(String, String)>,
}

impl Template {
    fn compile(kind: NoticeKind, settings: &TemplateSettings) -> Result<Option<Self>, String> {
        let template_id = settings.template_id.trim();
        if template_id.is_empty() {
            return Ok(None);
        }
        let name = kind.as_str();
        if settings.fields.is_empty() {
            return Err(format!("auth.notices.{name}.fields is empty"));
        }
        let mut keys = Vec::new();
        for (key, source) in &settings.fields {
            let value_type = ValueType::of_key(key).ok_or_else(|| {
                format!(
                    "auth.notices.{name}.fields: {key} is no WeChat value type (thing1, time2 …)"
                )
            })?;
            let source = Source::parse(source).ok_or_else(|| {
                format!(
                    "auth.notices.{name}.fields.{key}: {source:?} is none of title, status, remark, amount, number, subject, phone, time"
                )
            })?;
            keys.push((key.clone(), value_type, source));
        }
        Ok(Some(Self {
            template_id: template_id.to_owned(),
            page: settings.page.trim().to_owned(),
            keys,
        }))
    }

    /// The message of `values`: only this template's keys, each cut to fit, a phone masked.
    pub fn render(&self, values: &Values) -> Rendered {
        let data = self
            .keys
            .iter()
            .map(|(key, value_type, source)| {
                let text = match source {
                    Source::Title => values.title.clone(),
                    Source::Status => values.status.clone(),
                    Source::Remark => values.remark.clone(),
                    Source::Amount => values.amount_fen.map(kit::money::render_yuan),
                    Source::Number => values.number.clone(),
                    Source::Subject => values.subject.clone(),
                    Source::Phone => values.phone.as_deref().map(kit::types::mask_phone),
                    Source::Time => Some(time_text(*value_type, values.time)),
                }
                .unwrap_or_default();
                (key.clone(), value_type.fit(&masked(&text)))
            })
            .collect();
        let page = match values.page_query.as_deref() {
            Some(query) if !self.page.is_empty() && !query.is_empty() => {
                format!("{}?{query}", self.page)
            }
            _ => self.page.clone(),
        };
        Rendered { page, data }
    }
}

/// `text` with every mainland mobile number and ID number in it masked (`176****1130`,
/// `1303**********2519`): free text (a repair's words, a reply) may carry them.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if !c.is_ascii_digit() {
            out.push(c);
            continue;
        }
        let mut run = String::from(c);
        while let Some(next) = chars.next_if(char::is_ascii_digit) {
            run.push(next);
        }
        if run.len() == 17
            && let Some(check) = chars.next_if(|c| *c == 'X' || *c == 'x')
        {
            run.push(check);
        }
        match run.len() {
            11 if run.starts_with('1') => out.push_str(&kit::types::mask_phone(&run)),
            15 | 18 => out.push_str(&kit::types::mask_idcard(&run)),
            _ => out.push_str(&run),
        }
    }
    out
}

/// A time as a `time` key writes it (`2026年12月05日 14:30`, Beijing), or as a `date` does.
fn time_text(value_type: ValueType, unix: i64) -> String {
    let pattern = if value_type == ValueType::Date {
        "%Y年%m月%d日"
    } else {
        "%Y年%m月%d日 %H:%M"
    };
    kit::time::beijing_format(unix, pattern)
}

/// Every event's template, checked once at start.
#[derive(Clone, Debug)]
pub struct Templates {
    by_kind: HashMap<NoticeKind, Template>,
    pub miniprogram_state: String,
    pub lang: String,
}

impl Templates {
    /// Checks `[auth.notices]`: known value types and values, a known state and language.
    pub fn new(settings: &NoticeSettings) -> Result<Self, String> {
        if !["developer", "trial", "formal"].contains(&settings.miniprogram_state.as_str()) {
            return Err("auth.notices.miniprogram_state must be developer, trial or formal".into());
        }
        if !["zh_CN", "en_US", "zh_HK", "zh_TW"].contains(&settings.lang.as_str()) {
            return Err("auth.notices.lang must be zh_CN, en_US, zh_HK or zh_TW".into());
        }
        let mut by_kind = HashMap::new();
        for kind in NoticeKind::ALL {
            if let Some(template) = Template::compile(kind, settings.template(kind))? {
                by_kind.insert(kind, template);
            }
        }
        Ok(Self {
            by_kind,
            miniprogram_state: settings.miniprogram_state.clone(),
            lang: settings.lang.clone(),
        })
    }

    /// The template of `kind`; `None` when residents are not told of it.
    pub fn of(&self, kind: NoticeKind) -> Option<&Template> {
        self.by_kind.get(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(fields: &[(&str, &str)]) -> TemplateSettings {
        TemplateSettings {
            template_id: "tpl-repair".into(),
            page: "pages/repair/detail".into(),
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_message_shows_only_its_keys_cut_to_fit_with_the_phone_masked() {
        let template = Template::compile(
            NoticeKind::Repair,
            &settings(&[
                ("thing1", "title"),
                ("phrase2", "status"),
                ("phone_number3", "phone"),
                ("time4", "time"),
            ]),
        )
        .expect("valid")
        .expect("on");
        let rendered = template.render(&Values {
            title: Some("厨房水管漏水，楼下天花板也开始滴水了，请尽快".into()),
            status: Some("已受理".into()),
            remark: Some("not shown".into()),
            phone: Some("17600381130".into()),
            time: 1_605_764_078,
            page_query: Some("id=7".into()),
            ..Values::default()
        });
        assert_eq!(rendered.page, "pages/repair/detail?id=7");
        assert_eq!(
            rendered.data,
            vec![
                ("phone_number3".to_owned(), "176****1130".to_owned()),
                ("phrase2".to_owned(), "已受理".to_owned()),
                (
                    "thing1".to_owned(),
                    "厨房水管漏水，楼下天花板也开始滴水了，请".to_owned()
                ),
                ("time4".to_owned(), "2020年11月19日 13:34".to_owned()),
            ]
        );
    }

    #[test]
    fn phones_and_id_numbers_in_free_text_are_masked() {
        assert_eq!(masked("请联系17600381130修"), "请联系176****1130修");
        assert_eq!(
            masked("身份证130321198001012519"),
            "身份证1303**********2519"
        );
        assert_eq!(
            masked("订单20201211114931367693"),
            "订单20201211114931367693"
        );
        assert_eq!(masked("1号楼101"), "1号楼101");
        assert_eq!(masked("box17600381130"), "box176****1130");
        assert_eq!(masked("13032119800101251X"), "1303**********251X");
    }

    #[test]
    fn bad_settings_are_named() {
        let error = Template::compile(NoticeKind::Review, &settings(&[("colour1", "title")]))
            .expect_err("unknown type");
        assert!(error.contains("auth.notices.review.fields"), "{error}");
        let error = Template::compile(NoticeKind::Review, &settings(&[("thing1", "idcard")]))
            .expect_err("unknown value");
        assert!(error.contains("idcard"), "{error}");
        let off = TemplateSettings::default();
        assert!(
            Template::compile(NoticeKind::Review, &off)
                .expect("valid")
                .is_none()
        );
    }
}
