"""What whisper writes for noise ("Thanks for watching!", "[Music]", a lone "you") is no turn of the caller's.

Noise that whisper hears as its training subtitles cannot be made to order, so the test says the subtitle
itself: whatever the audio, a final transcript of "Thank you for watching." is no answer.
"""

from __future__ import annotations

from pathlib import Path

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime, voice_check
from voicebot.transport.file import run_file_call


async def test_whispers_subtitle_is_no_answer(tmp_path: Path) -> None:
    # The bot answers it as silence ("Sorry, I didn't hear anything."), not as words that fit nothing
    # ("Sorry, I didn't catch that."), and records no caller turn.
    rt = runtime(tmp_path)
    turns = [padded(synth("Thank you for watching."), 200, 0)]
    result = await run_file_call(rt, voice_check(), turns, engines=engine_pool())
    record = result.record
    assert [t.text for t in record.turns if t.role == "caller"] == [], record.to_json()
    bot = [t.prompt_id for t in record.turns if t.role == "bot"]
    assert "global.no_match" not in bot and "global.silence" in bot, bot
