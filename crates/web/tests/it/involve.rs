//! Test support: a practitioner's involvement with a child, declared and then approved by
//! someone accountable for the child (a declaration alone opens nothing).

use everychild_testkit::{Client, TestApp};

/// `who` declares they work with `child` as `role`, and `approver` (who must have a ground:
/// a corroborated basis, the child's locality, or line management) approves it.
pub(crate) async fn declare_and_approve(
    app: &TestApp,
    who: &mut Client,
    child: i64,
    role: &str,
    approver: &mut Client,
) {
    let r = who
        .post_form(
            &format!("/children/{child}/involvement"),
            &[
                ("role", role),
                ("since", "2026-10-01"),
                ("reason", "I work with this child and their family"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "declare: {}", r.body);
    let id = app
        .db
        .raw_i64(&format!(
            "SELECT MAX(id) FROM involvements WHERE status = 'pending' AND child_id IN \
             (SELECT id FROM persons WHERE id = {child} OR root_id = {child} \
              OR id = (SELECT root_id FROM persons WHERE id = {child}))"
        ))
        .await;
    // The approver's page names the declaration (any page they may see will do to pick up
    // the CSRF token).
    approver.get("/involvements").await;
    let r = approver
        .post_form(
            &format!("/involvements/{id}/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(r.status, 303, "approve: {}", r.body);
}

/// The member accepts the place offered in request `request`'s team, from their invitations.
pub(crate) async fn accept_place(member: &mut Client, request: i64) {
    let page = member.get("/team-invitations").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("/requests/{request}/membership")),
        "the place is offered: {}",
        page.body
    );
    let r = member
        .post_form(
            &format!("/requests/{request}/membership"),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(r.location(), format!("/requests/{request}"), "{}", r.body);
}
