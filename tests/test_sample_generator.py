"""The sample generator: deterministic, committed output in sync, planted truths recoverable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr

from cjx.sample.generate import generate_sample

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "sample"
REGENERATE = "python -m cjx.sample.generate data/sample"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


@pytest.fixture(scope="module")
def truth(sample: Path) -> dict:
    return json.loads((sample / "planted_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def journey(sample: Path) -> dict:
    return yaml.safe_load((sample / "journey.yml").read_text(encoding="utf-8"))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _source(journey: dict, source_id: str) -> dict:
    return next(s for s in journey["sources"] if s["id"] == source_id)


DANISH_EXPORT = "leveringsundersoegelse_"
# Written out here, independently of the generator and cjx.ingest.codebook.
DANISH_LABELS = {
    "Meget utilfreds": "1",
    "Utilfreds": "2",
    "Hverken tilfreds eller utilfreds": "3",
    "Tilfreds": "4",
    "Meget tilfreds": "5",
    "Ved ikke": "",
}


def _read(path: Path, fmt: str | None) -> pd.DataFrame:
    """All cells as text; a Qualtrics export's question-text and import-id rows are skipped.

    The Danish Excel export (cp1252, sep= line, semicolons) is read as such, its answer labels as numbers.
    """
    if path.name.startswith(DANISH_EXPORT):
        df = pd.read_csv(path, sep=";", skiprows=1, dtype=str, keep_default_na=False, encoding="cp1252")
        return df.assign(**{"Tilfredshed med leveringen": df["Tilfredshed med leveringen"].map(DANISH_LABELS)})
    skip = [1, 2] if fmt == "qualtrics_csv" else None
    return pd.read_csv(path, skiprows=skip, dtype=str, keep_default_na=False, encoding="utf-8")


def _rating(df: pd.DataFrame, column: str) -> pd.Series:
    """A rating column as numbers, blanks and the -99 code as missing."""
    return pd.to_numeric(df[column].replace({"": np.nan, "-99": np.nan}))


def _relationship(sample: Path, journey: dict, revisit: str) -> pd.DataFrame:
    return _read(sample / "surveys" / f"relationship_{revisit}.csv", "qualtrics_csv")


def _column_of(journey: dict, touchpoint: str) -> str:
    return next(q["column"] for q in _source(journey, "relationship")["questions"] if q.get("touchpoint") == touchpoint)


def test_generation_is_byte_identical(sample: Path, tmp_path: Path) -> None:
    generate_sample(tmp_path)
    first, second = _files(sample), _files(tmp_path)
    assert sorted(first) == sorted(second)
    assert [n for n in first if first[n] != second[n]] == []


def test_committed_sample_matches_a_fresh_generation(sample: Path) -> None:
    committed, fresh = _files(COMMITTED), _files(sample)
    assert sorted(committed) == sorted(fresh), f"data/sample has other files than the generator writes: {REGENERATE}"
    changed = [n for n in fresh if committed[n] != fresh[n]]
    assert changed == [], f"data/sample differs from the generator in {changed}: {REGENERATE}"


def test_sample_is_small_and_plain(sample: Path) -> None:
    files = _files(sample)
    assert sum(len(b) for b in files.values()) < 3_000_000
    danish = [n for n in files if DANISH_EXPORT in n]
    assert danish == ["surveys/leveringsundersoegelse_2026-Q3.csv"]
    for name in danish:  # the one deliberately Nordic-Excel file: cp1252, CRLF, sep=; line, not UTF-8
        data = files.pop(name)
        assert data.startswith(b"sep=;\r\n") and b"\xf8" in data  # cp1252 "ø" in the header
        assert data.decode("cp1252").count(";") > 7 * 10
        assert any(c.isdigit() and d == "," for c, d in zip(data.decode("cp1252"), data.decode("cp1252")[1:]))
        assert "Meget tilfreds" in data.decode("cp1252") and "Ved ikke" in data.decode("cp1252")
    for name, data in files.items():
        assert b"\r" not in data, name
        assert not data.startswith(b"\xef\xbb\xbf"), name
        data.decode("utf-8")


def test_qualtrics_header_rows(sample: Path, journey: dict) -> None:
    lines = (sample / "surveys" / "relationship_2026-Q1.csv").read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,")
    assert lines[2].startswith('"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}"')
    assert '"{""ImportId"":""_recordId""}"' in lines[2] and '"{""ImportId"":""QID3_1""}"' in lines[2]
    columns = [q["column"] for q in _source(journey, "relationship")["questions"]]
    assert lines[0].split(",")[-len(columns) :] == columns


def test_delivery_rating_drops_in_the_latest_revisit(sample: Path, journey: dict, truth: dict) -> None:
    worsened = truth["worsened"]
    column = _column_of(journey, worsened["touchpoint"])
    before = _rating(_relationship(sample, journey, worsened["from_revisit"]), column).mean()
    after = _rating(_relationship(sample, journey, worsened["to_revisit"]), column).mean()
    assert before - after >= 0.3


def test_delivery_csat_falls_with_delay(sample: Path, truth: dict) -> None:
    pulse = pd.concat([_read(sample / "surveys" / f"delivery_pulse_{rv}.csv", "csv") for rv in truth["revisits"]])
    pulse["csat"] = pd.to_numeric(pulse["csat"])
    clean = pulse[pulse["csat"].between(1, 5) & (pulse["response_id"] != "")].drop_duplicates("response_id")
    deliveries = pd.read_csv(sample / "operations" / "deliveries.csv")
    matched = clean.merge(deliveries[["order_id", "delay_minutes"]], on="order_id", how="inner", validate="m:1")
    assert len(matched) == len(clean)
    assert spearmanr(matched["csat"], matched["delay_minutes"]).statistic < -0.2


def test_loyalty_club_is_a_low_base_blind_spot(sample: Path, journey: dict, truth: dict) -> None:
    column = _column_of(journey, "loyalty_club")
    for revisit in truth["revisits"]:
        answered = _rating(_relationship(sample, journey, revisit), column).notna().sum()
        assert 0 < answered < journey["settings"]["min_base"], revisit


def _quality(frames: list[tuple[str, pd.DataFrame]], source: dict) -> dict[str, dict[str, int]]:
    """Count the data-quality problems of one source's files, in file order, independently of the generator."""
    id_col = source.get("response_id") or source["event_id"]
    fmt = source.get("timestamp_format") or "ISO8601"
    rated = [q for q in source.get("questions", []) if q["metric"] != "comment"]
    seen: set[str] = set()
    out = {}
    for name, df in frames:
        ids = df[id_col].str.strip()
        duplicates = 0
        for rid in ids:
            duplicates += rid != "" and rid in seen
            seen.add(rid)
        stamps = pd.to_datetime(df[source["timestamp"]], format=fmt, errors="coerce")
        bad_scale = pd.Series(False, index=df.index)
        for q in rated:
            cells = df[q["column"]].str.strip()
            na = cells.eq("") | cells.isin([str(c) for c in q.get("na_codes", [])])
            number = pd.to_numeric(cells.where(~na), errors="coerce")
            bad_scale |= ~na & ~number.between(q["scale"]["min"], q["scale"]["max"])
        out[name] = {
            "rows": len(df),
            "duplicates": int(duplicates),
            "out_of_range": int(bad_scale.sum()),
            "missing_response_id": int(ids.eq("").sum()),
            "bad_timestamp": int(stamps.isna().sum()),
        }
    return out


def test_data_quality_counts_match_the_files(sample: Path, journey: dict, truth: dict) -> None:
    counted: dict[str, dict[str, int]] = {}
    for source in journey["sources"]:
        paths = sorted(sample.glob(source["files"]))
        assert paths, source["id"]
        frames = [(p.relative_to(sample).as_posix(), _read(p, source.get("format"))) for p in paths]
        for name, df in frames:
            needed = [source["respondent_id"], source["timestamp"], source.get("response_id") or source["event_id"]]
            needed += [q["column"] for q in source.get("questions", [])] + source.get("measures", [])
            assert set(needed) <= set(df.columns), name
        counted.update(_quality(frames, source))
    assert counted == truth["data_quality"]
    problems = {name: {k: v for k, v in c.items() if k != "rows" and v} for name, c in counted.items()}
    assert {name: p for name, p in problems.items() if p} == {
        "surveys/delivery_pulse_2026-Q2.csv": {"duplicates": 5},
        "surveys/delivery_pulse_2026-Q3.csv": {"out_of_range": 2, "missing_response_id": 1},
        "surveys/service_ces_2026-Q2.csv": {"bad_timestamp": 1},
    }
