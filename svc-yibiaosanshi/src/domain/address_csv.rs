//! The address tree's CSV format, one row per house: the header, reading a file into checked
//! rows (every problem with its line) and writing rows back out.
use super::address_rows::{HouseRow, RowError, check_across_rows, check_row};

/// The header line, exactly, in this order.
pub const HEADER: [&str; 12] = [
    "community_identifier",
    "community_name",
    "community_pinyin",
    "building_number",
    "building_name",
    "unit_number",
    "unit_name",
    "floor_number",
    "floor_name",
    "house_number",
    "house_name",
    "house_type",
];

/// Past this many problems a file is not read further.
const MAX_ERRORS: usize = 1000;

/// Writing CSV failed.
#[derive(Debug, thiserror::Error)]
#[error("writing CSV: {0}")]
pub struct WriteError(String);

/// Parses and checks every row of a CSV file; on failure, every problem found with its line.
pub fn parse_csv(input: impl std::io::Read) -> Result<Vec<HouseRow>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut records = reader.records();
    match records.next() {
        None => {
            return Err(vec![RowError::new(
                1,
                format!(
                    "the file is empty: line 1 must be the header {}",
                    HEADER.join(",")
                ),
            )]);
        }
        Some(Err(error)) => return Err(vec![csv_error(&error)]),
        Some(Ok(header)) => {
            let names: Vec<&str> = header
                .iter()
                .enumerate()
                // A spreadsheet may start the file with a byte-order mark.
                .map(|(i, name)| {
                    if i == 0 {
                        name.trim_start_matches('\u{feff}')
                    } else {
                        name
                    }
                })
                .collect();
            if names != HEADER {
                return Err(vec![RowError::new(
                    line_of(&header),
                    format!(
                        "the header must be {} (found {})",
                        HEADER.join(","),
                        names.join(",")
                    ),
                )]);
            }
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        if errors.len() >= MAX_ERRORS {
            errors.push(RowError::new(
                errors.last().map_or(0, |e: &RowError| e.line),
                format!("more than {MAX_ERRORS} problems: stopped reading"),
            ));
            break;
        }
        match record {
            Ok(record) => {
                let line = line_of(&record);
                match row_from_record(&record) {
                    Ok(row) => rows.push((line, row)),
                    Err(problems) => {
                        errors.extend(problems.into_iter().map(|m| RowError::new(line, m)))
                    }
                }
            }
            Err(error) => {
                errors.push(csv_error(&error));
                if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    errors.extend(check_across_rows(&rows));
    if errors.is_empty() {
        Ok(rows.into_iter().map(|(_, row)| row).collect())
    } else {
        errors.sort_by_key(|error| error.line);
        Err(errors)
    }
}

fn line_of(record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |position| {
        usize::try_from(position.line()).unwrap_or(usize::MAX)
    })
}

fn csv_error(error: &csv::Error) -> RowError {
    let line = error.position().map_or(0, |position| {
        usize::try_from(position.line()).unwrap_or(usize::MAX)
    });
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8 text".to_owned(),
        csv::ErrorKind::Io(cause) => format!("cannot read the file: {cause}"),
        _ => error.to_string(),
    };
    RowError::new(line, message)
}

/// One record's fields as a row, or what is wrong with them.
fn row_from_record(record: &csv::StringRecord) -> Result<HouseRow, Vec<String>> {
    if record.len() != HEADER.len() {
        return Err(vec![format!(
            "expected {} fields, found {}",
            HEADER.len(),
            record.len()
        )]);
    }
    let field = |index: usize| record.get(index).unwrap_or_default().to_owned();
    let mut problems = Vec::new();
    let mut number = |index: usize| {
        let value = record.get(index).unwrap_or_default();
        value.parse::<i64>().unwrap_or_else(|_| {
            problems.push(format!(
                "{} must be a whole number, got {value:?}",
                HEADER[index]
            ));
            // Stands in for the value just reported, so it is not reported twice.
            1
        })
    };
    let row = HouseRow {
        community_identifier: field(0),
        community_name: field(1),
        community_pinyin: field(2),
        building_number: number(3),
        building_name: field(4),
        unit_number: number(5),
        unit_name: field(6),
        floor_number: number(7),
        floor_name: field(8),
        house_number: number(9),
        house_name: field(10),
        house_type: field(11),
    };
    problems.extend(check_row(&row));
    if problems.is_empty() {
        Ok(row)
    } else {
        Err(problems)
    }
}

/// Writes rows in the import format, header first, in the order given.
pub fn write_csv(rows: &[HouseRow]) -> Result<String, WriteError> {
    let failed = |error: csv::Error| WriteError(error.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).map_err(failed)?;
    for row in rows {
        writer
            .write_record([
                row.community_identifier.as_str(),
                &row.community_name,
                &row.community_pinyin,
                &row.building_number.to_string(),
                &row.building_name,
                &row.unit_number.to_string(),
                &row.unit_name,
                &row.floor_number.to_string(),
                &row.floor_name,
                &row.house_number.to_string(),
                &row.house_name,
                &row.house_type,
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| WriteError(error.to_string()))?;
    String::from_utf8(bytes).map_err(|error| WriteError(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER_LINE: &str = "community_identifier,community_name,community_pinyin,building_number,building_name,unit_number,unit_name,floor_number,floor_name,house_number,house_name,house_type";

    fn file(lines: &[&str]) -> String {
        let mut text = String::from(HEADER_LINE);
        for line in lines {
            text.push('\n');
            text.push_str(line);
        }
        text.push('\n');
        text
    }

    fn parse(text: &str) -> Result<Vec<HouseRow>, Vec<RowError>> {
        parse_csv(text.as_bytes())
    }

    fn lines_of(errors: &[RowError]) -> Vec<usize> {
        errors.iter().map(|error| error.line).collect()
    }

    #[test]
    fn a_good_file_parses_into_rows() {
        let rows = parse(&file(&[
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼",
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,102,102号,别墅",
        ]))
        .expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].house_number, 102);
        assert_eq!(rows[1].house_type, "别墅");
        assert_eq!(rows[0].building_name, "1栋");
    }

    #[test]
    fn a_byte_order_mark_spaces_and_quoted_commas_are_accepted() {
        let text = format!(
            "\u{feff}{}",
            file(&[r#"10002, 晨曦家园 ,ChenXiJiaYuan,1,"1栋,东",1,1单元,1,1楼,101,101号,单元楼"#])
        );
        let rows = parse(&text).expect("parses");
        assert_eq!(rows[0].community_name, "晨曦家园");
        assert_eq!(rows[0].building_name, "1栋,东");
    }

    #[test]
    fn a_wrong_header_is_the_only_error() {
        let errors = parse("community_identifier,community_name\n10002,x\n").expect_err("refused");
        assert_eq!(lines_of(&errors), [1]);
        assert!(
            errors[0]
                .to_string()
                .starts_with("line 1: the header must be")
        );
        let errors = parse("").expect_err("refused");
        assert_eq!(lines_of(&errors), [1]);
    }

    #[test]
    fn every_bad_field_of_every_row_is_reported_with_its_line() {
        let errors = parse(&file(&[
            "10a02,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼",
            "10002,晨曦家园,ChenXiJiaYuan,0,1栋,x,,1,1楼,101,101号,公寓",
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋",
        ]))
        .expect_err("refused");
        assert_eq!(lines_of(&errors), [2, 3, 3, 3, 3, 4]);
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("community_identifier"), "{text:?}");
        assert!(
            text.iter()
                .any(|e| e.contains("building_number must be positive"))
        );
        assert!(
            text.iter()
                .any(|e| e.contains("unit_number must be a whole number"))
        );
        assert!(
            text.iter()
                .any(|e| e.contains("unit_name must not be empty"))
        );
        assert!(
            text.iter()
                .any(|e| e.contains("house_type must be one of 单元楼"))
        );
        assert!(text[5].contains("expected 12 fields, found 5"));
    }

    #[test]
    fn a_house_listed_twice_is_refused_on_its_second_line() {
        let row = "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼";
        let errors = parse(&file(&[row, row])).expect_err("refused");
        assert_eq!(lines_of(&errors), [3]);
        assert!(errors[0].message.contains("already on line 2"));
    }

    #[test]
    fn a_community_or_building_named_two_ways_is_refused() {
        let errors = parse(&file(&[
            "10002,晨曦家园,ChenXiJiaYuan,1,1栋,1,1单元,1,1楼,101,101号,单元楼",
            "10002,晨曦花园,ChenXiHuaYuan,1,1栋,1,1单元,1,1楼,102,102号,单元楼",
            "10002,晨曦家园,ChenXiJiaYuan,1,一栋,1,1单元,1,1楼,103,103号,单元楼",
        ]))
        .expect_err("refused");
        assert_eq!(lines_of(&errors), [3, 4]);
        assert!(
            errors[0]
                .message
                .contains("community 10002 is named 晨曦家园 (ChenXiJiaYuan)")
        );
        assert!(errors[1].message.contains("building 1 of community 10002"));
    }

    #[test]
    fn text_that_is_not_utf8_is_reported() {
        let mut bytes = file(&[]).into_bytes();
        bytes.extend_from_slice(
            b"10002,\xff\xfe,P,1,b,1,u,1,f,1,h,\xe5\x8d\x95\xe5\x85\x83\xe6\xa5\xbc\n",
        );
        let errors = parse_csv(bytes.as_slice()).expect_err("refused");
        assert_eq!(lines_of(&errors), [2]);
        assert!(errors[0].message.contains("UTF-8"));
    }

    #[test]
    fn rows_written_out_parse_back_the_same() {
        let rows = crate::actions::addresses::demo::demo_rows();
        let text = write_csv(&rows).expect("writes");
        assert!(text.starts_with(HEADER_LINE));
        assert_eq!(parse(&text).expect("parses"), rows);
    }
}
