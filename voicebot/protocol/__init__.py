"""Wire formats spoken by voicebot's doors. Pure: no sockets here."""
