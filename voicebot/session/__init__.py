"""The streaming call session: caller audio in, dialogue in the middle, bot audio out.

Every door (websocket, AudioSocket, audio files) drives the same :class:`CallSession`.
"""
