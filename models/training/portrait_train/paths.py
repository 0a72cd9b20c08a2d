"""Where the toolkit finds the repository's model files and writes its data."""
from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parent.parent
MODELS_DIR = TRAINING_DIR.parent
AUDIO_MODELS_DIR = MODELS_DIR / "audio"
DEFAULT_DATA_DIR = TRAINING_DIR / "data"
DEFAULT_RUNS_DIR = TRAINING_DIR / "runs"
