//! Users, organisations and service clients' tokens: what the store refuses, naming the field,
//! and what it keeps.

use crate::support::Fixture;
use everychild_domain::{clock::Timestamp, OrganisationId, Role};
use everychild_policy::{Scope, Target};
use everychild_store::prelude::*;
use everychild_store::NewServiceToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_username_is_taken_once_and_an_organisation_must_exist() {
    let f = Fixture::new().await;
    let org = f.org("Eastgate Health").await;
    f.store
        .create_user(
            &f.console(None),
            f.new_user("sam.one", Role::Practitioner, org),
        )
        .await
        .expect("created");
    let users = f.db.raw_i64("SELECT COUNT(*) FROM users").await;

    let taken = f
        .store
        .create_user(&f.console(None), f.new_user("sam.one", Role::Analyst, org))
        .await
        .expect_err("the same username twice");
    assert_eq!(taken.fields().unwrap()[0].field, "username");

    let nowhere = f
        .store
        .create_user(
            &f.console(None),
            f.new_user("sam.two", Role::Practitioner, OrganisationId(999_999)),
        )
        .await
        .expect_err("an organisation that does not exist");
    assert_eq!(nowhere.fields().unwrap()[0].field, "organisation_id");
    assert_eq!(f.db.raw_i64("SELECT COUNT(*) FROM users").await, users);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_token_needs_a_scope_a_name_and_a_role_that_sees_no_personal_data() {
    let f = Fixture::new().await;
    let admin = f.user("admin.tokens", Role::Administrator).await;
    let p = f.as_user(&admin, Target::None);
    let expires = Timestamp::parse("2030-01-01T00:00:00.000Z").unwrap();
    let token = |client, role, scopes| NewServiceToken {
        client,
        role,
        owner: "admin.tokens",
        scopes,
        expires_at: expires,
        token_hash: "hash-of-a-secret",
    };
    let cases: [(NewServiceToken<'_>, &str); 3] = [
        (
            token("feeds", Role::Practitioner, &[Scope::DirectoryRead]),
            "role",
        ),
        (token("feeds", Role::DirectoryEditor, &[]), "scopes"),
        (
            token("  ", Role::DirectoryEditor, &[Scope::DirectoryRead]),
            "client",
        ),
    ];
    let events = f.events().await;
    for (t, field) in cases {
        let e = f.store.issue_token(&p, t).await.expect_err("refused");
        assert_eq!(e.fields().unwrap()[0].field, field, "{e}");
    }
    assert_eq!(f.events().await, events);
    assert_eq!(f.db.raw_i64("SELECT COUNT(*) FROM api_tokens").await, 0);

    let id = f
        .store
        .issue_token(
            &p,
            token("feeds", Role::DirectoryEditor, &[Scope::DirectoryRead]),
        )
        .await
        .expect("issued");
    let listed = f.store.list_tokens(&p).await.expect("listed");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    assert!(f.store.revoke_token(&p, id).await.expect("revoked"));
    assert!(!f.store.revoke_token(&p, id).await.expect("already revoked"));
}
