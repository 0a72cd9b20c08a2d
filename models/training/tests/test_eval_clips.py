import json
import wave

import numpy as np

from portrait_train.eval_clips import export_clips


def write_utt(data, uid, split, source, augment=None, seconds=2.0, set_name=None):
    audio = (np.sin(np.arange(int(16000 * seconds)) * 0.05) * 8000).astype(np.int16)
    motion = np.zeros((int(25 * seconds), 20), np.float32)
    motion[:, 12] = 2.0 * np.sin(np.arange(len(motion)) / 4)  # head_yaw
    (data / "utts").mkdir(parents=True, exist_ok=True)
    np.savez(data / "utts" / f"{uid}.npz", audio=audio, motion=motion, phone_labels=np.array(["sil", "b", "aa", "sil"]),
             phone_start_end=np.array([[0, 0.5], [0.5, 0.6], [0.6, 1.5], [1.5, seconds]], np.float32))
    row = {"id": uid, "source": source, "split": split, "seconds": seconds, "file": f"utts/{uid}.npz", "augment": augment}
    return row if set_name is None else {**row, "set": set_name}


def test_exports_only_clean_heldout_clips_of_the_source(tmp_path):
    data = tmp_path / "data"
    entries = [
        write_utt(data, "a", "heldout", "asterisk"),
        write_utt(data, "b", "train", "asterisk"),
        write_utt(data, "c", "heldout", "flite"),
        write_utt(data, "d", "heldout", "asterisk", augment="noise"),
        write_utt(data, "e", "heldout", "asterisk", seconds=1.0),
    ]
    (data / "index.jsonl").write_text("\n".join(json.dumps(e) for e in entries))
    names = export_clips(data, tmp_path / "out", "asterisk", limit=10, min_seconds=1.5)
    assert names == ["a"]
    with wave.open(str(tmp_path / "out" / "a.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (16000, 1, 32000)
    phones = json.loads((tmp_path / "out" / "a.phones.json").read_text())
    assert [p["phone"] for p in phones] == ["sil", "b", "aa", "sil"]
    assert phones[1] == {"phone": "b", "start": 0.5, "end": 0.6000000238418579}
    target = json.loads((tmp_path / "out" / "a.target.json").read_text())["headStd"]
    assert abs(target["yaw"] - 2.0 / np.sqrt(2)) < 0.15 and target["pitch"] == 0.0


def test_exports_an_evaluation_set(tmp_path):
    data = tmp_path / "sets"
    entries = [write_utt(data, "x", "heldout", "asterisk", set_name="real-fast-1.5"),
               write_utt(data, "y", "heldout", "asterisk", set_name="real-slow")]
    (data / "index.jsonl").write_text("\n".join(json.dumps(e) for e in entries))
    assert export_clips(data, tmp_path / "out", None, limit=10, min_seconds=1.5, set_name="real-fast-1.5") == ["x"]
