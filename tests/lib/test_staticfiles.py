"""Production's static files storage gives the manifest's hashed address, worked out once."""

from __future__ import annotations

import json

import pytest

from tide.lib.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    manifest = {"version": "1.1", "hash": "0", "paths": {"css/tide.css": "css/tide.4f2a.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_the_address_is_the_manifests_hashed_one(storage):
    assert storage.url("css/tide.css") == "/static/css/tide.4f2a.css"


def test_the_address_is_worked_out_once(storage):
    storage.url("css/tide.css")
    storage.hashed_files.clear()  # the manifest is not read again
    assert storage.url("css/tide.css") == "/static/css/tide.4f2a.css"


def test_a_file_missing_from_the_manifest_is_still_refused(storage):
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/missing.css")
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/missing.css")
