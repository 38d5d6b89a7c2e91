"""A Korean call through the same pipeline: whisper base, the Korean voice, the shipped survey."""

from __future__ import annotations

from pathlib import Path

from tests.audio.speech import espeak_korean, padded
from tests.session.helpers import engine_pool, runtime
from voicebot.dialogue.loader import load_dialogue
from voicebot.transport.file import run_file_call

SURVEY_KO = Path(__file__).resolve().parents[2] / "dialogues" / "satisfaction_survey_ko.yml"


async def test_a_korean_caller_answers_the_survey_consent_question(tmp_path: Path) -> None:
    dialogue = load_dialogue(SURVEY_KO)
    # eSpeak's Korean gets a low whisper confidence, so the dialogue may confirm: "네" answers that too.
    turns = [padded(espeak_korean(text), 200, 0) for text in ("네, 좋아요.", "네.")]
    result = await run_file_call(runtime(tmp_path), dialogue, turns,
                                 engines=engine_pool())
    record = result.record
    caller = [t for t in record.turns if t.role == "caller"]
    assert caller and "네" in caller[0].text, [(t.role, t.text) for t in record.turns]
    assert record.slots.get("consent") is True, [(t.role, t.text, t.confidence) for t in record.turns]
    assert record.meta["stt_model"] == "faster-whisper:base" and record.language == "ko"
    assert caller[0].latency_ms is not None
