//! SQL's `LIKE` patterns, matched in memory: `%` is any run of characters,
//! `_` exactly one, every other character itself (no escape character, as
//! knex sends the pattern). `$ilike` folds case first (Unicode lowercase).

/// Whether `text` matches `pattern`; with `fold_case`, ignoring case.
pub(crate) fn like(text: &str, pattern: &str, fold_case: bool) -> bool {
    if fold_case {
        let (text, pattern) = (text.to_lowercase(), pattern.to_lowercase());
        return matches(
            &text.chars().collect::<Vec<_>>(),
            &pattern.chars().collect::<Vec<_>>(),
        );
    }
    matches(
        &text.chars().collect::<Vec<_>>(),
        &pattern.chars().collect::<Vec<_>>(),
    )
}

/// The classic two-pointer wildcard match: linear, with one backtrack
/// point (the last `%`), so no pattern makes it exponential.
fn matches(text: &[char], pattern: &[char]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
            }
            Some('_') => {
                t += 1;
                p += 1;
            }
            Some(&c) if c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '%')
}

/// A `LIKE` pattern as an SQLite `GLOB` pattern (case-sensitive, as `LIKE`
/// is in PostgreSQL): `%` → `*`, `_` → `?`, and GLOB's own wildcards made
/// literal with brackets.
#[cfg(feature = "sqlite")]
pub(crate) fn to_glob(pattern: &str) -> String {
    let mut glob = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        match c {
            '%' => glob.push('*'),
            '_' => glob.push('?'),
            '*' => glob.push_str("[*]"),
            '?' => glob.push_str("[?]"),
            '[' => glob.push_str("[[]"),
            other => glob.push(other),
        }
    }
    glob
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_and_underscore_are_the_only_wildcards() {
        for (text, pattern, expected) in [
            ("hello", "hello", true),
            ("hello", "h%", true),
            ("hello", "%llo", true),
            ("hello", "%l%", true),
            ("hello", "h_llo", true),
            ("hello", "h_lo", false),
            ("hello", "%x%", false),
            ("", "%", true),
            ("", "_", false),
            ("a.b", "a.b", true),
            ("axb", "a.b", false),
            ("50%", "50%", true),
            ("héllo", "h_llo", true),
            ("aaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%a%c", false),
        ] {
            assert_eq!(
                like(text, pattern, false),
                expected,
                "{text} LIKE {pattern}"
            );
        }
        assert!(!like("Hello", "h%", false));
        assert!(like("Hello", "h%", true));
        assert!(like("ÉCOLE", "é%", true));
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn glob_patterns_keep_globs_wildcards_literal() {
        assert_eq!(to_glob("a%b_c"), "a*b?c");
        assert_eq!(to_glob("*?["), "[*][?][[]");
    }
}
