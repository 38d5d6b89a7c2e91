"""Outbound campaigns: contacts, persisted state, the dialer loop, reports and the HTTP API."""
