//! The UI's words: every English text the views show through `t("…")` has its Vietnamese in
//! ui/src/i18n.rs, so switching language never leaves a screen half translated.

use warroom_tests::repo;

fn table() -> Vec<(String, String)> {
    let src = std::fs::read_to_string(repo().join("ui/src/i18n.rs")).unwrap();
    let start = src.find("const TABLE").unwrap();
    let block = &src[start..start + src[start..].find("];").unwrap()];
    // Its string literals in order, pairwise (rustfmt may break a long pair over lines).
    let literals: Vec<String> = block.split('"').skip(1).step_by(2).map(str::to_owned).collect();
    literals.chunks(2).filter(|p| p.len() == 2).map(|p| (p[0].clone(), p[1].clone())).collect()
}

#[test]
fn every_text_the_views_show_has_its_vietnamese() {
    let table = table();
    assert!(table.len() > 100, "the table was read: {} entries", table.len());
    let mut used = Vec::new();
    let views = std::fs::read_dir(repo().join("ui/src/views")).unwrap().map(|e| e.unwrap().path());
    let files: Vec<std::path::PathBuf> = std::iter::once(repo().join("ui/src/app.rs")).chain(views).collect();
    assert!(files.len() > 10, "the views were found: {files:?}");
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        for part in src.split("t(\"").skip(1) {
            if let Some(end) = part.find('"') {
                used.push(part[..end].to_owned());
            }
        }
    }
    assert!(used.len() > 100, "the views were read: {} texts", used.len());
    let missing: Vec<&String> = used.iter().filter(|u| !table.iter().any(|(en, _)| en == *u)).collect();
    assert!(missing.is_empty(), "no Vietnamese for {missing:?}");
    for (en, vi) in &table {
        assert!(!vi.trim().is_empty() && (vi != en || en == "GO"), "`{en}` is not translated");
    }
    let mut seen = std::collections::HashSet::new();
    for (en, _) in &table {
        assert!(seen.insert(en), "`{en}` is in the table twice");
    }
}
