import json
import wave

import numpy as np

from portrait_train.eval_clips import export_clips


def write_utt(data, uid, split, source, augment=None, seconds=2.0):
    audio = (np.sin(np.arange(int(16000 * seconds)) * 0.05) * 8000).astype(np.int16)
    (data / "utts").mkdir(parents=True, exist_ok=True)
    np.savez(data / "utts" / f"{uid}.npz", audio=audio, phone_labels=np.array(["sil", "b", "aa", "sil"]),
             phone_start_end=np.array([[0, 0.5], [0.5, 0.6], [0.6, 1.5], [1.5, seconds]], np.float32))
    return {"id": uid, "source": source, "split": split, "seconds": seconds, "file": f"utts/{uid}.npz", "augment": augment}


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
