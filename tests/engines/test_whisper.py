"""faster-whisper with the embedded models, on speech synthesised by the embedded Piper voice."""

from pathlib import Path

import numpy as np
import pytest

from tests.audio.speech import RATE_HZ, normalize, padded, speech_bounds_ms, synth, whisper_base, whisper_tiny
from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.pcm import float32_to_int16, int16_to_float32
from voicebot.audio.resample import resample
from voicebot.engines.registry import create_transcriber
from voicebot.errors import ConfigError, EngineError

ORDER = "I would like two large pepperoni pizzas delivered to twelve Main Street."


@pytest.mark.parametrize("text", [
    ORDER,
    "I understood the cancellation policy and signed up voluntarily.",
    "That's all, thank you.",
])
def test_synthesised_sentence_is_transcribed_back(text: str) -> None:
    transcript = whisper_tiny().transcribe(padded(synth(text), 300, 300), language="en")
    assert transcript.final
    assert normalize(transcript.text) == normalize(text)
    assert transcript.language == "en"
    assert transcript.confidence is not None and transcript.confidence > 0.5


def test_a_short_yes_is_never_dropped() -> None:
    transcript = whisper_tiny().transcribe(padded(synth("Yes."), 200, 200))
    assert normalize(transcript.text) == "yes"
    assert 0 < (transcript.confidence or 0) <= 1


def test_word_timestamps_follow_the_audio() -> None:
    audio = padded(synth(ORDER), 500, 500)
    transcript = whisper_tiny().transcribe(audio)
    words = [w for s in transcript.segments for w in s.words]
    assert [normalize(w.text) for w in words][:3] == ["i", "would", "like"]
    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    assert all(w.start_s <= w.end_s for w in words)
    _, speech_end_ms = speech_bounds_ms(audio)
    assert words[-1].end_s <= audio.size / RATE_HZ
    assert abs(words[-1].end_s * 1000 - speech_end_ms) < 600


def test_streaming_in_20ms_frames_gives_the_same_final_and_partials_on_the_way() -> None:
    transcriber = whisper_tiny()
    audio = padded(synth(ORDER), 300, 300)
    stream = transcriber.stream(language="en")
    frame = RATE_HZ // 50
    partials = []
    for start in range(0, audio.size, frame):
        partials += stream.accept(audio[start:start + frame])
    final = stream.finish()
    assert final.final and final.text == transcriber.transcribe(audio, language="en").text
    assert partials and not any(p.final for p in partials)
    assert len(partials[-1].text) > len(partials[0].text)
    with pytest.raises(EngineError):
        stream.accept(audio[:frame])


def test_hints_bias_towards_expected_names() -> None:
    audio = padded(synth("My name is Siobhan Kowalczyk."), 300, 300)
    plain = whisper_tiny().transcribe(audio)
    hinted = whisper_tiny().transcribe(audio, hints=["Siobhan Kowalczyk", "Zentrifo Secure Plus"])
    assert "kowalczyk" not in normalize(plain.text)
    assert "siobhan kowalczyk" in normalize(hinted.text)


def test_telephone_band_mulaw_audio_still_transcribes() -> None:
    clean = padded(synth(ORDER), 300, 300)
    narrow = resample(clean, RATE_HZ, 8000)
    phone = int16_to_float32(ulaw_decode(ulaw_encode(float32_to_int16(narrow))))
    back = resample(phone, 8000, RATE_HZ)
    transcript = whisper_tiny().transcribe(back)
    words = normalize(transcript.text).split()
    expected = normalize(ORDER).split()
    assert sum(w in expected for w in words) >= len(expected) - 2


def test_silence_is_never_a_confident_transcript() -> None:
    # Whisper may hallucinate a word ("You") on silence; the confidence tells the dialogue to reprompt.
    transcript = whisper_tiny().transcribe(np.zeros(RATE_HZ * 2, np.float32))
    assert transcript.final and transcript.confidence is not None and transcript.confidence < 0.2
    assert whisper_tiny().transcribe(np.zeros(0, np.float32)).text == ""


def test_english_only_model_refuses_korean() -> None:
    with pytest.raises(ConfigError, match="English only"):
        whisper_tiny().transcribe(np.zeros(RATE_HZ, np.float32), language="ko")


def test_names_and_registry() -> None:
    assert whisper_tiny().name == "faster-whisper:tiny.en"
    assert whisper_base().name == "faster-whisper:base"
    transcriber = create_transcriber("faster-whisper", model="tiny.en", word_timestamps=False)
    transcript = transcriber.transcribe(padded(synth("Yes."), 200, 200))
    assert normalize(transcript.text) == "yes" and transcript.segments[0].words == ()


def test_korean_through_the_multilingual_base() -> None:
    from tests.audio.speech import espeak_korean

    audio = espeak_korean("안녕하세요 피자 두 판 주문하고 싶어요")
    transcript = whisper_base().transcribe(audio, language="ko")
    hangul = [ch for ch in transcript.text if "\uac00" <= ch <= "\ud7a3"]
    letters = [ch for ch in transcript.text if ch.isalpha()]
    assert transcript.language == "ko"
    # base barely understands eSpeak's Korean: which syllables come back varies from run to run (a CI run
    # beside other work once gave "이동은경", four), but they are Korean.
    assert len(hangul) >= 3 and len(hangul) >= 0.8 * len(letters)


def test_base_understands_english_too() -> None:
    transcript = whisper_base().transcribe(padded(synth("That's all, thank you."), 300, 300), language="en")
    assert normalize(transcript.text) == normalize("That's all, thank you.")


def _phone_line(samples: np.ndarray) -> np.ndarray:
    line = ulaw_decode(ulaw_encode(float32_to_int16(resample(samples, RATE_HZ, 8000))))
    return resample(int16_to_float32(line), 8000, RATE_HZ)


def test_expected_answers_are_scored_on_the_same_audio_and_the_spoken_one_leads() -> None:
    expected = ("One.", "Two.", "Three.", "Four.", "Five.", "4.", "Bye.", "Stop.")
    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    transcript = live.transcribe(_phone_line(padded(synth("Four."), 200, 200)), language="en",
                                           expected=expected)
    scored = dict(transcript.alternatives)
    assert list(scored) == list(expected)
    assert all(logprob < 0 for logprob in scored.values())
    words = ("One.", "Two.", "Three.", "Five.", "Bye.", "Stop.")
    assert max(scored["Four."], scored["4."]) > max(scored[w] for w in words)
    assert transcript.logprob is not None and transcript.logprob < 0
    assert 0 < (transcript.confidence or 0) <= 1


def test_a_sentence_without_an_answer_word_is_scored_again_with_its_edge_words_replaced() -> None:
    from voicebot.engines.substitution import heard_substituted, substitute_words

    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    request = substitute_words(["one", "two", "six"])
    transcript = live.transcribe(padded(synth("Maybe a fix."), 200, 200), language="en",
                                 expected=("One.", "Two.", "Six.", request))
    sentences = dict(heard_substituted(transcript.alternatives))
    assert "fix" in normalize(transcript.text)
    assert len(sentences) == 6 and all(logprob < 0 for logprob in sentences.values())
    # the audio says "fix": the sentence with "six" in its place fits it better than with "one" or "two"
    last_six = next(s for s in sentences if s.lower().endswith("six."))
    assert sentences[last_six] > max(v for s, v in sentences.items() if s.lower().endswith(("one.", "two.")))
    # where the transcript holds an answer word, nothing more is scored
    heard_two = live.transcribe(padded(synth("Maybe a two."), 200, 200), language="en",
                                expected=("One.", "Two.", request))
    assert heard_substituted(heard_two.alternatives) == []


def test_a_dates_month_is_scored_against_the_other_months_on_the_same_audio() -> None:
    from voicebot.dialogue.grammar_open import MONTH_WORDS
    from voicebot.engines.substitution import heard_substituted, swap_words

    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    audio = _phone_line(padded(synth("December twenty fourth, nineteen ninety."), 200, 200))
    transcript = live.transcribe(audio, language="en", expected=(swap_words(MONTH_WORDS),))
    sentences = dict(heard_substituted(transcript.alternatives))
    assert "december" in normalize(transcript.text)
    assert len(sentences) == 12 and all(logprob < 0 for logprob in sentences.values())
    best = max(sentences, key=lambda s: sentences[s])
    assert "December" in best and transcript.text in sentences  # the heard sentence is among them


def test_a_short_yes_or_no_with_a_word_that_flips_it_is_scored_against_its_flip() -> None:
    from voicebot.engines.scoring import CONTESTED, YES_NO

    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    yes_no = ("Yes.", "That's right.", "No.", "Bye.", YES_NO)
    heard = live.transcribe(padded(synth("Not right."), 200, 200), language="en", expected=yes_no)
    assert normalize(heard.text) == "not right"
    # read as a no, so its phrases are not scored (scoring.py), but "That's right." is, below what was heard
    assert [text for text, _ in heard.alternatives] == [CONTESTED + "That's right."]
    assert heard.logprob is not None and heard.alternatives[0][1] < heard.logprob
    plain_yes = live.transcribe(padded(synth("Yes, go ahead."), 200, 200), language="en", expected=yes_no)
    assert plain_yes.alternatives == ()  # no word that flips it: nothing scored
    # where the other answer has no such phrase, nothing is scored either
    unlisted = live.transcribe(padded(synth("Not right."), 200, 200), language="en", expected=yes_no[2:])
    assert unlisted.alternatives == ()


def test_a_sentence_answer_heard_whole_is_not_scored_but_keeps_its_log_probability() -> None:
    from voicebot.engines.scoring import YES_NO

    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    sentence = live.transcribe(padded(synth("I would give it a five."), 200, 200), language="en",
                               expected=("One.", "Five.", "Bye."))
    assert normalize(sentence.text).startswith("i would give it")
    assert sentence.alternatives == () and sentence.logprob is not None and sentence.logprob < 0
    # at a yes/no question a yes in other words is read as it stands; a bare "Yes." is scored
    yes_no = ("Yes.", "No.", "Bye.", YES_NO)
    other_words = live.transcribe(padded(synth("Yes, go ahead."), 200, 200), language="en", expected=yes_no)
    assert other_words.alternatives == () and other_words.logprob is not None
    bare = live.transcribe(padded(synth("Yes."), 200, 200), language="en", expected=yes_no)
    assert [text for text, _ in bare.alternatives] == ["Yes.", "No.", "Bye."]


def test_a_number_said_in_three_words_is_not_scored_at_a_number_question() -> None:
    from voicebot.engines.scoring import NUMBER

    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    audio = padded(synth("I'd say four."), 200, 200)
    scores = ("One.", "Two.", "Three.", "Four.", "Five.", "Bye.")
    heard = live.transcribe(audio, language="en", expected=(*scores, NUMBER))
    assert normalize(heard.text) in ("i'd say four", "i'd say 4")
    assert heard.alternatives == () and heard.logprob is not None and heard.logprob < 0
    # the same three words at a question that is no number question are a short answer, scored
    other = live.transcribe(audio, language="en", expected=scores)
    assert [text for text, _ in other.alternatives] == list(scores)


def test_no_expected_answers_means_no_alternatives_and_long_audio_still_decodes() -> None:
    assert whisper_tiny().transcribe(padded(synth("Yes."), 200, 200)).alternatives == ()
    long = np.concatenate([padded(synth(ORDER), 300, 300)] * 4)
    long = np.concatenate([long, np.zeros(RATE_HZ * 31 - long.size, np.float32)])  # over one window
    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    transcript = live.transcribe(long, language="en", expected=("Yes.",))
    assert normalize(transcript.text).count("pepperoni") >= 3
    assert transcript.alternatives == ()


def test_a_phone_number_asked_for_keeps_its_ohs_and_repeated_digits_on_the_phone_line() -> None:
    from voicebot.dialogue import grammar
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.dialogue.understanding import SlotReader
    from voicebot.engines.constrained import heard_only

    pizza = load_dialogue(Path(__file__).resolve().parents[2] / "dialogues" / "pizza_order.yml")
    spec = pizza.slots["phone"]
    expected = grammar.for_slot(pizza, spec)
    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    audio = _phone_line(padded(synth("six one seven, five five five, oh oh four two"), 300, 300))
    transcript = live.transcribe(audio, language="en", expected=expected.to_score)
    restricted = heard_only(transcript.alternatives)
    assert restricted and transcript.logprob is not None
    assert not any(ch.isdigit() for text, _ in restricted for ch in text)  # only the ask's words
    reader = SlotReader(pizza)
    reading = grammar.read_answer(reader, expected, transcript.text, transcript.confidence,
                                  transcript.alternatives, transcript.logprob)
    assert reader.read(spec, reading.text, asked=True) == "6175550042", (transcript.text, restricted)


def test_an_order_ask_is_not_decoded_again_when_the_caller_closes_the_order() -> None:
    from voicebot.dialogue import grammar
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.engines.constrained import heard_only

    pizza = load_dialogue(Path(__file__).resolve().parents[2] / "dialogues" / "pizza_order.yml")
    expected = grammar.for_slot(pizza, pizza.slots["items"]).to_score
    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    closing = live.transcribe(_phone_line(padded(synth("No, that's it."), 300, 300)), language="en",
                              expected=expected)
    assert "that" in normalize(closing.text) and heard_only(closing.alternatives) == []
    assert closing.logprob is not None  # the dialogue still reads it through the grammar
    order = live.transcribe(_phone_line(padded(synth("Two large pepperoni."), 300, 300)), language="en",
                            expected=expected)
    # encoded over the short window padded with silence (the order's request asks for it): heard whole
    assert normalize(heard_only(order.alternatives)[0][0]) == "two large pepperoni"


def test_a_date_asked_for_is_decoded_again_in_month_names_and_digits_when_asked_to() -> None:
    from voicebot.dialogue import grammar_open
    from voicebot.engines.constrained import heard_only, only_words
    from voicebot.nlu.dates import parse_date

    words = (*grammar_open.MONTH_WORDS, *grammar_open.ORDINAL_WORDS, *grammar_open.DATE_FILLERS)
    request = only_words((*words, grammar_open.DIGITS))  # no kind named: decoded whatever was heard
    live = create_transcriber("faster-whisper", model="tiny.en", language="en", word_timestamps=False)
    audio = _phone_line(padded(synth("December twenty fourth nineteen ninety"), 300, 300))
    restricted = heard_only(live.transcribe(audio, language="en", expected=(request,)).alternatives)
    assert restricted
    for text, _ in restricted:  # month names, ordinals and numbers in digits, nothing else
        assert all(w in words or w.rstrip("stndrh").isdigit() for w in text.split()), text
    assert str(parse_date(restricted[0][0], "en")) == "1990-12-24", restricted


def test_a_korean_order_is_decoded_again_in_the_menus_words_by_base() -> None:
    from tests.audio.speech import espeak_korean
    from voicebot.dialogue import grammar
    from voicebot.dialogue.loader import load_dialogue
    from voicebot.dialogue.understanding import SlotReader
    from voicebot.engines.constrained import heard_only

    korean = load_dialogue(Path(__file__).resolve().parents[2] / "dialogues" / "pizza_order_ko.yml")
    expected = grammar.for_slot(korean, korean.slots["items"])
    live = create_transcriber("faster-whisper", model="base", language="ko", word_timestamps=False)
    transcript = live.transcribe(padded(espeak_korean("불고기 한 판"), 300, 300), language="ko",
                                 expected=expected.to_score)
    assert heard_only(transcript.alternatives)  # base wrote eSpeak's 불고기 otherwise ("부터 피한 팡")
    reader = SlotReader(korean)
    reading = grammar.read_answer(reader, expected, transcript.text, transcript.confidence,
                                  transcript.alternatives, transcript.logprob)
    assert reader.read(korean.slots["items"], reading.text, asked=True) == [
        {"name": "bulgogi", "size": "medium", "quantity": 1}]


def test_scoring_in_groups_of_one_length_gives_what_one_align_of_every_row_gives() -> None:
    """The scorer (one align() per row length) against the plain way: one align() of every row, padded to
    the longest, with values and sentences of mixed lengths."""
    import ctranslate2

    from voicebot.engines.whisper import encoder_input

    live = whisper_tiny()
    audio = _phone_line(padded(synth("Maybe a fix."), 200, 200))
    features = live._model.feature_extractor(audio)[..., :-1]
    frames = int(features.shape[-1])
    encoded = live._model.encode(encoder_input(features, live.window_frames))
    tokenizer = live._tokenizer("en")
    phrases = ("One.", "Two.", "Six.", "Seventeen.", "Bye.", "Maybe a six.", "Maybe a one.",
               "Six a fix.", "Maybe a seventeen.", "I would give it a six out of ten.")
    rows = [tokenizer.encode(" " + phrase) for phrase in phrases]
    assert len({len(row) for row in rows}) >= 4
    got = live._score(encoded, tokenizer, rows, frames)
    keep = frames // 2
    batch = np.ascontiguousarray(np.repeat(np.asarray(encoded)[:, :keep], len(rows), axis=0))
    plain = live._model.model.align(ctranslate2.StorageView.from_array(batch), tokenizer.sot_sequence, rows,
                                    [keep] * len(rows))
    want = [float(np.sum(np.log(np.maximum(r.text_token_probs, 1e-9)))) for r in plain]
    assert np.allclose(got, want, atol=0.05)  # int8 rounding at most; on this machine they are equal
    assert sorted(range(len(rows)), key=lambda i: got[i]) == sorted(range(len(rows)), key=lambda i: want[i])
