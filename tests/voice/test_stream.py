"""Block-wise conversion: bookkeeping with a converter that changes nothing, seams with the real one."""

import numpy as np
import pytest

from voicebot.voice.clone import CloneResult
from voicebot.voice.stream import BlockPlan, StreamingConverter, frame_grid_samples

RATE_HZ = 16_000


def _speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE_HZ)) / RATE_HZ
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)  # syllable-like level changes
    return (0.3 * envelope * np.sin(2 * np.pi * 140 * t) + 0.01 * rng.normal(size=t.size)).astype(np.float32)


def _run(converter: StreamingConverter, pieces: list[np.ndarray]) -> list[np.ndarray]:
    out = []
    for piece in pieces:
        converter.push(piece)
        while (block := converter.next_block()) is not None:
            out.append(block)
    out.append(converter.finish())
    return out


def test_frame_grid_spans_whole_frames() -> None:
    assert frame_grid_samples(16_000, 5.0) == 80
    assert frame_grid_samples(22_050, 5.0) == 441  # 4 frames of 110.25 samples
    assert frame_grid_samples(24_000, 5.0) == 120


@pytest.mark.parametrize("split", [1, 97, 441, 1600, 5000, 100_000])
def test_an_unchanged_stream_comes_back_sample_for_sample(split: int) -> None:
    audio = _speechlike(2.3)
    pieces = [audio[i: i + split] for i in range(0, audio.size, split)]
    blocks = _run(StreamingConverter(lambda segment: segment, RATE_HZ), pieces)
    np.testing.assert_allclose(np.concatenate(blocks), audio, atol=1e-6)
    assert len(blocks) > 3  # it really went block by block


def test_blocks_start_short_and_grow() -> None:
    blocks = _run(StreamingConverter(lambda s: s, RATE_HZ, BlockPlan(first_block_ms=150.0)),
                  [_speechlike(4.0)])
    sizes = [b.size / RATE_HZ for b in blocks[:-1]]
    assert sizes[0] <= 0.15
    assert sizes[1] > 1.5 * sizes[0] and max(sizes) <= 0.96


def test_each_segment_starts_on_the_frame_grid() -> None:
    starts: list[int] = []
    audio = np.arange(3 * 22_050, dtype=np.float32)  # the samples say where they come from

    def record(segment: np.ndarray) -> np.ndarray:
        starts.append(int(segment[0]))
        return segment

    _run(StreamingConverter(record, 22_050), [audio])
    assert len(starts) > 2 and all(start % 441 == 0 for start in starts)


def test_push_after_finish_is_refused() -> None:
    converter = StreamingConverter(lambda s: s, RATE_HZ)
    converter.finish()
    with pytest.raises(RuntimeError):
        converter.push(np.zeros(10, dtype=np.float32))


def _mcep_distance_db(a: np.ndarray, b: np.ndarray, rate_hz: int) -> float:
    from voicebot.voice import features

    fa, fb = features.analyse(a, rate_hz), features.analyse(b, rate_hz)
    speech = features.speech_frames(fa.mcep)
    diff = fa.mcep[speech, 1:] - fb.mcep[speech, 1:]
    return float(np.mean(np.sqrt(2 * np.sum(diff**2, axis=1))) * 10 / np.log(10))


def test_converting_in_blocks_sounds_like_converting_the_whole(cloned: CloneResult) -> None:
    from voicebot.audio.resample import resample
    from voicebot.voice import cpu_clone
    from voicebot.voice.backend import base_synthesizer, synthesize_all

    model = cpu_clone.ConversionModel.load(cloned.profile.directory / cpu_clone.MODEL_FILE)
    rate = model.sample_rate_hz
    base = base_synthesizer("en")
    spoken = synthesize_all(base, "Your order of two large pizzas will arrive in about thirty minutes.")
    audio = resample(spoken.astype(np.float32) / 32768, base.sample_rate_hz, rate)
    whole = model.convert(audio)
    blocks = _run(StreamingConverter(model.convert, rate), [audio])
    chunked = np.concatenate(blocks)
    assert chunked.size == whole.size and len(blocks) > 3
    # WORLD resynthesis is not sample-exact across a shift (pulse phase, noise), so the yardstick is the
    # whole utterance converted 5 ms later: blocks must differ from the whole by no more than that.
    shift = rate // 200
    shifted = model.convert(np.concatenate([np.zeros(shift, np.float32), audio]))[shift:]
    assert _mcep_distance_db(whole, chunked, rate) <= 1.1 * _mcep_distance_db(whole, shifted, rate)
    # No click and no level jump at a seam: the step across it is no larger than the whole's usual
    # sample-to-sample steps, and the level either side follows the whole's level.
    usual_step = float(np.percentile(np.abs(np.diff(whole)), 99))
    frame = rate // 200
    for seam in np.cumsum([b.size for b in blocks[:-1]]):
        assert np.abs(np.diff(chunked[seam - 2: seam + 2])).max() <= usual_step
        for lo, hi in ((seam - frame, seam), (seam, seam + frame)):
            level = 20 * np.log10(np.sqrt(np.mean(chunked[lo:hi] ** 2)) + 1e-3)
            reference = 20 * np.log10(np.sqrt(np.mean(whole[lo:hi] ** 2)) + 1e-3)
            assert abs(level - reference) < 6.0, (seam, level, reference)


def test_cloned_voice_sends_its_first_block_before_the_sentence_is_converted(cloned: CloneResult) -> None:
    synth = cloned.profile.synthesizer()
    chunks = list(synth.synthesize("Your order of two large pizzas will arrive in about thirty minutes."))
    total_s = sum(c.size for c in chunks) / synth.sample_rate_hz
    assert total_s > 2.0
    assert chunks[0].size / synth.sample_rate_hz <= 0.2


def test_a_cloned_voice_converts_piper_pieces_as_one_stream(cloned: CloneResult) -> None:
    # Piper's split decoder hands over a sentence in pieces cut anywhere in a word; the clone resamples
    # and converts them as one stream, so its output is the clone of the whole sentence, at the joins
    # too. (Converted piece by piece, the mel-cepstra were 3.5 dB apart, as far as a 5 ms shift moves
    # them, and the joins' 20 ms differed by about as much as their own level.)
    from voicebot.engines.piper import PiperSynthesizer
    from voicebot.voice import cpu_clone

    model = cpu_clone.ConversionModel.load(cloned.profile.directory / cpu_clone.MODEL_FILE)
    rate = model.sample_rate_hz
    text = "Your order of two large pizzas will arrive in about thirty minutes."
    split_base = PiperSynthesizer(seed=7)
    base_pieces = list(split_base.synthesize(text))
    assert len(base_pieces) >= 3

    def clone(base: PiperSynthesizer) -> np.ndarray:
        chunks = list(cpu_clone.ClonedSynthesizer(base, model, "x").synthesize(text))
        return np.concatenate(chunks).astype(np.float32) / 32768

    streamed, whole = clone(PiperSynthesizer(seed=7)), clone(PiperSynthesizer(seed=7, split_decoder=False))
    assert abs(streamed.size - whole.size) <= rate // 100
    size = min(streamed.size, whole.size)
    streamed, whole = streamed[:size], whole[:size]
    assert _mcep_distance_db(whole, streamed, rate) < 0.5
    window = rate // 50
    joins = np.cumsum([p.size for p in base_pieces[:-1]]) * rate // split_base.sample_rate_hz
    for join in joins:
        near = slice(join - window, join + window)
        level = np.sqrt(np.mean(whole[near] ** 2)) + 1e-3
        assert np.sqrt(np.mean((streamed[near] - whole[near]) ** 2)) < 0.1 * level, join
