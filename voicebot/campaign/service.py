"""Campaigns inside a running process: create, start, pause, progress, report.

Used by the HTTP API and by ``voicebot campaign run``. Dialling needs a :class:`Dialer` (AMI and an
AudioSocket listener in the same process); without one, campaigns can be created and reported on.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voicebot.campaign.contacts import ContactList, parse_contacts
from voicebot.campaign.policy import CampaignSettings
from voicebot.campaign.runner import CampaignRunner, Dialer, utc_now
from voicebot.campaign.state import Campaign, CampaignStore, Progress
from voicebot.config import Config
from voicebot.errors import CampaignError
from voicebot.record import CallRecord

log = logging.getLogger(__name__)


def campaign_id_for(contacts: ContactList, settings: CampaignSettings) -> str:
    """The same contacts file and dialogue give the same id, so a rerun resumes the campaign."""
    return hashlib.sha256(f"{contacts.sha256}:{settings.dialogue}".encode()).hexdigest()[:12]


def default_store_path(config: Config) -> Path:
    return Path(config.paths.data_dir) / "campaigns.db"


def open_campaign_store(config: Config, db: str | Path | None = None) -> CampaignStore:
    """The campaign queue: in PostgreSQL when ``store.url`` names one (shared by every worker), else
    the SQLite file ``db`` or ``<data_dir>/campaigns.db`` (one dialer process per campaign)."""
    from voicebot.store.factory import is_postgres_url

    url = config.store.url
    if db is None and url is not None and is_postgres_url(url):
        from voicebot.campaign.pgstate import PostgresCampaignStore

        return PostgresCampaignStore(url, lease_s=config.store.lease_s)
    return CampaignStore(Path(db) if db else default_store_path(config))


class CampaignService:
    def __init__(self, store: CampaignStore, *, dialer: Dialer | None = None,
                 find_record: Callable[[str], CallRecord | None] = lambda call_id: None,
                 clock: Callable[[], Any] = utc_now) -> None:
        self.store = store
        self.dialer = dialer
        self.find_record = find_record
        self.clock = clock
        self._runners: dict[str, CampaignRunner] = {}
        self._tasks: dict[str, asyncio.Task[Progress]] = {}

    def create(self, csv_text: str, settings: CampaignSettings, *, name: str | None = None,
               campaign_id: str | None = None,
               source: str = "contacts") -> tuple[Campaign, ContactList, bool]:
        contacts = parse_contacts(csv_text, phone_column=settings.phone_column, source=source)
        if not contacts.contacts and not contacts.invalid:
            raise CampaignError(f"{source}: no contacts below the header")
        campaign_id = campaign_id or campaign_id_for(contacts, settings)
        campaign, created = self.store.create(campaign_id, name or campaign_id, settings, contacts,
                                              self.clock())
        return campaign, contacts, created

    def running(self, campaign_id: str) -> bool:
        task = self._tasks.get(campaign_id)
        return task is not None and not task.done()

    def start(self, campaign_id: str, *, on_progress: Callable[[Progress], None] | None = None,
              poll_s: float = 1.0) -> asyncio.Task[Progress]:
        """Run the campaign in the background (resuming where it stopped); returns its task."""
        self.store.get(campaign_id)  # raises for an unknown id
        if self.dialer is None:
            raise CampaignError("this process cannot dial: configure AMI (ami.username, "
                                "VOICEBOT_AMI__SECRET) and the AudioSocket listener (audiosocket.listen)")
        if self.running(campaign_id):
            return self._tasks[campaign_id]
        runner = CampaignRunner(self.store, campaign_id, self.dialer, find_record=self.find_record,
                                clock=self.clock, poll_s=poll_s, on_progress=on_progress)
        self._runners[campaign_id] = runner
        task = asyncio.create_task(runner.run(), name=f"campaign-{campaign_id}")
        self._tasks[campaign_id] = task
        return task

    def pause(self, campaign_id: str) -> bool:
        """Stop dialling new contacts; calls in progress finish. False when it was not running."""
        self.store.get(campaign_id)
        runner = self._runners.get(campaign_id)
        if runner is None or not self.running(campaign_id):
            return False
        runner.pause()
        return True

    async def close(self) -> None:
        for campaign_id in list(self._tasks):
            self.pause(campaign_id)
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
