//! "Did you mean …?" for misspelled names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Transpositions count as one edit (`max_lenght`), and the allowance grows with length
    // so short names do not match everything.
    let allowed = (1 + name.chars().count() / 4).min(3);
    let lowered = name.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&lowered, &candidate.to_lowercase());
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `did you mean `x`?` for the closest candidate, if any.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_transpositions_and_small_edits() {
        let keys = ["max_length", "precision", "scale", "index"];
        assert_eq!(closest("max_lenght", keys), Some("max_length"));
        assert_eq!(closest("precison", keys), Some("precision"));
        assert_eq!(closest("indx", keys), Some("index"));
        assert_eq!(closest("whatever", keys), None);
    }

    #[test]
    fn ignores_case() {
        assert_eq!(closest("Users", ["users", "posts"]), Some("users"));
    }
}
