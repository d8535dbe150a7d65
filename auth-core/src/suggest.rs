//! "Did you mean ...?" for names checked at run time (hook method keys),
//! as `auth-macros` suggests for names checked at compile time. The
//! runtime can not depend on the macro crate, so it has its own.

/// The candidate closest to `word`, when it is close enough to be a typo:
/// at most one edit per three characters (at least one), where swapping
/// two neighbouring characters (`fnid` for `find`) is one edit.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: Levenshtein's insertions, deletions
/// and substitutions, plus transpositions of neighbours.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = rows[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(rows[i - 1][j] + 1).min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHODS: [&str; 7] = ["all", "find", "get", "create", "update", "patch", "remove"];

    #[test]
    fn finds_typos_and_swapped_letters_and_ignores_strangers() {
        assert_eq!(closest("crate", METHODS), Some("create"));
        assert_eq!(closest("fnid", METHODS), Some("find"));
        assert_eq!(closest("gett", METHODS), Some("get"));
        assert_eq!(closest("craete", METHODS), Some("create"));
        assert_eq!(closest("Patch", METHODS), Some("patch"));
        assert_eq!(closest("frobnicate", METHODS), None);
        assert_eq!(closest("", METHODS), None);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("find", "find"), 0);
        assert_eq!(edit_distance("fnid", "find"), 1);
        assert_eq!(edit_distance("crate", "create"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
