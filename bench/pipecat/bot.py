"""The pizza_order bot rebuilt with Pipecat, for bench/side_by_side.py. Runs in .bench-venv-pipecat.

Pipeline per websocket call (Pipecat's own FastAPI websocket transport, raw PCM serializer):

    input -> VADProcessor(Silero) -> LocalWhisperSTT -> ScriptedPizzaDialogue -> LocalPiperTTS
        -> AudioEndTap -> output

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


class ScriptedPizzaDialogue(FrameProcessor):
    """Greets, then answers each caller transcript with the next pizza_order prompt."""

    def __init__(self, prompts: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._prompts = prompts
        self._variables: dict[str, str] = {}
        self._turn = 0

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
        elif isinstance(frame, TranscriptionFrame):
            await self._send({"type": "transcript", "final": True, "text": frame.text})
            if self._turn < len(SCRIPT_REPLIES):
                template = self._prompts[SCRIPT_REPLIES[self._turn]]
                self._turn += 1
                await self._say(_render(template, self._variables))
        else:
            await self.push_frame(frame, direction)

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


def build_app(models: SharedModels, prompts: dict[str, str], vad: VADParams) -> FastAPI:
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
        pipeline = Pipeline([
            transport.input(),
            VADProcessor(vad_analyzer=SileroVADAnalyzer(params=vad)),
            LocalWhisperSTT(models.whisper),
            ScriptedPizzaDialogue(prompts),
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
    parser.add_argument("--end-silence-ms", type=int, default=600, help="VAD stop silence")
    parser.add_argument("--vad-threshold", type=float, default=0.5)
    parser.add_argument("--cpu-threads", type=int, default=0, help="CTranslate2 threads (0: default)")
    args = parser.parse_args(argv)
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    logging.basicConfig(level=logging.WARNING)
    models = SharedModels(args.whisper_model, args.piper_voice, args.cpu_threads)
    vad = VADParams(confidence=args.vad_threshold, stop_secs=args.end_silence_ms / 1000)
    app = build_app(models, load_prompts(args.dialogue), vad)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
