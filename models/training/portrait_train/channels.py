"""Motion channels, in the order fixed by models/SPEC.md."""

CHANNELS: tuple[str, ...] = (
    "jaw_open", "lips_part", "mouth_wide", "mouth_round", "upper_lip_raise", "lower_lip_tuck",
    "lips_press", "smile", "blink_l", "blink_r", "brow_raise", "brow_furrow",
    "head_yaw", "head_pitch", "head_roll", "head_tx", "head_ty", "head_scale", "gaze_x", "gaze_y",
)
CHANNEL_INDEX: dict[str, int] = {name: i for i, name in enumerate(CHANNELS)}
NUM_CHANNELS = len(CHANNELS)
FPS = 25
MOUTH_CHANNELS = CHANNELS[:8]
HEAD_CHANNELS = ("head_yaw", "head_pitch", "head_roll", "head_tx", "head_ty", "head_scale")
