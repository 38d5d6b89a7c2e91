"""Voice profiles and voice cloning.

A profile is a folder ``voices/NAME/`` holding ``voice.yml``, the reference clips and whatever an engine
derives from them (a trained conversion, speaker latents). See docs/voices.md.
"""
