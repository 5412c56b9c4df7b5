use stackc_lang::{parser, Sources};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut s = Sources::new();
    let id = s.add(&path, &path, &text);
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let ok = parser::grammar_only(s.text(id));
        eprintln!("grammar only ok={ok} {:?}", t.elapsed());
    }
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let p = parser::parse_file(id, s.text(id));
        let el = t.elapsed();
        if std::env::args().nth(2).is_some() {
            println!("{:#?}", p.file);
        }
        print!(
            "{}",
            stackc_lang::diag::render::render_human(&s, &p.diagnostics, false)
        );
        eprintln!(
            "items={} diags={} time={:?}",
            p.file.body.items.len(),
            p.diagnostics.len(),
            el
        );
    }
}
