"""Run Splink 5 on one benchmark set with the settings of Splink's own documented example for
that set, and write the scored pairs (or, for the FEBRL4 link, the one-to-one links) as
id_l,id_r,match_probability for the shared evaluator.

Usage: python splink_run.py SET DATA_DIR OUT_CSV
SET is febrl3, febrl4, fake_1000 or historical_50k. DATA_DIR holds the prepared CSV files
(prepare.py). Settings follow Splink's examples in docs/demos/examples/duckdb/: febrl3.ipynb,
febrl4.ipynb (the "detailed" model), accuracy_analysis_from_labels_column.ipynb (fake_1000) and
deduplicate_50k_synthetic.ipynb (historical_50k). The one change everywhere: predictions are
kept down to probability 0.001 (the same floor our engine uses) so that both sides' best F1 is
searched over the same range.
"""

import csv
import sys

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

FLOOR = 0.001


def write_pairs(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id_l", "id_r", "match_probability"])
        for r in rows:
            w.writerow([r[0], r[1], f"{r[2]:.6f}"])


def febrl3(data, out):
    con = duckdb.connect()
    df = con.sql(
        f"""select * replace (cast(date_of_birth as varchar) as date_of_birth,
                              cast(soc_sec_id as varchar) as soc_sec_id,
                              cast(street_number as varchar) as street_number,
                              cast(postcode as varchar) as postcode)
            from read_csv('{data}/febrl3.csv', all_varchar=true)"""
    )
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(df)
    blocking_rules = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    pred = linker.inference.predict(threshold_match_probability=FLOOR)
    rows = pred.as_duckdbpyrelation().select("rec_id_l, rec_id_r, match_probability").fetchall()
    write_pairs(rows, out)


def febrl4(data, out):
    con = duckdb.connect()
    rels = []
    for name in ["febrl4a", "febrl4b"]:
        rels.append(
            con.sql(
                f"""select * replace (cast(date_of_birth as varchar) as date_of_birth,
                                      cast(soc_sec_id as varchar) as soc_sec_id,
                                      cast(street_number as varchar) as street_number,
                                      cast(postcode as varchar) as postcode)
                    from read_csv('{data}/{name}.csv', all_varchar=true)"""
            )
        )
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI(connection=con)
    sdfs = [
        db_api.register(rels[0], dataset_display_name="febrl4a"),
        db_api.register(rels[1], dataset_display_name="febrl4b"),
    ]
    linker = Linker(sdfs, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    pred = linker.inference.predict(threshold_match_probability=FLOOR)
    # One-to-one: each record is linked to at most one record of the other file.
    clusters = linker.clustering.cluster_using_single_best_links(
        pred, duplicate_free_datasets=["febrl4a", "febrl4b"], threshold_match_probability=FLOOR
    )
    con = db_api.duckdb_con if hasattr(db_api, "duckdb_con") else con
    p = pred.as_duckdbpyrelation()  # noqa: F841 (used by name in the SQL below)
    c = clusters.as_duckdbpyrelation()  # noqa: F841
    rows = con.sql(
        """select p.rec_id_l, p.rec_id_r, p.match_probability
           from p
           join c as cl on cl.rec_id = p.rec_id_l and cl.source_dataset = p.source_dataset_l
           join c as cr on cr.rec_id = p.rec_id_r and cr.source_dataset = p.source_dataset_r
           where cl.cluster_id = cr.cluster_id"""
    ).fetchall()
    write_pairs(rows, out)


def fake_1000(data, out):
    con = duckdb.connect()
    df = con.sql(
        f"""select * replace (cast(unique_id as bigint) as unique_id, try_cast(dob as date) as dob)
            from read_csv('{data}/fake_1000.csv', all_varchar=true)"""
    )
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(df)
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name"),
            block_on("surname"),
            block_on("dob"),
            block_on("email"),
        ],
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.first_name = r.first_name and levenshtein(r.dob::VARCHAR, l.dob::VARCHAR) <= 1",
            "l.surname = r.surname and levenshtein(r.dob::VARCHAR, l.dob::VARCHAR) <= 1",
            "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
            "l.email = r.email",
        ],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=5)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("email"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    pred = linker.inference.predict(threshold_match_probability=FLOOR)
    rows = pred.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
    write_pairs(rows, out)


def historical_50k(data, out):
    con = duckdb.connect()
    df = con.sql(
        f"""select *, first_name || ' ' || surname as first_name_surname_concat
            from read_csv('{data}/historical_50k.csv', all_varchar=true)"""
    )
    db_api = DuckDBAPI(connection=con)
    blocking_rules = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode_fake", "first_name"),
        block_on("postcode_fake", "surname"),
        block_on("dob", "birth_place"),
        block_on("substr(postcode_fake,1,3)", "dob"),
        block_on("substr(postcode_fake,1,3)", "first_name"),
        block_on("substr(postcode_fake,1,3)", "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name", "surname", forename_surname_concat_col_name="first_name_surname_concat"
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    sdf = db_api.register(df)
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True
    )
    pred = linker.inference.predict(threshold_match_probability=FLOOR)
    rows = pred.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
    write_pairs(rows, out)


if __name__ == "__main__":
    name, data, out = sys.argv[1], sys.argv[2], sys.argv[3]
    {"febrl3": febrl3, "febrl4": febrl4, "fake_1000": fake_1000, "historical_50k": historical_50k}[name](data, out)
