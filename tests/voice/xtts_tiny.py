"""A tiny, randomly initialised XTTS checkpoint for tests: real code paths, meaningless audio."""

from __future__ import annotations

import string
from pathlib import Path

SPECIAL_TOKENS = ["[STOP]", "[UNK]", "[SPACE]", "[START]", "[en]", "[ko]"]


def build_tiny_xtts(folder: Path) -> Path:
    import torch
    from tokenizers import Tokenizer, models
    from TTS.tts.configs.xtts_config import XttsArgs, XttsConfig
    from TTS.tts.layers.xtts.tokenizer import VoiceBpeTokenizer
    from TTS.tts.models.xtts import Xtts

    folder.mkdir(parents=True, exist_ok=True)
    # Character-level vocabulary: enough for English and romanised Korean.
    symbols = SPECIAL_TOKENS + list(string.ascii_lowercase + string.digits + " .,?!'-")
    vocab = {symbol: index for index, symbol in enumerate(symbols)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="[UNK]"))
    tokenizer.add_special_tokens(SPECIAL_TOKENS)
    tokenizer.save(str(folder / "vocab.json"))
    args = XttsArgs(gpt_layers=1, gpt_n_model_channels=32, gpt_n_heads=2, gpt_max_audio_tokens=24,
                    gpt_max_text_tokens=200, gpt_max_prompt_tokens=16, gpt_num_audio_tokens=34,
                    gpt_start_audio_token=32, gpt_stop_audio_token=33, decoder_input_dim=32)
    config = XttsConfig(model_args=args)
    torch.manual_seed(0)
    model = Xtts(config)
    model.tokenizer = VoiceBpeTokenizer(folder / "vocab.json")
    model.init_models()
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder
