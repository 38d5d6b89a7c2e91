"""Strength per speaker: the choice with literals, then on the cloned test voice."""

from voicebot.voice import quality, strength
from voicebot.voice.clone import CloneResult
from voicebot.voice.profile import load_profile
from voicebot.voice.strength import StrengthChoice, StrengthTrial, pick


def test_the_closest_strength_within_two_misheard_words_of_the_base_voice_wins() -> None:
    assert pick([StrengthTrial(0.8, 4)], base_misheard_words=3, floor=0.6) == 0.8
    assert pick([StrengthTrial(0.8, 6), StrengthTrial(0.7, 5)], base_misheard_words=3, floor=0.6) == 0.7
    assert pick([StrengthTrial(0.8, 9), StrengthTrial(0.7, 6), StrengthTrial(0.6, 5)],
                base_misheard_words=3, floor=0.6) == 0.6


def test_the_default_is_kept_when_even_it_is_misheard_more() -> None:
    trials = [StrengthTrial(0.8, 14), StrengthTrial(0.7, 11), StrengthTrial(0.6, 6)]
    assert pick(trials, base_misheard_words=3, floor=0.6) == 0.6
    assert strength.CANDIDATES[-1] == 0.6  # the strength the bench measured for every speaker


def test_the_choice_says_what_was_tried() -> None:
    choice = StrengthChoice(strength=0.7, trials=(StrengthTrial(0.8, 6), StrengthTrial(0.7, 3)),
                            base_misheard_words=3, words=61)
    assert choice.line() == ("strength 0.7 chosen: the closest whose speech our speech-to-text mishears at "
                             "most 2 words more than the base voice's (words misheard of 61: 0.8: 6, 0.7: 3; "
                             "base voice 3)")


def test_a_strength_misheard_more_on_the_phone_line_is_passed_over() -> None:
    # Heard as well as the base voice wideband, 3 words worse through the 8 kHz mu-law line.
    trials = [StrengthTrial(0.8, 4, phone_misheard_words=9), StrengthTrial(0.7, 4, phone_misheard_words=7)]
    assert pick(trials, base_misheard_words=3, floor=0.6, base_phone_misheard_words=6) == 0.7
    assert pick(trials[:1], base_misheard_words=3, floor=0.6, base_phone_misheard_words=6) == 0.6
    # Without the base voice's phone-line figure only the wideband one counts.
    assert pick(trials, base_misheard_words=3, floor=0.6) == 0.8


def test_the_choice_says_what_was_tried_on_the_phone_line() -> None:
    choice = StrengthChoice(strength=0.7, trials=(StrengthTrial(0.8, 4, 9), StrengthTrial(0.7, 4, 7)),
                            base_misheard_words=3, words=61, base_phone_misheard_words=6)
    assert choice.line() == ("strength 0.7 chosen: the closest whose speech our speech-to-text mishears at "
                             "most 2 words more than the base voice's (wideband / phone line) (words "
                             "misheard of 61: 0.8: 4 / 9, 0.7: 4 / 7; base voice 3 / 6)")


def test_word_edits_count_substitutions_insertions_and_deletions() -> None:
    assert quality.word_edits("Two large pizzas, please.", "two large pizzas please") == 0
    assert quality.word_edits("two large pizzas please", "two big pizzas") == 2
    assert quality.word_edits("yes", "") == 1
    assert quality.word_count("Half past ten, please.") == 4


def test_voice_clone_writes_the_chosen_strength(cloned: CloneResult) -> None:
    choice = cloned.strength
    assert choice is not None
    assert choice.strength in strength.CANDIDATES
    assert choice.trials[0].strength == strength.CANDIDATES[0]
    # Tried from the closest down, stopping at the first that is heard about as well as the base voice.
    # voice clone listens through the phone line too.
    assert choice.base_phone_misheard_words is not None
    assert all(t.phone_misheard_words is not None for t in choice.trials)
    assert all(not strength.acceptable(t, choice.base_misheard_words,
                                       base_phone_misheard_words=choice.base_phone_misheard_words)
               for t in choice.trials[:-1])
    assert load_profile(cloned.profile.directory).settings["strength"] == choice.strength
