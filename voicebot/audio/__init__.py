"""Audio primitives: PCM conversions, resampling, G.711 codecs, file I/O, turn-taking."""
