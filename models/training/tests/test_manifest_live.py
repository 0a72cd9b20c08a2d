"""The optional live_denoiser block of the manifest (models/SPEC.md, "Manifest"): ranges, its files entry, refresh."""
import json

import pytest

from portrait_train.manifest import (FACE, LIVE_DENOISER_FILE_INFO, ManifestError, add_live_denoiser, build_manifest,
                                     named_files, refresh_files, sha256_of, validate_manifest, write_json)

SCHEDULE = {"type": "cosine", "timesteps": 1000, "s": 0.008}
LIVE = {"file": "denoiser_live.onnx", "hop_frames": 2, "lookahead_frames": 0, "feature_lookahead_ms": 40,
        "default_steps": 6}


@pytest.fixture
def pack(tmp_path):
    """A pack directory whose named files all exist (placeholder bytes: the manifest only hashes them)."""
    pack_dir = tmp_path / "starter"
    pack_dir.mkdir()
    for rel in ["denoiser.onnx", "denoiser_live.onnx", "../audio/melspectrogram.onnx",
                "../audio/embedding_model.onnx", *FACE.values()]:
        (pack_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (pack_dir / rel).write_bytes(rel.encode())
    manifest = build_manifest(pack_dir, [0.0] * 20, [1.0] * 20, window=50, context=10, prediction="x0",
                              schedule=SCHEDULE)
    assert validate_manifest(manifest, pack_dir) == []
    return pack_dir, manifest


def with_live(pack_dir, manifest, **fields):
    add_live_denoiser(manifest, **{**LIVE, **fields}, pack_dir=pack_dir)
    return manifest


def test_a_valid_live_denoiser_is_listed_with_its_hash_and_passes(pack):
    pack_dir, manifest = pack
    with_live(pack_dir, manifest)
    assert manifest["live_denoiser"] == LIVE
    entry = manifest["files"]["denoiser_live.onnx"]
    assert entry == {"sha256": sha256_of(pack_dir / "denoiser_live.onnx"), "bytes": len(b"denoiser_live.onnx"),
                     "license": "Apache-2.0",
                     "source": "trained by models/training for realtime sessions (see PROVENANCE.md)"}
    assert validate_manifest(manifest, pack_dir) == []


def test_named_files_includes_the_live_file_only_when_present(pack):
    pack_dir, manifest = pack
    assert "denoiser_live.onnx" not in named_files(manifest)
    with_live(pack_dir, manifest)
    assert named_files(manifest)[:2] == ["denoiser.onnx", "denoiser_live.onnx"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("lookahead_frames", 50, "live_denoiser.lookahead_frames must be an integer in [0, window - 1] = [0, 49], got 50"),
    ("lookahead_frames", -1, "live_denoiser.lookahead_frames must be an integer in [0, window - 1] = [0, 49], got -1"),
    ("hop_frames", 0, "live_denoiser.hop_frames must be an integer in [1, window - lookahead_frames] = [1, 50], got 0"),
    ("hop_frames", 2.0, "live_denoiser.hop_frames must be an integer in [1, window - lookahead_frames] = [1, 50], got 2.0"),
    ("hop_frames", True, "live_denoiser.hop_frames must be an integer in [1, window - lookahead_frames] = [1, 50], got True"),
    ("feature_lookahead_ms", 1001, "live_denoiser.feature_lookahead_ms must be an integer in [0, 1000], got 1001"),
    ("feature_lookahead_ms", "40", "live_denoiser.feature_lookahead_ms must be an integer in [0, 1000], got '40'"),
    ("default_steps", 0, "live_denoiser.default_steps must be an integer in [1, timesteps] = [1, 1000], got 0"),
    ("default_steps", 1001, "live_denoiser.default_steps must be an integer in [1, timesteps] = [1, 1000], got 1001"),
    ("file", "", "live_denoiser.file must be a path relative to the manifest, got ''"),
])
def test_validate_names_each_bad_field(pack, field, value, message):
    pack_dir, manifest = pack
    with_live(pack_dir, manifest)
    manifest["live_denoiser"][field] = value
    assert message in validate_manifest(manifest, pack_dir, check_files=False)


def test_the_hop_is_bounded_by_the_window_less_the_lookahead(pack):
    pack_dir, manifest = pack
    with_live(pack_dir, manifest, hop_frames=48, lookahead_frames=2)
    assert validate_manifest(manifest, pack_dir) == []
    manifest["live_denoiser"]["hop_frames"] = 49
    assert validate_manifest(manifest, pack_dir) == [
        "live_denoiser.hop_frames must be an integer in [1, window - lookahead_frames] = [1, 48], got 49"]


def test_a_missing_field_or_a_block_that_is_not_an_object_is_named(pack):
    pack_dir, manifest = pack
    with_live(pack_dir, manifest)
    del manifest["live_denoiser"]["default_steps"]
    assert validate_manifest(manifest, pack_dir) == [
        "live_denoiser.default_steps must be an integer in [1, timesteps] = [1, 1000], got None"]
    manifest["live_denoiser"] = "denoiser_live.onnx"
    assert validate_manifest(manifest, pack_dir) == ["live_denoiser must be an object, got 'denoiser_live.onnx'"]


def test_the_live_file_needs_a_files_entry_that_matches_it(pack):
    pack_dir, manifest = pack
    with_live(pack_dir, manifest)
    del manifest["files"]["denoiser_live.onnx"]
    assert validate_manifest(manifest, pack_dir) == ["files has no entry for denoiser_live.onnx"]
    with_live(pack_dir, manifest)
    (pack_dir / "denoiser_live.onnx").write_bytes(b"retrained")
    assert validate_manifest(manifest, pack_dir) == ["sha256 of denoiser_live.onnx does not match the file",
                                                     "bytes of denoiser_live.onnx does not match the file"]
    (pack_dir / "denoiser_live.onnx").unlink()
    assert validate_manifest(manifest, pack_dir) == ["denoiser_live.onnx is named by the pack but does not exist"]


def test_add_live_denoiser_refuses_bad_ranges_and_a_missing_file(pack):
    pack_dir, manifest = pack
    with pytest.raises(ManifestError, match=r"live_denoiser\.hop_frames must be an integer in .* = \[1, 49\], got 50"):
        with_live(pack_dir, manifest, hop_frames=50, lookahead_frames=1)
    with pytest.raises(ManifestError, match="does not exist"):
        with_live(pack_dir, manifest, file="missing.onnx")
    assert "live_denoiser" not in manifest and "missing.onnx" not in manifest["files"]


def test_refresh_files_rehashes_the_live_file_and_lists_it_when_its_entry_is_gone(pack):
    pack_dir, manifest = pack
    with_live(pack_dir, manifest)
    del manifest["files"]["denoiser_live.onnx"]
    write_json(pack_dir / "manifest.json", manifest)
    (pack_dir / "denoiser_live.onnx").write_bytes(b"retrained")
    refreshed = refresh_files(pack_dir)
    assert refreshed["files"]["denoiser_live.onnx"] == {
        "sha256": sha256_of(pack_dir / "denoiser_live.onnx"), "bytes": len(b"retrained"), **LIVE_DENOISER_FILE_INFO}
    assert json.loads((pack_dir / "manifest.json").read_text()) == refreshed
    assert validate_manifest(refreshed, pack_dir) == []
