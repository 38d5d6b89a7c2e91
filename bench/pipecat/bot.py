"""The pizza_order bot rebuilt with Pipecat, for bench/side_by_side.py. Runs in .bench-venv-pipecat.

Pipeline per websocket call (Pipecat's own FastAPI websocket transport, raw PCM serializer):

    input -> VADProcessor(Silero) -> LocalWhisperSTT [-> UserTurnProcessor] -> ScriptedPizzaDialogue
        -> LocalPiperTTS -> AudioEndTap -> output

``--turn smart-turn`` (bench/side_by_side.py's default) is local turn detection as Pipecat 1.14 documents
it: Silero with ``stop_secs`` 0.2 (its ``VAD_STOP_SECS`` default) transcribes each pause, and a
``UserTurnProcessor`` whose stop strategy is ``TurnAnalyzerUserTurnStopStrategy(LocalSmartTurnAnalyzerV3)``
(Pipecat's default user-turn stop strategy) ends the turn when Smart Turn v3.2 calls it complete (or
after its 3 s silence fallback); the dialogue answers the turn's transcripts joined. ``--turn silence``:
the turn ends after ``--end-silence-ms`` of Silero silence, one transcript per turn (the earlier runs).
Pipecat finds the Smart Turn file inside its own wheel (``pipecat/audio/turn/smart_turn/data/``, through
importlib.resources) unless ``smart_turn_model_path`` is given; the driver passes voicebot's model cache
copy, the same file (same SHA-256), so both sides run the very same model.

Same models as voicebot, from the paths the driver passes: faster-whisper tiny.en (CTranslate2 dir),
the Piper joe voice (.onnx). Models load once per process and are shared by all calls, as voicebot does.
Pipecat has no YAML dialogue manager: ScriptedPizzaDialogue answers the scripted caller turns with the
prompts of dialogues/pizza_order.yml, in order.

Wire protocol (a subset of voicebot's): client sends a text ``{"type": "start", "variables": {...}}``, then
binary s16le mono 16 kHz frames; server sends binary bot audio at 16 kHz and text messages
``{"type": "transcript"|"bot"|"audio_end", ...}``.

    .bench-venv-pipecat/bin/python bench/pipecat/bot.py --port 8766 --whisper-model DIR --piper-voice X.onnx
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
import yaml
from fastapi import FastAPI, WebSocket
from loguru import logger
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.frames.frames import (
    BotStoppedSpeakingFrame,
    DataFrame,
    ErrorFrame,
    Frame,
    InputAudioRawFrame,
    InputTransportMessageFrame,
    OutputAudioRawFrame,
    OutputTransportMessageFrame,
    OutputTransportMessageUrgentFrame,
    StartFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.runner import PipelineRunner
from pipecat.pipeline.task import PipelineParams, PipelineTask
from pipecat.processors.audio.vad_processor import VADProcessor
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.serializers.base_serializer import FrameSerializer
from pipecat.services.piper import tts as piper_tts
from pipecat.services.whisper.stt import WhisperSTTService
from pipecat.transports.websocket.fastapi import FastAPIWebsocketParams, FastAPIWebsocketTransport
from pipecat.utils.time import time_now_iso8601

SAMPLE_RATE_HZ = 16_000
REPO = Path(__file__).resolve().parents[2]
# What voicebot's pizza_order answers to the benchmark's scripted caller turns, in order.
SCRIPT_REPLIES = ("ask_address", "ask_phone", "confirm_order", "placed")
# The phone answer (the turn answered with confirm_order) is whole at ten digits. Smart Turn calls
# "5 5 5," complete at the caller's first pause; a real app would then ask again (or an LLM filter
# would wait). The stand-in dialogue waits for the rest instead, as voicebot's dialogue does, so the
# call stays on script; each such early turn end is logged ("turn ended early") and counted.
PHONE_TURN = 2
PHONE_DIGITS = 10


class RawPcmSerializer(FrameSerializer):
    """Binary frames are raw s16le audio; text frames are JSON messages."""

    async def serialize(self, frame: Frame) -> str | bytes | None:
        if isinstance(frame, OutputAudioRawFrame):
            return frame.audio
        if isinstance(frame, (OutputTransportMessageFrame, OutputTransportMessageUrgentFrame)):
            return json.dumps(frame.message)
        return None

    async def deserialize(self, data: str | bytes) -> Frame | None:
        if isinstance(data, bytes):
            return InputAudioRawFrame(audio=data, sample_rate=SAMPLE_RATE_HZ, num_channels=1)
        return InputTransportMessageFrame(message=json.loads(data))


class SharedModels:
    """Loaded once per process: the whisper model and the Piper voice."""

    def __init__(self, whisper_dir: str, piper_voice: Path, cpu_threads: int) -> None:
        from faster_whisper import WhisperModel
        from piper import PiperVoice

        self.whisper = WhisperModel(whisper_dir, device="cpu", compute_type="int8",
                                    cpu_threads=cpu_threads, local_files_only=True)
        self.voice = PiperVoice.load(piper_voice)
        self.voice_path = piper_voice


class LocalWhisperSTT(WhisperSTTService):
    """Pipecat's segmented whisper service on an already loaded model, decoding as voicebot does.

    Pipecat's stock service loads one model per instance (per call) and decodes with faster-whisper's
    defaults (beam 5, temperature fallback up to 1.0, a no_speech filter). voicebot decodes live turns
    greedily with at most one fallback, so this matches its options: the comparison is of the
    frameworks, not of decoder settings.
    """

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self._shared = model
        super().__init__(settings=WhisperSTTService.Settings(model="tiny.en", language="en"),
                         device="cpu", compute_type="int8", **kwargs)

    def _load(self) -> None:
        self._model = self._shared

    async def run_stt(self, audio: bytes):  # type: ignore[no-untyped-def]
        samples = np.frombuffer(audio, dtype=np.int16).astype(np.float32) / 32768.0
        model = self._model

        def transcribe() -> str:
            # Iterating the lazy generator is the decoding: keep it in the worker thread.
            segments, _ = model.transcribe(samples, language="en", beam_size=1, best_of=1,
                                           temperature=[0.0, 0.4], condition_on_previous_text=False,
                                           no_speech_threshold=None, vad_filter=False)
            return " ".join(s.text.strip() for s in segments).strip()

        try:
            text = await asyncio.to_thread(transcribe)
        except RuntimeError as exc:
            yield ErrorFrame(f"whisper failed: {exc}")
            return
        if any(ch.isalnum() for ch in text):
            yield TranscriptionFrame(text, self._user_id, time_now_iso8601(), "en")


class LocalPiperTTS(piper_tts.PiperTTSService):
    """Pipecat's Piper service on the already loaded voice (its constructor would load one per call,
    or download a voice by name from the internet when the file is not in its cache folder)."""

    def __init__(self, models: SharedModels, **kwargs: Any) -> None:
        voice_name = models.voice_path.name.removesuffix(".onnx")
        loader = piper_tts.PiperVoice
        piper_tts.PiperVoice = _Preloaded(models.voice)  # type: ignore[assignment]
        try:
            super().__init__(settings=piper_tts.PiperTTSService.Settings(voice=voice_name),
                             download_dir=models.voice_path.parent, **kwargs)
        finally:
            piper_tts.PiperVoice = loader


class _Preloaded:
    def __init__(self, voice: Any) -> None:
        self._voice = voice

    def load(self, *_: Any, **__: Any) -> Any:
        return self._voice


class CallerTurnEnded(DataFrame):
    """The user-turn strategies ended the caller's turn. A data frame, so it reaches the dialogue after
    the turn's last transcript (Pipecat's UserStoppedSpeakingFrame is a system frame: it overtakes
    transcripts still queued, and the dialogue would answer without them)."""


class ScriptedPizzaDialogue(FrameProcessor):
    """Greets, then answers each caller turn with the next pizza_order prompt.

    ``per_turn``: a turn ends at :class:`CallerTurnEnded` (the user-turn strategies' verdict), its
    transcripts joined; otherwise every transcript is a turn.
    """

    def __init__(self, prompts: dict[str, str], *, per_turn: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._prompts = prompts
        self._variables: dict[str, str] = {}
        self._turn = 0
        self._per_turn = per_turn
        self._heard: list[str] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            await self.push_frame(frame, direction)
            # One text, so one bot message and one audio_end, as voicebot sends for its two prompts.
            await self._say(f"{self._prompts['greeting']} {self._prompts['ask_items']}")
        elif isinstance(frame, InputTransportMessageFrame):
            message = frame.message if isinstance(frame.message, dict) else {}
            if message.get("type") == "start":
                self._variables = {str(k): str(v) for k, v in (message.get("variables") or {}).items()}
        elif isinstance(frame, TranscriptionFrame) and not self._per_turn:
            await self._answer(frame.text)
        elif isinstance(frame, TranscriptionFrame):
            self._heard.append(frame.text.strip())
        elif isinstance(frame, CallerTurnEnded):
            text = " ".join(t for t in self._heard if t)
            if self._turn == PHONE_TURN and sum(ch.isdigit() for ch in text) < PHONE_DIGITS:
                logger.warning(f"turn ended early: {text!r}")
                return  # keep what was heard: the rest of the number comes in the next turn
            self._heard = []
            if text:
                await self._answer(text)
        else:
            await self.push_frame(frame, direction)

    async def _answer(self, text: str) -> None:
        await self._send({"type": "transcript", "final": True, "text": text})
        if self._turn < len(SCRIPT_REPLIES):
            template = self._prompts[SCRIPT_REPLIES[self._turn]]
            self._turn += 1
            await self._say(_render(template, self._variables))

    async def _say(self, text: str) -> None:
        await self._send({"type": "bot", "text": text})
        await self.push_frame(TTSSpeakFrame(text))

    async def _send(self, message: dict[str, Any]) -> None:
        await self.push_frame(OutputTransportMessageUrgentFrame(message=message))


class AudioEndTap(FrameProcessor):
    """Sends ``audio_end`` when the bot has finished speaking: the output transport says the audio
    stopped playing (BotStoppedSpeakingFrame, upstream) and no synthesis is still running (a pause
    between two slow sentences also stops the audio for a moment)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._synthesizing = 0

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, TTSStartedFrame):
            self._synthesizing += 1
        elif isinstance(frame, TTSStoppedFrame):
            self._synthesizing = max(0, self._synthesizing - 1)
        elif (isinstance(frame, BotStoppedSpeakingFrame) and direction == FrameDirection.UPSTREAM
              and self._synthesizing == 0):
            await self.push_frame(OutputTransportMessageUrgentFrame(message={"type": "audio_end"}))


def _render(template: str, variables: dict[str, str]) -> str:
    """``{items}``, ``{address}``, ``{items|total|currency}`` from the start message's variables."""
    out = template
    for key, value in variables.items():
        out = out.replace("{" + key + "}", value)
    return out.replace("{items|total|currency}", variables.get("total", ""))


def load_prompts(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["prompts"].items()}


def user_turns(smart_turn_model: Path | None, dialogue: FrameProcessor) -> FrameProcessor:
    """Pipecat's local turn detection: Smart Turn v3 decides when a user turn stops; ``dialogue`` hears
    it as a :class:`CallerTurnEnded` queued behind the turn's transcripts."""
    from pipecat.audio.turn.smart_turn.local_smart_turn_v3 import LocalSmartTurnAnalyzerV3
    from pipecat.turns.user_stop import TurnAnalyzerUserTurnStopStrategy
    from pipecat.turns.user_turn_processor import UserTurnProcessor
    from pipecat.turns.user_turn_strategies import UserTurnStrategies

    analyzer = LocalSmartTurnAnalyzerV3(
        smart_turn_model_path=str(smart_turn_model) if smart_turn_model else None)
    stop = [TurnAnalyzerUserTurnStopStrategy(turn_analyzer=analyzer)]
    turns = UserTurnProcessor(user_turn_strategies=UserTurnStrategies(stop=stop))

    @turns.event_handler("on_user_turn_stopped")
    async def _stopped(_processor: Any, _strategy: Any) -> None:
        await dialogue.queue_frame(CallerTurnEnded())

    return turns


def build_app(models: SharedModels, prompts: dict[str, str], vad: VADParams, *, smart_turn: bool = False,
              smart_turn_model: Path | None = None) -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.websocket("/ws")
    async def call(websocket: WebSocket) -> None:
        await websocket.accept()
        transport = FastAPIWebsocketTransport(websocket, FastAPIWebsocketParams(
            audio_in_enabled=True, audio_out_enabled=True,
            audio_in_sample_rate=SAMPLE_RATE_HZ, audio_out_sample_rate=SAMPLE_RATE_HZ,
            serializer=RawPcmSerializer(), allowed_origins=[]))
        dialogue = ScriptedPizzaDialogue(prompts, per_turn=smart_turn)
        turns = [user_turns(smart_turn_model, dialogue)] if smart_turn else []
        pipeline = Pipeline([
            transport.input(),
            VADProcessor(vad_analyzer=SileroVADAnalyzer(params=vad)),
            LocalWhisperSTT(models.whisper),
            *turns,
            dialogue,
            LocalPiperTTS(models),
            AudioEndTap(),
            transport.output(),
        ])
        task = PipelineTask(pipeline, params=PipelineParams(audio_in_sample_rate=SAMPLE_RATE_HZ,
                                                            audio_out_sample_rate=SAMPLE_RATE_HZ),
                            idle_timeout_secs=None, enable_rtvi=False)

        @transport.event_handler("on_client_disconnected")
        async def _gone(_transport: Any, _client: Any) -> None:
            await task.cancel()

        await PipelineRunner(handle_sigint=False).run(task)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--whisper-model", required=True, help="faster-whisper (CTranslate2) model dir")
    parser.add_argument("--piper-voice", required=True, type=Path, help="Piper .onnx voice")
    parser.add_argument("--dialogue", type=Path, default=REPO / "dialogues" / "pizza_order.yml")
    parser.add_argument("--turn", choices=("silence", "smart-turn"), default="silence",
                        help="silence: the turn ends after --end-silence-ms of silence; smart-turn: Silero "
                        "stop 0.2 s and LocalSmartTurnAnalyzerV3 (Pipecat's documented local turn detection)")
    parser.add_argument("--smart-turn-model", type=Path, default=None,
                        help="smart-turn-v3.2-cpu.onnx (default: the copy inside the pipecat wheel)")
    parser.add_argument("--end-silence-ms", type=int, default=None,
                        help="VAD stop silence (default: 600 with --turn silence, 200 with smart-turn)")
    parser.add_argument("--vad-threshold", type=float, default=0.5)
    parser.add_argument("--cpu-threads", type=int, default=0, help="CTranslate2 threads (0: default)")
    args = parser.parse_args(argv)
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    logging.basicConfig(level=logging.WARNING)
    models = SharedModels(args.whisper_model, args.piper_voice, args.cpu_threads)
    smart_turn = args.turn == "smart-turn"
    end_silence_ms = args.end_silence_ms if args.end_silence_ms is not None else (200 if smart_turn else 600)
    vad = VADParams(confidence=args.vad_threshold, stop_secs=end_silence_ms / 1000)
    app = build_app(models, load_prompts(args.dialogue), vad, smart_turn=smart_turn,
                    smart_turn_model=args.smart_turn_model)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
