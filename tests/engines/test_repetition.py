"""Whisper's repetition loops: the token budget for a stretch of audio and the loop cut to one round."""

from voicebot.engines.repetition import MIN_TOKENS, cut_loop, token_budget, without_loop

# What tiny.en wrote for Piper's 3.5 s "Your order of two large pizzas will arrive in about thirty minutes."
# in one run of voice check (its tail ran on to 448 tokens).
LOOPED = ("Your order of two large pizzas will arrive in about 30 minutes. So, we're going to take a look at "
          "what we're going to do, and we're going to take a look at what we're going to do, and we're going "
          "to take a look at what we're going to do, and we're going to take a look at what we're going to")


def test_the_budget_grows_with_the_audio_and_stops_at_the_ceiling() -> None:
    assert token_budget(0.0, 448) == MIN_TOKENS
    assert token_budget(3.5, 448) == MIN_TOKENS + 52
    assert token_budget(60.0, 446) == 446
    assert token_budget(-1.0, 448) == MIN_TOKENS


def test_a_loop_is_cut_after_its_first_round() -> None:
    assert cut_loop(LOOPED) == ("Your order of two large pizzas will arrive in about 30 minutes. So, we're "
                                "going to take a look at what we're going to do, and")
    assert cut_loop("4, 4, 4, 4, 4, 4, 4, 4") == "4"
    assert cut_loop("Thank you. Thank you. Thank you. Thank you.") == "Thank you."


def test_only_text_that_compresses_like_a_loop_is_cut() -> None:
    assert without_loop(LOOPED, 2.4) == cut_loop(LOOPED) != LOOPED
    for speech in ("five five five one two three four", "no no no", "Yes, yes, yes.", ""):
        assert without_loop(speech, 2.4) == speech
    assert cut_loop("five five five one two three four") == "five"  # why the compression gate is needed
