"""How a call listens and plays: turn taking per line rate, STT strategy, timeouts, the watchdog."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from voicebot.audio.endpointing import EndpointingConfig
from voicebot.audio.turn_taking import TurnTakingConfig
from voicebot.config import Config
from voicebot.session.take_back import TakeBackConfig

# Phone lines (8 kHz): measured on Piper speech through G.711 mu-law at every 1 ms offset of the 20 ms
# framing, these find "Yes.", "Two.", "Three.", "No thanks." every time; line hiss and hum stay under 0.05.
NARROWBAND_MAX_RATE_HZ = 8_000
NARROWBAND_THRESHOLD = 0.3
NARROWBAND_NEG_THRESHOLD = 0.2
NARROWBAND_MIN_SPEECH_MS = 96


@dataclass(frozen=True, slots=True)
class SessionSettings:
    turn_taking: TurnTakingConfig = field(default_factory=TurnTakingConfig)
    # "speculative": decode once the trailing silence starts, use it if the caller stays quiet;
    # "stream": feed the engine's stream as audio arrives and take finish() at the end of the turn.
    stt_strategy: Literal["speculative", "stream"] = "speculative"
    # Silence after which a speculative decode starts; whisper also gets this much trailing audio.
    speculative_after_ms: int = 240
    # "silence": a turn ends after turn_taking.end_silence_ms of silence. "smart_turn": a pause of
    # endpointing.ask_pause_ms starts the speculative decode and asks the turn model; the dialogue's
    # view of that transcript and the model decide, up to endpointing.max_pause_ms.
    end_of_turn: Literal["silence", "smart_turn"] = "smart_turn"
    endpointing: EndpointingConfig = field(default_factory=EndpointingConfig)
    # New caller speech soon after a turn ended, before much of the reply played, reopens that turn.
    take_back: TakeBackConfig = field(default_factory=TakeBackConfig)
    # Partial transcripts while the caller talks (speculative strategy); 0 turns them off.
    partial_interval_ms: int = 1000
    # "instant": bot audio counts as played when sent (offline calls that run faster than real time).
    playback: Literal["realtime", "instant"] = "realtime"
    no_input_timeout_ms: int | None = None  # overrides the dialogue's Listen timeout when set
    pre_roll_ms: int = 300  # audio kept before detected speech onset, so first syllables reach STT
    # Wall-clock gap with no caller audio that counts as silence (AudioSocket sends none behind Wait()).
    audio_gap_ms: int = 200
    record_audio: bool = True
    # Watchdog: a call where nothing happens (no caller speech, no bot audio, no dialogue event) for
    # this long is stuck, not quiet (a silent caller gets no-input timeouts); it ends as "no_progress".
    no_progress_timeout_s: float | None = 120.0
    # The longest a call may last; the bot finishes its sentence and the call ends as "max_duration".
    max_call_duration_s: float | None = 3600.0

    def turn_taking_for(self, sample_rate_hz: int) -> TurnTakingConfig:
        """Turn taking for a line rate. The shipped Silero graph only takes 16 kHz, and a phone line's
        upsampled speech scores lower: a lone "Two." peaks near 0.4 and "Three." dips under 0.5 in
        half the frame alignments. Narrowband lines get lower thresholds and a shorter onset."""
        if sample_rate_hz > NARROWBAND_MAX_RATE_HZ:
            return self.turn_taking
        turn = self.turn_taking
        return replace(turn, threshold=min(turn.threshold, NARROWBAND_THRESHOLD),
                       neg_threshold=min(turn.neg_threshold, NARROWBAND_NEG_THRESHOLD),
                       min_speech_ms=min(turn.min_speech_ms, NARROWBAND_MIN_SPEECH_MS))

    @classmethod
    def from_config(cls, config: Config, **overrides: Any) -> SessionSettings:
        vad = config.vad
        turn = TurnTakingConfig(threshold=vad.threshold, neg_threshold=min(0.35, vad.threshold),
                                end_silence_ms=vad.end_silence_ms, onset_hold_ms=vad.onset_hold_ms)
        session = config.session
        settings = cls(turn_taking=turn, record_audio=config.recording.enabled,
                       # 0 in the config file turns a limit off.
                       no_progress_timeout_s=session.no_progress_timeout_s or None,
                       max_call_duration_s=session.max_call_duration_s or None,
                       partial_interval_ms=session.partial_interval_ms,
                       end_of_turn="smart_turn" if session.end_of_turn == "smart_turn" else "silence",
                       endpointing=EndpointingConfig(ask_pause_ms=config.turn.ask_pause_ms,
                                                     max_pause_ms=config.turn.max_pause_ms,
                                                     complete_threshold=config.turn.threshold,
                                                     complete_pause_ms=config.turn.complete_pause_ms,
                                                     open_pause_ms=config.turn.open_pause_ms),
                       take_back=TakeBackConfig(window_ms=config.turn.take_back_window_ms,
                                                max_bot_audio_ms=config.turn.take_back_max_bot_audio_ms))
        return replace(settings, **overrides)

    @property
    def speculate_after_ms(self) -> int:
        """Where in a pause the speculative decode starts: with smart_turn, when the judges are asked."""
        if self.end_of_turn == "smart_turn":
            return self.endpointing.ask_pause_ms
        return self.speculative_after_ms

    @property
    def longest_pause_ms(self) -> int:
        """The longest silence that may still be inside a turn."""
        if self.end_of_turn == "smart_turn":
            return self.endpointing.max_pause_ms
        return self.turn_taking.end_silence_ms
