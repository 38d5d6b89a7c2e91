"""OpenVoice v2 tone-colour conversion on a tiny random converter. Runs where the xtts extra is installed."""

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("TTS", reason="needs the xtts extra: pip install 'voicebot[xtts]'")
pytestmark = [
    pytest.mark.xtts,
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

from voicebot.engines import openvoice  # noqa: E402
from voicebot.errors import ModelError  # noqa: E402
from voicebot.voice.clips import ClipLimits  # noqa: E402
from voicebot.voice.clone import clone_voice  # noqa: E402
from voicebot.voice.profile import load_profile  # noqa: E402


@pytest.fixture(scope="module")
def converter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from TTS.vc.configs.openvoice_config import OpenVoiceArgs, OpenVoiceConfig
    from TTS.vc.models.openvoice import OpenVoice

    folder = tmp_path_factory.mktemp("openvoice")
    arch = {"inter_channels": 16, "hidden_channels": 16, "filter_channels": 32, "gin_channels": 16,
            "upsample_initial_channel": 32, "upsample_rates": [8, 8, 2, 2],
            "upsample_kernel_sizes": [16, 16, 4, 4]}
    data = {"sampling_rate": 22050, "filter_length": 1024, "hop_length": 256, "win_length": 1024}
    # OpenVoice's own config layout: "data" for audio, "model" for the architecture.
    (folder / "config.json").write_text(json.dumps({"data": data, "model": arch}))
    torch.manual_seed(0)
    model = OpenVoice(OpenVoiceConfig(model_args=OpenVoiceArgs(**arch)))
    torch.save({"model": model.state_dict()}, folder / "checkpoint.pth")
    return folder


def test_clone_converts_the_base_voice(converter: Path, female_clips: list[Path], tmp_path: Path) -> None:
    result = clone_voice("ovana", female_clips, voices_dir=tmp_path, engine="openvoice",
                         settings={"speed": 1.0, "checkpoint_dir": str(converter)},
                         limits=ClipLimits(min_total_s=4.0))
    profile = load_profile(result.profile.directory)
    assert profile.artefacts == ("openvoice_se.npz",) and not profile.is_stale()
    with np.load(profile.directory / "openvoice_se.npz") as data:
        assert data["source"].shape == data["target"].shape == (1, 16, 1)
        assert not np.allclose(data["source"], data["target"])
    synth = profile.synthesizer("en")
    chunks = list(synth.synthesize("Hello. How are you today?"))
    assert synth.sample_rate_hz == 22050 and len(chunks) == 2  # one per sentence, as Piper yields them
    assert all(c.dtype == np.int16 and c.size > 0 for c in chunks)
    assert synth.name.startswith("openvoice:ovana@")


def test_missing_checkpoint_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"checkpoint\.pth is missing"):
        (tmp_path / "config.json").write_text("{}")
        openvoice.load_converter(str(tmp_path))
