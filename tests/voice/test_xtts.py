"""XTTS engine on a tiny random model. Runs where the xtts extra is installed (.venv-xtts)."""

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("TTS", reason="needs the xtts extra: pip install 'voicebot[xtts]'")
pytestmark = [
    pytest.mark.xtts,
    # Deprecations inside transformers/coqui-tts that we cannot fix.
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

from tests.voice.xtts_tiny import build_tiny_xtts  # noqa: E402
from voicebot.engines import xtts  # noqa: E402
from voicebot.errors import ConfigError, ModelError  # noqa: E402
from voicebot.voice.clips import ClipLimits, load_clip  # noqa: E402
from voicebot.voice.clone import clone_voice  # noqa: E402
from voicebot.voice.profile import find_profile, load_profile  # noqa: E402


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_xtts(tmp_path_factory.mktemp("xtts") / "tiny")


@pytest.fixture(scope="module")
def latents(checkpoint: Path, female_clips: list[Path]) -> xtts.XttsLatents:
    from voicebot.audio.resample import resample

    model = xtts.load_model(str(checkpoint))
    clips = [load_clip(p) for p in female_clips[:2]]
    return xtts.compute_latents(model, [resample(c.samples, c.sample_rate_hz, 22050) for c in clips])


def test_conditioning_comes_from_the_clips(checkpoint: Path, female_clips: list[Path],
                                           latents: xtts.XttsLatents, tmp_path: Path) -> None:
    from voicebot.audio.resample import resample

    assert latents.speaker_embedding.shape == (1, 512, 1)
    assert latents.gpt_conditioning.ndim == 3 and latents.gpt_conditioning.shape[0] == 1
    latents.save(tmp_path / "l.npz")
    again = xtts.XttsLatents.load(tmp_path / "l.npz")
    np.testing.assert_array_equal(again.speaker_embedding, latents.speaker_embedding)
    other = load_clip(female_clips[2])
    different = xtts.compute_latents(xtts.load_model(str(checkpoint)),
                                     [resample(other.samples, other.sample_rate_hz, 22050)])
    assert not np.allclose(different.speaker_embedding, latents.speaker_embedding)
    with pytest.raises(ConfigError, match="1 to 3 clips"):
        xtts.compute_latents(xtts.load_model(str(checkpoint)), [])


@pytest.mark.parametrize(("language", "text"), [("en", "Hello there, how are you?"), ("ko", "안녕하세요")])
def test_synthesis_streams_chunks(checkpoint: Path, latents: xtts.XttsLatents, language: str,
                                  text: str) -> None:
    synth = xtts.XttsSynthesizer(checkpoint, latents, language=language, stream_chunk_size=4, seed=1)
    chunks = list(synth.synthesize(text))
    assert synth.sample_rate_hz == 24000
    assert len(chunks) >= 2  # yielded as the GPT produced them, not all at the end
    assert all(c.dtype == np.int16 and c.size > 0 for c in chunks)


def test_model_is_loaded_once(checkpoint: Path) -> None:
    assert xtts.load_model(str(checkpoint)) is xtts.load_model(str(checkpoint))


def test_profile_round_trip_and_rebuild(checkpoint: Path, female_clips: list[Path], tmp_path: Path) -> None:
    result = clone_voice("xana", female_clips, voices_dir=tmp_path, engine="xtts",
                         settings={"speed": 1.0, "checkpoint_dir": str(checkpoint)},
                         limits=ClipLimits(min_total_s=4.0))
    profile = find_profile("xana", tmp_path)
    assert profile is not None and profile == result.profile
    assert profile.artefacts == ("xtts_latents.npz",) and result.sample_path.is_file()
    before = (profile.directory / "xtts_latents.npz").read_bytes()
    (profile.directory / "clips" / "01.wav").write_bytes(female_clips[2].read_bytes())
    synth = load_profile(profile.directory).synthesizer("en")
    assert (profile.directory / "xtts_latents.npz").read_bytes() != before
    assert not load_profile(profile.directory).is_stale()
    assert synth.name.startswith("xtts:xana@")


def test_errors_say_what_to_do(tmp_path: Path, checkpoint: Path, latents: xtts.XttsLatents) -> None:
    with pytest.raises(ModelError, match=r"config\.json is missing"):
        xtts.load_model(str(tmp_path))
    with pytest.raises(ConfigError, match="speaks en, ko, not 'fr'"):
        xtts.XttsSynthesizer(checkpoint, latents, language="fr")
