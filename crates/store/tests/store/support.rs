//! A store on a database of the test's own, and the principals a test acts as.

use everychild_domain::{
    clock::FixedClock, AgencyType, DisplayName, OrganisationId, OrganisationKind, Role, UserId,
    Username,
};
use everychild_policy::{authorize, Actor, Capability, Permit, Principal, Target};
use everychild_store::prelude::*;
use everychild_store::{NewOrganisation, NewUser, PoolSettings, SqlStore};
use everychild_testkit::{test_audit_keys, TestDb};
use std::sync::Arc;

/// A migrated store with a fixed clock.
///
/// Tests run on a multi-threaded runtime: a transaction a store method drops without
/// committing is rolled back by a task the pool spawns, and dropping the database (on
/// PostgreSQL, its schema) waits for that rollback.
pub struct Fixture {
    pub db: TestDb,
    pub store: SqlStore,
}

impl Fixture {
    pub async fn new() -> Self {
        let db = TestDb::new().await;
        let clock = Arc::new(FixedClock::new(time::OffsetDateTime::now_utc()));
        let store = SqlStore::connect(&db.url, &PoolSettings::default(), clock)
            .await
            .expect("connect")
            .with_audit_keys(test_audit_keys());
        store.migrate().await.expect("migrate");
        Self { db, store }
    }

    /// A permit for the operator at the console.
    pub fn console<C: Capability>(&self, purpose: Option<&str>) -> Permit<C> {
        authorize(&Principal::Console, Target::None, purpose).expect("the console may")
    }

    /// A permit for a signed-in user.
    pub fn as_user<C: Capability>(&self, who: &Principal, target: Target) -> Permit<C> {
        authorize(who, target, None).expect("the policy allows it")
    }

    /// How many audit events are stored.
    pub async fn events(&self) -> i64 {
        self.db.raw_i64("SELECT COUNT(*) FROM audit_events").await
    }

    /// One text column of the newest audit event.
    pub async fn last_event(&self, column: &str) -> String {
        self.db
            .raw_text(&format!(
                "SELECT COALESCE({column}, '') FROM audit_events ORDER BY seq DESC LIMIT 1"
            ))
            .await
    }

    pub async fn org(&self, name: &str) -> OrganisationId {
        self.store
            .create_organisation(
                &self.console(None),
                NewOrganisation {
                    name: name.into(),
                    kind: OrganisationKind::Statutory,
                    agency_type: AgencyType::Health,
                },
            )
            .await
            .expect("create organisation")
    }

    pub fn new_user(&self, username: &str, role: Role, org: OrganisationId) -> NewUser {
        NewUser {
            username: Username::parse(username).unwrap(),
            display_name: DisplayName::parse("Sam Example").unwrap(),
            email: None,
            job_title: Some("Tester".into()),
            role,
            organisation_id: org,
            password_hash: "not a real hash".into(),
            must_change_password: false,
        }
    }

    /// A user of `role` in a new organisation, as the principal they sign in as.
    pub async fn user(&self, username: &str, role: Role) -> Principal {
        let org = self.org(&format!("{username}'s organisation")).await;
        let id: UserId = self
            .store
            .create_user(&self.console(None), self.new_user(username, role, org))
            .await
            .expect("create user");
        Principal::User(Actor {
            user_id: id,
            username: username.into(),
            display_name: "Sam Example".into(),
            role,
            organisation_id: org,
            organisation_name: format!("{username}'s organisation"),
            agency_type: AgencyType::Health,
            localities: vec![],
            totp_enabled: true,
            must_change_password: false,
            token: None,
        })
    }
}
