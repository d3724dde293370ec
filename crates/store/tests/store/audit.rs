//! The audit log as the store writes it: one event per audited change, in the change's
//! transaction, with the permit's actor and purpose; a chain that verifies end to end.

use crate::support::Fixture;
use everychild_domain::Role;
use everychild_policy::Target;
use everychild_store::prelude::*;
use everychild_store::NewOrganisation;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audited_change_records_the_permits_actor_and_purpose_once() {
    let f = Fixture::new().await;
    let before = f.events().await;
    let p = f.console(Some("set up the partnership"));
    f.store
        .create_organisation(
            &p,
            NewOrganisation {
                name: "Northfield Primary".into(),
                kind: everychild_domain::OrganisationKind::Statutory,
                agency_type: everychild_domain::AgencyType::Education,
            },
        )
        .await
        .expect("created");
    assert_eq!(f.events().await, before + 1);
    assert_eq!(f.last_event("action").await, "organisation.create");
    assert_eq!(f.last_event("actor_username").await, "(console)");
    assert_eq!(f.last_event("purpose").await, "set up the partnership");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_writes_neither_the_change_nor_an_event() {
    let f = Fixture::new().await;
    f.org("Riverside Trust").await;
    let events = f.events().await;
    let orgs = f.db.raw_i64("SELECT COUNT(*) FROM organisations").await;
    let e = f
        .store
        .create_organisation(
            &f.console(None),
            NewOrganisation {
                name: "Riverside Trust".into(),
                kind: everychild_domain::OrganisationKind::Voluntary,
                agency_type: everychild_domain::AgencyType::Health,
            },
        )
        .await
        .expect_err("a second organisation of the same name is refused");
    let fields = e.fields().expect("the refusal names its field");
    assert_eq!(fields[0].field, "name");
    assert!(fields[0].message.contains("already exists"), "{e}");
    assert_eq!(
        f.events().await,
        events,
        "no event for a change that did not happen"
    );
    assert_eq!(
        f.db.raw_i64("SELECT COUNT(*) FROM organisations").await,
        orgs
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_verifies_after_changes_and_names_the_event_that_was_altered() {
    let f = Fixture::new().await;
    for i in 0..5 {
        f.org(&format!("Org {i}")).await;
    }
    let admin = f.user("admin.one", Role::Administrator).await;
    f.store
        .search_audit(
            &f.as_user(&admin, Target::None),
            &everychild_store::AuditFilter {
                page: 1,
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .expect("an administrator's search of the log is itself audited");
    let n = f.events().await;
    let verified = f
        .store
        .verify_audit(&f.console(None))
        .await
        .expect("verify")
        .expect("the chain is whole");
    assert_eq!(verified, n, "every event is checked");

    f.db.raw(f.db.unguard_audit_sql()).await;
    f.db.raw("UPDATE audit_events SET action = 'organisation.renamed' WHERE seq = 3")
        .await;
    let broken = f
        .store
        .verify_audit(&f.console(None))
        .await
        .expect("verify")
        .expect_err("an altered event breaks the chain");
    assert!(
        format!("{broken}").contains('3'),
        "names the event: {broken}"
    );
}
