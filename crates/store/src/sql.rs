//! Small pieces of SQL built from the policy's sets, never from input.

use everychild_domain::Role;

/// `column IN ('practitioner', 'locality_manager')` for a set of roles (their stored words,
/// which are fixed in the code: nothing here comes from a request).
pub(crate) fn role_in(column: &str, roles: &[Role]) -> String {
    let words: Vec<String> = roles.iter().map(|r| format!("'{}'", r.as_str())).collect();
    format!("{column} IN ({})", words.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_line_in_sql_is_the_policys_set() {
        let front_line = role_in("u.role", everychild_policy::FRONT_LINE);
        assert_eq!(
            front_line,
            concat!("u.role IN ('practitioner', ", "'locality_manager')")
        );
        assert_eq!(role_in("role", &[Role::Analyst]), "role IN ('analyst')");
    }
}
