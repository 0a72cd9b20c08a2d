from pathlib import Path

import numpy as np

from portrait_train import eval_sets
from portrait_train.data.record import load_utterance, phones_of


def test_builds_each_kind_of_item_and_reports_rates(tmp_path):
    items = [eval_sets._real_items()[0], eval_sets._tts_items(1)[-1], eval_sets._song_items(1)[0],
             next(i for i in eval_sets._other_language_items() if i["kind"] == "real-other" and i["lang"] == "fr"),
             eval_sets._dtw_control_items()[0]]
    rows = []
    for item in items:
        built, error = eval_sets._build((item, str(tmp_path)))
        assert error is None, error
        rows += built
        assert eval_sets._build((item, str(tmp_path)))[0] == built  # reused from its entry
    sets = {r["set"] for r in rows}
    assert {"real-slow", "real-fast-1.3", "real-fast-1.5", "real-fast-1.7", "real-fast-revoiced", "tts-fast-unseen",
            "sung-high", "real-fr", "real-slow-dtw"} <= sets
    assert all(r["split"] == "heldout" for r in rows)
    by_set = {r["set"]: r for r in rows}
    slow = load_utterance(tmp_path / by_set["real-slow"]["file"])
    fast = load_utterance(tmp_path / by_set["real-fast-1.5"]["file"])
    assert abs(len(fast["audio"]) / len(slow["audio"]) - 1 / 1.5) < 0.02
    assert [p.label for p in phones_of(fast)] == [p.label for p in phones_of(slow)]
    stats = eval_sets.set_stats(rows, tmp_path)
    ratio = stats["real-fast-1.5"]["phones_per_second"] / stats["real-slow"]["phones_per_second"]
    assert abs(ratio - 1.5) < 0.1
    french = load_utterance(tmp_path / by_set["real-fr"]["file"])
    assert sum(p.label != "sil" for p in phones_of(french)) > 5
    control = load_utterance(tmp_path / by_set["real-slow-dtw"]["file"])
    assert np.array_equal(control["audio"], slow["audio"])  # same recording, other phone times
    song = load_utterance(tmp_path / by_set["sung-high"]["file"])
    assert np.abs(song["audio"]).max() > 1000
