"""Offline training data for the motion model: TTS with phone timing, force-aligned real speech, singing-like
material and augmented copies, written as data/index.jsonl + data/utts/<id>.npz (see models/training/DATA.md)."""
