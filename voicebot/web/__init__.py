"""The HTTP/websocket service: app, authentication, metrics, static widget files."""
