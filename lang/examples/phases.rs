use stackc_lang::{parser, FileId};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mode = std::env::args().nth(2).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap();
    let t = std::time::Instant::now();
    match mode.as_str() {
        "grammar" => {
            parser::grammar_only(&text);
        }
        "serial" => {
            let p = parser::parse_file(FileId(0), &text);
            std::mem::forget(p);
        }
        _ => {
            let p = parser::parse_file_parallel(FileId(0), &text, 2);
            std::mem::forget(p);
        }
    }
    eprintln!("{mode} {:?}", t.elapsed());
}
