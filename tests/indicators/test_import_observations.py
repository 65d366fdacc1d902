"""Importing provider files: validated whole, loaded atomically, every
rejection reported with its row, column and reason."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from indicators.choices import BatchStatus
from indicators.imports import observations_import
from indicators.models import Category, ImportBatch, Indicator, Observation, Source, Variable

pytestmark = pytest.mark.django_db

HEADER = "variable;code;periode;valeur\n"


@pytest.fixture
def cnaf(geography):
    source = Source.objects.create(
        code="caf-test", name="Caisse d'allocations familiales (test)", provider="Caf", secrecy_threshold=5
    )
    allocataires = Variable.objects.create(code="t_allocataires", label="Allocataires", source=source)
    rsa = Variable.objects.create(code="t_allocataires_rsa", label="Allocataires du RSA", source=source)
    Variable.objects.create(code="t_pop_age", label="Population par âge", source=source, by_age=True)
    category = Category.objects.get_or_create(code="allocations", defaults={"name": "Allocations", "order": 4})[0]
    Indicator.objects.create(
        code="T-ALL-01",
        category=category,
        label="Part des allocataires du RSA",
        short_label="RSA",
        definition="d",
        unit="%",
        kind="proportion",
        numerator=rsa,
        denominator=allocataires,
        multiplier=100,
        period_kind="year",
        levels=["region"],
    )
    return source


def load(source, text: str, name: str = "cnaf.csv", encoding: str = "utf-8", **kwargs):
    return observations_import(file_name=name, content=text.encode(encoding), source=source, **kwargs)


def reasons(report):
    return [(r.row, r.column, r.reason) for r in report.rejections]


def test_it_loads_a_clean_semicolon_file(cnaf):
    report = load(cnaf, HEADER + "t_allocataires;80021;2021;25000\nt_allocataires_rsa;80021;2021;3100\n")
    assert report.status == BatchStatus.LOADED and report.rows_loaded == 2
    obs = Observation.objects.get(variable__code="t_allocataires_rsa", territory__code="80021")
    assert obs.value == 3100 and obs.period == 2021 and obs.batch == report.batch
    batch = report.batch
    assert batch.sha256 and batch.file_name == "cnaf.csv" and batch.rows_read == 2


def test_it_reads_commas_latin1_and_codes_without_leading_zero(cnaf):
    text = "Variable,Code commune,Année,Valeur\nt_allocataires,2691,2021,812\n"  # Saint-Quentin, 02691
    report = load(cnaf, text, encoding="latin-1")
    assert report.status == BatchStatus.LOADED, reasons(report)
    assert Observation.objects.get(batch__source=cnaf, territory__code="02691").value == 812


def test_it_reads_xlsx_and_provider_secrecy_markers(cnaf, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["variable", "code", "periode", "valeur"])
    sheet.append(["t_allocataires", "59350", 2021, 41000])
    sheet.append(["t_allocataires_rsa", "59350", 2021, "s"])
    sheet.append(["t_allocataires_rsa", "59009", 2021, "nd"])
    sheet.append(["t_allocataires_rsa", "59017", 2021, ""])
    path = tmp_path / "cnaf.xlsx"
    book.save(path)
    report = observations_import(file_name="cnaf.xlsx", content=path.read_bytes(), source=cnaf)
    assert report.status == BatchStatus.LOADED, reasons(report)
    masked = Observation.objects.filter(variable__code="t_allocataires_rsa")
    assert masked.count() == 3 and all(o.value is None and o.marker == "secret" for o in masked)


@pytest.mark.parametrize(
    "line,column,reason",
    [
        ("t_allocataires;99999;2021;10", "code", "code commune inconnu, fusion de communes ?"),
        ("inconnue;80021;2021;10", "variable", "variable inconnue"),
        ("t_allocataires;80021;1850;10", "periode", "période inconnue"),
        ("t_allocataires;80021;2021;dix", "valeur", "valeur non numérique"),
        ("t_allocataires;80021;2021;-3", "valeur", "effectif négatif"),
        ("t_allocataires;80021;2021;2.5", "valeur", "effectif non entier"),
        ("t_pop_age;80021;2021;10", "tranche_age", "tranche d'âge requise"),
    ],
)
def test_it_rejects_each_bad_row_with_its_reason(cnaf, line, column, reason):
    report = load(cnaf, HEADER + "t_allocataires;80001;2021;40\n" + line + "\n")
    assert report.status == BatchStatus.REJECTED
    assert len(report.rejections) == 1
    rejection = report.rejections[0]
    assert (rejection.row, rejection.column) == (3, column)
    assert rejection.reason.startswith(reason)
    assert not Observation.objects.filter(batch__source=cnaf).exists()
    assert f"3;{column};{rejection.reason}" in report.rejections_csv()


def test_it_rejects_a_duplicate_key(cnaf):
    report = load(cnaf, HEADER + "t_allocataires;80021;2021;10\nt_allocataires;80021;2021;12\n")
    assert reasons(report) == [(3, "code", "doublon de la ligne 2 (même variable, territoire, période, âge)")]


def test_it_rejects_a_numerator_above_its_denominator(cnaf):
    report = load(cnaf, HEADER + "t_allocataires;80021;2021;100\nt_allocataires_rsa;80021;2021;150\n")
    assert reasons(report) == [(3, "valeur", "numérateur supérieur au dénominateur t_allocataires (150 > 100)")]
    # and against a denominator loaded earlier
    load(cnaf, HEADER + "t_allocataires;80001;2021;40\n")
    report = load(cnaf, HEADER + "t_allocataires_rsa;80001;2021;41\n", name="second.csv")
    assert report.rejections[0].reason.startswith("numérateur supérieur au dénominateur")


def test_it_rejects_a_file_missing_a_column(cnaf):
    report = load(cnaf, "variable;code;valeur\nt_allocataires;80021;10\n")
    assert report.status == BatchStatus.REJECTED
    assert reasons(report)[0][1:] == ("period", reasons(report)[0][2])
    assert "colonne manquante : period" in reasons(report)[0][2]
    assert ImportBatch.objects.get(source=cnaf).status == BatchStatus.REJECTED  # the attempt is recorded


def test_a_bad_last_row_leaves_the_database_unchanged(cnaf):
    load(cnaf, HEADER + "t_allocataires;80021;2020;90\n", name="before.csv")
    before = list(
        Observation.objects.filter(batch__source=cnaf).values_list(
            "variable__code", "territory__code", "period", "value"
        )
    )
    lines = "".join(
        f"t_allocataires;{code};2021;{100 + i}\n"
        for i, code in enumerate(["80001", "80002", "80003", "80004", "80005"])
    )
    report = load(cnaf, HEADER + "t_allocataires;80021;2020;95\n" + lines + "t_allocataires;80021;2021;x\n")
    assert report.status == BatchStatus.REJECTED
    after = list(
        Observation.objects.filter(batch__source=cnaf).values_list(
            "variable__code", "territory__code", "period", "value"
        )
    )
    assert after == before


def test_it_loads_the_valid_rows_only_when_asked(cnaf):
    text = HEADER + "t_allocataires;80021;2021;10\nt_allocataires;99999;2021;12\n"
    report = load(cnaf, text, load_valid_rows=True)
    assert report.status == BatchStatus.PARTIAL and report.rows_loaded == 1 and report.rows_rejected == 1
    assert Observation.objects.filter(batch__source=cnaf).count() == 1


def test_loading_the_same_file_twice_changes_nothing(cnaf):
    text = HEADER + "t_allocataires;80021;2021;10\n"
    first = load(cnaf, text)
    second = load(cnaf, text)
    assert second.status == BatchStatus.DUPLICATE and second.batch == first.batch
    assert (
        Observation.objects.filter(batch__source=cnaf).count() == 1
        and ImportBatch.objects.filter(source=cnaf).count() == 1
    )


def test_a_corrected_file_replaces_the_values(cnaf):
    load(cnaf, HEADER + "t_allocataires;80021;2021;10\n")
    load(cnaf, HEADER + "t_allocataires;80021;2021;11\n", name="correction.csv")
    assert Observation.objects.get(batch__source=cnaf, territory__code="80021").value == 11


def test_the_command_writes_the_rejection_report(cnaf, tmp_path):
    path = tmp_path / "cnaf.csv"
    path.write_text(HEADER + "t_allocataires;80021;2021;10\nt_allocataires;80021;2021;-1\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="rien n'a été chargé"):
        call_command("import_observations", str(path), "--source", "caf-test", stdout=out)
    report = Path(f"{path}.rejets.csv").read_text(encoding="utf-8")
    assert "ligne;colonne;motif;valeur" in report and "3;valeur;effectif négatif;-1" in report
    with pytest.raises(CommandError, match="Source inconnue"):
        call_command("import_observations", str(path), "--source", "nope", stdout=out)
