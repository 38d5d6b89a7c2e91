"""faster-whisper (CTranslate2) transcriber with growing-buffer streaming.

Whisper is not a streaming model: a stream keeps the utterance's audio and re-decodes the whole
buffer (greedy, no fallback) at most every ``partial_interval_ms`` to show partials; the final
transcript is one full decode on ``finish()``, identical to :meth:`WhisperTranscriber.transcribe`.
"""

from __future__ import annotations

import copy
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from voicebot.audio.snr import is_noisy
from voicebot.engines.base import STT_SAMPLE_RATE_HZ, Segment, Transcript, Word
from voicebot.engines.batching import Combiner, partition
from voicebot.engines.constrained import (
    DIGITS,
    ONLY,
    ORDINAL_ENDINGS,
    allowed_words,
    short_window,
    split_requests,
    wanted,
)
from voicebot.engines.models import (
    ENGLISH_WHISPER,
    MULTILINGUAL_WHISPER,
    default_whisper_model,
    resolve_whisper_model,
)
from voicebot.engines.repetition import token_budget, without_loop
from voicebot.engines.scoring import (
    CONTESTED,
    NUMBER,
    SHORT_ANSWER,
    YES_NO,
    contested,
    split_flag,
    worth_scoring,
)
from voicebot.engines.substitution import SUBSTITUTE, split_substitution, split_swap, swapped, variants
from voicebot.errors import ConfigError, EngineError

if TYPE_CHECKING:
    from ctranslate2 import StorageView
    from faster_whisper.tokenizer import Tokenizer

Float32Array = npt.NDArray[np.float32]

# Live turns: at most one re-decode at a higher temperature (DESIGN pitfall: an unbounded fallback
# costs seconds and makes transcripts change from run to run).
LIVE_TEMPERATURES: tuple[float, ...] = (0.0, 0.4)
# Finals: beam 3 cut WER on the synthetic corpus from 10.4% to 8.4% (clean), exactly as beam 5 did,
# at a lower cost (BENCHMARKS.md); partials stay greedy since they are thrown away.
DEFAULT_BEAM_SIZE = 3
# Whisper pads to 30 s anyway; below this there is nothing to decode.
_MIN_SAMPLES = STT_SAMPLE_RATE_HZ // 10
_WINDOW_SAMPLES = 30 * STT_SAMPLE_RATE_HZ
_WINDOW_FRAMES = 3000  # log-mel frames in whisper's 30 s window
_FRAMES_PER_S = 100
# The encoder costs ~80% of a short turn's decode, over the whole 30 s window it was trained on
# (460 of ~580 ms CPU for tiny.en on one thread). Encoding only the speech makes tiny.en loop on
# short turns; a 15 s window costs ~220 ms a decode and was 2 words worse of 753 on bench/wer.py's
# corpus (BENCHMARKS.md, issue 12). Partials, which are thrown away, always take it.
DEFAULT_ENCODER_WINDOW_S = 30.0
PARTIAL_ENCODER_WINDOW_S = 15.0
# A final decoded over a short window whose mean token log-probability is under this (faster-whisper's
# own "the decode failed" line, its log_prob_threshold) is decoded again over the whole 30 s window,
# and the likelier transcript kept. On bench/wer.py's corpus that is 1 utterance in 108, and 15 s with
# it made as many mistakes as 30 s (BENCHMARKS.md, issue 12); a higher line retried a quarter of the
# corpus and half of the turn corpus's short turns, for no fewer mistakes.
WINDOW_RETRY_LOGPROB = -1.0
# A final with no expected answers whose speech stands less than this far above its own noise floor
# (audio/snr.py) is encoded over the whole 30 s window at once where FREE_WINDOW_S is set shorter: over
# 15 s, babble-noisy speech lost 4 words of 251 against plain faster-whisper on bench/wer.py's corpus,
# unsure enough for the retry in none.
# Chosen on the corpus's first half of sentences (BENCHMARKS.md, issue 10). A closed ask's answers are
# scored on the configured window, as measured on the phone corpus, whatever the noise.
NOISY_WINDOW_SNR_DB = 30.0
# A final with no expected answers at all (a text ask, a confirm, a read-back) is encoded over this window:
# over 15 s, with the retry above at any line from -1.0 to -0.2, clean speech lost a word against plain
# faster-whisper on bench/wer.py's corpus (20 s and 24 s: telephone 3 on its tuning half); the one line
# that lost none there (-0.15) retried 56-67% of the turns, for more CPU than 30 s at once (BENCHMARKS.md,
# issue 10, "Free finals over the whole window"). Its noisy turns then need no SNR test.
FREE_WINDOW_S = 30.0
_MIN_ENCODER_WINDOW_S = 10.0
# An open ask's restricted decode (engines/constrained.py) reads whisper's whole 30 s window: over 15 s it
# lost phone numbers (22 of 49 against 32), over 10 s padded with silence phone numbers and dates too
# (BENCHMARKS.md, issue 10). A request that asks for the short window (an order) is encoded over this
# window padded with the log-mel of silence (:func:`silence_level`): orders and the requests said at the
# order step were heard as well, for less CPU than a live 15 s decode instead of 2.3x it.
OPEN_ASK_WINDOW_S = 10.0
OPEN_ASK_FREE_BEAM = 1
_MAX_TOKENS = 448
# faster-whisper's threshold for a repetition loop ("4 4 4 4 ...").
_MAX_COMPRESSION_RATIO = 2.4
# Encoder frames (20 ms each) past the end of the turn's audio that scoring attends to: 1 s ranked the
# real-voice digits as well as 3 s and 30 s, and none as well on the phone corpus's tuning half (numbers
# 255 against 253 right, yes/no alike) for ~5 ms less a turn (BENCHMARKS.md, issue 10).
_SCORE_MARGIN_FRAMES = 0


@dataclass(frozen=True, slots=True)
class _DecodeOptions:
    language: str | None
    initial_prompt: str | None
    temperatures: tuple[float, ...]
    word_timestamps: bool
    beam_size: int
    window_frames: int = _WINDOW_FRAMES
    retry_logprob: float | None = None  # finals only: see WINDOW_RETRY_LOGPROB
    noisy_snr_db: float | None = None  # finals only: see NOISY_WINDOW_SNR_DB
    free_window_frames: int = _WINDOW_FRAMES  # finals with no expected answers: see FREE_WINDOW_S


@dataclass(frozen=True, slots=True)
class _FirstPass:
    """One turn's encode and first free decode, to be batched with other calls' (see ``batch_decodes``)."""
    features: Float32Array  # the encoder's input: mels x window frames
    prompt: list[int]
    tokenizer: Tokenizer
    options: _DecodeOptions
    max_length: int


_Decoded = tuple[list[int], float, float]  # tokens, their log-probability with the end token, no-speech prob
# Concurrent calls' decodes batched together at most this many at once: 8 cut the decoder's CPU per turn
# by half (bench/stt_batch.py); more would hold the first of them longer for little more.
MAX_BATCH = 8


class WhisperTranscriber:
    """Implements :class:`voicebot.engines.base.Transcriber`. Thread-safe; calls block.

    ``hints`` become the initial prompt. Pass rare words only (names, product names): generic
    domain words made tiny.en invent trailing words and doubled its WER (BENCHMARKS.md).
    """

    def __init__(self, model: str | os.PathLike[str] | None = ENGLISH_WHISPER, device: str = "cpu",
                 compute_type: str = "int8", beam_size: int = DEFAULT_BEAM_SIZE, cpu_threads: int = 0,
                 language: str | None = None, temperatures: Sequence[float] = LIVE_TEMPERATURES,
                 word_timestamps: bool = True, partial_interval_ms: int = 1000,
                 cache_dir: str | os.PathLike[str] | None = None,
                 encoder_window_s: float = DEFAULT_ENCODER_WINDOW_S,
                 window_retry_logprob: float | None = WINDOW_RETRY_LOGPROB,
                 noisy_window_snr_db: float | None = NOISY_WINDOW_SNR_DB,
                 batch_decodes: bool = True, free_window_s: float = FREE_WINDOW_S) -> None:
        if beam_size < 1:
            raise ConfigError(f"beam_size must be at least 1, got {beam_size}")
        for name, seconds in (("encoder_window_s", encoder_window_s), ("free_window_s", free_window_s)):
            if not _MIN_ENCODER_WINDOW_S <= seconds <= _WINDOW_FRAMES / _FRAMES_PER_S:
                raise ConfigError(f"{name} must be between {_MIN_ENCODER_WINDOW_S:g} and 30 seconds, "
                                  f"got {seconds:g}")
        if not temperatures:
            raise ConfigError("temperatures needs at least one value, e.g. [0.0]")
        chosen = str(model) if model not in (None, "", "auto") else default_whisper_model(language)
        model_dir = resolve_whisper_model(chosen, language, cache_dir)
        self.model_dir = model_dir
        label = chosen if chosen in (ENGLISH_WHISPER, MULTILINGUAL_WHISPER) else Path(model_dir).name
        self.name = f"faster-whisper:{label}"
        self.language = language
        self.beam_size = beam_size
        self.temperatures = tuple(float(t) for t in temperatures)
        self.word_timestamps = word_timestamps
        self.partial_interval_ms = partial_interval_ms
        self.window_frames = _window_frames(encoder_window_s)
        self.window_retry_logprob = window_retry_logprob
        self.noisy_window_snr_db = noisy_window_snr_db
        self.free_window_frames = _window_frames(free_window_s)
        from faster_whisper import WhisperModel  # lazy: pulls in ctranslate2 and av

        try:
            self._model = WhisperModel(str(model_dir), device=device, compute_type=compute_type,
                                       cpu_threads=cpu_threads, local_files_only=True)
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineError(
                f"cannot load whisper model {model_dir} on {device}/{compute_type}: {exc}"
            ) from None
        self.english_only = not bool(self._model.model.is_multilingual)
        # One decode at a time per model: CTranslate2 would queue them anyway, and this keeps
        # partial decodes from piling up behind finals.
        self._lock = threading.Lock()
        self._tokenizers: dict[str, Tokenizer] = {}
        self._only_cache: dict[tuple[str, str], list[int]] = {}
        # Turns of concurrent calls waiting to be decoded at the same moment are encoded one by one and
        # decoded in one batch: the decoder's CPU per turn fell 30% for two, half for eight, with the
        # same transcripts (bench/stt_batch.py). A lone turn is never held back. CPU only.
        self._batcher: Combiner[_FirstPass, tuple[StorageView, _Decoded]] | None = (
            Combiner(self._first_passes, MAX_BATCH) if batch_decodes and device == "cpu" else None)

    def without_window_retry(self) -> WhisperTranscriber:
        """This transcriber, sharing its loaded model, lock and caches, with finals that are never decoded
        again over the whole 30 s window when unsure (:data:`WINDOW_RETRY_LOGPROB`): the second opinion's
        (stt.second_opinion). The turns it hears are garbled and often retried: without the retry, the same
        readings on the phone corpus's tuning half for a quarter less CPU (BENCHMARKS.md, issue 10)."""
        twin = copy.copy(self)
        twin.window_retry_logprob = None
        return twin

    def _language(self, language: str | None) -> str | None:
        lang = language or self.language
        if self.english_only:
            if lang not in (None, "en"):
                raise ConfigError(
                    f"{self.name} understands English only, not {lang!r}: "
                    f"use the {MULTILINGUAL_WHISPER} model"
                )
            return "en"
        return lang

    def _options(self, language: str | None, hints: Sequence[str], *, partial: bool) -> _DecodeOptions:
        prompt = ", ".join(h.strip() for h in hints if h.strip()) or None
        partial_frames = min(self.window_frames, _window_frames(PARTIAL_ENCODER_WINDOW_S))
        return _DecodeOptions(
            language=self._language(language),
            initial_prompt=prompt,
            temperatures=(self.temperatures[0],) if partial else self.temperatures,
            word_timestamps=self.word_timestamps and not partial,
            beam_size=1 if partial else self.beam_size,
            window_frames=partial_frames if partial else self.window_frames,
            retry_logprob=None if partial else self.window_retry_logprob,
            noisy_snr_db=None if partial else self.noisy_window_snr_db,
            free_window_frames=partial_frames if partial else self.free_window_frames,
        )

    def transcribe(self, samples: Float32Array, *, language: str | None = None,
                   hints: Sequence[str] = (), expected: Sequence[str] = ()) -> Transcript:
        return self._decode(samples, self._options(language, hints, partial=False), final=True,
                            expected=expected)

    def stream(self, *, language: str | None = None, hints: Sequence[str] = (),
               expected: Sequence[str] = ()) -> WhisperStream:
        return WhisperStream(self, self._options(language, hints, partial=True),
                             self._options(language, hints, partial=False), expected)

    def _decode(self, samples: Float32Array, options: _DecodeOptions, *, final: bool,
                expected: Sequence[str] = ()) -> Transcript:
        audio = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
        if audio.size < _MIN_SAMPLES:
            return Transcript(text="", final=final, language=options.language, confidence=0.0)
        with self._lock:
            try:
                if audio.size <= _WINDOW_SAMPLES and not options.word_timestamps:
                    return self._decode_window(audio, options, final=final, expected=expected)
                return self._decode_long(audio, options, final=final)
            except (RuntimeError, ValueError) as exc:
                raise EngineError(f"{self.name} failed to transcribe: {exc}") from None

    def _decode_long(self, audio: Float32Array, options: _DecodeOptions, *, final: bool) -> Transcript:
        """Audio over one 30 s window (files, not live turns): faster-whisper's own segmenting."""
        lazy_segments, info = self._model.transcribe(
            audio,
            language=options.language,
            beam_size=options.beam_size,
            best_of=1,
            temperature=list(options.temperatures),
            initial_prompt=options.initial_prompt,
            word_timestamps=options.word_timestamps,
            condition_on_previous_text=False,
            # Never drop a turn: no_speech_prob only lowers the confidence we report.
            no_speech_threshold=None,
            vad_filter=False,
        )
        # Iterating the generator is the decoding: do it here, inside the blocking call.
        raw = list(lazy_segments)
        segments = tuple(_segment(s) for s in raw)
        text = _words_only(" ".join(s.text for s in segments if s.text).strip())
        return Transcript(text=text, final=final, language=info.language, segments=segments,
                          confidence=_confidence(segments) if text else 0.0)

    def _decode_window(self, audio: Float32Array, options: _DecodeOptions, *, final: bool,
                       expected: Sequence[str]) -> Transcript:
        """One utterance of at most 30 s: encode once, decode without timestamps at temperature 0 (the
        way plain faster-whisper scores best here), then score the expected answers on the same encoder
        output (one batched forced alignment) or, for an open ask, decode again restricted to its words."""
        # The extractor pads 160 samples and so returns one frame past the audio; faster-whisper's own
        # transcribe() drops it, as whisper's log-mel does. Kept, it cost 3 words of 251 on noisy speech
        # and 1 on telephone (bench/wer.py's corpus, 30 s window) against plain faster-whisper.
        features = self._model.feature_extractor(audio)[..., :-1]
        frames = min(int(features.shape[-1]), _WINDOW_FRAMES)
        requests, expected = split_requests(expected)
        short_answer = SHORT_ANSWER in expected
        expected = tuple(e for e in expected if e != SHORT_ANSWER)
        # An open ask's turn is encoded over whisper's whole window, or over OPEN_ASK_WINDOW_S padded with
        # silence where its request asks for that; other turns take the configured window, zero-padded as
        # faster-whisper pads, or with no answers to score FREE_WINDOW_S (the whole window when in noise);
        # a short answer (a confirm's yes or no) is decoded as a closed ask's.
        short = bool(requests) and short_window(requests[0])
        window = (_window_frames(OPEN_ASK_WINDOW_S) if short else _WINDOW_FRAMES) if requests \
            else final_window_frames(options.window_frames, audio, options.noisy_snr_db,
                                     None if expected or short_answer else options.free_window_frames)
        inputs = encoder_input(features, window, silence_level(features) if short else 0.0)
        # The language must be known before the encoder runs for the turn to be batched with others.
        encoder_output = None
        language = options.language
        if self._batcher is None or language is None:
            encoder_output = self._model.encode(inputs)
            language = language or self._detect_language(encoder_output)
        tokenizer = self._tokenizer(language)
        prompt = self._model.get_prompt(tokenizer, self._prompt_tokens(tokenizer, options.initial_prompt),
                                        without_timestamps=True)
        # An open ask's answer comes from the restricted decode, so its free decode is greedy: on the phone
        # corpus as right for menus, phone numbers and the intents said there, a date more, and ~50 ms of
        # CPU less a turn (BENCHMARKS.md, issue 10, open asks).
        # Nor is it decoded again over 30 s when unsure: the restricted decode gives its answer.
        free_options = replace(options, beam_size=OPEN_ASK_FREE_BEAM, retry_logprob=None) if requests \
            else options
        # A repetition loop runs to whisper's 448 tokens (seconds of CPU) unless the audio's length bounds it.
        max_length = len(prompt) + token_budget(audio.size / STT_SAMPLE_RATE_HZ, _MAX_TOKENS - len(prompt))
        first: _Decoded | None = None
        if encoder_output is None:
            turn = _FirstPass(inputs, prompt, tokenizer, free_options, max_length)
            encoder_output, first = self._batched(turn)
        tokens, logprob, no_speech_prob = self._generate(encoder_output, prompt, tokenizer, free_options,
                                                         max_length, first)
        avg_logprob = logprob / (len(tokens) + 1)
        if retries_whole_window(avg_logprob, free_options.retry_logprob, window, frames):
            wide = self._model.encode(encoder_input(features, _WINDOW_FRAMES))
            again = self._generate(wide, prompt, tokenizer, free_options, max_length)
            if again[1] / (len(again[0]) + 1) >= avg_logprob:
                encoder_output, (tokens, logprob, no_speech_prob) = wide, again
                avg_logprob = logprob / (len(tokens) + 1)
        # A loop the fallback decode did not end is cut back to its first round.
        text = without_loop(_words_only(tokenizer.decode(tokens).strip()), _MAX_COMPRESSION_RATIO)
        if not text:
            return Transcript(text="", final=final, language=language, confidence=0.0)
        segment = Segment(text=text, start_s=0.0, end_s=round(audio.size / STT_SAMPLE_RATE_HZ, 3),
                          avg_logprob=avg_logprob, no_speech_prob=no_speech_prob)
        transcript = Transcript(text=text, final=final, language=language, segments=(segment,),
                                confidence=_confidence((segment,)))
        if requests:  # an open ask: decode again with only its words, unless heard whole already
            transcript = replace(transcript, logprob=round(logprob, 3))
        if requests and wanted(requests[0], text, language):
            transcript = self._decode_only(encoder_output, prompt, tokenizer, options, transcript,
                                           requests[0], logprob, max_length)
        substitutes, expected = split_substitution(expected)
        swaps, expected = split_swap(expected)
        yes_no, expected = split_flag(expected, YES_NO)
        number, expected = split_flag(expected, NUMBER)
        # A short yes or no with a word that flips it into the other answer's phrase ("Not right."): that
        # phrase is scored too (scoring.py), even where the transcript's own phrases are not.
        flips = contested(text, expected, language) if yes_no else []
        # A closed answer said in a sentence without an answer word: the sentence with one word replaced
        # by each answer word is scored too (engines/substitution.py); none when an answer word is there.
        # A date's month name is scored against the other months the same way.
        sentences = [*variants(text, substitutes), *swapped(text, swaps)]
        asked = bool(expected)
        if not worth_scoring(text, expected, language, yes_no=yes_no, number=number):
            expected = ()  # a sentence the dialogue reads as it stands (engines/scoring.py)
        if not expected and not sentences and not flips:
            # Nothing to compare with: no scoring pass (partials, open asks, files). A closed answer read as
            # it stands still carries its log-probability: the dialogue knows its answers were asked for.
            return replace(transcript, logprob=round(logprob, 3)) if asked else transcript
        # The transcript's own log-probability comes from the beam search (its end token included), so
        # only the expected answers are scored again: every row scored costs ~3-8 ms of CPU.
        labels = [*expected, *(SUBSTITUTE + sentence for sentence in sentences),
                  *(CONTESTED + flip for flip in flips)]
        phrases = [*expected, *sentences, *flips]
        unique = list(dict.fromkeys(phrases))  # a flip may be among the expected answers scored: once
        rows = [tokenizer.encode(" " + phrase.strip()) for phrase in unique]
        scored = self._score(encoder_output, tokenizer, rows, frames)
        scores = dict(zip(unique, scored, strict=True))
        alternatives = tuple((label, round(scores[phrase], 3))
                             for label, phrase in zip(labels, phrases, strict=True))
        return replace(transcript, alternatives=(*transcript.alternatives, *alternatives),
                       logprob=round(logprob, 3))

    def _decode_only(self, encoder_output: StorageView, prompt: list[int], tokenizer: Tokenizer,
                     options: _DecodeOptions, transcript: Transcript, words: str,
                     free_logprob: float, max_length: int) -> Transcript:
        """The turn decoded again on the encoder output already computed, with every token but those of
        ``words`` suppressed: a digit string comes back as words ("five five five oh one two three", where
        the free decode wrote "555-123"), an order in the menu's words. Punctuation is suppressed too: it
        cost a third more decoding for no better answers (BENCHMARKS.md, issue 10). Its n-best (one beam
        search) are returned as alternatives ``ONLY + text`` with their log-probabilities, best first; the
        transcript's own log-probability is read from its search the same way."""
        result = self._model.model.generate(
            encoder_output, [prompt], max_length=max_length, return_scores=True, suppress_blank=True,
            suppress_tokens=self._only_tokens(tokenizer, words), beam_size=options.beam_size,
            num_hypotheses=options.beam_size,
        )[0]
        heard: dict[str, float] = {}
        for sequence, score in zip(result.sequences_ids, result.scores, strict=True):
            tokens = [t for t in sequence if t < tokenizer.eot]
            text = _words_only(tokenizer.decode(tokens).strip())
            if text and text not in heard:
                heard[text] = round(_summed_logprob(float(score), len(tokens)), 3)
        alternatives = tuple((ONLY + text, logprob) for text, logprob in heard.items())
        return replace(transcript, alternatives=(*transcript.alternatives, *alternatives),
                       logprob=round(free_logprob, 3))

    def _only_tokens(self, tokenizer: Tokenizer, words: str) -> list[int]:
        """Every token to suppress so that only ``words`` can be written (cached per word list)."""
        key = (tokenizer.language_code, words)
        found = self._only_cache.get(key)
        if found is None:
            allowed: set[int] = set(self._digit_tokens(tokenizer)) if DIGITS in words.split() else set()
            for word in allowed_words(words):
                if word == DIGITS:
                    continue
                for form in {word, word.capitalize()}:
                    allowed.update(tokenizer.encode(form))
                    allowed.update(tokenizer.encode(" " + form))
            suppressed = set(self._suppressed_tokens(tokenizer))
            found = sorted(suppressed | {t for t in range(tokenizer.eot) if t not in allowed})
            self._only_cache[key] = found
        return found

    def _digit_tokens(self, tokenizer: Tokenizer) -> list[int]:
        """Every text token written in digits (" 1990", "24"), and the ordinal endings ("th")."""
        out = []
        for piece, token in self._model.hf_tokenizer.get_vocab().items():
            text = piece.replace("\u0120", "")  # byte-level BPE writes a leading space as "Ġ"
            if token < tokenizer.eot and text.isascii() and (text.isdigit() or text in ORDINAL_ENDINGS):
                out.append(token)
        return out

    def _generate(self, encoder_output: StorageView, prompt: list[int], tokenizer: Tokenizer,
                  options: _DecodeOptions, max_length: int, first: _Decoded | None = None) -> _Decoded:
        """(tokens, their log-probability with the end token, no-speech probability). ``first``: the
        decode at the first temperature, already done in a batch."""
        from faster_whisper.transcribe import get_compression_ratio

        tokens: list[int] = []
        logprob = 0.0
        no_speech_prob = 0.0
        for index, temperature in enumerate(options.temperatures):
            tokens, logprob, no_speech_prob = (
                first if index == 0 and first is not None
                else self._generate_batch(encoder_output, [prompt], tokenizer, options.beam_size, temperature,
                                          max_length)[0])
            # A fallback decode only for a repetition loop: on short answers a low log-probability is
            # normal, and sampling them made transcripts worse (BENCHMARKS.md, issue 10).
            if get_compression_ratio(tokenizer.decode(tokens)) <= _MAX_COMPRESSION_RATIO:
                break
        return tokens, logprob, no_speech_prob

    def _generate_batch(self, encoder_output: StorageView, prompts: list[list[int]], tokenizer: Tokenizer,
                        beam_size: int, temperature: float, max_length: int) -> list[_Decoded]:
        """One generate() over a batch of encoded turns (prompts of one length), a decode per turn."""
        sampling: dict[str, Any] = (
            {"beam_size": beam_size} if temperature == 0
            else {"beam_size": 1, "sampling_topk": 0, "sampling_temperature": temperature}
        )
        results = self._model.model.generate(
            encoder_output, prompts, max_length=max_length, return_scores=True,
            return_no_speech_prob=True, suppress_blank=True,
            suppress_tokens=self._suppressed_tokens(tokenizer), **sampling,
        )
        out = []
        for result in results:
            tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
            out.append((tokens, _summed_logprob(float(result.scores[0]), len(tokens)),
                        float(result.no_speech_prob)))
        return out

    def _batched(self, request: _FirstPass) -> tuple[StorageView, _Decoded]:
        """A turn's encode and first decode through the batcher. The caller holds the model lock (one
        decode at a time); it is let go while the turn waits for its batch, which takes it to run."""
        assert self._batcher is not None
        self._lock.release()
        try:
            return self._batcher.submit(request)
        finally:
            self._lock.acquire()

    def _first_passes(self, requests: list[_FirstPass]) -> list[tuple[StorageView, _Decoded]]:
        """The batcher's group: each turn encoded on its own (batching the encoder saved nothing), then one
        batched decode per beam size and prompt length, at the first temperature."""
        import ctranslate2

        with self._lock:
            encoded = [self._model.encode(r.features) for r in requests]
            decoded: list[_Decoded | None] = [None] * len(requests)
            for group in partition(requests, lambda r: (r.options.beam_size, r.options.temperatures[0],
                                                        len(r.prompt), r.tokenizer.language_code,
                                                        int(r.features.shape[-1]))):
                head = requests[group[0]]
                beam, temperature = head.options.beam_size, head.options.temperatures[0]
                encoder_output = encoded[group[0]] if len(group) == 1 else ctranslate2.StorageView.from_array(
                    np.ascontiguousarray(np.concatenate([np.asarray(encoded[i]) for i in group])))
                results = self._generate_batch(encoder_output, [requests[i].prompt for i in group],
                                               head.tokenizer, beam, temperature,
                                               max(requests[i].max_length for i in group))
                for i, result in zip(group, results, strict=True):
                    request = requests[i]
                    if len(request.prompt) + len(result[0]) >= request.max_length - 1:
                        # It ran to (or past) its own token budget under the batch's longer one: decoded
                        # alone again, so its transcript is what a lone decode would give.
                        result = self._generate_batch(encoded[i], [request.prompt], request.tokenizer, beam,
                                                      temperature, request.max_length)[0]
                    decoded[i] = result
        return [(encoded[i], d) for i, d in enumerate(decoded) if d is not None]

    def _score(self, encoder_output: StorageView, tokenizer: Tokenizer, rows: list[list[int]],
               frames: int) -> list[float]:
        """Each row's log-probability on the audio (teacher forcing through ``align()``).

        The decoder attends to the encoded utterance plus a margin, not the whole 30 s window: scoring
        costs ~6x less and ranks the expected answers as well (BENCHMARKS.md, issue 10). ``align()`` pads
        every row to the batch's longest, so rows of each length go in a call of their own: the same scores,
        ~6% less CPU at number questions and ~40% less on a sentence answer's turn (values beside
        substituted sentences).
        """
        import ctranslate2

        if encoder_output.device != "cpu":
            encoder_output = encoder_output.to_device(ctranslate2.Device.cpu)
        encoded = np.asarray(encoder_output)
        keep = min(encoded.shape[1], frames // 2 + _SCORE_MARGIN_FRAMES)
        scores = [0.0] * len(rows)
        for group in _length_groups([len(row) for row in rows]):
            batch = np.ascontiguousarray(np.repeat(encoded[:, :keep], len(group), axis=0))
            results = self._model.model.align(
                ctranslate2.StorageView.from_array(batch), tokenizer.sot_sequence, [rows[i] for i in group],
                [min(keep, frames // 2)] * len(group))
            for i, result in zip(group, results, strict=True):
                scores[i] = sum(math.log(max(float(p), 1e-9)) for p in result.text_token_probs)
        return scores

    def _detect_language(self, encoder_output: StorageView) -> str:
        if self.english_only:
            return "en"
        found = self._model.model.detect_language(encoder_output)[0][0][0]
        return str(found).strip("<|>")

    def _tokenizer(self, language: str) -> Tokenizer:
        from faster_whisper.tokenizer import Tokenizer

        found = self._tokenizers.get(language)
        if found is None:
            found = Tokenizer(self._model.hf_tokenizer, not self.english_only, task="transcribe",
                              language=language)
            self._tokenizers[language] = found
        return found

    def _suppressed_tokens(self, tokenizer: Tokenizer) -> list[int]:
        from faster_whisper.transcribe import get_suppressed_tokens

        return list(get_suppressed_tokens(tokenizer, [-1]))

    def _prompt_tokens(self, tokenizer: Tokenizer, prompt: str | None) -> list[int]:
        return list(tokenizer.encode(" " + prompt.strip())) if prompt else []


class WhisperStream:
    """One utterance: ``accept()`` 16 kHz float32 chunks, ``finish()`` for the final."""

    def __init__(self, transcriber: WhisperTranscriber, partial_options: _DecodeOptions,
                 final_options: _DecodeOptions, expected: Sequence[str] = ()) -> None:
        self._transcriber = transcriber
        self._expected = tuple(expected)
        self._partial_options = partial_options
        self._final_options = final_options
        self._chunks: list[Float32Array] = []
        self._samples = 0
        self._decoded_at_samples = 0
        self._last_partial = ""
        self._interval_samples = transcriber.partial_interval_ms * STT_SAMPLE_RATE_HZ // 1000
        self._finished = False

    @property
    def duration_s(self) -> float:
        return self._samples / STT_SAMPLE_RATE_HZ

    def audio(self) -> Float32Array:
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0]

    def accept(self, samples: Float32Array) -> list[Transcript]:
        if self._finished:
            raise EngineError("this transcription stream is finished; start a new one per utterance")
        chunk = np.asarray(samples, dtype=np.float32).reshape(-1)
        if chunk.size:
            self._chunks.append(chunk.copy())
            self._samples += chunk.size
        if self._transcriber.partial_interval_ms <= 0:
            return []
        if self._samples - self._decoded_at_samples < self._interval_samples:
            return []
        self._decoded_at_samples = self._samples
        partial = self._transcriber._decode(self.audio(), self._partial_options, final=False)
        if not partial.text or partial.text == self._last_partial:
            return []
        self._last_partial = partial.text
        return [partial]

    def finish(self) -> Transcript:
        self._finished = True
        return self._transcriber._decode(self.audio(), self._final_options, final=True,
                                         expected=self._expected)


def _length_groups(lengths: Sequence[int]) -> list[list[int]]:
    """Indexes of ``lengths`` in groups of one length, each scored in one ``align()``."""
    groups: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        groups.setdefault(n, []).append(i)
    return list(groups.values())


def _summed_logprob(score: float, tokens: int) -> float:
    """A generate() score back to a log-probability: CTranslate2 divides the sequence's log-probability by
    its length (length_penalty 1), and faster-whisper reads it back the same way for its avg_logprob."""
    return score * tokens


def _window_frames(seconds: float) -> int:
    frames = round(seconds * _FRAMES_PER_S)
    return min(_WINDOW_FRAMES, frames + frames % 2)  # the encoder's stride 2 halves it


def retries_whole_window(avg_logprob: float, threshold: float | None, window_frames: int,
                         frames: int) -> bool:
    """Whether a decode over a short window is unsure enough to be decoded again over whisper's 30 s."""
    short = window_frames < _WINDOW_FRAMES and frames <= window_frames
    return threshold is not None and short and avg_logprob < threshold


def final_window_frames(window_frames: int, audio: Float32Array, noisy_snr_db: float | None,
                        free_window_frames: int | None) -> int:
    """The encoder window of a turn that is not an open ask: ``window_frames`` for one with expected answers
    (``free_window_frames`` None), else ``free_window_frames`` (:data:`FREE_WINDOW_S`), or whisper's whole
    30 s window when said in noise (:data:`NOISY_WINDOW_SNR_DB`)."""
    if free_window_frames is None:
        return window_frames
    if free_window_frames >= _WINDOW_FRAMES:  # the whole window already: no noise to measure
        return free_window_frames
    return _WINDOW_FRAMES if is_noisy(audio, STT_SAMPLE_RATE_HZ, noisy_snr_db) else free_window_frames


def encoder_input(features: Float32Array, window_frames: int, pad: float = 0.0) -> Float32Array:
    """Log-mel ``features`` (mels x frames) padded with ``pad`` (zeros, as faster-whisper's ``pad_or_trim``
    pads) or cut to the encoder's window: ``window_frames``, or the whole 30 s window when the audio is
    longer."""
    frames = int(features.shape[-1])
    width = window_frames if frames <= window_frames else _WINDOW_FRAMES
    out = np.full((features.shape[0], width), pad, dtype=np.float32)
    kept = min(frames, width)
    out[:, :kept] = features[:, :kept]
    return out


def silence_level(features: Float32Array) -> float:
    """The value whisper's log-mel gives digital silence in these ``features``: the extractor floors
    log10 of the mel energies at 8 under their maximum, then maps x to (x + 4) / 4, so silence is the
    features' maximum less 2 (what the audio padded with zeros, as whisper pads it, would give)."""
    return float(features.max()) - 2.0 if features.size else 0.0


def _segment(raw: Any) -> Segment:
    words = tuple(
        Word(text=w.word.strip(), start_s=round(float(w.start), 3), end_s=round(float(w.end), 3),
             probability=round(float(w.probability), 4))
        for w in (raw.words or ())
    )
    return Segment(text=raw.text.strip(), start_s=round(float(raw.start), 3), end_s=round(float(raw.end), 3),
                   words=words, avg_logprob=float(raw.avg_logprob), no_speech_prob=float(raw.no_speech_prob))


def _words_only(text: str) -> str:
    # Silence decodes to a lone "." or "..."; that is no words, not a turn.
    return text if any(ch.isalnum() for ch in text) else ""


def _confidence(segments: Sequence[Segment]) -> float:
    """Mean word probability where words exist, else exp(mean token log-probability)."""
    probabilities = [w.probability for s in segments for w in s.words if w.probability is not None]
    if probabilities:
        return round(float(np.mean(probabilities)), 4)
    logprobs = [s.avg_logprob for s in segments if s.avg_logprob is not None]
    if not logprobs:
        return 0.0
    return round(min(1.0, math.exp(float(np.mean(logprobs)))), 4)

