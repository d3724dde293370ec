-- Geography and localities: local authorities, their wards and LSOAs (2011 and 2021) with
-- boundaries, the English Indices of Deprivation 2019, population by single year of age,
-- postcodes (terminated ones kept and marked) and schools, all imported from open data by
-- `everychild import geography`; then what an authority makes of them: versioned boundary sets
-- assigning wards to localities, age phases, hubs and delivery sites, locality teams with their
-- members, and the locality contacts of city-wide services.

CREATE TABLE authorities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    lead_rule TEXT NOT NULL DEFAULT 'home' CHECK (lead_rule IN ('home', 'school')),
    created_at TEXT NOT NULL
);

CREATE TABLE wards (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    authority_code TEXT NOT NULL,
    geometry TEXT
);
CREATE INDEX wards_authority ON wards(authority_code);

CREATE TABLE lsoas (
    code TEXT NOT NULL,
    vintage INTEGER NOT NULL CHECK (vintage IN (2011, 2021)),
    name TEXT NOT NULL,
    authority_code TEXT NOT NULL,
    ward_code TEXT,
    latitude REAL,
    longitude REAL,
    geometry TEXT,
    PRIMARY KEY (code, vintage)
);
CREATE INDEX lsoas_ward ON lsoas(ward_code);

CREATE TABLE deprivation (
    lsoa11 TEXT PRIMARY KEY,
    imd_score REAL NOT NULL,
    imd_rank INTEGER NOT NULL,
    imd_decile INTEGER NOT NULL,
    income_rank INTEGER NOT NULL,
    income_decile INTEGER NOT NULL,
    employment_rank INTEGER NOT NULL,
    employment_decile INTEGER NOT NULL,
    education_rank INTEGER NOT NULL,
    education_decile INTEGER NOT NULL,
    health_rank INTEGER NOT NULL,
    health_decile INTEGER NOT NULL,
    crime_rank INTEGER NOT NULL,
    crime_decile INTEGER NOT NULL,
    barriers_rank INTEGER NOT NULL,
    barriers_decile INTEGER NOT NULL,
    living_environment_rank INTEGER NOT NULL,
    living_environment_decile INTEGER NOT NULL,
    idaci_score REAL NOT NULL,
    idaci_decile_best INTEGER NOT NULL,
    idaci_decile_worst INTEGER NOT NULL,
    cyp_rank INTEGER NOT NULL,
    cyp_decile INTEGER NOT NULL
);

CREATE TABLE population (
    lsoa11 TEXT NOT NULL,
    year INTEGER NOT NULL,
    age INTEGER NOT NULL,
    persons INTEGER NOT NULL,
    PRIMARY KEY (lsoa11, year, age)
);

CREATE TABLE postcodes (
    postcode TEXT PRIMARY KEY,
    authority_code TEXT NOT NULL,
    lsoa11 TEXT,
    oa11 TEXT,
    msoa11 TEXT,
    ward_code TEXT,
    easting REAL,
    northing REAL,
    introduced TEXT,
    terminated TEXT
);
CREATE INDEX postcodes_authority ON postcodes(authority_code);

CREATE TABLE schools (
    urn INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    authority_code TEXT NOT NULL,
    establishment_type TEXT NOT NULL,
    type_group TEXT NOT NULL,
    phase TEXT NOT NULL,
    pupils INTEGER,
    fsm_percent REAL,
    lsoa_code TEXT,
    ward_code TEXT,
    easting REAL,
    northing REAL,
    city_wide INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX schools_ward ON schools(ward_code);

ALTER TABLE localities ADD COLUMN authority_id INTEGER REFERENCES authorities(id);
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN line_manager_id INTEGER REFERENCES users(id);

CREATE TABLE boundary_sets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority_id INTEGER NOT NULL REFERENCES authorities(id),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    is_current INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    made_current_at TEXT,
    UNIQUE (authority_id, version)
);
CREATE UNIQUE INDEX boundary_sets_one_current ON boundary_sets(authority_id) WHERE is_current = 1;

CREATE TABLE boundary_set_wards (
    set_id INTEGER NOT NULL REFERENCES boundary_sets(id),
    ward_code TEXT NOT NULL REFERENCES wards(code),
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    PRIMARY KEY (set_id, ward_code)
);
CREATE INDEX boundary_set_wards_locality ON boundary_set_wards(locality_id);

CREATE TABLE age_phases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority_id INTEGER NOT NULL REFERENCES authorities(id),
    name TEXT NOT NULL,
    min_age INTEGER NOT NULL,
    max_age INTEGER NOT NULL,
    send_max_age INTEGER,
    UNIQUE (authority_id, name)
);

CREATE TABLE sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority_id INTEGER NOT NULL REFERENCES authorities(id),
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    age_phase_id INTEGER REFERENCES age_phases(id),
    is_hub INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL UNIQUE,
    building_type TEXT NOT NULL CHECK (building_type IN ('childrens_centre', 'secondary_school', 'primary_school', 'youth_centre', 'neighbourhood_centre', 'health_centre', 'library', 'other')),
    address TEXT NOT NULL,
    postcode TEXT NOT NULL,
    easting REAL,
    northing REAL,
    created_at TEXT NOT NULL
);
CREATE INDEX sites_locality ON sites(locality_id);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    age_phase_id INTEGER NOT NULL REFERENCES age_phases(id),
    kind TEXT NOT NULL CHECK (kind IN ('core', 'extended')),
    name TEXT NOT NULL,
    base_site_id INTEGER REFERENCES sites(id),
    UNIQUE (locality_id, age_phase_id, kind)
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    relationship TEXT NOT NULL CHECK (relationship IN ('matrix', 'coordination')),
    role_in_team TEXT NOT NULL,
    sla_reference TEXT,
    since TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE citywide_services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority_id INTEGER NOT NULL REFERENCES authorities(id),
    name TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    UNIQUE (authority_id, name)
);

CREATE TABLE citywide_contacts (
    service_id INTEGER NOT NULL REFERENCES citywide_services(id),
    locality_id INTEGER NOT NULL REFERENCES localities(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (service_id, locality_id)
);

-- Bumped whenever the geography, a current boundary set or a hub changes, so every server
-- running on the database reloads its in-memory postcode index.
CREATE TABLE geo_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO geo_version (id, version) VALUES (1, 0);
